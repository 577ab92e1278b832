package dev.hubspotsync.ratelimit;

import java.util.Locale;

/** The limit a 429 names in its {@code policyName}. */
public enum ThrottlePolicy {
  TEN_SECONDLY_ROLLING, SECONDLY, DAILY, UNKNOWN;

  /** Parses HubSpot's {@code policyName}; anything unrecognised (or null) is {@link #UNKNOWN}. */
  public static ThrottlePolicy of(String policyName) {
    if (policyName == null) {
      return UNKNOWN;
    }
    try {
      return valueOf(policyName.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return UNKNOWN;
    }
  }
}
