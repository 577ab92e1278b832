package dev.hubspotsync.benchmarks;

import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RateLimitPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * How much of HubSpot's 10-second burst limit one shared budget uses when every call takes 250 ms,
 * in real time against the simulated portal (burst limit 100 per 10 s).
 *
 * <p>Run: {@code ./mvnw -q -B -pl benchmarks -am install -DskipTests && ./mvnw -q -B -pl benchmarks exec:exec
 * -Dbenchmark.main=dev.hubspotsync.benchmarks.RateBudgetUtilisation} (about 50 s; knobs
 * {@code -Dbenchmark.threads=8}, {@code -Dbenchmark.seconds=40}).
 */
public final class RateBudgetUtilisation {
  private RateBudgetUtilisation() {}

  public static void main(String[] args) throws Exception {
    int threads = Integer.getInteger("benchmark.threads", 8);
    int seconds = Integer.getInteger("benchmark.seconds", 40);
    int limit = 100;
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(100).burstLimit(limit)
        .indexLag(Duration.ZERO).build())) {
      hubspot.faults().everywhere().latency(Duration.ofMillis(250));
      RateBudget budget = RateBudget.tokenBucket().build();
      HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
          .credentials(HubSpotCredentials.privateApp(hubspot.token())).rateBudget(budget).build();
      ConcurrentLinkedQueue<Long> starts = new ConcurrentLinkedQueue<>();
      long t0 = System.nanoTime();
      long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      for (int i = 0; i < threads; i++) {
        pool.submit(() -> {
          while (System.nanoTime() < end) {
            client.listPage("contacts", List.of("email"), 1, null, false);
            starts.add(System.nanoTime());
          }
          return null;
        });
      }
      pool.shutdown();
      pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
      System.out.printf("%d threads, 250 ms per call, portal limit %d per 10 s, budget headroom 2 (%d usable)%n",
          threads, limit, limit - 2);
      long completedInRun = 0;
      for (int w = 0; w < seconds / 10; w++) {
        long from = t0 + TimeUnit.SECONDS.toNanos(10L * w);
        long to = from + TimeUnit.SECONDS.toNanos(10);
        long n = starts.stream().filter(t -> t >= from && t < to).count();
        completedInRun += n;
        System.out.printf("  seconds %2d-%2d: %3d calls completed = %5.1f %% of the limit%n", 10 * w, 10 * w + 10, n,
            100.0 * n / limit);
      }
      System.out.printf("total %d calls in %d s = %.1f %% of %d allowed; 429s: %d (burst), %d (daily); list calls seen by the portal: %d%n",
          completedInRun, seconds, 100.0 * completedInRun / (limit * seconds / 10.0), limit * seconds / 10,
          hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING), hubspot.stats().rejected(RateLimitPolicy.DAILY),
          hubspot.stats().calls(Endpoint.LIST));
    }
  }
}
