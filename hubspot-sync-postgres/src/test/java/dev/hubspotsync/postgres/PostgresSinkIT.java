package dev.hubspotsync.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.PropertyDefinition;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.schema.ColumnNamer;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresSinkIT extends SinkTestBase {
  private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2026-02-01T00:00:00Z");
  private static final Instant T3 = Instant.parse("2026-03-01T00:00:00Z");
  private static final List<ColumnMapping> COLUMNS = List.of(
      new ColumnMapping("email", "email", ColumnType.TEXT),
      new ColumnMapping("amount", "amount", ColumnType.DECIMAL),
      new ColumnMapping("vip", "vip", ColumnType.BOOLEAN),
      new ColumnMapping("birthday", "birthday", ColumnType.DATE),
      new ColumnMapping("last_seen", "last_seen", ColumnType.TIMESTAMP),
      new ColumnMapping("visits", "visits", ColumnType.BIGINT));

  private static Map<String, String> props(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  @Test
  void everyTypeRoundTripsAsTheBatchHoldsIt() {
    sink.evolve("contacts", COLUMNS);
    List<CrmRecord> records = List.of(
        Batches.record(1, T1, props("email", "ada@example.com", "amount", "12.5", "vip", "true",
            "birthday", "1815-12-10", "last_seen", "2026-05-01T10:11:12.123456Z", "visits", "42")),
        Batches.record(2, T1, props("email", "Grüße, 名前 ✓ \"quoted\" 'single' \\ back\nnewline\ttab", "amount",
            "-99999999999999999999999999999.999999999", "vip", "false", "birthday", "0001-01-01",
            "last_seen", "1969-12-31T23:59:59.999999Z", "visits", "-9223372036854775808")),
        Batches.record(3, null, props("amount", "99999999999999999999999999999.999999999", "visits",
            "9223372036854775807")),
        Batches.record(4, T2, props("amount", "0", "email", "")),
        Batches.record(5, T2, props("amount", "-0.000000001", "last_seen", "1700000000000")),
        Batches.record(6, T2, props("amount", "123456789012345678.5", "birthday", "9999-12-31")),
        Batches.record(7, T2, props("amount", "-9223372036.854775808", "email", "x".repeat(100_000))),
        Batches.record(8, T2, props("amount", "10000", "last_seen", "2262-04-11T23:47:16.854775Z")));
    try (RecordBatch batch = Batches.batch(allocator, "contacts", COLUMNS, records)) {
      WriteResult result = sink.write(batch, new Checkpoint("contacts", "{\"after\":8}"));
      assertThat(result).isEqualTo(new WriteResult(8, 0, 0));
      List<Map<String, Object>> stored = rows("contacts");
      assertThat(stored).hasSize(8);
      for (int row = 0; row < batch.rowCount(); row++) {
        Map<String, Object> dbRow = row("contacts", batch.id(row));
        for (int column = 0; column < batch.columns().size(); column++) {
          String name = batch.columns().get(column).name();
          assertThat(dbRow.get(name)).as("row %s column %s", batch.id(row), name).isEqualTo(batch.value(row, column));
        }
      }
    }
    assertThat(row("contacts", 1)).containsEntry("amount", new BigDecimal("12.500000000"))
        .containsEntry("birthday", LocalDate.of(1815, 12, 10))
        .containsEntry("last_seen", Instant.parse("2026-05-01T10:11:12.123456Z"));
    assertThat(row("contacts", 3)).containsEntry(SystemColumns.UPDATED_AT, null).containsEntry(SystemColumns.ARCHIVED, false);
  }

  @Test
  void manyRowsRoundTripAcrossBitmapChunkAndBufferBoundaries() {
    sink.evolve("contacts", COLUMNS);
    List<CrmRecord> records = new ArrayList<>();
    for (long id = 1; id <= 3_000; id++) {
      Map<String, String> p = new HashMap<>();
      if (id % 3 != 0) {
        p.put("email", "e".repeat((int) (id % 400)) + (id % 7 == 0 ? "\u0000" : "") + id);
      }
      if (id % 5 != 0) {
        p.put("amount", (id % 2 == 0 ? "-" : "") + id * 1_000_003 + "." + id % 1000);
      }
      if (id % 4 != 1) {
        p.put("vip", id % 3 == 0 ? "true" : "false");
      }
      if (id % 6 != 2) {
        p.put("birthday", LocalDate.of(1900, 1, 1).plusDays(id * 11).toString());
      }
      if (id % 9 != 4) {
        p.put("last_seen", Long.toString(1_700_000_000_000L + id * 1_234_567));
      }
      if (id % 10 != 3) {
        p.put("visits", Long.toString(id * id * (id % 2 == 0 ? -1 : 1)));
      }
      records.add(Batches.record(id, id % 11 == 0 ? null : T1.plusMillis(id), p));
    }
    try (RecordBatch batch = Batches.batch(allocator, "contacts", COLUMNS, records)) {
      WriteResult result = sink.write(batch, new Checkpoint("contacts", "{}"));
      assertThat(result).isEqualTo(new WriteResult(3_000, 0, 3_000 / 7 - 3_000 / 21));
      Map<Long, Map<String, Object>> stored = new HashMap<>();
      rows("contacts").forEach(r -> stored.put((Long) r.get("id"), r));
      for (int row = 0; row < batch.rowCount(); row++) {
        for (int column = 0; column < batch.columns().size(); column++) {
          String name = batch.columns().get(column).name();
          Object expected = batch.value(row, column);
          if (expected instanceof String text) {
            expected = text.replace("\u0000", "");
          }
          assertThat(stored.get(batch.id(row)).get(name)).as("row %s column %s", batch.id(row), name)
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void evolveStatementsAreTheDdlEvolveRuns() {
    List<String> planned = sink.evolveStatements("contacts", COLUMNS);
    assertThat(planned).hasSize(1 + COLUMNS.size());
    assertThat(planned.get(0)).startsWith("CREATE TABLE IF NOT EXISTS \"" + schema + "\".\"contacts\" (\"id\" BIGINT");
    assertThat(planned.get(COLUMNS.size())).isEqualTo("ALTER TABLE \"" + schema
        + "\".\"contacts\" ADD COLUMN IF NOT EXISTS \"visits\" BIGINT");
    assertThat(TestPostgres.query("SELECT 1 FROM information_schema.tables WHERE table_schema = '" + schema
        + "' AND table_name = 'contacts'")).isEmpty();

    planned.forEach(TestPostgres::execute); // the planned statements are the SQL evolve runs
    sink.evolve("contacts", COLUMNS);
    assertThat(sink.evolveStatements("contacts", COLUMNS)).isEmpty();
    assertThat(TestPostgres.query("SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = '"
        + schema + "' AND table_name = 'contacts'")).containsExactly(Map.of("n", 8L + COLUMNS.size()));
  }

  @Test
  void tablesHaveTheSystemColumnsAndTypedPropertyColumns() {
    sink.evolve("contacts", COLUMNS);
    List<Map<String, Object>> columns = TestPostgres.query("SELECT column_name, data_type, numeric_precision, "
        + "numeric_scale FROM information_schema.columns WHERE table_schema = '" + schema + "' AND table_name = "
        + "'contacts' ORDER BY ordinal_position");
    Map<String, String> types = new LinkedHashMap<>();
    columns.forEach(c -> types.put((String) c.get("column_name"), (String) c.get("data_type")));
    assertThat(types).containsExactly(
        Map.entry("id", "bigint"), Map.entry("_hs_created_at", "timestamp with time zone"),
        Map.entry("_hs_updated_at", "timestamp with time zone"), Map.entry("_hs_archived", "boolean"),
        Map.entry("_hs_archived_at", "timestamp with time zone"), Map.entry("_hs_unparsed", "text"),
        Map.entry("_synced_at", "timestamp with time zone"), Map.entry("_sync_run_id", "text"),
        Map.entry("email", "text"), Map.entry("amount", "numeric"), Map.entry("vip", "boolean"),
        Map.entry("birthday", "date"), Map.entry("last_seen", "timestamp with time zone"),
        Map.entry("visits", "bigint"));
    assertThat(columns.get(9)).containsEntry("numeric_precision", 38).containsEntry("numeric_scale", 9);
    assertThat(sink.describe("contacts")).isEqualTo(COLUMNS);
    assertThat(sink.describe("deals")).isEmpty();
    assertThat(TestPostgres.query("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema
        + "' ORDER BY 1")).extracting(r -> r.get("table_name")).containsExactly("_hubspot_sync_columns",
            "_hubspot_sync_runs", "_hubspot_sync_state", "_hubspot_sync_tables", "contacts");
  }

  @Test
  void upsertsById_noDuplicates() {
    sink.evolve("contacts", COLUMNS);
    assertThat(write("contacts", COLUMNS, "1", Batches.record(1, T1, props("email", "a@1")),
        Batches.record(2, T1, props("email", "b@1")))).isEqualTo(new WriteResult(2, 0, 0));
    assertThat(write("contacts", COLUMNS, "2", Batches.record(2, T2, props("email", "b@2")),
        Batches.record(3, T2, props("email", "c@2")))).isEqualTo(new WriteResult(2, 0, 0));
    assertThat(write("contacts", COLUMNS, "3", Batches.record(1, T2, props("email", "a@3")),
        Batches.record(3, T3, props("email", "c@3")))).isEqualTo(new WriteResult(2, 0, 0));
    assertThat(rows("contacts")).extracting(r -> r.get("id"), r -> r.get("email"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "a@3"), org.assertj.core.groups.Tuple.tuple(2L, "b@2"),
            org.assertj.core.groups.Tuple.tuple(3L, "c@3"));
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "3"));
  }

  @Test
  void neverOlderOverNewer_andSkippedOlderIsExact() {
    sink.evolve("contacts", COLUMNS);
    write("contacts", COLUMNS, "1", Batches.record(1, T2, props("email", "stored")),
        Batches.record(2, T2, props("email", "stored")), Batches.record(3, null, props("email", "undated")),
        Batches.record(4, T2, props("email", "stored")));
    WriteResult result = write("contacts", COLUMNS, "2",
        Batches.record(1, T1, props("email", "older")),          // skipped
        Batches.record(2, T2, props("email", "same time")),      // written: >=
        Batches.record(3, T1, props("email", "dated")),          // written: a stored null is older
        Batches.record(4, null, props("email", "undated")),      // skipped: null is older than T2
        Batches.record(5, T1, props("email", "new")));           // inserted
    assertThat(result).isEqualTo(new WriteResult(3, 2, 0));
    assertThat(rows("contacts")).extracting(r -> r.get("email"))
        .containsExactly("stored", "same time", "dated", "stored", "new");
    assertThat(row("contacts", 1)).containsEntry(SystemColumns.UPDATED_AT, T2);
    assertThat(write("contacts", COLUMNS, "3", Batches.record(1, T1, props("email", "older again"))))
        .isEqualTo(new WriteResult(0, 1, 0));
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "3"));
  }

  @Test
  void nulCharactersAreRemovedAndCounted() {
    sink.evolve("contacts", COLUMNS);
    WriteResult fresh = write("contacts", COLUMNS, "1",
        Batches.record(1, T1, props("email", "a\u0000b\u0000c")), Batches.record(2, T1, props("email", "\u0000")),
        Batches.record(3, T1, props("email", "clean")),
        Batches.record(4, T1, props("email", "0123456789abcdef\u0000tail")),
        Batches.record(5, T1, props("email", "01234567\u0000")), Batches.record(6, T1, props("email", "0123456789abcdef")));
    assertThat(fresh).isEqualTo(new WriteResult(6, 0, 4));
    WriteResult merged = write("contacts", COLUMNS, "2", Batches.record(3, T2, props("email", "x\u0000y")));
    assertThat(merged).isEqualTo(new WriteResult(1, 0, 1));
    assertThat(rows("contacts")).extracting(r -> r.get("email"))
        .containsExactly("abc", "", "xy", "0123456789abcdeftail", "01234567", "0123456789abcdef");
  }

  @Test
  void datesAndTimestampsPostgresCannotHoldGoToUnparsedAndAreCounted() {
    sink.evolve("contacts", COLUMNS);
    WriteResult result = write("contacts", COLUMNS, "1",
        Batches.record(1, T1, props("birthday", "-5000000-01-01", "last_seen", "-10000-01-01T00:00:00Z",
            "vip", "maybe", "email", "kept")),
        Batches.record(2, T1, props("birthday", "2000-02-29")));
    assertThat(result).isEqualTo(new WriteResult(2, 0, 2));
    Map<String, Object> row = row("contacts", 1);
    assertThat(row).containsEntry("birthday", null).containsEntry("last_seen", null).containsEntry("email", "kept");
    assertThat((String) row.get(SystemColumns.UNPARSED)).contains("\"vip\":\"maybe\"")
        .contains("\"birthday\":\"-5000000-01-01\"").contains("\"last_seen\":\"-10000-01-01T00:00:00Z\"");
    assertThat(row("contacts", 2)).containsEntry("birthday", LocalDate.of(2000, 2, 29));
  }

  /**
   * A row another client inserts between the sink's max(id) check and its COPY (here: uncommitted
   * while the check runs) makes the straight COPY fail; the sink then merges the batch instead.
   */
  @Test
  void aConflictOnTheStraightCopyPathFallsBackToTheMerge() throws Exception {
    sink.evolve("contacts", COLUMNS);
    write("contacts", COLUMNS, "1", Batches.record(1, T1, props("email", "first")));
    String table = TestPostgres.quote(schema) + ".contacts";
    try (java.sql.Connection foreign = TestPostgres.dataSource().getConnection();
        PostgresSink byUrl = PostgresSink.builder().jdbcUrl(TestPostgres.jdbcUrl()).schema(schema).build()) {
      foreign.setAutoCommit(false);
      try (java.sql.Statement s = foreign.createStatement()) {
        s.execute("INSERT INTO " + table + " (id, _hs_updated_at, email) VALUES (3, '" + T1 + "', 'foreign')");
      }
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
      try (RecordBatch batch = Batches.batch(allocator, "contacts", COLUMNS, Batches.record(2, T2, props("email", "two")),
          Batches.record(3, T2, props("email", "three")))) {
        java.util.concurrent.Future<WriteResult> pending = pool.submit(() -> byUrl.write(batch,
            new Checkpoint("contacts", "2")));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!pending.isDone() && (Long) TestPostgres.query("SELECT count(*) AS n FROM pg_stat_activity "
            + "WHERE application_name = 'hubspot-sync' AND wait_event_type = 'Lock'").get(0).get("n") == 0) {
          assertThat(System.nanoTime()).as("the sink's COPY waits for the foreign row").isLessThan(deadline);
        }
        foreign.commit();
        assertThat(pending.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new WriteResult(2, 0, 0));
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(rows("contacts")).extracting(r -> r.get("email")).containsExactly("first", "two", "three");
  }

  @Test
  void hostileNamesAreQuotedAndSafe() {
    String type = "\"; DROP TABLE x; --";
    List<ColumnMapping> hostile = List.of(
        new ColumnMapping("p1", "\"; drop table x; --", ColumnType.TEXT),
        new ColumnMapping("p2", "a\"b'c", ColumnType.TEXT),
        new ColumnMapping("p3", "select", ColumnType.DECIMAL),
        new ColumnMapping("p4", "名前 Ünïcödé", ColumnType.BOOLEAN),
        new ColumnMapping("p5", "MixedCase", ColumnType.TEXT),
        new ColumnMapping("p6", "?:x $1", ColumnType.TEXT));
    assertThat(sink.describe(type)).isEmpty(); // creates the schema
    TestPostgres.execute("CREATE TABLE " + TestPostgres.quote(schema) + ".x (v int)");
    sink.evolve(type, hostile);
    assertThat(sink.tableName(type)).contains("_drop_table_x_");
    WriteResult result = write(type, hostile, "{}", Batches.record(1, T1, props("p1", "one", "p2", "two", "p3", "3",
        "p4", "true", "p5", "five", "p6", "six")));
    assertThat(result.written()).isEqualTo(1);
    assertThat(rows(type).get(0)).containsEntry("\"; drop table x; --", "one").containsEntry("a\"b'c", "two")
        .containsEntry("select", new BigDecimal("3.000000000")).containsEntry("名前 Ünïcödé", true)
        .containsEntry("MixedCase", "five").containsEntry("?:x $1", "six");
    assertThat(sink.describe(type)).isEqualTo(hostile);
    assertThat(TestPostgres.query("SELECT count(*) AS n FROM " + TestPostgres.quote(schema) + ".x")).hasSize(1);

    String hostileSchema = schema("h") + "\"; DROP SCHEMA public; --";
    try (PostgresSink other = newSink(hostileSchema)) {
      other.evolve("contacts", COLUMNS);
      try (RecordBatch batch = Batches.batch(allocator, "contacts", COLUMNS, Batches.record(1, T1, props("email", "e")))) {
        assertThat(other.write(batch, new Checkpoint("contacts", "{}")).written()).isEqualTo(1);
      }
    } finally {
      TestPostgres.dropSchema(hostileSchema);
    }
  }

  @Test
  void columnNamesRejectedWhenPostgresWouldCutOrRefuseThem() {
    assertThatThrownBy(() -> sink.evolve("contacts", List.of(new ColumnMapping("p", "x".repeat(64), ColumnType.TEXT))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 UTF-8 bytes");
    assertThatThrownBy(() -> sink.evolve("contacts", List.of(new ColumnMapping("p", "a\u0000b", ColumnType.TEXT))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
    assertThatThrownBy(() -> sink.evolve("contacts", List.of(new ColumnMapping("p", "_hs_updated_at", ColumnType.TEXT))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("system column");
    assertThat(sink.tableName("contacts")).isEmpty();
  }

  @Test
  void namesOf63BytesAreStableAcrossTwoSinkInstances() {
    String longPrefix = "a_very_long_property_name_that_portal_admins_like_to_type_out_in_full_";
    List<PropertyDefinition> properties = new ArrayList<>();
    for (String tail : List.of("one", "two", "three")) {
      properties.add(property(longPrefix + tail, "string"));
    }
    properties.add(property("Ünïcödé " + "ä".repeat(40), "number"));
    String type = "p_custom_object_with_a_name_that_goes_on_and_on_and_on_and_on_past_63_bytes";
    ColumnNamer namer = ColumnNamer.forDialect(sink.maxIdentifierBytes());
    SchemaDrift first = SchemaDrift.analyze(type, properties, sink.describe(type), namer);
    sink.evolve(type, first.added());
    String table = sink.tableName(type).orElseThrow();
    assertThat(table.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
    assertThat(first.added()).allSatisfy(m -> assertThat(m.column().getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(63));
    assertThat(first.added()).extracting(ColumnMapping::column).doesNotHaveDuplicates();

    try (PostgresSink second = newSink(schema)) {
      assertThat(second.describe(type)).isEqualTo(first.added());
      properties.add(property(longPrefix + "four", "string"));
      SchemaDrift next = SchemaDrift.analyze(type, properties, second.describe(type), namer);
      assertThat(next.added()).hasSize(1);
      second.evolve(type, next.added());
      assertThat(second.tableName(type)).contains(table);
      assertThat(second.describe(type)).isEqualTo(next.columnsAfter());
    }
    assertThat(sink.describe(type)).hasSize(5);
    Map<String, String> byProperty = new HashMap<>();
    sink.describe(type).forEach(m -> byProperty.put(m.property(), m.column()));
    first.added().forEach(m -> assertThat(byProperty).containsEntry(m.property(), m.column()));
  }

  private static PropertyDefinition property(String name, String type) {
    return new PropertyDefinition(name, name, type, "text", "info", false, false, false, false, List.of());
  }

  @Test
  void driftAddsColumns_olderBatchesLeaveNewColumnsAlone() {
    List<ColumnMapping> before = COLUMNS.subList(0, 1);
    sink.evolve("contacts", before);
    write("contacts", before, "1", Batches.record(1, T1, props("email", "a")));
    sink.evolve("contacts", COLUMNS);
    assertThat(sink.describe("contacts")).isEqualTo(COLUMNS);
    write("contacts", COLUMNS, "2", Batches.record(2, T1, props("email", "b", "visits", "7")));
    assertThat(row("contacts", 1)).containsEntry("visits", null);
    write("contacts", COLUMNS, "3", Batches.record(2, T2, props("email", "b2", "visits", "8")));
    write("contacts", before, "4", Batches.record(2, T3, props("email", "b3")));
    assertThat(row("contacts", 2)).containsEntry("email", "b3").containsEntry("visits", 8L);
    sink.evolve("contacts", COLUMNS); // idempotent
    assertThat(sink.describe("contacts")).isEqualTo(COLUMNS);
  }

  @Test
  void aRetypedPropertyKeepsItsColumnAndLoads() {
    sink.evolve("deals", List.of(new ColumnMapping("score", "score", ColumnType.DOUBLE)));
    write("deals", sink.describe("deals"), "1", Batches.record(1, T1, props("score", "5")));
    List<PropertyDefinition> now = List.of(property("score", "string"));
    SchemaDrift drift = SchemaDrift.analyze("deals", now, sink.describe("deals"),
        ColumnNamer.forDialect(sink.maxIdentifierBytes()));
    assertThat(drift.retyped()).hasSize(1);
    sink.evolve("deals", drift.added());
    sink.evolve("deals", List.of(new ColumnMapping("score", "score", ColumnType.TEXT))); // never retypes
    assertThat(sink.describe("deals")).containsExactly(new ColumnMapping("score", "score", ColumnType.DOUBLE));
    WriteResult result = write("deals", drift.columnsAfter(), "2", Batches.record(1, T2, props("score", "high")),
        Batches.record(2, T2, props("score", "6")));
    assertThat(result.written()).isEqualTo(2);
    assertThat(row("deals", 1)).containsEntry("score", null).containsEntry(SystemColumns.UNPARSED, "{\"score\":\"high\"}");
    assertThat(row("deals", 2)).containsEntry("score", 6.0);
    List<ColumnMapping> wrong = List.of(new ColumnMapping("score", "score", ColumnType.TEXT));
    assertThatThrownBy(() -> write("deals", wrong, "3", Batches.record(3, T2, props("score", "x"))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("stores it as DOUBLE");
  }

  @Test
  void aLegacyNumericColumnIsConvertedToDoublePrecision() {
    sink.evolve("deals", List.of(new ColumnMapping("amount", "amount", ColumnType.DECIMAL)));
    write("deals", sink.describe("deals"), "1", Batches.record(1, T1, props("amount", "12.5")));
    List<ColumnMapping> doubles = List.of(new ColumnMapping("amount", "amount", ColumnType.DOUBLE));

    assertThat(sink.evolveStatements("deals", doubles)).containsExactly("ALTER TABLE " + TestPostgres.quote(schema)
        + ".\"deals\" ALTER COLUMN \"amount\" TYPE DOUBLE PRECISION");
    assertThat(sink.describe("deals")).containsExactly(new ColumnMapping("amount", "amount", ColumnType.DECIMAL));
    // A batch with the column as DOUBLE converts it first; the merge goes through the float8 staging table.
    WriteResult result = write("deals", doubles, "2", Batches.record(1, T2, props("amount", "0.5476861596107483")),
        Batches.record(2, T2, props("amount", "1.2000000000000002")));

    assertThat(result).isEqualTo(new WriteResult(2, 0, 0));
    assertThat(sink.describe("deals")).isEqualTo(doubles);
    assertThat(sink.evolveStatements("deals", doubles)).isEmpty();
    assertThat(TestPostgres.query("SELECT data_type FROM information_schema.columns WHERE table_schema = '" + schema
        + "' AND table_name = 'deals' AND column_name = 'amount'")).containsExactly(Map.of("data_type", "double precision"));
    assertThat(row("deals", 1)).containsEntry("amount", 0.5476861596107483).containsEntry(SystemColumns.UNPARSED, null);
    assertThat(row("deals", 2)).containsEntry("amount", 1.2000000000000002);
  }

  @Test
  void aViewOnALegacyNumericColumnStopsItsConversionWithPostgresMessage() {
    sink.evolve("deals", List.of(new ColumnMapping("amount", "amount", ColumnType.DECIMAL)));
    String view = TestPostgres.quote(schema) + ".deal_amounts";
    TestPostgres.execute("CREATE VIEW " + view + " AS SELECT id, amount FROM " + TestPostgres.quote(schema) + ".deals");
    List<ColumnMapping> doubles = List.of(new ColumnMapping("amount", "amount", ColumnType.DOUBLE));

    assertThatThrownBy(() -> write("deals", doubles, "1", Batches.record(1, T1, props("amount", "0.5"))))
        .isInstanceOf(WarehouseException.class).hasMessageContaining("deal_amounts");
    assertThat(sink.describe("deals")).containsExactly(new ColumnMapping("amount", "amount", ColumnType.DECIMAL));
    assertThat(sink.checkpoint("deals")).isEmpty();

    TestPostgres.execute("DROP VIEW " + view);
    assertThat(write("deals", doubles, "1", Batches.record(1, T1, props("amount", "0.5"))).written()).isEqualTo(1);
    assertThat(row("deals", 1)).containsEntry("amount", 0.5);
  }

  @Test
  void writeBeforeEvolveFailsAndNamesTheFix() {
    assertThatThrownBy(() -> write("contacts", COLUMNS, "1", Batches.record(1, T1, props())))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("evolve() must run first");
    sink.evolve("contacts", COLUMNS.subList(0, 1));
    assertThatThrownBy(() -> write("contacts", COLUMNS, "1", Batches.record(1, T1, props())))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'amount'").hasMessageContaining("evolve()");
    assertThat(sink.checkpoint("contacts")).isEmpty();
  }

  @Test
  void emptyBatchStoresItsCheckpoint() {
    sink.evolve("contacts", COLUMNS);
    assertThat(sink.checkpoint("contacts")).isEmpty();
    assertThat(write("contacts", COLUMNS, "{\"done\":true}")).isEqualTo(new WriteResult(0, 0, 0));
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "{\"done\":true}"));
    assertThat(rows("contacts")).isEmpty();
  }

  @Test
  void customObjectIdsGetSanitizedTableNames_collisionsResolvedAndStored() {
    sink.evolve("2-12345", COLUMNS);
    sink.evolve("2_12345", COLUMNS);
    assertThat(sink.tableName("2-12345")).contains("_2_12345");
    assertThat(sink.tableName("2_12345")).contains("_2_12345_2");
    write("2-12345", COLUMNS, "a", Batches.record(1, T1, props("email", "dash")));
    write("2_12345", COLUMNS, "b", Batches.record(1, T1, props("email", "underscore")));
    try (PostgresSink again = newSink(schema)) {
      assertThat(again.tableName("2_12345")).contains("_2_12345_2");
    }
    assertThat(rows("2-12345")).extracting(r -> r.get("email")).containsExactly("dash");
    assertThat(rows("2_12345")).extracting(r -> r.get("email")).containsExactly("underscore");
  }

  @Test
  void idsAndMarkArchived() {
    assertThat(sink.ids("contacts", false)).isEmpty();
    assertThat(sink.markArchived("contacts", List.of(1L), T3)).isZero();
    sink.evolve("contacts", COLUMNS);
    List<CrmRecord> records = new ArrayList<>();
    for (long id = 5; id >= 1; id--) {
      records.add(new CrmRecord(id, props("email", "e" + id), T1, T1, id == 3, id == 3 ? T2 : null));
    }
    write("contacts", COLUMNS, "1", records.toArray(new CrmRecord[0]));
    assertThat(sink.ids("contacts", false)).containsExactly(1, 2, 4, 5);
    assertThat(sink.ids("contacts", true)).containsExactly(3);
    assertThat(sink.markArchived("contacts", List.of(1L, 3L, 99L), Instant.parse("2026-04-01T00:00:00.1234567Z")))
        .isEqualTo(1);
    assertThat(sink.ids("contacts", true)).containsExactly(1, 3);
    assertThat(row("contacts", 1)).containsEntry(SystemColumns.ARCHIVED, true)
        .containsEntry(SystemColumns.ARCHIVED_AT, Instant.parse("2026-04-01T00:00:00.123456Z"))
        .containsEntry("email", "e1").containsEntry(SystemColumns.UPDATED_AT, T1);
    assertThat(row("contacts", 3)).containsEntry(SystemColumns.ARCHIVED_AT, T2);
  }

  @Test
  void tablePrefixAppliesToEveryTable() {
    PostgresSink prefixed = PostgresSink.builder().dataSource(TestPostgres.dataSource()).schema(schema)
        .tablePrefix("hs_").build();
    prefixed.evolve("contacts", COLUMNS);
    assertThat(prefixed.tableName("contacts")).contains("hs_contacts");
    assertThat(TestPostgres.query("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema
        + "' ORDER BY 1")).extracting(r -> r.get("table_name")).containsExactly("hs__hubspot_sync_columns",
            "hs__hubspot_sync_runs", "hs__hubspot_sync_state", "hs__hubspot_sync_tables", "hs_contacts");
    assertThatThrownBy(() -> PostgresSink.builder().tablePrefix("Bad-Prefix"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tablePrefix");
  }

  @Test
  void aJdbcUrlWorksAndItsSecretsAreNeverShown() {
    try (PostgresSink byUrl = PostgresSink.builder().jdbcUrl(TestPostgres.jdbcUrl()).schema(schema).build()) {
      byUrl.evolve("contacts", COLUMNS);
      try (RecordBatch batch = Batches.batch(allocator, "contacts", COLUMNS, Batches.record(1, T1, props("email", "u")))) {
        assertThat(byUrl.write(batch, new Checkpoint("contacts", "1")).written()).isEqualTo(1);
      }
      assertThat(TestPostgres.query("SHOW TimeZone")).isNotEmpty();
    }
    PostgresSink refused = PostgresSink.builder()
        .jdbcUrl("jdbc:postgresql://127.0.0.1:1/db?password=hunter2&connectTimeout=2", "loader", "s3cret").build();
    assertThat(refused.toString()).doesNotContain("hunter2").doesNotContain("s3cret").contains("127.0.0.1:1/db");
    assertThatThrownBy(() -> refused.describe("contacts"))
        .satisfies(e -> assertThat(fullText(e)).doesNotContain("hunter2").doesNotContain("s3cret"))
        .isInstanceOf(WarehouseException.class).hasMessageContaining("127.0.0.1:1/db");
    assertThatThrownBy(() -> PostgresSink.builder().jdbcUrl("jdbc:mysql://x/y?password=hunter2").build())
        .isInstanceOf(dev.hubspotsync.HubSpotSyncException.class)
        .satisfies(e -> assertThat(fullText(e)).doesNotContain("hunter2"))
        .hasMessageContaining("not a PostgreSQL URL");
    assertThatThrownBy(() -> PostgresSink.builder().build()).hasMessageContaining("dataSource(…) or a jdbcUrl(…)");
  }

  @Test
  void aJdbcUrlSinkKeepsAFewConnectionsOpen_evenAfterAFailedTransaction() {
    try (PostgresSink byUrl = PostgresSink.builder().jdbcUrl(TestPostgres.jdbcUrl()).schema(schema).build()) {
      byUrl.evolve("contacts", COLUMNS);
      for (int i = 0; i < 20; i++) {
        try (RecordBatch batch = Batches.batch(allocator, "contacts", COLUMNS,
            Batches.record(i % 3 + 1, T1.plusSeconds(i), props("email", "e" + i)))) {
          byUrl.write(batch, new Checkpoint("contacts", Integer.toString(i)));
        }
      }
      assertThatThrownBy(() -> byUrl.checkpoint("NUL \u0000 in a stream name"))
          .isInstanceOf(WarehouseException.class);
      assertThat(byUrl.checkpoint("contacts")).contains(new Checkpoint("contacts", "19"));
      long open = (Long) TestPostgres.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = "
          + "'hubspot-sync' AND state = 'idle'").get(0).get("n");
      assertThat(open).isBetween(1L, 4L);
      assertThat(rows("contacts")).extracting(r -> r.get("email")).containsExactly("e18", "e19", "e17");
    }
  }

  private static String fullText(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      text.append(t).append('\n');
    }
    return text.toString();
  }

  @Test
  void closedSinkRefusesWork() {
    sink.close();
    assertThatThrownBy(() -> sink.evolve("contacts", COLUMNS)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    sink.close();
  }
}
