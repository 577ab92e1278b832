package dev.hubspotsync.batch;

/** Warehouse column types hubspot-sync writes. Each sink maps them to its dialect's type names. */
public enum ColumnType {
  /** Text of any length (HubSpot string, enumeration, phone_number and unknown types). */
  TEXT,
  /** Exact decimal, precision 38, scale 9 (HubSpot number). */
  DECIMAL,
  BOOLEAN,
  /** A calendar date (HubSpot date, stored by HubSpot as midnight UTC). */
  DATE,
  /** An instant in UTC with microsecond precision (HubSpot datetime). */
  TIMESTAMP,
  /** A 64-bit integer (record ids). */
  BIGINT;

  /** The column type for a HubSpot property type ({@code number}, {@code bool}, {@code date}, {@code datetime}, …). */
  public static ColumnType forHubSpotType(String hubspotType) {
    if (hubspotType == null) {
      return TEXT;
    }
    switch (hubspotType) {
      case "number": return DECIMAL;
      case "bool": return BOOLEAN;
      case "date": return DATE;
      case "datetime": return TIMESTAMP;
      default: return TEXT;
    }
  }
}
