package dev.hubspotsync.batch;

/** Warehouse column types hubspot-sync writes. Each sink maps them to its dialect's type names. */
public enum ColumnType {
  /** Text of any length (HubSpot string, enumeration, phone_number and unknown types). */
  TEXT,
  /**
   * An IEEE 754 binary64 double (HubSpot number: HubSpot stores numbers as doubles). Values are
   * parsed with round-to-nearest, so each value HubSpot sends is the double HubSpot holds; integers
   * are exact up to 2^53.
   */
  DOUBLE,
  /**
   * Exact decimal, precision 38, scale 9: how number properties were stored before {@link #DOUBLE}.
   * Still read from existing tables; {@link dev.hubspotsync.schema.SchemaDrift} converts such columns
   * to {@code DOUBLE} (see {@code docs/warehouses.md}), and no new column gets this type.
   */
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
      case "number": return DOUBLE;
      case "bool": return BOOLEAN;
      case "date": return DATE;
      case "datetime": return TIMESTAMP;
      default: return TEXT;
    }
  }
}
