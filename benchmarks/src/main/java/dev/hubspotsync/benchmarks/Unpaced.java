package dev.hubspotsync.benchmarks;

import dev.hubspotsync.ratelimit.CallKind;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.ratelimit.RateLimitHeaders;
import dev.hubspotsync.ratelimit.ThrottlePolicy;
import java.time.Duration;

/**
 * A rate budget that never waits, for benchmarks against a portal with its limits switched off
 * ({@code PortalSpec.unlimited()}): they count calls or time the engine, not the pacing, and a
 * paced budget would move virtual clocks or spend real minutes in its windows.
 */
final class Unpaced implements RateBudget {
  @Override
  public void acquire(CallKind kind) {}

  @Override
  public boolean tryAcquire(CallKind kind) {
    return true;
  }

  @Override
  public void onResponse(CallKind kind, RateLimitHeaders headers) {}

  @Override
  public Duration onThrottled(CallKind kind, ThrottlePolicy policy, Duration retryAfter) {
    return retryAfter != null ? retryAfter : Duration.ofSeconds(1);
  }

  @Override
  public Usage usage() {
    return new Usage(-1, -1, null, Integer.MAX_VALUE);
  }
}
