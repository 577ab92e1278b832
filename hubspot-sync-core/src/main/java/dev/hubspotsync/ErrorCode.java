package dev.hubspotsync;

/**
 * Stable codes for every failure hubspot-sync reports. Codes never change meaning once released;
 * scripts and schedulers may switch on them.
 */
public enum ErrorCode {
  /** A setting is missing or invalid; the message names it. */
  BAD_CONFIGURATION,
  /** HubSpot rejected the credentials (401 INVALID_AUTHENTICATION), or a refresh failed. */
  INVALID_AUTHENTICATION,
  /** The app lacks scopes the call needs (403 MISSING_SCOPES). */
  MISSING_SCOPES,
  /** The daily ceiling of the rate budget is reached; resume at the next reset. */
  RATE_BUDGET_EXHAUSTED,
  /** HubSpot throttled the call (429) and retries ran out. */
  RATE_LIMITED,
  /** HubSpot answered 4xx other than the above: the request itself is wrong. */
  HUBSPOT_REJECTED,
  /** HubSpot, or the way to it, failed (5xx, reset connection) and retries ran out. */
  HUBSPOT_UNAVAILABLE,
  /** HubSpot answered something this version cannot read. */
  UNEXPECTED_RESPONSE,
  /**
   * The warehouse failed a statement or the connection to it broke ({@link WarehouseException});
   * data already committed stays, and the stream's checkpoint did not move past it.
   */
  WAREHOUSE_FAILED,
  /** The thread was interrupted while waiting. */
  INTERRUPTED
}
