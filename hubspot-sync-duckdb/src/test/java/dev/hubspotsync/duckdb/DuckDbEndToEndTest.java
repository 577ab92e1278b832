package dev.hubspotsync.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * FakeHubSpot over HTTP → SyncJob → DuckDbSink into a file, and after every run the tables equal the
 * portal's ground truth (read back with SQL), also after the file was closed and opened again.
 */
class DuckDbEndToEndTest {
  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

  @TempDir
  Path directory;
  private FakeHubSpot hubspot;
  private HubSpotClient client;

  @BeforeEach
  void start() {
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(300).companies(10).deals(40).tickets(0).calls(0)
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
  }

  @Test
  void backfillThenEditsArriveAndTheFileEqualsThePortal() {
    Path file = directory.resolve("hubspot.duckdb");
    SyncReport first;
    try (DuckDbSink sink = DuckDbSink.builder().file(file).schema("hubspot").build()) {
      first = run(sink);
      assertThat(first.stream("contacts").mode()).isEqualTo("backfill");
      assertTablesMatchPortal(sink);
    }

    List<Long> contacts = hubspot.portal().ids("contacts");
    List<Long> deals = hubspot.portal().ids("deals");
    hubspot.portal().update("contacts", contacts.get(3), Map.of("email", "changed@example.com"));
    long created = hubspot.portal().create("contacts", Map.of("email", "new@example.com"));
    hubspot.portal().archive("contacts", contacts.get(4));
    hubspot.portal().associate("contacts", created, "deals", deals.get(1));
    hubspot.portal().addProperty("contacts", "shoe_size", "Shoe size", "number", "number");
    hubspot.portal().update("contacts", contacts.get(8), Map.of("shoe_size", "44.5"));

    try (DuckDbSink sink = DuckDbSink.builder().file(file).schema("hubspot").build()) {
      SyncReport second = run(sink);

      assertThat(second.stream("contacts").mode()).isEqualTo("incremental");
      assertThat(second.stream("contacts").drift()).anyMatch(line -> line.contains("shoe_size"));
      assertTablesMatchPortal(sink);
      Map<String, Object> shoe = TestDuck.query(sink, "SELECT " + DuckDbDialect.NAMES.quote(column(sink, "shoe_size"))
          + " AS v FROM " + table(sink, "contacts") + " WHERE id = " + contacts.get(8)).get(0);
      assertThat(shoe.get("v").toString()).startsWith("44.5");
      assertThat(TestDuck.query(sink, "SELECT count(*) AS n FROM " + TestDuck.table(sink, "_hubspot_sync_runs")).get(0))
          .containsEntry("n", 2L);
      assertThat(sink.lastRun()).contains(second);
    }
  }

  private SyncReport run(DuckDbSink sink) {
    hubspot.clock().advance(Duration.ofMinutes(2));
    return SyncJob.builder().client(client).sink(sink).addObjectTypes("contacts", "deals")
        .addAssociation("contacts", "deals").clock(hubspot.clock().asClock()).indexLag(Duration.ofSeconds(30))
        .overlap(Duration.ofMinutes(1)).archivedPassEvery(Duration.ZERO).build().run();
  }

  private void assertTablesMatchPortal(DuckDbSink sink) {
    PortalSnapshot truth = hubspot.snapshot();
    for (String type : List.of("contacts", "deals")) {
      Map<Long, RecordSnapshot> expected = truth.records().get(type).stream()
          .collect(Collectors.toMap(RecordSnapshot::id, r -> r));
      Set<Long> ids = new HashSet<>();
      for (Map<String, Object> row : TestDuck.query(sink, "SELECT * FROM " + table(sink, type) + " ORDER BY id")) {
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
    Set<List<Object>> links = TestDuck.query(sink, "SELECT * FROM " + TestDuck.table(sink,
            sink.linkTableName("contacts", "deals").orElseThrow())).stream()
        .map(l -> List.<Object>of(l.get("from_id"), l.get("to_id"), l.get("association_type_id"),
            l.get("association_category"), String.valueOf(l.get("association_label"))))
        .collect(Collectors.toSet());
    assertThat(links).as("contacts_to_deals").isNotEmpty().isEqualTo(expectedLinks);
  }

  private static String table(DuckDbSink sink, String type) {
    return TestDuck.table(sink, sink.tableName(type).orElseThrow());
  }

  private static String column(DuckDbSink sink, String property) {
    return sink.describe("contacts").stream().filter(c -> property.equals(c.property())).map(ColumnMapping::column)
        .findFirst().orElseThrow();
  }
}
