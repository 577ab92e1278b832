package dev.hubspotsync.testkit;

import java.util.Map;

/**
 * Counters since start (or the last {@link FakeHubSpot#resetStats()}): every HTTP call per endpoint
 * (whatever its outcome), calls rejected per rate-limit policy, faults injected, the calls counted
 * against today's daily limit, and calls per API version their paths named ({@code 2026-09},
 * {@code v3}, {@code v4}, {@code v1}; an empty key for paths that name none).
 */
public record PortalStats(Map<Endpoint, Long> calls, Map<RateLimitPolicy, Long> rejected, long faultsInjected,
    long dailyUsed, Map<String, Long> versions) {

  public long calls(Endpoint endpoint) {
    return calls.getOrDefault(endpoint, 0L);
  }

  public long totalCalls() {
    return calls.values().stream().mapToLong(Long::longValue).sum();
  }

  public long rejected(RateLimitPolicy policy) {
    return rejected.getOrDefault(policy, 0L);
  }

  /** Calls whose path named {@code version} ({@code 2026-09}, {@code v3}, {@code v4}, {@code v1}). */
  public long calls(String version) {
    return versions.getOrDefault(version, 0L);
  }
}
