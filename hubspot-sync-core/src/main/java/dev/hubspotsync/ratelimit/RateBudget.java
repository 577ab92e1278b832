package dev.hubspotsync.ratelimit;

import dev.hubspotsync.RateBudgetExhaustedException;
import java.time.Duration;
import java.time.Instant;

/**
 * Paces every HubSpot call of a portal so that it never crosses the daily ceiling, the 10-second
 * burst limit or search's per-second limit. One budget may be shared by many threads and jobs of
 * a JVM talking to the same portal; implementations are thread-safe.
 *
 * <p>Protocol: call {@link #acquire} before each HTTP call, then exactly one of
 * {@link #onResponse} (any HTTP answer, including errors), {@link #onThrottled} (a 429, after
 * {@code onResponse}) or {@link #onNoResponse} (the connection failed).
 */
public interface RateBudget {

  /** The default: a token bucket with a daily ceiling, burst and search windows, corrected by headers. */
  static TokenBucketRateBudget.Builder tokenBucket() {
    return TokenBucketRateBudget.builder();
  }

  /**
   * A budget that the processes of one portal share through {@code leases} (slices of the burst,
   * claims on the day's ceiling; see {@link SharedRateBudget}); {@code template} holds the portal's
   * settings (its {@code dailyCeiling} or {@code dailyShare} is the whole portal's).
   */
  static SharedRateBudget.Builder shared(BudgetLeases leases, TokenBucketRateBudget.Builder template) {
    return new SharedRateBudget.Builder(leases, template);
  }

  /**
   * Waits until a call of {@code kind} may be made, then counts it.
   *
   * @throws RateBudgetExhaustedException when the call would cross today's ceiling; it carries
   *     {@code resumeAt}, the next daily reset
   * @throws dev.hubspotsync.HubSpotSyncException with code {@code INTERRUPTED} if interrupted while waiting
   */
  void acquire(CallKind kind);

  /** Counts a call and returns true if one may be made now without waiting; never throws for the ceiling. */
  boolean tryAcquire(CallKind kind);

  /** Feeds back a response's headers: the truth about today's usage and the burst window. */
  void onResponse(CallKind kind, RateLimitHeaders headers);

  /**
   * HubSpot answered 429. Returns how long the caller should wait before retrying; the budget also
   * holds back other callers of that kind for as long. {@code retryAfter} is null when the response
   * had no {@code Retry-After}. For {@link ThrottlePolicy#DAILY} the budget is exhausted until the
   * reset, and the next {@link #acquire} throws.
   */
  Duration onThrottled(CallKind kind, ThrottlePolicy policy, Duration retryAfter);

  /** The acquired call got no HTTP response at all (connection refused or reset). */
  default void onNoResponse(CallKind kind) {}

  /** What the budget knows now. */
  Usage usage();

  /**
   * A snapshot of the budget.
   *
   * @param usedToday calls counted today, or -1 before the first response told the real figure
   * @param dailyCeiling the most calls this budget will make today, or -1 when unknown (no daily
   *     headers, e.g. OAuth apps, and none configured)
   * @param resetsAt the next daily reset
   * @param burstLimit calls this budget allows per rolling 10 seconds
   */
  record Usage(long usedToday, long dailyCeiling, Instant resetsAt, int burstLimit) {}
}
