package dev.hubspotsync.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.sql.SqlSink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DuckDbSink against real DuckDB files: what the contract does not cover. */
class DuckDbSinkTest {
  private static final Instant T1 = Instant.parse("2026-03-01T10:00:00.123456Z");
  private static final Instant SYNCED = Instant.parse("2026-11-01T00:00:00Z");

  @TempDir
  Path directory;
  private BatchAllocator allocator;
  private final List<RecordBatch> batches = new ArrayList<>();
  private final List<DuckDbSink> sinks = new ArrayList<>();

  @BeforeEach
  void allocate() {
    allocator = BatchAllocator.create(256L << 20);
  }

  @AfterEach
  void release() {
    batches.forEach(RecordBatch::close);
    sinks.forEach(DuckDbSink::close);
    allocator.close();
  }

  @Test
  void dataCheckpointsMappingAndRunsSurviveReopeningTheFile() {
    Path file = directory.resolve("reopen.duckdb");
    List<ColumnMapping> columns = List.of(new ColumnMapping("email", "email", ColumnType.TEXT));
    try (DuckDbSink sink = DuckDbSink.builder().file(file).schema("hubspot").build()) {
      sink.evolve("contacts", columns);
      sink.write(batch("contacts", columns, record(1, Map.of("email", "a@example.com"))),
          new Checkpoint("contacts", "{\"after\":1}"));
      sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(1L),
          List.of(new LinkRow(1, 10, 3, "HUBSPOT_DEFINED", null)), SYNCED), new Checkpoint("contacts_to_deals", "{}"));
    }

    DuckDbSink reopened = open(DuckDbSink.builder().file(file).schema("hubspot"));

    assertThat(reopened.describe("contacts")).isEqualTo(columns);
    assertThat(reopened.checkpoint("contacts")).contains(new Checkpoint("contacts", "{\"after\":1}"));
    assertThat(reopened.checkpoint("contacts_to_deals")).isPresent();
    assertThat(reopened.tableName("contacts")).contains("contacts");
    assertThat(TestDuck.query(reopened, "SELECT id, email FROM " + TestDuck.table(reopened, "contacts")))
        .containsExactly(Map.of("id", 1L, "email", "a@example.com"));
    assertThat(TestDuck.query(reopened, "SELECT from_id, to_id FROM " + TestDuck.table(reopened, "contacts_to_deals")))
        .containsExactly(Map.of("from_id", 1L, "to_id", 10L));
  }

  /** Regression: DuckDB names the catalog after the file, so schema "hubspot" in hubspot.duckdb was ambiguous. */
  /**
   * The kernel's coalesced unit of work (what a BigQuery or Snowflake sink needs): several batches of
   * several types and their checkpoints commit together, and a crash before the commit leaves none of
   * them, rows or checkpoints.
   */
  @Test
  void batchesWrittenTogetherCommitAsOneUnitOrNotAtAll() {
    DuckDbSink sink = open(DuckDbSink.builder().file(directory.resolve("together.duckdb")));
    List<ColumnMapping> email = List.of(new ColumnMapping("email", "email", ColumnType.TEXT));
    List<ColumnMapping> name = List.of(new ColumnMapping("name", "name", ColumnType.TEXT));
    sink.evolve("contacts", email);
    sink.evolve("companies", name);
    sink.crashBeforeCommit("companies");

    assertThatThrownBy(() -> sink.writeTogether(List.of(
        new SqlSink.Part(batch("contacts", email, record(1, Map.of("email", "a@example.com"))), new Checkpoint("contacts", "{\"after\":1}")),
        new SqlSink.Part(batch("companies", name, record(5, Map.of("name", "Acme"))), new Checkpoint("companies", "{\"after\":5}")))))
        .isInstanceOf(WarehouseException.class);
    assertThat(sink.ids("contacts", false)).isEmpty();
    assertThat(sink.ids("companies", false)).isEmpty();
    assertThat(sink.checkpoint("contacts")).isEmpty();

    List<WriteResult> results = sink.writeTogether(List.of(
        new SqlSink.Part(batch("contacts", email, record(1, Map.of("email", "a@example.com")), record(2, Map.of("email", "b@example.com"))),
            new Checkpoint("contacts", "{\"after\":2}")),
        new SqlSink.Part(batch("companies", name, record(5, Map.of("name", "Acme"))), new Checkpoint("companies", "{\"after\":5}")),
        new SqlSink.Part(batch("contacts", email, record(2, Map.of("email", "b2@example.com")), record(3, Map.of("email", "c@example.com"))),
            new Checkpoint("contacts", "{\"after\":3}"))));

    assertThat(results).containsExactly(new WriteResult(2, 0, 0), new WriteResult(1, 0, 0), new WriteResult(2, 0, 0));
    assertThat(sink.ids("contacts", false)).containsExactly(1L, 2L, 3L);
    assertThat(sink.ids("companies", false)).containsExactly(5L);
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "{\"after\":3}"));
    assertThat(sink.checkpoint("companies")).contains(new Checkpoint("companies", "{\"after\":5}"));
    assertThat(TestDuck.query(sink, "SELECT email FROM " + TestDuck.table(sink, "contacts") + " WHERE id = 2"))
        .containsExactly(Map.of("email", "b2@example.com"));
  }

  @Test
  void aSchemaNamedLikeTheFileWorks() {
    DuckDbSink sink = open(DuckDbSink.builder().file(directory.resolve("hubspot.duckdb")).schema("hubspot"));
    List<ColumnMapping> columns = List.of(new ColumnMapping("email", "email", ColumnType.TEXT));
    sink.evolve("contacts", columns);

    assertThat(sink.write(batch("contacts", columns, record(1, Map.of("email", "a@example.com"))),
        new Checkpoint("contacts", "{}"))).isEqualTo(new WriteResult(1, 0, 0));
    assertThat(sink.qualifiedTable("contacts")).isEqualTo("\"hubspot\".\"hubspot\".\"contacts\"");
    assertThat(sink.ids("contacts", false)).containsExactly(1L);
  }

  @Test
  void columnsHaveDuckDbTypesAndTimestampsAreUtc() {
    DuckDbSink sink = open(DuckDbSink.builder().inMemory());
    List<ColumnMapping> columns = List.of(new ColumnMapping("t", "t", ColumnType.TEXT),
        new ColumnMapping("n", "n", ColumnType.DECIMAL), new ColumnMapping("b", "b", ColumnType.BOOLEAN),
        new ColumnMapping("d", "d", ColumnType.DATE), new ColumnMapping("ts", "ts", ColumnType.TIMESTAMP));
    sink.evolve("typed", columns);
    sink.write(batch("typed", columns, record(1, Map.of("t", "x", "n", "-12345678901234567890123456789.123456789",
        "b", "true", "d", "1969-12-31", "ts", "2026-07-01T12:30:00.000001+02:00"))), new Checkpoint("typed", "{}"));

    Map<String, Object> types = TestDuck.query(sink, "SELECT column_name, data_type FROM information_schema.columns "
        + "WHERE table_name = 'typed'").stream()
        .collect(Collectors.toMap(r -> (String) r.get("column_name"), r -> r.get("data_type")));
    assertThat(types).containsEntry("id", "BIGINT").containsEntry("t", "VARCHAR").containsEntry("n", "DECIMAL(38,9)")
        .containsEntry("b", "BOOLEAN").containsEntry("d", "DATE").containsEntry("ts", "TIMESTAMP WITH TIME ZONE")
        .containsEntry("_hs_updated_at", "TIMESTAMP WITH TIME ZONE").containsEntry("_hs_archived", "BOOLEAN");
    Map<String, Object> row = TestDuck.query(sink, "SELECT n, b, d, ts, CAST(ts AS VARCHAR) AS ts_text, "
        + "current_setting('TimeZone') AS zone FROM " + TestDuck.table(sink, "typed")).get(0);
    assertThat((BigDecimal) row.get("n")).isEqualByComparingTo("-12345678901234567890123456789.123456789");
    assertThat(row.get("b")).isEqualTo(true);
    assertThat(row.get("d")).isEqualTo(LocalDate.of(1969, 12, 31));
    assertThat(row.get("ts")).isEqualTo(Instant.parse("2026-07-01T10:30:00.000001Z"));
    assertThat(row.get("ts_text")).isEqualTo("2026-07-01 10:30:00.000001+00");
    assertThat(row.get("zone")).isEqualTo("UTC");
  }

  @Test
  void hostileSchemaPrefixTypeAndColumnNamesAreQuoted() {
    String schema = "we\"ird'; DROP SCHEMA main; --";
    DuckDbSink sink = open(DuckDbSink.builder().inMemory().schema(schema).tablePrefix("hs_"));
    String column = "x\"; DROP TABLE hs__hubspot_sync_state; --";
    List<ColumnMapping> columns = List.of(new ColumnMapping("p'roperty", column, ColumnType.TEXT));
    sink.evolve("2-12345", columns);
    WriteResult result = sink.write(batch("2-12345", columns, record(7, Map.of("p'roperty", "v\u0000'\""))),
        new Checkpoint("2-12345", "{\"q\":\"'\"}"));

    assertThat(result).isEqualTo(new WriteResult(1, 0, 0));
    assertThat(sink.tableName("2-12345")).contains("hs__2_12345");
    assertThat(sink.describe("2-12345")).isEqualTo(columns);
    assertThat(sink.checkpoint("2-12345")).contains(new Checkpoint("2-12345", "{\"q\":\"'\"}"));
    assertThat(TestDuck.query(sink, "SELECT * FROM " + TestDuck.table(sink, "hs__2_12345")).get(0))
        .containsEntry(column, "v\u0000'\"");
    assertThat(TestDuck.query(sink, "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
        + schema.replace("'", "''") + "' ORDER BY 1").stream().map(r -> r.get("table_name")))
        .containsExactly("hs__2_12345", "hs__hubspot_sync_columns", "hs__hubspot_sync_runs", "hs__hubspot_sync_state",
            "hs__hubspot_sync_tables");
  }

  @Test
  void evolveStatementsAreTheDdlEvolveRuns() {
    DuckDbSink sink = open(DuckDbSink.builder().inMemory());
    List<ColumnMapping> columns = List.of(new ColumnMapping("email", "email", ColumnType.TEXT),
        new ColumnMapping("score", "score", ColumnType.DECIMAL));

    List<String> planned = sink.evolveStatements("contacts", columns);

    assertThat(planned).hasSize(3);
    assertThat(planned.get(0)).startsWith("CREATE TABLE IF NOT EXISTS \"memory\".\"main\".\"contacts\" (\"id\" BIGINT PRIMARY KEY");
    assertThat(planned.subList(1, 3)).containsExactly("ALTER TABLE \"memory\".\"main\".\"contacts\" ADD COLUMN \"email\" VARCHAR",
        "ALTER TABLE \"memory\".\"main\".\"contacts\" ADD COLUMN \"score\" DECIMAL(38,9)");
    assertThat(sink.tableName("contacts")).isEmpty();
    sink.evolve("contacts", columns.subList(0, 1));
    assertThat(sink.evolveStatements("contacts", columns))
        .containsExactly("ALTER TABLE \"memory\".\"main\".\"contacts\" ADD COLUMN \"score\" DECIMAL(38,9)");
  }

  @Test
  void aLegacyDecimalColumnIsConvertedWithAlterColumnType() {
    DuckDbSink sink = open(DuckDbSink.builder().inMemory());
    sink.evolve("deals", List.of(new ColumnMapping("amount", "amount", ColumnType.DECIMAL)));
    List<ColumnMapping> doubles = List.of(new ColumnMapping("amount", "amount", ColumnType.DOUBLE));

    assertThat(sink.evolveStatements("deals", doubles))
        .containsExactly("ALTER TABLE \"memory\".\"main\".\"deals\" ALTER COLUMN \"amount\" TYPE DOUBLE");
    sink.evolve("deals", doubles);

    assertThat(sink.describe("deals")).isEqualTo(doubles);
    assertThat(sink.evolveStatements("deals", doubles)).isEmpty();
    assertThat(TestDuck.query(sink, "SELECT data_type FROM information_schema.columns WHERE table_name = 'deals' "
        + "AND column_name = 'amount'").get(0)).containsEntry("data_type", "DOUBLE");
  }

  @Test
  void aColumnDifferingOnlyInCaseIsRefused() {
    DuckDbSink sink = open(DuckDbSink.builder().inMemory());
    sink.evolve("contacts", List.of(new ColumnMapping("email", "email", ColumnType.TEXT)));

    assertThatThrownBy(() -> sink.evolve("contacts", List.of(new ColumnMapping("Email", "Email", ColumnType.TEXT))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Email'").hasMessageContaining("'email'")
        .hasMessageContaining("case");
    assertThat(sink.describe("contacts")).hasSize(1);
  }

  @Test
  void idsAndMarkArchivedWorkBeyondOneStatementsIdList() {
    DuckDbSink sink = open(DuckDbSink.builder().inMemory());
    sink.evolve("many", List.of());
    List<CrmRecord> records = new ArrayList<>();
    LongStream.rangeClosed(1, 25_000).forEach(id -> records.add(record(id, Map.of())));
    RecordBatch.Builder builder = RecordBatch.builder("many", List.of(), allocator, SYNCED, "run-1");
    records.forEach(builder::add);
    RecordBatch all = builder.build();
    batches.add(all);
    assertThat(sink.write(all, new Checkpoint("many", "{}"))).isEqualTo(new WriteResult(25_000, 0, 0));

    List<Long> ids = LongStream.rangeClosed(2, 25_001).boxed().collect(Collectors.toList());
    assertThat(sink.markArchived("many", ids, T1)).isEqualTo(24_999);
    assertThat(sink.ids("many", false)).containsExactly(1L);
    assertThat(sink.ids("many", true)).hasSize(24_999).startsWith(2L, 3L).endsWith(25_000L);
  }

  @Test
  void writesFromManyThreadsToOneTableAllLand() throws Exception {
    DuckDbSink sink = open(DuckDbSink.builder().file(directory.resolve("one-table.duckdb")));
    List<ColumnMapping> columns = List.of(new ColumnMapping("n", "n", ColumnType.TEXT));
    sink.evolve("contacts", columns);
    List<Callable<WriteResult>> writes = new ArrayList<>();
    for (int b = 0; b < 8; b++) {
      List<CrmRecord> records = new ArrayList<>();
      for (long id = b * 100L + 1; id <= b * 100L + 100; id++) {
        records.add(record(id, Map.of("n", "v" + id)));
      }
      RecordBatch batch = batch("contacts", columns, records.toArray(new CrmRecord[0]));
      writes.add(() -> sink.write(batch, new Checkpoint("contacts", "{}")));
    }

    assertThat(inParallel(4, writes)).allSatisfy(result -> assertThat(result.written()).isEqualTo(100));
    assertThat(TestDuck.query(sink, "SELECT count(DISTINCT id) AS n, count(*) AS c FROM "
        + TestDuck.table(sink, "contacts")).get(0)).containsEntry("n", 800L).containsEntry("c", 800L);
  }

  @Test
  void evolvingATableWhileItIsWrittenLosesNothing() throws Exception {
    DuckDbSink sink = open(DuckDbSink.builder().file(directory.resolve("evolve-while-writing.duckdb")));
    List<ColumnMapping> columns = List.of(new ColumnMapping("n", "n", ColumnType.TEXT));
    sink.evolve("contacts", columns);
    List<RecordBatch> prepared = new ArrayList<>();
    for (int b = 0; b < 10; b++) {
      prepared.add(batch("contacts", columns, record(b * 2L + 1, Map.of("n", "a")), record(b * 2L + 2, Map.of())));
    }
    Callable<Object> writer = () -> {
      for (RecordBatch b : prepared) {
        sink.write(b, new Checkpoint("contacts", "{}"));
      }
      return null;
    };
    Callable<Object> evolver = () -> {
      for (int i = 0; i < 10; i++) {
        sink.evolve("contacts", List.of(new ColumnMapping("added_" + i, "added_" + i, ColumnType.DECIMAL)));
      }
      return null;
    };

    inParallel(2, List.of(writer, evolver));
    assertThat(sink.describe("contacts")).hasSize(11);
    assertThat(sink.ids("contacts", false)).hasSize(20);
  }

  /** Runs the tasks on {@code threads} threads at once; their results, in order (a task's failure fails the test). */
  private static <T> List<T> inParallel(int threads, List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> futures = new ArrayList<>();
      tasks.forEach(task -> futures.add(pool.submit(task)));
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(1, TimeUnit.MINUTES));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoSinksOnOneFileShareItAndTheLastCloseReleasesIt() throws Exception {
    Path file = directory.resolve("shared.duckdb");
    List<ColumnMapping> columns = List.of();
    DuckDbSink first = DuckDbSink.builder().file(file).build();
    DuckDbSink second = open(DuckDbSink.builder().file(directory.resolve(".").resolve("shared.duckdb")));
    first.evolve("contacts", columns);
    first.close();

    assertThat(second.write(batch("contacts", columns, record(1, Map.of())), new Checkpoint("contacts", "{}")))
        .isEqualTo(new WriteResult(1, 0, 0));
    assertThatThrownBy(() -> first.describe("contacts")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    second.close();
    sinks.remove(second);
    try (Holder other = Holder.start(file)) {
      assertThat(other.ready()).as("another process opens the file after both sinks closed").isTrue();
    }
  }

  @Test
  void aFileHeldByAnotherProcessIsARetryableWarehouseFailureNamingTheFile() throws Exception {
    Path file = directory.resolve("held.duckdb");
    try (Holder other = Holder.start(file)) {
      assertThat(other.ready()).isTrue();

      assertThatThrownBy(() -> DuckDbSink.builder().file(file).build())
          .isInstanceOfSatisfying(WarehouseException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.WAREHOUSE_FAILED))
          .satisfies(e -> assertThat(((WarehouseException) e).retryable()).isTrue())
          .hasMessageContaining(file.toString()).hasMessageContaining("one process at a time");
    }
  }

  @Test
  void badFilesAreBadConfigurationsNamingThePath() throws Exception {
    Path missing = directory.resolve("no-such-dir").resolve("x.duckdb");
    assertThatThrownBy(() -> DuckDbSink.builder().file(missing).build())
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION))
        .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> DuckDbSink.builder().file(directory).build())
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION))
        .hasMessageContaining("is a directory");
    Path text = Files.writeString(directory.resolve("notes.txt"), "not a database ".repeat(1_000));
    assertThatThrownBy(() -> DuckDbSink.builder().file(text).build())
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION))
        .hasMessageContaining(text.toString());
    assertThatThrownBy(() -> DuckDbSink.builder().build())
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION))
        .hasMessageContaining("file(");
    assertThatThrownBy(() -> DuckDbSink.builder().tablePrefix("Bad-Prefix")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix");
  }

  @Test
  void inMemorySinksArePrivateAndClosedSinksRefuseWork() {
    DuckDbSink one = open(DuckDbSink.builder().inMemory());
    DuckDbSink two = open(DuckDbSink.builder().inMemory());
    one.evolve("contacts", List.of());

    assertThat(one.tableName("contacts")).isPresent();
    assertThat(two.tableName("contacts")).isEmpty();
    assertThat(one.toString()).isEqualTo("DuckDbSink[in memory, schema=main]");
    one.close();
    one.close();
    assertThatThrownBy(() -> one.checkpoint("contacts")).isInstanceOf(IllegalStateException.class)
        .hasMessage("DuckDbSink is closed; cannot read the checkpoint of contacts");
  }

  private DuckDbSink open(DuckDbSink.Builder builder) {
    DuckDbSink sink = builder.build();
    sinks.add(sink);
    return sink;
  }

  private static CrmRecord record(long id, Map<String, String> properties) {
    return new CrmRecord(id, new HashMap<>(properties), Instant.parse("2020-01-01T00:00:00Z"), T1, false, null);
  }

  private RecordBatch batch(String type, List<ColumnMapping> columns, CrmRecord... records) {
    RecordBatch.Builder builder = RecordBatch.builder(type, columns, allocator, SYNCED, "run-1");
    for (CrmRecord record : records) {
      builder.add(record);
    }
    RecordBatch batch = builder.build();
    batches.add(batch);
    return batch;
  }

  /** A process of its own holding a DuckDB file (LockHolder) until closed. */
  private static final class Holder implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;

    private Holder(Process process) {
      this.process = process;
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static Holder start(Path file) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      return new Holder(new ProcessBuilder(java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp",
          System.getProperty("java.class.path"), LockHolder.class.getName(), file.toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /** Blocks until the process has the file open (true) or has ended without (false). */
    boolean ready() throws Exception {
      return "ready".equals(out.readLine());
    }

    @Override
    public void close() throws java.io.IOException {
      process.getOutputStream().close();
      try {
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
