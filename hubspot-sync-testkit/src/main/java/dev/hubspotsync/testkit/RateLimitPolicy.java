package dev.hubspotsync.testkit;

/** The limits whose 429 responses name them in {@code policyName} (hubspot-api.md §6.3). */
public enum RateLimitPolicy {
  /** Per app, per rolling 10 seconds; search is exempt. */
  TEN_SECONDLY_ROLLING,
  /** Per account per day, resetting at midnight in the account's time zone. */
  DAILY,
  /** Search's own per-second limit. */
  SECONDLY
}
