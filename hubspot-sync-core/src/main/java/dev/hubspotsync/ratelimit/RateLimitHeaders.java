package dev.hubspotsync.ratelimit;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The {@code X-HubSpot-RateLimit-*} headers of one response. Search responses carry none; OAuth
 * responses carry no daily ones. Each field is empty when its header was absent or unreadable.
 */
public record RateLimitHeaders(OptionalLong daily, OptionalLong dailyRemaining, OptionalLong max,
    OptionalLong remaining, OptionalLong intervalMillis) {

  public static final RateLimitHeaders NONE = new RateLimitHeaders(OptionalLong.empty(), OptionalLong.empty(),
      OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());

  /** Reads the headers through a lookup by (case-insensitive) name. */
  public static RateLimitHeaders parse(Function<String, Optional<String>> header) {
    return new RateLimitHeaders(number(header, "X-HubSpot-RateLimit-Daily"),
        number(header, "X-HubSpot-RateLimit-Daily-Remaining"), number(header, "X-HubSpot-RateLimit-Max"),
        number(header, "X-HubSpot-RateLimit-Remaining"), number(header, "X-HubSpot-RateLimit-Interval-Milliseconds"));
  }

  private static OptionalLong number(Function<String, Optional<String>> header, String name) {
    Optional<String> v = header.apply(name);
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v.get().trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
