package dev.hubspotsync.benchmarks;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RateLimitPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wall time of a full association scan (contacts → deals, parents from the warehouse) when every
 * call takes 250 ms, in real time against the simulated portal with its limits on (Professional
 * tier: 190 calls per 10 s). Twice: alone, and while {@code benchmark.threads} other threads send
 * standard calls (list pages) through the same rate budget, as the object streams of a job do.
 *
 * <p>Run: {@code ./mvnw -q -B -o -pl benchmarks -am package -DskipTests dependency:build-classpath
 * -Dmdep.outputFile=/tmp/cp.txt && java -cp benchmarks/target/classes:$(cat /tmp/cp.txt)
 * dev.hubspotsync.benchmarks.AssociationScanWallTime} (knobs {@code -Dbenchmark.contacts=20000},
 * {@code -Dbenchmark.threads=4}, {@code -Dbenchmark.latencyMs=250}, {@code -Dbenchmark.associationBatch=1000}:
 * parents per call; 100 shows what the burst exemption alone changes).
 */
public final class AssociationScanWallTime {
  private AssociationScanWallTime() {}

  public static void main(String[] args) throws Exception {
    int contacts = Integer.getInteger("benchmark.contacts", 20_000);
    int threads = Integer.getInteger("benchmark.threads", 4);
    long latency = Long.getLong("benchmark.latencyMs", 250);
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(contacts).companies(contacts / 100)
        .deals(contacts / 66).tickets(0).calls(0).subscriptions(0).indexLag(Duration.ZERO).build());
        HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
            .credentials(HubSpotCredentials.privateApp(hubspot.token())).rateBudget(RateBudget.tokenBucket().build())
            .build()) {
      InMemorySink sink = InMemorySink.create();
      job(client, sink).build().run(); // the contacts backfill, without latency
      hubspot.faults().everywhere().latency(Duration.ofMillis(latency));
      System.out.printf("%,d contacts, %,d deals, %d ms per call, %d parents per association read, portal limits on "
          + "(%s)%n", contacts, contacts / 66, latency, Integer.getInteger("benchmark.associationBatch", 1_000),
          hubspot.spec());
      scan("alone", hubspot, client, sink, 0);
      scan("with " + threads + " threads of list calls on the same budget", hubspot, client, sink, threads);
    }
  }

  private static void scan(String title, FakeHubSpot hubspot, HubSpotClient client, InMemorySink sink, int threads)
      throws Exception {
    hubspot.resetStats();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong loadCalls = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    for (int i = 0; i < threads; i++) {
      pool.submit(() -> {
        while (!stop.get()) {
          client.listPage("deals", List.of("dealname"), 1, null, false);
          loadCalls.incrementAndGet();
        }
        return null;
      });
    }
    long start = System.nanoTime();
    SyncReport report = job(client, sink).addAssociation("contacts", "deals").build().run();
    double seconds = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    pool.shutdown();
    pool.awaitTermination(60, TimeUnit.SECONDS);
    SyncReport.AssociationReport pair = report.association("contacts", "deals");
    System.out.printf("%n%s:%n  job %.1f s wall, pair %.1f s (%s, %,d parents, %,d links); %,d association batch reads;"
            + " %,d list calls by the other threads; 429s: %d ten-secondly, %d secondly%n",
        title, seconds, pair.duration().toMillis() / 1e3, pair.mode(), pair.parentsRead(), pair.linksStored(),
        hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ), loadCalls.get(),
        hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING), hubspot.stats().rejected(RateLimitPolicy.SECONDLY));
  }

  private static SyncJob.Builder job(HubSpotClient client, InMemorySink sink) {
    // every run of the pair is a full scan
    return SyncJob.builder().client(client).sink(sink).addObjectTypes("contacts").associationFullScanEvery(Duration.ZERO)
        .associationBatchSize(Integer.getInteger("benchmark.associationBatch", 1_000));
  }
}
