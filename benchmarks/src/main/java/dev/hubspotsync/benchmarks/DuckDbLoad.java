package dev.hubspotsync.benchmarks;

import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.duckdb.DuckDbSink;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

/**
 * How fast {@link DuckDbSink} loads, against a raw Arrow-stream insert of the same rows on the same
 * machine (in a database file of its own). Builds {@code -Dbenchmark.contacts} contacts (default
 * 1,000,000) with 50 properties (20 text, 10 number, 8 bool, 6 date, 6 datetime) in record batches
 * of {@code -Dbenchmark.batch} rows
 * (default 10,000) and, for each of {@code -Dbenchmark.rounds} rounds (default 3), in a fresh
 * database file:
 *
 * <ol>
 *   <li>inserts: each batch (built outside the timers) is written by <b>the sink</b> into its empty
 *       table, and by a <b>raw insert</b> ({@code INSERT INTO t SELECT * FROM arrow_stream}, the
 *       batch's vectors registered with {@code registerArrowStream}, auto-commit: one commit per batch) into a
 *       plain table with the same columns and into one with the primary key on {@code id}; the
 *       order of the three rotates per batch;
 *   <li>updates: every row again with a newer {@code _hs_updated_at} and new values: the sink
 *       (every row replaces its stored one through the guarded {@code MERGE}), and the raw
 *       insert of the same batches into a fresh plain table.
 * </ol>
 *
 * The batches are built once, before the first round, outside every timer. Each round works in
 * fresh files: the sink's, and one per raw table. Prints the median rows/s of each phase, the range over the rounds, and the sink's share of the raw
 * insert's median. Only {@code write} and the raw statements are timed.
 *
 * <p>Run: {@code ./mvnw -q -B -pl benchmarks -am install -DskipTests && ./mvnw -q -B -pl benchmarks exec:exec
 * -Dbenchmark.main=dev.hubspotsync.benchmarks.DuckDbLoad -Dbenchmark.contacts=1000000 -Dbenchmark.xmx=4g}
 */
public final class DuckDbLoad {
  private static final String[] STEMS = {"text", "number", "flag", "day", "moment"};
  private static final ColumnType[] TYPES = {ColumnType.TEXT, ColumnType.DOUBLE, ColumnType.BOOLEAN, ColumnType.DATE,
      ColumnType.TIMESTAMP};
  private static final int[] COUNTS = {20, 10, 8, 6, 6};
  private static final Instant SYNCED = Instant.parse("2026-11-22T00:00:00Z");
  private static final Instant CREATED = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant UPDATED = Instant.parse("2026-01-01T00:00:00Z");

  private DuckDbLoad() {}

  public static void main(String[] args) throws Exception {
    int contacts = Integer.getInteger("benchmark.contacts", 1_000_000);
    int batchRows = Integer.getInteger("benchmark.batch", 10_000);
    int rounds = Integer.getInteger("benchmark.rounds", 3);
    List<ColumnMapping> columns = new ArrayList<>();
    for (int t = 0; t < STEMS.length; t++) {
      for (int i = 0; i < COUNTS[t]; i++) {
        columns.add(new ColumnMapping(STEMS[t] + "_" + i, STEMS[t] + "_" + i, TYPES[t]));
      }
    }
    System.out.printf("DuckDbLoad: %,d contacts x %d properties in batches of %,d; heap %,d MB, %d cores%n", contacts,
        columns.size(), batchRows, Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
    Path directory = Files.createTempDirectory("duckdb-load");
    Map<String, List<Phase>> phases = new HashMap<>();
    List<RecordBatch> inserts = new ArrayList<>();
    List<RecordBatch> updates = new ArrayList<>();
    try (BatchAllocator allocator = BatchAllocator.create(3L << 30)) {
      try {
        // Untimed, once: every round writes the same batches.
        for (int first = 1; first <= contacts; first += batchRows) {
          int last = Math.min(contacts, first + batchRows - 1);
          inserts.add(batch(allocator, columns, first, last, 0));
          updates.add(batch(allocator, columns, first, last, 1));
        }
        System.out.printf("batches built: %,d MB of Arrow memory%n", allocator.allocatedBytes() >> 20);
        for (int round = 0; round < rounds; round++) {
          round(directory.resolve("round-" + round), round, columns, inserts, updates, phases);
        }
      } finally {
        inserts.forEach(RecordBatch::close);
        updates.forEach(RecordBatch::close);
        delete(directory);
      }
    }
    System.out.printf("%n%d rounds; median, with the rounds' range of rows/s%n%n", rounds);
    System.out.println("| phase | rows | median s | median rows/s | range rows/s | sink / raw insert, plain |");
    System.out.println("|---|---|---|---|---|---|");
    print("raw Arrow-stream insert, plain table (insert baseline)", phases.get("raw"), null);
    print("raw Arrow-stream insert, table with primary key", phases.get("rawKeyed"), null);
    print("DuckDbSink.write, empty table", phases.get("insert"), phases.get("raw"));
    print("raw Arrow-stream insert of updated rows, plain table (update baseline)", phases.get("rawUpdate"), null);
    print("DuckDbSink.write, every row newer (guarded MERGE)", phases.get("update"), phases.get("rawUpdate"));
  }

  /**
   * One round in its own directory: the sink in one file, each raw table in a file of its own, so
   * each phase pays for its own WAL checkpoints (DuckDB checkpoints in the commit that fills the WAL).
   */
  private static void round(Path directory, int round, List<ColumnMapping> columns, List<RecordBatch> inserts,
      List<RecordBatch> updates, Map<String, List<Phase>> phases) throws Exception {
    Files.createDirectories(directory);
    Path file = directory.resolve("sink.duckdb");
    try (DuckDbSink sink = DuckDbSink.builder().file(file).build();
        DuckDBConnection check = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file)) {
      sink.evolve("contacts", columns);
      String ddl = columnDdl(check, sink.tableName("contacts").orElseThrow());
      try (DuckDBConnection plain = rawTable(directory, "plain", ddl);
          DuckDBConnection keyed = rawTable(directory, "keyed", ddl + ", PRIMARY KEY (id)");
          DuckDBConnection updated = rawTable(directory, "updated", ddl)) {
        measure(sink, check, file, round, inserts, updates, plain, keyed, updated, phases);
      }
    }
    delete(directory);
  }

  private static void measure(DuckDbSink sink, Connection check, Path file, int round, List<RecordBatch> inserts,
      List<RecordBatch> updates, DuckDBConnection plain, DuckDBConnection keyed, DuckDBConnection updated,
      Map<String, List<Phase>> phases) throws Exception {
    {
      Phase sinkInsert = new Phase();
      Phase rawPlain = new Phase();
      Phase rawKeyed = new Phase();
      Phase sinkUpdate = new Phase();
      Phase rawUpdate = new Phase();
      for (int index = 0; index < inserts.size(); index++) {
        RecordBatch batch = inserts.get(index);
        for (int step = 0; step < 3; step++) {
          switch ((index + round + step) % 3) {
            case 0: write(sink, batch, sinkInsert); break;
            case 1: rawInsert(plain, batch, rawPlain); break;
            default: rawInsert(keyed, batch, rawKeyed); break;
          }
        }
      }
      for (int index = 0; index < updates.size(); index++) {
        RecordBatch batch = updates.get(index);
        if ((index + round) % 2 == 0) {
          write(sink, batch, sinkUpdate);
          rawInsert(updated, batch, rawUpdate);
        } else {
          rawInsert(updated, batch, rawUpdate);
          write(sink, batch, sinkUpdate);
        }
      }
      long stored = queryLong(check, "SELECT count(DISTINCT id) FROM main.contacts");
      long newest = queryLong(check, "SELECT count(*) FROM main.contacts WHERE _sync_run_id = 'bench-1'");
      System.out.printf("round %d: sink insert %s, raw plain %s, raw keyed %s, sink update %s, raw update %s; "
          + "table: %,d distinct ids, %,d of the update; sink file %,d MB%n", round, sinkInsert, rawPlain, rawKeyed,
          sinkUpdate, rawUpdate, stored, newest, Files.size(file) >> 20);
      add(phases, "raw", rawPlain);
      add(phases, "rawKeyed", rawKeyed);
      add(phases, "insert", sinkInsert);
      add(phases, "rawUpdate", rawUpdate);
      add(phases, "update", sinkUpdate);
    }
  }

  /** A connection to a new file holding the table {@code raw} with these columns. */
  private static DuckDBConnection rawTable(Path directory, String name, String ddl) throws SQLException {
    DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:"
        + directory.resolve(name + ".duckdb"));
    execute(c, "CREATE TABLE raw (" + ddl + ")");
    return c;
  }

  private static void delete(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(f);
      }
    }
  }

  private static void add(Map<String, List<Phase>> phases, String name, Phase phase) {
    phases.computeIfAbsent(name, n -> new ArrayList<>()).add(phase);
  }

  private static void write(DuckDbSink sink, RecordBatch batch, Phase phase) {
    long start = System.nanoTime();
    WriteResult result = sink.write(batch, new Checkpoint("contacts", "{\"after\":" + batch.id(0) + "}"));
    phase.nanos += System.nanoTime() - start;
    phase.rows += batch.rowCount();
    phase.written += result.written();
    phase.skipped += result.skippedOlder();
  }

  /** {@code INSERT INTO table SELECT * FROM <the batch as an Arrow stream>}, committed, timed. */
  private static void rawInsert(DuckDBConnection c, RecordBatch batch, Phase phase) throws Exception {
    VectorSchemaRoot root = batch.arrow();
    BufferAllocator allocator = root.getFieldVectors().get(0).getAllocator();
    long start = System.nanoTime();
    try (ArrowReader reader = new SingleRootReader(allocator, root);
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, reader, stream);
      c.registerArrowStream("arrow_stream", stream);
      phase.written += execute(c, "INSERT INTO raw SELECT * FROM arrow_stream"); // auto-commit
      execute(c, "DROP VIEW arrow_stream");
    }
    phase.nanos += System.nanoTime() - start;
    phase.rows += batch.rowCount();
  }

  /** Gives the rows of one root, once. */
  private static final class SingleRootReader extends ArrowReader {
    private final VectorSchemaRoot source;
    private boolean done;

    SingleRootReader(BufferAllocator allocator, VectorSchemaRoot source) {
      super(allocator);
      this.source = source;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      if (done) {
        return false;
      }
      done = true;
      try (ArrowRecordBatch unloaded = new VectorUnloader(source).getRecordBatch()) {
        loadRecordBatch(unloaded);
      }
      return true;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {}

    @Override
    protected Schema readSchema() {
      return source.getSchema();
    }
  }

  /** Contacts {@code first..last} of {@code version} (0 inserts; 1 is a day newer, with other values). */
  private static RecordBatch batch(BatchAllocator allocator, List<ColumnMapping> columns, long first, long last,
      int version) {
    RecordBatch.Builder builder = RecordBatch.builder("contacts", columns, allocator, SYNCED, "bench-" + version);
    for (long id = first; id <= last; id++) {
      Map<String, String> values = new HashMap<>(64);
      long seed = id * 7_919 + version * 104_729L;
      for (ColumnMapping column : columns) {
        int n = Integer.parseInt(column.property().substring(column.property().indexOf('_') + 1));
        if ((seed + n) % 8 == 0 && column.type() != ColumnType.BOOLEAN) {
          continue; // about one value in eight is absent
        }
        values.put(column.property(), value(column.type(), id, n, seed));
      }
      builder.add(new CrmRecord(id, values, CREATED, UPDATED.plusSeconds(86_400L * version + id % 86_400), false,
          null));
    }
    return builder.build();
  }

  private static String value(ColumnType type, long id, int n, long seed) {
    switch (type) {
      case TEXT: return n == 0 ? "person" + id + "@example" + (id % 97) + ".com"
          : n % 5 == 0 ? "A longer free-text note about contact " + id + ", field " + n + ", seed " + seed
          : "value-" + n + "-" + (seed % 100_003);
      case DOUBLE: return (seed * (n + 1)) % 10_000_000 + "." + (seed % 100);
      case BOOLEAN: return ((seed >> n) & 1) == 0 ? "true" : "false";
      case DATE: return LocalDate.of(2000, 1, 1).plusDays((seed + n * 37L) % 9_000).toString();
      default: return Long.toString(1_600_000_000_000L + (seed * 1_000 + n) % 100_000_000_000L);
    }
  }

  private static String columnDdl(Connection c, String table) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT column_name, data_type FROM "
        + "information_schema.columns WHERE table_name = '" + table + "' ORDER BY ordinal_position")) {
      while (rs.next()) {
        columns.add("\"" + rs.getString(1) + "\" " + rs.getString(2));
      }
    }
    return String.join(", ", columns);
  }

  private static int execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(sql);
    }
  }

  private static long queryLong(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Phase median(List<Phase> phases) {
    List<Phase> sorted = new ArrayList<>(phases);
    sorted.sort(Comparator.comparingDouble(Phase::rate));
    return sorted.get(sorted.size() / 2);
  }

  private static void print(String name, List<Phase> phases, List<Phase> baseline) {
    Phase phase = median(phases);
    double low = phases.stream().mapToDouble(Phase::rate).min().orElse(0);
    double high = phases.stream().mapToDouble(Phase::rate).max().orElse(0);
    String ratio = baseline == null ? "" : String.format("**%.0f %%**", 100.0 * phase.rate() / median(baseline).rate());
    System.out.printf("| %s | %,d | %.1f | %,.0f | %,.0f – %,.0f | %s |%n", name, phase.rows, phase.nanos / 1e9,
        phase.rate(), low, high, ratio);
  }

  /** Rows and time of one measured phase. */
  private static final class Phase {
    long rows;
    long nanos;
    long written;
    long skipped;

    double rate() {
      return rows / (nanos / 1e9);
    }

    @Override
    public String toString() {
      return String.format("%,.0f rows/s (written %,d, skipped %,d)", rate(), written, skipped);
    }
  }
}
