package dev.hubspotsync.benchmarks;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import dev.hubspotsync.testkit.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Calls a backfill spends when HubSpot's gateway times out on every page or batch of more than 50
 * items (issue 19): contacts, companies and deals, and the pairs contacts → companies and contacts
 * → deals, once on a portal without faults and once on the same portal (same seed) with {@code
 * gatewayTimeoutAbove(50)} on every endpoint and 1 % connection resets on top. Both runs must end
 * with tables and link tables equal to the portal's.
 *
 * <p>The least possible under that ceiling is a run that knows it from the start and meets no
 * fault: the same job told {@code pageSizes(50, 50)} and {@code associationBatchSize(50)} on the
 * same portal without faults (its association reads include the follow-up calls for parents with
 * more than one page of links). The ratio is the faulted
 * run's calls over that least; what is above it is the shrinking, the probing and the resets.
 *
 * <p>Run: build with {@code ./mvnw -q -B -pl benchmarks -am package -DskipTests}, then {@code java
 * -cp …} over the class path exec:exec builds, or {@code ./mvnw -q -B -pl benchmarks exec:exec
 * -Dbenchmark.main=dev.hubspotsync.benchmarks.GatewayTimeoutCalls} after an install (knob {@code
 * -Dbenchmark.contacts=20000}; companies and deals are contacts ÷ 10).
 */
public final class GatewayTimeoutCalls {
  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private static final List<String> TYPES = List.of("contacts", "companies", "deals");
  private static final int CEILING = 50;

  private GatewayTimeoutCalls() {}

  public static void main(String[] args) {
    int contacts = Integer.getInteger("benchmark.contacts", 20_000);
    SyncReport told = run(contacts, false);
    SyncReport faulted = run(contacts, true);

    long least = sum(told.calls());
    for (SyncReport.StreamReport s : faulted.streams()) {
      System.out.printf("%-22s %,7d records: %,6d calls %s; told the ceiling without faults: %,d %s%n", s.objectType(),
          s.rowsRead(), sum(s.calls()), s.calls(), sum(told.stream(s.objectType()).calls()),
          told.stream(s.objectType()).calls());
    }
    for (SyncReport.AssociationReport a : faulted.associations()) {
      String[] pair = a.pair().split("_to_");
      SyncReport.AssociationReport t = told.association(pair[0], pair[1]);
      System.out.printf("%-22s %,7d parents, %,d links: %,6d calls %s; told the ceiling without faults: %,d %s%n",
          a.pair(), a.parentsRead(), a.linksStored(), sum(a.calls()), a.calls(), sum(t.calls()), t.calls());
    }
    long spent = sum(faulted.calls());
    System.out.printf("%ntold the ceiling, no faults: %,d calls %s%n", sum(told.calls()), told.calls());
    System.out.printf("defaults, ceiling %d + 1 %% resets: %,d calls %s%n", CEILING, spent, faulted.calls());
    System.out.printf("least possible under the ceiling: %,d; spent / least = %.3f (goal ≤ 1.2: %s)%n",
        least, spent / (double) least, spent <= 1.2 * least ? "met" : "MISSED");
  }

  /**
   * One backfill of the three types and two pairs into a fresh sink. {@code faults}: job defaults
   * on a portal timing out above 50 items with 1 % resets; otherwise the job is told the ceiling
   * (pages of 50, 50 parents an association read) on a portal without faults.
   */
  private static SyncReport run(int contacts, boolean faults) {
    PortalClock clock = PortalClock.fixed(T0);
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(contacts).companies(contacts / 10)
        .deals(contacts / 10).tickets(0).calls(0).subscriptions(0).unlimited().indexLag(Duration.ZERO).clock(clock)
        .build());
        HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
            .credentials(HubSpotCredentials.privateApp(hubspot.token())).clock(clock.asClock())
            .sleeper(clock::advance).rateBudget(new Unpaced()).build()) {
      SyncJob.Builder job = SyncJob.builder().client(client)
          .addObjectTypes(TYPES.toArray(String[]::new)).addAssociation("contacts", "companies")
          .addAssociation("contacts", "deals").clock(clock.asClock()).indexLag(Duration.ofMinutes(2));
      if (faults) {
        hubspot.faults().everywhere().gatewayTimeoutAbove(CEILING).connectionResets(0.01);
      } else {
        job.pageSizes(CEILING, CEILING).associationBatchSize(CEILING);
      }
      InMemorySink sink = InMemorySink.create();
      long start = System.nanoTime();
      SyncReport report = job.sink(sink).build().run();
      System.out.printf("%n=== %s: %s in %.1f s; page sizes the client keeps: %s%n",
          faults ? "defaults, gatewayTimeoutAbove(50) everywhere + 1 % resets" : "told the ceiling, no faults",
          report.outcome(), (System.nanoTime() - start) / 1e9, client.pageSizes());
      check(hubspot.snapshot(), sink);
      if (sum(report.calls()) != hubspot.stats().totalCalls()) {
        throw new IllegalStateException("the report counts " + sum(report.calls()) + " calls, the portal "
            + hubspot.stats().totalCalls());
      }
      return report;
    }
  }

  /** Every table holds the portal's records (ids, modified dates, archived flags); link tables its links. */
  private static void check(PortalSnapshot truth, InMemorySink sink) {
    for (String type : TYPES) {
      Map<Long, RecordSnapshot> expected = truth.records().get(type).stream()
          .collect(Collectors.toMap(RecordSnapshot::id, r -> r));
      List<Row> rows = sink.rows(type);
      boolean equal = rows.size() == expected.size() && rows.stream().allMatch(r -> {
        RecordSnapshot e = expected.get(r.id());
        return e != null && e.updatedAt().equals(r.get(SystemColumns.UPDATED_AT)) && Boolean.valueOf(e.archived()).equals(r.get(SystemColumns.ARCHIVED));
      });
      if (!equal) {
        throw new IllegalStateException("table " + type + " differs from the portal");
      }
    }
    Set<Long> live = truth.records().get("contacts").stream().filter(r -> !r.archived()).map(RecordSnapshot::id)
        .collect(Collectors.toSet());
    for (String to : List.of("companies", "deals")) {
      Set<Long> liveTo = truth.records().get(to).stream().filter(r -> !r.archived()).map(RecordSnapshot::id)
          .collect(Collectors.toSet());
      Set<LinkRow> expected = truth.associations("contacts", to).stream()
          .filter(x -> live.contains(x.fromId()) && liveTo.contains(x.toId()))
          .map(x -> new LinkRow(x.fromId(), x.toId(), x.typeId(), x.category(), x.label())).collect(Collectors.toSet());
      if (!Set.copyOf(sink.links("contacts", to)).equals(expected)) {
        throw new IllegalStateException("link table contacts_to_" + to + " differs from the portal");
      }
    }
    System.out.println("tables and link tables equal the portal");
  }

  private static long sum(Map<ApiCall, Long> calls) {
    return calls.values().stream().mapToLong(Long::longValue).sum();
  }
}
