package dev.hubspotsync.benchmarks;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.PortalStats;
import dev.hubspotsync.testkit.RateLimitPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * 429s by lane, and the search lane's pace, in a plain backfill in real time: a FakeHubSpot of
 * 20,000 contacts, 5,000 companies, 8,000 deals and 2,000 tickets with HubSpot's limits on (search
 * 5 per second per account, burst 190 per 10 s) and the same latency on every call; one
 * {@code SyncJob} of the four object types (default concurrency 4, backfill by search) and the pairs
 * contacts → companies and contacts → deals into an in-memory sink, with the default rate budget.
 * The search lane's pace is the number of search calls over the time from the first to the last,
 * as the client counts them (sampled every millisecond).
 *
 * <p>Run: {@code ./mvnw -q -B -pl benchmarks -am install -DskipTests && ./mvnw -q -B -pl benchmarks exec:exec
 * -Dbenchmark.main=dev.hubspotsync.benchmarks.SearchPacing} (about 90 s a run, mostly the simulated
 * portal's search scans; knobs {@code -Dbenchmark.contacts=20000}, {@code -Dbenchmark.latencyMs=200},
 * {@code -Dbenchmark.runs=3}).
 */
public final class SearchPacing {
  private SearchPacing() {}

  public static void main(String[] args) {
    int contacts = Integer.getInteger("benchmark.contacts", 20_000);
    int latency = Integer.getInteger("benchmark.latencyMs", 200);
    int runs = Integer.getInteger("benchmark.runs", 3);
    System.out.printf("backfill of %,d contacts, %,d companies, %,d deals, %,d tickets and 2 pairs; %d ms latency per call%n",
        contacts, contacts / 4, contacts * 2 / 5, contacts / 10, latency);
    for (int run = 1; run <= runs; run++) {
      try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().seed(run).contacts(contacts).companies(contacts / 4)
          .deals(contacts * 2 / 5).tickets(contacts / 10).calls(0).subscriptions(0).indexLag(Duration.ZERO).build())) {
        hubspot.faults().everywhere().latency(Duration.ofMillis(latency));
        HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
            .credentials(HubSpotCredentials.privateApp(hubspot.token())).rateBudget(RateBudget.tokenBucket().build())
            .build();
        List<Long> searches = new ArrayList<>();
        Thread sampler = new Thread(() -> sampleSearches(client, searches), "search-sampler");
        long start = System.nanoTime();
        sampler.start();
        SyncReport report = SyncJob.builder().client(client).sink(InMemorySink.create())
            .addObjectTypes("contacts", "companies", "deals", "tickets")
            .addAssociation("contacts", "companies").addAssociation("contacts", "deals").build().run();
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        try {
          sampler.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        PortalStats stats = hubspot.stats();
        double span = searches.size() < 2 ? 0 : (searches.get(searches.size() - 1) - searches.get(0)) / 1e9;
        System.out.printf("run %d: %s in %.1f s; search: %,d calls (portal %,d) at %.2f calls/s over %.1f s, %.1f calls/s in the "
                + "busiest 10 s, most in any 1 s %d; 429s: SECONDLY (search) %d, TEN_SECONDLY_ROLLING %d, DAILY %d; %,d calls in all%n",
            run, report.outcome(), seconds, searches.size(), stats.calls(Endpoint.SEARCH),
            span == 0 ? 0.0 : (searches.size() - 1) / span, span, most(searches, 10) / 10.0, most(searches, 1),
            stats.rejected(RateLimitPolicy.SECONDLY), stats.rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING),
            stats.rejected(RateLimitPolicy.DAILY), stats.totalCalls());
      }
    }
  }

  /** Notes, every millisecond, when the client's count of search calls went up (nanoTime, once per call). */
  private static void sampleSearches(HubSpotClient client, List<Long> sent) {
    long seen = 0;
    while (!Thread.currentThread().isInterrupted()) {
      long n = client.calls().getOrDefault(ApiCall.SEARCH, 0L);
      long now = System.nanoTime();
      for (; seen < n; seen++) {
        sent.add(now);
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The most calls within any {@code seconds} (a span shorter than that). */
  private static int most(List<Long> sent, int seconds) {
    int most = 0;
    int from = 0;
    for (int i = 0; i < sent.size(); i++) {
      while (sent.get(i) - sent.get(from) >= seconds * 1_000_000_000L) {
        from++;
      }
      most = Math.max(most, i - from + 1);
    }
    return most;
  }
}
