package dev.hubspotsync.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.schema.ColumnMapping;
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
 * The sync engine's scenarios on a real PostgreSQL server: FakeHubSpot over HTTP → SyncJob →
 * PostgresSink, and after every run the tables equal the portal's ground truth (read back with SQL).
 */
class PostgresEndToEndIT {
  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private static final String ROLLUP = "sync_associations_contacts_deals_label_count";

  private FakeHubSpot hubspot;
  private HubSpotClient client;
  private String schema;

  @BeforeEach
  void start() {
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(1_200).companies(30).deals(150).tickets(0).calls(0)
        .subscriptions(0).unlimited().clock(PortalClock.fixed(T0)).build());
    client = HubSpotClient.builder().baseUrl(hubspot.baseUrl()).credentials(HubSpotCredentials.privateApp(hubspot.token()))
        .clock(hubspot.clock().asClock()).sleeper(d -> hubspot.clock().advance(d))
        .rateBudget(RateBudget.tokenBucket().clock(hubspot.clock().asClock()).sleeper(d -> hubspot.clock().advance(d)).build())
        .build();
    schema = TestPostgres.newSchema("e2e");
  }

  @AfterEach
  void stop() {
    client.close();
    hubspot.close();
    TestPostgres.dropSchema(schema);
  }

  @Test
  void backfillEditsAndAssociationsArriveAndTheTablesEqualThePortal() {
    hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
    try (PostgresSink sink = sink(TestPostgres.dataSource())) {
      SyncReport first = run(sink);
      assertThat(first.stream("contacts").mode()).isEqualTo("backfill");
      assertTablesMatchPortal(sink);

      List<Long> contacts = hubspot.portal().ids("contacts");
      List<Long> deals = hubspot.portal().ids("deals");
      hubspot.portal().update("contacts", contacts.get(3), Map.of("firstname", "Changed"));
      long created = hubspot.portal().create("contacts", Map.of("email", "new@example.com"));
      hubspot.portal().archive("contacts", contacts.get(4));
      hubspot.portal().merge("contacts", contacts.get(5), contacts.get(6));
      hubspot.portal().associate("contacts", contacts.get(7), "deals", deals.get(0));
      hubspot.portal().associate("contacts", created, "deals", deals.get(1));
      hubspot.portal().addProperty("contacts", "shoe_size", "Shoe size", "number", "number");
      hubspot.portal().update("contacts", contacts.get(8), Map.of("shoe_size", "44.5"));
      hubspot.portal().archiveProperty("contacts", "favorite_color");
      hubspot.portal().bulkUpdate("contacts", contacts.subList(100, 400), Map.of("lastname", "Imported"));

      SyncReport second = run(sink);

      assertThat(second.stream("contacts").mode()).isEqualTo("incremental");
      assertThat(second.stream("contacts").drift()).anyMatch(l -> l.contains("shoe_size"))
          .anyMatch(l -> l.contains("favorite_color"));
      assertThat(second.association("contacts", "deals").mode()).isEqualTo("incremental");
      assertTablesMatchPortal(sink);
      Map<String, Object> shoe = TestPostgres.query("SELECT " + TestPostgres.quote(column(sink, "shoe_size")) + " AS v FROM "
          + table(sink, "contacts") + " WHERE id = " + contacts.get(8)).get(0);
      assertThat(shoe.get("v").toString()).startsWith("44.5");
      assertThat(TestPostgres.query("SELECT count(*) AS n FROM " + TestPostgres.quote(schema) + "._hubspot_sync_runs")
          .get(0).get("n")).isEqualTo(2L);
    }
  }

  /** A commit that fails mid-backfill loses nothing and duplicates nothing when the next run resumes. */
  @Test
  void aCrashedCommitMidBackfillResumesWithoutDuplicatesOrGaps() {
    CrashingDataSource failing = new CrashingDataSource(TestPostgres.dataSource());
    try (PostgresSink sink = sink(failing)) {
      var job = SyncJob.builder().client(client).sink(sink).addObjectTypes("contacts").clock(hubspot.clock().asClock())
          .backfillMethod(BackfillMethod.LIST).indexLag(Duration.ofSeconds(30)).overlap(Duration.ofMinutes(1));
      int[] pages = {0};
      job.onProgress(p -> {
        if (++pages[0] == 4) {
          failing.arm("contacts"); // the fifth page's commit fails
        }
      });
      assertThatThrownBy(() -> job.build().run()).isInstanceOf(WarehouseException.class);
      long stored = count(sink, "contacts");
      assertThat(stored).isEqualTo(400);

      job.onProgress(p -> {});
      SyncReport resumed = job.build().run();

      assertThat(resumed.stream("contacts").rowsRead()).isLessThanOrEqualTo(1_200 - 400 + 100);
      assertRowsMatchPortal(sink, "contacts");
    }
  }

  private SyncReport run(PostgresSink sink) {
    hubspot.clock().advance(Duration.ofMinutes(2));
    return SyncJob.builder().client(client).sink(sink).addObjectTypes("contacts", "deals")
        .addAssociation("contacts", "deals").clock(hubspot.clock().asClock()).indexLag(Duration.ofSeconds(30))
        .overlap(Duration.ofMinutes(1)).archivedPassEvery(Duration.ZERO).build().run();
  }

  private PostgresSink sink(javax.sql.DataSource dataSource) {
    return PostgresSink.builder().dataSource(dataSource).schema(schema).build();
  }

  /** Every object row (id, modified date, archived flag, email) and every link equals the portal. */
  private void assertTablesMatchPortal(PostgresSink sink) {
    assertRowsMatchPortal(sink, "contacts", "deals");
    assertLinksMatchPortal(sink);
  }

  private void assertRowsMatchPortal(PostgresSink sink, String... types) {
    PortalSnapshot truth = hubspot.snapshot();
    for (String type : types) {
      Map<Long, RecordSnapshot> expected = truth.records().get(type).stream()
          .collect(Collectors.toMap(RecordSnapshot::id, r -> r));
      List<Map<String, Object>> rows = TestPostgres.query("SELECT * FROM " + table(sink, type) + " ORDER BY id");
      Set<Long> ids = new HashSet<>();
      for (Map<String, Object> row : rows) {
        long id = (Long) row.get("id");
        assertThat(ids.add(id)).as("one row per id").isTrue();
        RecordSnapshot r = expected.get(id);
        if (r == null) { // merged away: HubSpot no longer has it; the row stays, archived
          assertThat(row.get("_hs_archived")).as(type + " " + id + " merged away").isEqualTo(true);
          continue;
        }
        assertThat(row.get("_hs_updated_at")).as(type + " " + id).isEqualTo(r.updatedAt());
        assertThat(row.get("_hs_archived")).as(type + " " + id + " archived").isEqualTo(r.archived());
        if (type.equals("contacts")) {
          String email = r.properties().get("email");
          assertThat(row.get(column(sink, "email"))).isEqualTo(email == null || email.isEmpty() ? null : email);
        }
      }
      assertThat(ids).as(type + " ids").containsAll(expected.keySet());
    }
  }

  private void assertLinksMatchPortal(PostgresSink sink) {
    PortalSnapshot truth = hubspot.snapshot();
    Set<Long> liveContacts = truth.records().get("contacts").stream().filter(r -> !r.archived())
        .map(RecordSnapshot::id).collect(Collectors.toSet());
    Set<List<Object>> expectedLinks = truth.associations("contacts", "deals").stream()
        .filter(a -> liveContacts.contains(a.fromId()))
        .map(a -> List.<Object>of(a.fromId(), a.toId(), a.typeId(), a.category(), String.valueOf(a.label())))
        .collect(Collectors.toSet());
    Set<List<Object>> links = TestPostgres.query("SELECT * FROM " + TestPostgres.quote(schema) + "."
            + TestPostgres.quote(sink.linkTableName("contacts", "deals").orElseThrow())).stream()
        .map(l -> List.<Object>of(l.get("from_id"), l.get("to_id"), l.get("association_type_id"),
            l.get("association_category"), String.valueOf(l.get("association_label"))))
        .collect(Collectors.toSet());
    assertThat(links).as("contacts_to_deals").isEqualTo(expectedLinks);
  }

  private long count(PostgresSink sink, String type) {
    return (Long) TestPostgres.query("SELECT count(*) AS n FROM " + table(sink, type)).get(0).get("n");
  }

  private String table(PostgresSink sink, String type) {
    return TestPostgres.quote(schema) + "." + TestPostgres.quote(sink.tableName(type).orElseThrow());
  }

  private static String column(PostgresSink sink, String property) {
    return sink.describe("contacts").stream().filter(c -> c.property().equals(property)).map(ColumnMapping::column)
        .findFirst().orElseThrow();
  }
}
