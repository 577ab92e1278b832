package dev.hubspotsync.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.StateStore;
import dev.hubspotsync.snowflake.standin.SnowflakeStandIn;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * FakeHubSpot over HTTP → SyncJob → SnowflakeSink through the real driver into the stand-in, and
 * after every run the tables equal the portal's ground truth; a MERGE that fails between its COPY
 * and its COMMIT leaves neither the rows nor the checkpoint, and the next run catches up.
 */
class SnowflakeEndToEndTest {
  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

  private SnowflakeStandIn standIn;
  private FakeHubSpot hubspot;
  private HubSpotClient client;

  @BeforeEach
  void start() {
    standIn = SnowflakeStandIn.start();
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
    standIn.close();
  }

  @Test
  void backfillThenEditsThenAFailedMergeThenCatchUpAndTheTablesEqualThePortal() {
    try (SnowflakeSink sink = TestSinks.builder(standIn).build()) {
      SyncReport first = run(sink);
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

    try (SnowflakeSink sink = TestSinks.builder(standIn).build()) {
      String before = sink.checkpoint("contacts").orElseThrow().json();
      String storedEmail = emailOf(sink, contacts.get(3));
      standIn.failNext("^MERGE INTO \"HUBSPOT\"\\.\"contacts\"", "000630", "Statement reached its statement or "
          + "warehouse timeout and was canceled.");

      assertThatThrownBy(() -> run(sink)).isInstanceOf(WarehouseException.class).hasMessageContaining("canceled")
          .hasMessageContaining("\"HUBSPOT\".\"contacts\"");
      List<SnowflakeStandIn.Executed> log = standIn.statements();
      int merge = -1;
      for (int i = 0; i < log.size(); i++) {
        if (log.get(i).ran() == null && log.get(i).sent().startsWith("MERGE INTO \"HUBSPOT\".\"contacts\"")) {
          merge = i;
        }
      }
      assertThat(merge).as("the failed MERGE").isPositive();
      long session = log.get(merge).session();
      List<String> ofSession = log.stream().filter(e -> e.session() == session).map(SnowflakeStandIn.Executed::sent)
          .toList();
      int at = ofSession.lastIndexOf(log.get(merge).sent());
      assertThat(ofSession.get(at - 1)).as("the statement before the failed MERGE").startsWith("COPY INTO");
      assertThat(ofSession.get(at + 1)).as("the statement after the failed MERGE").isEqualToIgnoringCase("rollback");
      assertThat(sink.checkpoint("contacts").orElseThrow().json()).as("checkpoint after the failed MERGE")
          .isEqualTo(before);
      assertThat(emailOf(sink, contacts.get(3))).as("row after the failed MERGE").isEqualTo(storedEmail)
          .isNotEqualTo("changed@example.com");

      SyncReport second = run(sink);
      assertThat(second.stream("contacts").mode()).isEqualTo("incremental");
      assertTablesMatchPortal(sink);
      Map<String, Object> shoe = standIn.query("SELECT " + SnowflakeDialect.NAMES.quote(column(sink, "shoe_size"))
          + " AS v FROM " + table(sink, "contacts") + " WHERE id = " + contacts.get(8)).get(0);
      assertThat(shoe.get("v")).isEqualTo(44.5);
      assertThat(sink.lastRun()).contains(second);
    }
  }

  private String emailOf(SnowflakeSink sink, long id) {
    return (String) standIn.query("SELECT \"email\" FROM " + table(sink, "contacts") + " WHERE id = " + id).get(0)
        .get("email");
  }

  @Test
  void aSeparateStateStoreNeverHoldsACheckpointTheWarehouseHasNotCommitted() {
    Map<String, Checkpoint> saved = new HashMap<>();
    List<String> ahead = new ArrayList<>();
    try (SnowflakeSink sink = TestSinks.builder(standIn).build()) { // coalescing on, as by default
      StateStore store = new StateStore() {
        @Override
        public Optional<Checkpoint> load(String stream) {
          return Optional.ofNullable(saved.get(stream));
        }

        @Override
        public void save(Checkpoint checkpoint) {
          List<Map<String, Object>> committed = standIn.query("SELECT checkpoint FROM "
              + TestSinks.table(sink, "_hubspot_sync_state") + " WHERE stream = '" + checkpoint.stream().replace("'", "''") + "'");
          if (committed.isEmpty() || !checkpoint.json().equals(committed.get(0).get("checkpoint"))) {
            ahead.add(checkpoint.stream());
          }
          saved.put(checkpoint.stream(), checkpoint);
        }
      };
      hubspot.clock().advance(Duration.ofMinutes(2));
      SyncJob.builder().client(client).sink(sink).stateStore(store).addObjectTypes("contacts", "deals")
          .addAssociation("contacts", "deals").clock(hubspot.clock().asClock()).indexLag(Duration.ofSeconds(30))
          .overlap(Duration.ofMinutes(1)).archivedPassEvery(Duration.ZERO).build().run();
      assertTablesMatchPortal(sink);
    }
    assertThat(saved).as("checkpoints copied to the state store").containsKeys("contacts", "deals");
    assertThat(ahead).as("streams whose stored checkpoint ran ahead of the warehouse").isEmpty();
  }

  private SyncReport run(SnowflakeSink sink) {
    hubspot.clock().advance(Duration.ofMinutes(2));
    return SyncJob.builder().client(client).sink(sink).addObjectTypes("contacts", "deals")
        .addAssociation("contacts", "deals").clock(hubspot.clock().asClock()).indexLag(Duration.ofSeconds(30))
        .overlap(Duration.ofMinutes(1)).archivedPassEvery(Duration.ZERO).build().run();
  }

  private void assertTablesMatchPortal(SnowflakeSink sink) {
    PortalSnapshot truth = hubspot.snapshot();
    for (String type : List.of("contacts", "deals")) {
      Map<Long, RecordSnapshot> expected = truth.records().get(type).stream()
          .collect(Collectors.toMap(RecordSnapshot::id, r -> r));
      Set<Long> ids = new HashSet<>();
      for (Map<String, Object> row : standIn.query("SELECT * FROM " + table(sink, type) + " ORDER BY id")) {
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
    Set<List<Object>> links = standIn.query("SELECT * FROM " + TestSinks.table(sink,
            sink.linkTableName("contacts", "deals").orElseThrow())).stream()
        .map(l -> List.<Object>of(l.get("from_id"), l.get("to_id"), l.get("association_type_id"),
            l.get("association_category"), String.valueOf(l.get("association_label"))))
        .collect(Collectors.toSet());
    assertThat(links).as("contacts_to_deals").isNotEmpty().isEqualTo(expectedLinks);
  }

  private static String table(SnowflakeSink sink, String type) {
    return TestSinks.table(sink, sink.tableName(type).orElseThrow());
  }

  private static String column(SnowflakeSink sink, String property) {
    return sink.describe("contacts").stream().filter(c -> property.equals(c.property())).map(ColumnMapping::column)
        .findFirst().orElseThrow();
  }
}
