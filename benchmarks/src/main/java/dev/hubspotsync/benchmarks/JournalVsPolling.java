package dev.hubspotsync.benchmarks;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.source.ChangeSource;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.PortalStats;
import dev.hubspotsync.testkit.RecordSnapshot;
import dev.hubspotsync.testkit.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The journal change source side by side with polling on the same edits (issue 17): after both
 * backfilled the same portal, 10 contact edits and 10 link edits on each of three pairs (contacts →
 * companies, deals, calls; calls is an engagement pair no rollup can boost) are made, and each job
 * runs once. Printed per job: its calls per endpoint, the calls counted toward the ten-second limit
 * (neither journal reads nor association reads, which are burst-exempt), and what its warehouse
 * missed: contact rows whose {@code firstname} differs from the portal's and link rows that differ
 * per pair. Both jobs use the same project app (client credentials), so neither touches the daily
 * private-app count.
 *
 * <p>Run: {@code ./mvnw -o -q -B -pl benchmarks -am compile dependency:build-classpath
 * -Dmdep.outputFile=/tmp/cp.txt && java -cp benchmarks/target/classes:$(cat /tmp/cp.txt)
 * dev.hubspotsync.benchmarks.JournalVsPolling} (knob {@code -Dbenchmark.contacts=5000}).
 */
public final class JournalVsPolling {
  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private static final List<String> PAIRS_TO = List.of("companies", "deals", "calls");

  private JournalVsPolling() {}

  public static void main(String[] args) {
    int contacts = Integer.getInteger("benchmark.contacts", 5_000);
    PortalClock clock = PortalClock.fixed(T0);
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(contacts).companies(contacts / 20)
        .deals(contacts / 20).calls(contacts / 10).tickets(0).subscriptions(0).unlimited().clock(clock).build());
        HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
            .credentials(HubSpotCredentials.clientCredentials(hubspot.spec().oauthClientId(),
                hubspot.spec().oauthClientSecret(), List.of()))
            .clock(clock.asClock()).sleeper(clock::advance).rateBudget(new Unpaced()).build();
        InMemorySink journalSink = InMemorySink.create();
        InMemorySink pollingSink = InMemorySink.create()) {
      SyncJob journal = job(client, journalSink, clock).changeSource(ChangeSource.journal(hubspot.spec().portalId())).build();
      SyncJob polling = job(client, pollingSink, clock).build();
      System.out.printf("%n=== %,d contacts; pairs contacts → %s; no CDC-boost rollup%n", contacts, PAIRS_TO);
      measure("journal backfill", hubspot, journal, journalSink);
      measure("polling backfill", hubspot, polling, pollingSink);

      clock.advance(Duration.ofMinutes(5));
      edits(hubspot);
      clock.advance(Duration.ofMinutes(5)); // past the index lag: polling can see every property edit
      System.out.println("--- 10 contact edits + 10 link edits on each pair (half added, half removed)");
      measure("journal", hubspot, journal, journalSink);
      measure("polling", hubspot, polling, pollingSink);
    }
  }

  private static SyncJob.Builder job(HubSpotClient client, InMemorySink sink, PortalClock clock) {
    SyncJob.Builder job = SyncJob.builder().client(client).sink(sink).addObjectTypes("contacts").clock(clock.asClock());
    PAIRS_TO.forEach(to -> job.addAssociation("contacts", to));
    return job;
  }

  private static void edits(FakeHubSpot hubspot) {
    List<Long> ids = hubspot.portal().ids("contacts");
    for (int i = 0; i < 10; i++) {
      hubspot.portal().update("contacts", ids.get(i), Map.of("firstname", "Edited " + i));
    }
    for (String to : PAIRS_TO) {
      List<Long> targets = hubspot.portal().ids(to);
      Set<List<Long>> links = hubspot.snapshot().associations("contacts", to).stream()
          .map(a -> List.of(a.fromId(), a.toId())).collect(Collectors.toSet());
      for (int i = 0; i < 10; i++) {
        long contact = ids.get(100 + i);
        long target = targets.get(i);
        if (links.contains(List.of(contact, target))) {
          hubspot.portal().dissociate("contacts", contact, to, target);
        } else {
          hubspot.portal().associate("contacts", contact, to, target);
        }
      }
    }
  }

  private static void measure(String what, FakeHubSpot hubspot, SyncJob job, InMemorySink sink) {
    hubspot.resetStats();
    long started = System.nanoTime();
    job.run();
    long ms = (System.nanoTime() - started) / 1_000_000;
    PortalStats stats = hubspot.stats();
    long burst = stats.totalCalls() - stats.calls(Endpoint.JOURNAL) - stats.calls(Endpoint.JOURNAL_SUBSCRIPTIONS)
        - stats.calls(Endpoint.JOURNAL_FILE) - stats.calls(Endpoint.OAUTH_TOKEN) - stats.calls(Endpoint.ASSOCIATIONS_BATCH_READ)
        - stats.calls(Endpoint.ASSOCIATION_LABELS);
    Map<Endpoint, Long> nonZero = stats.calls().entrySet().stream().filter(e -> e.getValue() > 0)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, java.util.TreeMap::new));
    PortalSnapshot truth = hubspot.snapshot();
    StringBuilder missed = new StringBuilder();
    missed.append("contacts rows off: ").append(rowsOff(truth, sink));
    for (String to : PAIRS_TO) {
      missed.append(", ").append(to).append(" links off: ").append(linksOff(truth, sink, to));
    }
    System.out.printf("%-17s counted %4d | association reads %4d | journal %d + files %d | %s | %s | %d ms%n", what, burst,
        stats.calls(Endpoint.ASSOCIATIONS_BATCH_READ), stats.calls(Endpoint.JOURNAL) + stats.calls(Endpoint.JOURNAL_SUBSCRIPTIONS),
        stats.calls(Endpoint.JOURNAL_FILE), missed, nonZero, ms);
  }

  /** Contact rows whose firstname or archived flag differ from the portal's, plus rows missing or extra. */
  private static long rowsOff(PortalSnapshot truth, InMemorySink sink) {
    Map<Long, RecordSnapshot> portal = truth.records().get("contacts").stream()
        .collect(Collectors.toMap(RecordSnapshot::id, r -> r));
    long off = 0;
    Set<Long> seen = new HashSet<>();
    for (Row row : sink.rows("contacts")) {
      seen.add(row.id());
      RecordSnapshot r = portal.get(row.id());
      String first = r == null ? null : r.properties().get("firstname");
      if (r == null || !Objects.equals(row.get("firstname"), first == null || first.isEmpty() ? null : first)
          || !Objects.equals(row.get("_hs_archived"), r.archived())) {
        off++;
      }
    }
    return off + portal.keySet().stream().filter(id -> !seen.contains(id)).count();
  }

  /** Link rows in one table and not the other (the portal's links between live records). */
  private static long linksOff(PortalSnapshot truth, InMemorySink sink, String to) {
    Set<Long> liveFrom = live(truth, "contacts");
    Set<Long> liveTo = live(truth, to);
    Set<LinkRow> expected = truth.associations("contacts", to).stream()
        .filter(a -> liveFrom.contains(a.fromId()) && liveTo.contains(a.toId()))
        .map(a -> new LinkRow(a.fromId(), a.toId(), a.typeId(), a.category(), a.label())).collect(Collectors.toSet());
    Set<LinkRow> stored = Set.copyOf(sink.links("contacts", to));
    return expected.stream().filter(l -> !stored.contains(l)).count() + stored.stream().filter(l -> !expected.contains(l)).count();
  }

  private static Set<Long> live(PortalSnapshot truth, String type) {
    return truth.records().get(type).stream().filter(r -> !r.archived()).map(RecordSnapshot::id).collect(Collectors.toSet());
  }
}
