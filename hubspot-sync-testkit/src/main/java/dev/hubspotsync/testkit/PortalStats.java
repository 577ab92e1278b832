package dev.hubspotsync.testkit;

import java.util.Map;

/**
 * Counters since start (or the last {@link FakeHubSpot#resetStats()}): every HTTP call per endpoint
 * (whatever its outcome), calls rejected per rate-limit policy, faults injected, and the calls
 * counted against today's daily limit.
 */
public record PortalStats(Map<Endpoint, Long> calls, Map<RateLimitPolicy, Long> rejected, long faultsInjected,
    long dailyUsed) {

  public long calls(Endpoint endpoint) {
    return calls.getOrDefault(endpoint, 0L);
  }

  public long totalCalls() {
    return calls.values().stream().mapToLong(Long::longValue).sum();
  }

  public long rejected(RateLimitPolicy policy) {
    return rejected.getOrDefault(policy, 0L);
  }
}
