package dev.hubspotsync.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * FakeHubSpot over HTTP → SyncJob → BigQuerySink (coalescing) → the real Google client → the local
 * BigQuery that executes every statement with ZetaSQL; after every run the tables equal the portal:
 * backfill, edits, a new property (drift), association changes, a crash between the load and the
 * commit, and a commit whose answer was lost.
 */
class BigQueryEndToEndTest {
  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

  private LocalBigQuery local;
  private FakeHubSpot hubspot;
  private HubSpotClient client;

  @BeforeEach
  void start() {
    local = LocalBigQuery.start();
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(60).companies(0).deals(15).tickets(0).calls(0)
        .subscriptions(0).unlimited().clock(PortalClock.fixed(T0)).build());
    client = HubSpotClient.builder().baseUrl(hubspot.baseUrl()).credentials(HubSpotCredentials.privateApp(hubspot.token()))
        .clock(hubspot.clock().asClock()).sleeper(d -> hubspot.clock().advance(d))
        .rateBudget(RateBudget.tokenBucket().clock(hubspot.clock().asClock()).sleeper(d -> hubspot.clock().advance(d)).build())
        .build();
  }

  @AfterEach
  void stop() {
    client.close();
    hubspot.close();
    local.close();
  }

  private BigQuerySink sink() {
    return BigQuerySinkContractTest.sink(local, "hubspot").coalesceRows(10_000).build();
  }

  @Test
  void backfillEditsDriftLinksACrashAndALostCommitAnswerEndEqualToThePortal() {
    try (BigQuerySink sink = sink()) {
      SyncReport first = run(sink);
      assertThat(first.succeeded()).as(first.outcome()).isTrue();
      assertThat(first.stream("contacts").mode()).isEqualTo("backfill");
      assertTablesMatchPortal(sink);
      // Coalesced: the 60 contacts arrive in one MERGE, not one per page.
      assertThat(local.statements().stream().filter(s -> s.startsWith("MERGE") && s.contains(".contacts` T")))
          .as("MERGE statements into contacts").hasSize(1);
    }

    List<Long> contacts = hubspot.portal().ids("contacts");
    List<Long> deals = hubspot.portal().ids("deals");
    hubspot.portal().update("contacts", contacts.get(3), Map.of("email", "changed@example.com"));
    long created = hubspot.portal().create("contacts", Map.of("email", "new@example.com"));
    hubspot.portal().archive("contacts", contacts.get(4));
    hubspot.portal().associate("contacts", created, "deals", deals.get(1));
    hubspot.portal().addProperty("contacts", "shoe_size", "Shoe size", "number", "number");
    hubspot.portal().update("contacts", contacts.get(8), Map.of("shoe_size", "44.5"));

    // A crash after the rows were staged and merged, before the commit: nothing of it is stored.
    List<Map<String, Object>> before;
    try (BigQuerySink sink = sink()) {
      before = rows(sink, "contacts");
      sink.crashBeforeCommit("contacts");
      Throwable crash = catchThrowable(() -> assertThat(run(sink).succeeded()).isFalse());
      assertThat(crash).as("the crashed run fails or reports failure").satisfiesAnyOf(
          t -> assertThat(t).isNull(), t -> assertThat(t).hasMessageContaining("simulated crash"));
      assertThat(rows(sink, "contacts").stream().map(r -> r.get("_hs_updated_at")).toList())
          .as("no row of the crashed load was committed")
          .containsExactlyInAnyOrderElementsOf(before.stream().map(r -> r.get("_hs_updated_at")).toList());
    }

    // The next run redoes it; the answer of one commit is lost, and the job is looked up, not run twice.
    try (BigQuerySink sink = sink()) {
      local.loseAnswerOfNextJob(sql -> sql.equals("COMMIT TRANSACTION"));
      SyncReport third = run(sink);
      assertThat(third.succeeded()).as(third.outcome()).isTrue();
      assertThat(local.answersLost()).as("a commit's answer was lost").isEqualTo(1);
      // The new property's column was added by the crashed run (DDL runs outside transactions); its values land now.
      assertTablesMatchPortal(sink);
      Object shoe = rows(sink, "contacts").stream().filter(r -> contacts.get(8).equals(r.get("id"))).findFirst()
          .orElseThrow().get(column(sink, "shoe_size"));
      assertThat(shoe).isEqualTo(44.5);
      assertThat(sink.lastRun()).contains(third);
      assertThat(local.store().tables("local-project.hubspot")).as("no staging table is left")
          .noneMatch(t -> t.contains("_stage_"));
    }
  }

  private SyncReport run(BigQuerySink sink) {
    hubspot.clock().advance(Duration.ofMinutes(2));
    return SyncJob.builder().client(client).sink(sink).addObjectTypes("contacts", "deals")
        .addAssociation("contacts", "deals").clock(hubspot.clock().asClock()).indexLag(Duration.ofSeconds(30))
        .overlap(Duration.ofMinutes(1)).archivedPassEvery(Duration.ZERO).build().run();
  }

  private List<Map<String, Object>> rows(BigQuerySink sink, String type) {
    return local.store().rows(BigQuerySinkContractTest.path(sink, sink.tableName(type).orElseThrow()));
  }

  private void assertTablesMatchPortal(BigQuerySink sink) {
    PortalSnapshot truth = hubspot.snapshot();
    for (String type : List.of("contacts", "deals")) {
      Map<Long, RecordSnapshot> expected = truth.records().get(type).stream()
          .collect(Collectors.toMap(RecordSnapshot::id, r -> r));
      Set<Long> ids = new HashSet<>();
      for (Map<String, Object> row : rows(sink, type)) {
        long id = (Long) row.get("id");
        assertThat(ids.add(id)).as("one row per id").isTrue();
        RecordSnapshot r = expected.get(id);
        assertThat(r).as(type + " " + id + " is in the portal").isNotNull();
        assertThat(row.get("_hs_updated_at")).as(type + " " + id).isEqualTo(r.updatedAt());
        assertThat(row.get("_hs_archived")).as(type + " " + id + " archived").isEqualTo(r.archived());
        if (type.equals("contacts")) {
          String email = r.properties().get("email");
          assertThat(row.get(column(sink, "email"))).isEqualTo(email == null || email.isEmpty() ? null : email);
        }
      }
      assertThat(ids).as(type + " ids").isEqualTo(expected.keySet());
    }
    Set<Long> live = truth.records().get("contacts").stream().filter(r -> !r.archived()).map(RecordSnapshot::id)
        .collect(Collectors.toSet());
    Set<List<Object>> expectedLinks = truth.associations("contacts", "deals").stream()
        .filter(a -> live.contains(a.fromId()))
        .map(a -> List.<Object>of(a.fromId(), a.toId(), a.typeId(), a.category(), String.valueOf(a.label())))
        .collect(Collectors.toSet());
    Set<List<Object>> links = BigQuerySinkContractTest.links(local, sink, "contacts", "deals").stream()
        .map((LinkRow l) -> List.<Object>of(l.fromId(), l.toId(), l.typeId(), l.category(), String.valueOf(l.label())))
        .collect(Collectors.toSet());
    assertThat(links).as("contacts_to_deals").isNotEmpty().isEqualTo(expectedLinks);
  }

  private static String column(BigQuerySink sink, String property) {
    return sink.describe("contacts").stream().filter(c -> property.equals(c.property())).map(ColumnMapping::column)
        .findFirst().orElseThrow();
  }
}
