package dev.hubspotsync.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: HubSpot's numbers are doubles sent in full. FakeHubSpot over HTTP → SyncJob → a DuckDB
 * file: every value lands in its column as the double HubSpot holds, none in {@code _hs_unparsed};
 * and a file whose number columns an earlier version made as {@code DECIMAL(38,9)} is converted to
 * {@code DOUBLE} by the next run, keeping its values.
 */
class NumbersEndToEndTest {
  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private static final String PROPERTY = "hs_deal_stage_probability";
  private static final List<String> SENT = List.of("0.5476861596107483", "1.2000000000000002",
      "0.200000000000000011102230246251565404236316680908203125", "9007199254740993");
  private static final List<Double> EXPECTED = List.of(0.5476861596107483, 1.2000000000000002, 0.2, 9007199254740992.0);

  @TempDir
  Path directory;
  private FakeHubSpot hubspot;
  private HubSpotClient client;
  private List<Long> deals;

  @BeforeEach
  void start() {
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(0).companies(0).deals(SENT.size()).tickets(0).calls(0)
        .subscriptions(0).unlimited().clock(PortalClock.fixed(T0)).build());
    client = HubSpotClient.builder().baseUrl(hubspot.baseUrl()).credentials(HubSpotCredentials.privateApp(hubspot.token()))
        .clock(hubspot.clock().asClock()).sleeper(d -> hubspot.clock().advance(d))
        .rateBudget(RateBudget.tokenBucket().clock(hubspot.clock().asClock()).sleeper(d -> hubspot.clock().advance(d)).build())
        .build();
    hubspot.portal().addProperty("deals", PROPERTY, "Deal probability", "number", "calculation_equation");
    deals = hubspot.portal().ids("deals");
    for (int i = 0; i < SENT.size(); i++) {
      hubspot.portal().update("deals", deals.get(i), Map.of(PROPERTY, SENT.get(i), "amount", "12.5"));
    }
  }

  @AfterEach
  void stop() {
    client.close();
    hubspot.close();
  }

  @Test
  void hubSpotDoublesLandAsDoublesNotInUnparsed() {
    try (DuckDbSink sink = DuckDbSink.builder().file(directory.resolve("hubspot.duckdb")).build()) {
      run(sink);

      assertThat(columnTypes(sink)).containsEntry(PROPERTY, "DOUBLE").containsEntry("amount", "DOUBLE");
      assertSyncedValues(sink);
    }
  }

  @Test
  void decimalColumnsOfAnEarlierVersionAreConvertedToDoubleKeepingTheirValues() {
    Path file = directory.resolve("old.duckdb");
    List<ColumnMapping> legacy = List.of(new ColumnMapping("amount", "amount", ColumnType.DECIMAL),
        new ColumnMapping(PROPERTY, PROPERTY, ColumnType.DECIMAL));
    try (DuckDbSink sink = DuckDbSink.builder().file(file).build();
        BatchAllocator allocator = BatchAllocator.create(16L << 20)) {
      // What an earlier version did: NUMERIC(38,9) columns, and a double it could not hold kept as text.
      sink.evolve("deals", legacy);
      Instant old = T0.minus(Duration.ofDays(1));
      try (RecordBatch batch = RecordBatch.builder("deals", legacy, allocator, old, "old-run")
          .add(new CrmRecord(999, Map.of("amount", "12.5", PROPERTY, "0.25"), old, old, false, null))
          .add(new CrmRecord(deals.get(0), Map.of("amount", "3", PROPERTY, SENT.get(0)), old, old, false, null))
          .build()) {
        sink.write(batch, new Checkpoint("old", "{}"));
      }
      assertThat(columnTypes(sink)).containsEntry(PROPERTY, "DECIMAL(38,9)");
      assertThat(row(sink, deals.get(0)).get("_hs_unparsed")).isEqualTo("{\"" + PROPERTY + "\":\"" + SENT.get(0) + "\"}");
    }

    try (DuckDbSink sink = DuckDbSink.builder().file(file).build()) {
      SyncReport report = run(sink);

      assertThat(report.stream("deals").drift()).contains("deals: amount converted from DECIMAL to DOUBLE",
          "deals: " + PROPERTY + " converted from DECIMAL to DOUBLE");
      assertThat(columnTypes(sink)).containsEntry(PROPERTY, "DOUBLE").containsEntry("amount", "DOUBLE");
      assertThat(sink.describe("deals")).contains(new ColumnMapping("amount", "amount", ColumnType.DOUBLE),
          new ColumnMapping(PROPERTY, PROPERTY, ColumnType.DOUBLE));
      assertThat(TestDuck.query(sink, "SELECT column_name, column_type FROM " + TestDuck.table(sink,
          "_hubspot_sync_columns") + " WHERE column_name IN ('amount', '" + PROPERTY + "') ORDER BY 1"))
          .extracting(r -> r.get("column_type")).containsExactly("DOUBLE", "DOUBLE");
      assertSyncedValues(sink);
      // A row HubSpot no longer serves keeps its values, now doubles.
      assertThat(row(sink, 999)).containsEntry("amount", 12.5).containsEntry(PROPERTY, 0.25);
    }
  }

  private SyncReport run(DuckDbSink sink) {
    hubspot.clock().advance(Duration.ofMinutes(2));
    return SyncJob.builder().client(client).sink(sink).addObjectTypes("deals").clock(hubspot.clock().asClock())
        .archivedPassEvery(Duration.ZERO).build().run();
  }

  private void assertSyncedValues(DuckDbSink sink) {
    for (int i = 0; i < SENT.size(); i++) {
      Map<String, Object> row = row(sink, deals.get(i));
      assertThat(row.get(PROPERTY)).as("%s sent as %s", PROPERTY, SENT.get(i)).isInstanceOf(Double.class)
          .isEqualTo(EXPECTED.get(i));
      assertThat(row.get("amount")).isEqualTo(12.5);
      assertThat(row.get("_hs_unparsed")).as("_hs_unparsed of deal %s", deals.get(i)).isNull();
    }
  }

  private static Map<String, Object> row(DuckDbSink sink, long id) {
    return TestDuck.query(sink, "SELECT * FROM " + TestDuck.table(sink, sink.tableName("deals").orElseThrow())
        + " WHERE id = " + id).get(0);
  }

  private static Map<Object, Object> columnTypes(DuckDbSink sink) {
    Map<Object, Object> types = new HashMap<>();
    TestDuck.query(sink, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '"
        + sink.tableName("deals").orElseThrow() + "'").forEach(r -> types.put(r.get("column_name"), r.get("data_type")));
    return types;
  }
}
