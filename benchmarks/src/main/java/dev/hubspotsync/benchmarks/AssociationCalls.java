package dev.hubspotsync.benchmarks;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.testkit.AssociationSnapshot;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * API calls of the association pair contacts → deals on a portal of 100,000 contacts: the first
 * run's full scan (goal, issue 13: at most one call per 1,000 parents plus paging, so ≤ 100 calls for
 * 100,000 contacts), then an incremental pass
 * after 10 contacts had links added or removed, with the CDC-boost rollup
 * {@code sync_associations_contacts_deals_label_count} on contacts (goal: at most 2 calls, a
 * search and one batch read), and the same edits without the rollup (incremental runs do not
 * see them; the scheduled full scan does).
 *
 * <p>The pair's own calls are measured as the calls of a job with the pair minus those of the
 * same job without it, run right after on the same state (the contacts stream costs the same in
 * both: a properties call and one search of an empty or one-page window). The link table is
 * checked against the portal's links after every run.
 *
 * <p>Run: {@code ./mvnw -q -B -pl benchmarks -am install -DskipTests && ./mvnw -q -B -pl benchmarks exec:exec
 * -Dbenchmark.main=dev.hubspotsync.benchmarks.AssociationCalls} (knob {@code -Dbenchmark.contacts=100000}).
 */
public final class AssociationCalls {
  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private static final String ROLLUP = "sync_associations_contacts_deals_label_count";

  private AssociationCalls() {}

  public static void main(String[] args) {
    int contacts = Integer.getInteger("benchmark.contacts", 100_000);
    for (boolean boost : List.of(true, false)) {
      PortalClock clock = PortalClock.fixed(T0);
      try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(contacts).companies(contacts / 100)
          .deals(contacts / 66).tickets(0).calls(0).subscriptions(0).unlimited().indexLag(Duration.ZERO).clock(clock)
          .build());
          HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
              .credentials(HubSpotCredentials.privateApp(hubspot.token())).clock(clock.asClock())
              .sleeper(clock::advance).rateBudget(new Unpaced()).build()) {
        System.out.printf("%n=== %,d contacts, %,d deals, %s%n", contacts, contacts / 66,
            boost ? "CDC boost: rollup " + ROLLUP + " on contacts" : "no rollup (full scan daily)");
        if (boost) {
          hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
        }
        InMemorySink sink = InMemorySink.create();
        Runner runner = new Runner(hubspot, client, sink, clock);
        runner.job().build().run(); // the contacts backfill, so the runs below differ only by the pair

        Map<Endpoint, Long> scan = runner.pairCost("1. first run: full scan");
        long parents = sink.rowCount("contacts");
        long reads = scan.getOrDefault(Endpoint.ASSOCIATIONS_BATCH_READ, 0L);
        System.out.printf("   full scan: %,d association batch reads for %,d parents = %.2f calls per 1,000 parents%s%n",
            reads, parents, reads * 1_000.0 / parents, reads * 1_000 <= parents ? " (goal ≤ 1: met)" : " (goal ≤ 1: MISSED)");
        runner.check(false);
        runner.pairCost("2. quiet run after the scan");

        clock.advance(Duration.ofMinutes(1));
        List<Long> ids = hubspot.portal().ids("contacts");
        List<Long> deals = hubspot.portal().ids("deals");
        PortalSnapshot before = hubspot.snapshot();
        List<AssociationSnapshot> existing = before.associations("contacts", "deals");
        for (int i = 0; i < 5; i++) { // 5 contacts gain a deal, 5 lose one
          hubspot.portal().associate("contacts", ids.get(ids.size() * i / 5 + 1), "deals", deals.get(i));
          AssociationSnapshot old = existing.get(existing.size() * i / 5);
          hubspot.portal().dissociate("contacts", old.fromId(), "deals", old.toId());
        }
        clock.advance(Duration.ofMinutes(3));
        Map<Endpoint, Long> incremental = runner.pairCost("3. incremental, links of 10 contacts edited");
        long calls = incremental.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("   incremental pass: %d calls %s%s%n", calls, incremental,
            boost ? (calls <= 2 ? " (goal ≤ 2: met)" : " (goal ≤ 2: MISSED)") : "");
        runner.check(!boost);

        clock.advance(Duration.ofDays(1));
        Map<Endpoint, Long> daily = runner.pairCost("4. a day later");
        System.out.printf("   %s %s%n", boost ? "incremental pass, nothing changed:" : "scheduled full scan:", daily);
        runner.check(false);
      }
    }
  }

  private static final class Runner {
    private final FakeHubSpot hubspot;
    private final HubSpotClient client;
    private final InMemorySink sink;
    private final PortalClock clock;

    Runner(FakeHubSpot hubspot, HubSpotClient client, InMemorySink sink, PortalClock clock) {
      this.hubspot = hubspot;
      this.client = client;
      this.sink = sink;
      this.clock = clock;
    }

    /** Runs the job with the pair, then without it; prints and returns the difference per endpoint. */
    Map<Endpoint, Long> pairCost(String title) {
      hubspot.resetStats();
      long start = System.nanoTime();
      SyncReport report = job().addAssociation("contacts", "deals").build().run();
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<Endpoint, Long> with = new TreeMap<>(hubspot.stats().calls());
      hubspot.resetStats();
      job().build().run();
      Map<Endpoint, Long> without = hubspot.stats().calls();
      Map<Endpoint, Long> pair = new TreeMap<>();
      with.forEach((e, n) -> {
        long d = n - without.getOrDefault(e, 0L);
        if (d != 0) {
          pair.put(e, d);
        }
      });
      SyncReport.AssociationReport a = report.association("contacts", "deals");
      System.out.printf("%n%s (%.1f s wall): %s — %s; %,d parents read, %,d links stored; pair's calls %s%n", title,
          seconds, a.mode(), a.reason(), a.parentsRead(), a.linksStored(), pair);
      return pair;
    }

    SyncJob.Builder job() {
      clock.advance(Duration.ofSeconds(1));
      return SyncJob.builder().client(client).sink(sink).addObjectTypes("contacts").clock(clock.asClock())
          .indexLag(Duration.ofMinutes(2)).associationFullScanEvery(Duration.ofDays(1));
    }

    /** The link table equals the portal's links (or, when {@code expectStale}, does not yet). */
    void check(boolean expectStale) {
      PortalSnapshot truth = hubspot.snapshot();
      Set<Long> live = truth.records().get("contacts").stream().filter(r -> !r.archived()).map(RecordSnapshot::id)
          .collect(Collectors.toSet());
      Set<LinkRow> expected = truth.associations("contacts", "deals").stream().filter(x -> live.contains(x.fromId()))
          .map(x -> new LinkRow(x.fromId(), x.toId(), x.typeId(), x.category(), x.label())).collect(Collectors.toSet());
      boolean equal = Set.copyOf(sink.links("contacts", "deals")).equals(expected);
      System.out.printf("   link table %s the portal (%,d links)%n", equal ? "equals" : "differs from", expected.size());
      if (equal == expectStale) {
        throw new IllegalStateException(expectStale ? "the edits arrived without a rollup or scan?" : "link table differs");
      }
    }
  }
}
