package dev.hubspotsync.testkit.internal;

import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RateLimitPolicy;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * HubSpot's limits (hubspot-api.md §6): a rolling 10-second burst per app, search's own 5/s per
 * account (§2), and a daily count per account that resets at midnight in the account's time zone.
 * Search and the association reads (batch read, labels) are exempt from the burst (§10.2, the spec's
 * {@code x-hubspot-rate-limit-exemptions: ten-secondly}); every call counts toward the daily limit except
 * the change journal's, which count nowhere (§10.4).
 * Rejected calls count toward nothing. Times come from the portal clock.
 */
final class RateLimiter {
  static final long BURST_WINDOW = 10_000;
  private static final long SEARCH_WINDOW = 1_000;

  private final PortalSpec spec;
  private final ZoneId zone;
  private final Map<String, ArrayDeque<Long>> burst = new HashMap<>();
  private final ArrayDeque<Long> search = new ArrayDeque<>();
  private final SplittableRandom random;
  private LocalDate day;
  private long dailyUsed;

  RateLimiter(PortalSpec spec) {
    this.spec = spec;
    this.zone = spec.timeZone();
    this.random = new SplittableRandom(spec.seed() + 17);
  }

  /** How a call counts: in the burst window, in search's window, or toward the daily limit only. */
  enum Lane {
    BURST, SEARCH, DAILY_ONLY,
    /** Counted nowhere: the change journal ({@code x-hubspot-rate-limit-exemptions: daily, ten-secondly}, §10.4). */
    EXEMPT;

    static Lane of(dev.hubspotsync.testkit.Endpoint endpoint) {
      switch (endpoint) {
        case SEARCH: return SEARCH;
        case JOURNAL:
        case JOURNAL_SUBSCRIPTIONS:
        case JOURNAL_FILE:
          return EXEMPT;
        case ASSOCIATIONS_BATCH_READ:
        case ASSOCIATION_LABELS: // every /crm/associations operation is exempt in the 2026-09 spec
          return DAILY_ONLY;
        default: return BURST;
      }
    }
  }

  /** Admits one call or throws the 429 HubSpot would send. */
  synchronized void admit(Auth.App app, Lane lane, long now) {
    rollDay(now);
    if (lane == Lane.EXEMPT) {
      return;
    }
    if (lane == Lane.DAILY_ONLY) {
      if (spec.rateLimited() && app.countsDaily() && dailyUsed >= spec.dailyLimit()) {
        throw tooMany(RateLimitPolicy.DAILY, "You have reached your daily limit.",
            Math.max(1, (nextReset(now) - now + 999) / 1000), null);
      }
      if (app.countsDaily()) {
        dailyUsed++;
      }
      return;
    }
    boolean isSearch = lane == Lane.SEARCH;
    ArrayDeque<Long> window = isSearch ? search : burst.computeIfAbsent(app.name(), k -> new ArrayDeque<>());
    long span = isSearch ? SEARCH_WINDOW : BURST_WINDOW;
    while (!window.isEmpty() && window.peekFirst() <= now - span) {
      window.pollFirst();
    }
    if (spec.rateLimited()) {
      if (app.countsDaily() && dailyUsed >= spec.dailyLimit()) {
        throw tooMany(RateLimitPolicy.DAILY, "You have reached your daily limit.",
            Math.max(1, (nextReset(now) - now + 999) / 1000), null);
      }
      int limit = isSearch ? spec.searchPerSecond() : burstLimit(app);
      if (window.size() >= limit) {
        if (isSearch) {
          throw tooMany(RateLimitPolicy.SECONDLY, "You have reached your secondly limit.", 1, null);
        }
        long wait = window.peekFirst() + span - now;
        throw tooMany(RateLimitPolicy.TEN_SECONDLY_ROLLING, "You have reached your ten_secondly_rolling limit.",
            Math.max(1, (wait + 999) / 1000), "publicapi:" + app.kind().groupName() + "-ten-secondly:" + spec.portalId());
      }
    }
    window.addLast(now);
    if (app.countsDaily()) {
      dailyUsed++;
    }
  }

  /**
   * The 429 of an injected {@link dev.hubspotsync.testkit.Fault#RATE_LIMITED} fault: the body a real
   * rejection has, always with {@code Retry-After: 1}.
   */
  synchronized ApiError injected(Auth.App app, boolean isSearch) {
    ApiError error = isSearch
        ? tooMany(RateLimitPolicy.SECONDLY, "You have reached your secondly limit.", 1, null)
        : tooMany(RateLimitPolicy.TEN_SECONDLY_ROLLING, "You have reached your ten_secondly_rolling limit.", 1,
            "publicapi:" + app.kind().groupName() + "-ten-secondly:" + spec.portalId());
    return error.header("Retry-After", "1");
  }

  private int burstLimit(Auth.App app) {
    return app.kind() == Auth.Kind.OAUTH ? spec.oauthBurstLimit() : spec.burstLimit();
  }

  private ApiError tooMany(RateLimitPolicy policy, String message, long retryAfterSeconds, String groupName) {
    // 429 bodies carry errorType and policyName, not category (§6.3).
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "error");
    body.put("message", message);
    body.put("errorType", "RATE_LIMIT");
    body.put("policyName", policy.name());
    if (groupName != null) {
      body.put("groupName", groupName);
    }
    if (policy == RateLimitPolicy.DAILY) {
      body.put("requestId", new java.util.UUID(random.nextLong(), random.nextLong()).toString());
    }
    ApiError error = new ApiError(429, body);
    // Retry-After is not reliably sent on 429 (§6.3): only on a share of them.
    if (random.nextDouble() < spec.retryAfterShare()) {
      error.header("Retry-After", Long.toString(retryAfterSeconds));
    }
    error.policy = policy;
    return error;
  }

  /**
   * The X-HubSpot-RateLimit-* headers of a response in the burst window (§6.2). The exempt endpoints
   * (search, association batch read) get none: HubSpot documents none for search, and says nothing
   * about the association batch read, so the portal answers it as it answers search.
   */
  synchronized Map<String, String> headers(Auth.App app, long now) {
    rollDay(now);
    Map<String, String> h = new LinkedHashMap<>();
    if (app.countsDaily()) {
      h.put("X-HubSpot-RateLimit-Daily", Long.toString(spec.dailyLimit()));
      h.put("X-HubSpot-RateLimit-Daily-Remaining", Long.toString(Math.max(0, spec.dailyLimit() - dailyUsed)));
    }
    int limit = burstLimit(app);
    int secondly = (limit + 9) / 10;
    ArrayDeque<Long> window = burst.computeIfAbsent(app.name(), k -> new ArrayDeque<>());
    while (!window.isEmpty() && window.peekFirst() <= now - BURST_WINDOW) {
      window.pollFirst();
    }
    int inWindow = window.size();
    // Newest first, and only as far as the header needs: this runs on every response.
    int inSecond = 0;
    for (var it = window.descendingIterator(); it.hasNext() && inSecond < secondly; ) {
      if (it.next() <= now - 1000) {
        break;
      }
      inSecond++;
    }
    h.put("X-HubSpot-RateLimit-Interval-Milliseconds", Long.toString(BURST_WINDOW));
    h.put("X-HubSpot-RateLimit-Max", Integer.toString(limit));
    h.put("X-HubSpot-RateLimit-Remaining", Integer.toString(Math.max(0, limit - inWindow)));
    h.put("X-HubSpot-RateLimit-Secondly", Integer.toString(secondly));
    h.put("X-HubSpot-RateLimit-Secondly-Remaining", Integer.toString(Math.max(0, secondly - inSecond)));
    return h;
  }

  synchronized long dailyUsed(long now) {
    rollDay(now);
    return dailyUsed;
  }

  /** The next midnight in the account's time zone. */
  long nextReset(long now) {
    LocalDate today = Instant.ofEpochMilli(now).atZone(zone).toLocalDate();
    return today.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
  }

  private void rollDay(long now) {
    LocalDate today = Instant.ofEpochMilli(now).atZone(zone).toLocalDate();
    if (!today.equals(day)) {
      day = today;
      dailyUsed = 0;
    }
  }

  synchronized void reset() {
    burst.clear();
    search.clear();
    dailyUsed = 0;
  }
}
