package dev.hubspotsync.testkit;

/**
 * HubSpot subscription tiers and the private-app limits they carry (hubspot-api.md §6.1): burst
 * calls per rolling 10 seconds per app, and calls per day per account.
 */
public enum Tier {
  FREE(100, 250_000),
  STARTER(100, 250_000),
  PROFESSIONAL(190, 625_000),
  ENTERPRISE(190, 1_000_000),
  /** Enterprise with one API Limit Increase add-on. */
  API_LIMIT_INCREASE(250, 2_000_000);

  private final int burstPerTenSeconds;
  private final long daily;

  Tier(int burstPerTenSeconds, long daily) {
    this.burstPerTenSeconds = burstPerTenSeconds;
    this.daily = daily;
  }

  public int burstPerTenSeconds() {
    return burstPerTenSeconds;
  }

  public long daily() {
    return daily;
  }
}
