package dev.hubspotsync.benchmarks;

import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.postgres.PostgresSink;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * How fast {@link PostgresSink} loads, against a plain {@code COPY} of the same rows on the same
 * server. Starts an embedded PostgreSQL (zonky: real binaries on localhost; {@code fsync=off} as
 * zonky sets it, {@code synchronous_commit=on}, WAL large enough that no checkpoint starts inside
 * a phase), builds {@code -Dbenchmark.contacts} contacts (default 1,000,000) with 50 properties
 * (20 text, 10 number, 8 bool, 6 date, 6 datetime) in record batches of {@code -Dbenchmark.batch}
 * rows (default 10,000), and measures {@code -Dbenchmark.rounds} rounds (default 3) of each phase,
 * each phase after a {@code CHECKPOINT} and a {@code sync}:
 *
 * <ol>
 *   <li>(untimed warm-up) the sink loads every row into a scratch schema: the JIT warms up, the
 *       server's WAL files exist, and the rows are exported from there as binary COPY data, one
 *       chunk per batch, for the raw baselines;
 *   <li>inserts, in an order that rotates each round: <b>raw COPY</b> (one
 *       {@code COPY … FROM STDIN (FORMAT binary)} and commit per chunk, on one held connection)
 *       into an empty plain table with the same columns and no key, the same into an empty table
 *       with the primary key on {@code id}, and <b>the sink</b> writing every batch into its empty
 *       table (timed: the writes only, not building the batches);
 *   <li>updates: <b>the sink</b> writes every row again with a newer {@code _hs_updated_at} and new
 *       values (every row replaces its stored one through the staging table and the merge; a
 *       {@code VACUUM} before each round), and the <b>raw COPY</b> of those rows into a fresh plain
 *       table;
 *   <li>the upsert floor: those rows made newer again and put on the server (untimed, an unlogged
 *       table indexed on {@code id}), then merged batch by batch by the sink's own
 *       {@code INSERT … ON CONFLICT DO UPDATE … WHERE} with no client in between (after a
 *       {@code VACUUM}): what any upsert costs this server before a byte is sent.
 * </ol>
 *
 * Prints the median rows/s of each phase, the range over the rounds, and the sink's share of the
 * raw COPY's median. The raw figures exclude all client-side encoding (the bytes are ready); the
 * sink's include turning Arrow vectors into COPY data, and its transaction, lock, checkpoint row
 * and commit per batch.
 *
 * <p>Run: {@code ./mvnw -q -B -pl benchmarks -am install -DskipTests && ./mvnw -q -B -pl benchmarks exec:exec
 * -Dbenchmark.main=dev.hubspotsync.benchmarks.PostgresLoad -Dbenchmark.contacts=1000000 -Dbenchmark.xmx=4g}
 */
public final class PostgresLoad {
  private static final int TEXT = 20;
  private static final int DECIMAL = 10;
  private static final int BOOL = 8;
  private static final int DATE = 6;
  private static final int DATETIME = 6;
  private static final Instant SYNCED = Instant.parse("2026-11-22T00:00:00Z");
  private static final Instant CREATED = Instant.parse("2020-01-01T00:00:00Z");

  private PostgresLoad() {}

  public static void main(String[] args) throws Exception {
    int contacts = Integer.getInteger("benchmark.contacts", 1_000_000);
    int batchRows = Integer.getInteger("benchmark.batch", 10_000);
    int rounds = Integer.getInteger("benchmark.rounds", 3);
    System.out.printf("PostgresLoad: %,d contacts x %d properties in batches of %,d; heap %,d MB%n", contacts,
        TEXT + DECIMAL + BOOL + DATE + DATETIME, batchRows, Runtime.getRuntime().maxMemory() >> 20);
    // WAL sized so that no checkpoint starts inside a phase (each phase starts after an explicit CHECKPOINT),
    // and kept for reuse so that no phase pays for creating WAL files.
    try (EmbeddedPostgres server = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on")
        .setServerConfig("max_wal_size", "16GB").setServerConfig("min_wal_size", "8GB").start();
        BatchAllocator allocator = BatchAllocator.create(2L << 30)) {
      String url = server.getJdbcUrl("postgres", "postgres");
      try (Connection c = server.getPostgresDatabase().getConnection()) {
        System.out.println("server: " + queryString(c, "SELECT version()") + "; synchronous_commit="
            + queryString(c, "SHOW synchronous_commit") + ", fsync=" + queryString(c, "SHOW fsync")
            + ", shared_buffers=" + queryString(c, "SHOW shared_buffers") + ", max_wal_size="
            + queryString(c, "SHOW max_wal_size"));
      }
      run(server, url, allocator, contacts, batchRows, rounds);
    }
  }

  private static void run(EmbeddedPostgres server, String url, BatchAllocator allocator, int contacts, int batchRows,
      int rounds) throws Exception {
    List<ColumnMapping> columns = columns();
    try (Connection c = server.getPostgresDatabase().getConnection()) {
      // Untimed: warms the JIT and the server's WAL files, and gives the raw COPY its bytes (the same rows).
      String columnDdl;
      List<byte[]> exported;
      try (PostgresSink warmUp = PostgresSink.builder().jdbcUrl(url).schema("warm_up").build()) {
        warmUp.evolve("contacts", columns);
        writeAll(warmUp, allocator, columns, contacts, batchRows, 0);
        columnDdl = columnDdl(c, "warm_up.contacts");
        exported = export(c, "warm_up.contacts", contacts, batchRows);
      }
      execute(c, "DROP SCHEMA warm_up CASCADE");

      // Inserts: each round loads empty tables, in a rotating order; the last round's sink table stays.
      List<Phase> rawPlain = new ArrayList<>();
      List<Phase> rawKeyed = new ArrayList<>();
      List<Phase> inserts = new ArrayList<>();
      PostgresSink sink = null;
      for (int round = 0; round < rounds; round++) {
        execute(c, "CREATE SCHEMA raw_" + round);
        execute(c, "CREATE TABLE raw_" + round + ".plain (" + columnDdl + ")");
        execute(c, "CREATE TABLE raw_" + round + ".keyed (" + columnDdl + ", PRIMARY KEY (id))");
        if (sink != null) {
          sink.close();
          execute(c, "DROP SCHEMA bench CASCADE");
        }
        sink = PostgresSink.builder().jdbcUrl(url).schema("bench").build();
        sink.evolve("contacts", columns);
        for (int step = 0; step < 3; step++) {
          settle(c);
          switch ((round + step) % 3) {
            case 0: rawPlain.add(copyAll(c, "raw_" + round + ".plain", exported)); break;
            case 1: rawKeyed.add(copyAll(c, "raw_" + round + ".keyed", exported)); break;
            default: inserts.add(writeAll(sink, allocator, columns, contacts, batchRows, 0)); break;
          }
        }
        execute(c, "DROP SCHEMA raw_" + round + " CASCADE");
      }
      exported = null;

      // Updates: every row again with a newer version, each round after a VACUUM of the previous one.
      String table = "bench." + sink.tableName("contacts").orElseThrow();
      List<Phase> updates = new ArrayList<>();
      List<Phase> rawUpdates = new ArrayList<>();
      List<Phase> serverMerges = new ArrayList<>();
      List<byte[]> updated = null;
      for (int round = 0; round < rounds; round++) {
        execute(c, "VACUUM " + table);
        settle(c);
        updates.add(writeAll(sink, allocator, columns, contacts, batchRows, round + 1));
        if (updated == null) {
          updated = export(c, table, contacts, batchRows);
        }
        execute(c, "CREATE TABLE bench.raw_updates (" + columnDdl + ")");
        settle(c);
        rawUpdates.add(copyAll(c, "bench.raw_updates", updated));
        execute(c, "DROP TABLE bench.raw_updates");
        // The floor of any upsert here: the same rows made newer, already on the server (untimed), merged
        // batch by batch by the statement the sink runs after its staging COPY, with no client in between.
        execute(c, "CREATE UNLOGGED TABLE bench.staged AS SELECT * FROM " + table);
        execute(c, "UPDATE bench.staged SET _hs_updated_at = _hs_updated_at + INTERVAL '1 hour'");
        execute(c, "CREATE INDEX ON bench.staged (id)");
        execute(c, "VACUUM " + table);
        settle(c);
        serverMerges.add(mergeAll(c, table, "bench.staged", contacts, batchRows));
        execute(c, "DROP TABLE bench.staged");
      }

      long stored = queryLong(c, "SELECT count(*) FROM " + table);
      long newest = queryLong(c, "SELECT count(*) FROM " + table + " WHERE _sync_run_id = 'bench-" + rounds + "'");
      System.out.printf("%nrows in the sink's table: %,d (distinct ids: %,d), rows of the last update round: %,d; "
          + "table size %s%n", stored, queryLong(c, "SELECT count(DISTINCT id) FROM " + table), newest,
          queryString(c, "SELECT pg_size_pretty(pg_total_relation_size('" + table + "'))"));
      System.out.printf("%d rounds; median, with the rounds' range of rows/s%n%n", rounds);
      System.out.println("| phase | rows | median seconds | median rows/s | range rows/s | sink / raw COPY, plain |");
      System.out.println("|---|---|---|---|---|---|");
      print("raw COPY, plain table (insert baseline)", rawPlain, null);
      print("raw COPY, table with primary key", rawKeyed, null);
      print("PostgresSink.write, empty table", inserts, rawPlain);
      print("raw COPY of updated rows, plain table (update baseline)", rawUpdates, null);
      print("PostgresSink.write, every row newer (merge)", updates, rawUpdates);
      print("server-side INSERT … ON CONFLICT of staged newer rows, no client (upsert floor)", serverMerges, rawUpdates);
      Phase insert = median(inserts);
      Phase update = median(updates);
      System.out.printf("%nsink / raw COPY into the keyed table: %.0f %%; write results: insert written %,d skipped %,d, "
          + "update written %,d skipped %,d%n", 100.0 * insert.rate() / median(rawKeyed).rate(), insert.written,
          insert.skipped, update.written, update.skipped);
      sink.close();
    }
  }

  /** Dirty pages out of PostgreSQL and the kernel, so one phase does not pay for another's writes. */
  private static void settle(Connection c) throws Exception {
    execute(c, "CHECKPOINT");
    Process sync = new ProcessBuilder("sync").inheritIO().start();
    sync.waitFor();
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

  /** Builds each batch (untimed) and times {@code sink.write}. {@code version} 0 inserts, 1 rewrites newer. */
  private static Phase writeAll(PostgresSink sink, BatchAllocator allocator, List<ColumnMapping> columns, int contacts,
      int batchRows, int version) {
    Phase phase = new Phase();
    for (int first = 1; first <= contacts; first += batchRows) {
      int last = Math.min(contacts, first + batchRows - 1);
      RecordBatch.Builder builder = RecordBatch.builder("contacts", columns, allocator, SYNCED, "bench-" + version);
      for (long id = first; id <= last; id++) {
        builder.add(record(id, version));
      }
      try (RecordBatch batch = builder.build()) {
        long start = System.nanoTime();
        WriteResult result = sink.write(batch, new Checkpoint("contacts", "{\"after\":" + last + "}"));
        phase.nanos += System.nanoTime() - start;
        phase.rows += batch.rowCount();
        phase.written += result.written();
        phase.skipped += result.skippedOlder();
      }
    }
    return phase;
  }

  /** The table's rows as binary COPY data, one chunk per batch of ids. */
  /** One upsert from {@code staged} and commit per batch of ids, timed, as the sink merges. */
  private static Phase mergeAll(Connection c, String table, String staged, int contacts, int batchRows)
      throws Exception {
    List<String> names = new ArrayList<>();
    try (Statement select = c.createStatement();
        ResultSet rs = select.executeQuery("SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = '" + table
            + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    String set = names.stream().filter(n -> !n.equals("id")).map(n -> n + " = EXCLUDED." + n)
        .collect(java.util.stream.Collectors.joining(", "));
    c.setAutoCommit(false);
    Phase phase = new Phase();
    try (PreparedStatement merge = c.prepareStatement("INSERT INTO " + table + " AS t SELECT * FROM " + staged
        + " WHERE id BETWEEN ? AND ? ON CONFLICT (id) DO UPDATE SET " + set
        + " WHERE t._hs_updated_at IS NULL OR t._hs_updated_at <= EXCLUDED._hs_updated_at")) {
      for (int first = 1; first <= contacts; first += batchRows) {
        merge.setLong(1, first);
        merge.setLong(2, Math.min(contacts, first + batchRows - 1));
        long start = System.nanoTime();
        int rows = merge.executeUpdate();
        c.commit();
        phase.nanos += System.nanoTime() - start;
        phase.rows += rows;
        phase.written += rows;
      }
    } finally {
      c.setAutoCommit(true);
    }
    return phase;
  }

  private static List<byte[]> export(Connection c, String table, int contacts, int batchRows) throws Exception {
    CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
    List<byte[]> chunks = new ArrayList<>();
    for (int first = 1; first <= contacts; first += batchRows) {
      int last = Math.min(contacts, first + batchRows - 1);
      ByteArrayOutputStream out = new ByteArrayOutputStream(batchRows * 1024);
      copy.copyOut("COPY (SELECT * FROM " + table + " WHERE id BETWEEN " + first + " AND " + last
          + " ORDER BY id) TO STDOUT (FORMAT binary)", out);
      chunks.add(out.toByteArray());
    }
    return chunks;
  }

  /** One COPY and commit per chunk, timed. */
  private static Phase copyAll(Connection c, String table, List<byte[]> chunks) throws Exception {
    CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
    c.setAutoCommit(false);
    Phase phase = new Phase();
    try {
      for (byte[] chunk : chunks) {
        long start = System.nanoTime();
        long rows = copy.copyIn("COPY " + table + " FROM STDIN (FORMAT binary)", new ByteArrayInputStream(chunk));
        c.commit();
        phase.nanos += System.nanoTime() - start;
        phase.rows += rows;
      }
    } finally {
      c.setAutoCommit(true);
    }
    return phase;
  }

  private static List<ColumnMapping> columns() {
    List<ColumnMapping> columns = new ArrayList<>();
    add(columns, "text", TEXT, ColumnType.TEXT);
    add(columns, "number", DECIMAL, ColumnType.DOUBLE);
    add(columns, "flag", BOOL, ColumnType.BOOLEAN);
    add(columns, "day", DATE, ColumnType.DATE);
    add(columns, "moment", DATETIME, ColumnType.TIMESTAMP);
    return columns;
  }

  private static void add(List<ColumnMapping> columns, String stem, int count, ColumnType type) {
    for (int i = 0; i < count; i++) {
      columns.add(new ColumnMapping(stem + "_" + i, stem + "_" + i, type));
    }
  }

  /** A contact whose values depend on its id and version; about one value in eight is absent. */
  private static CrmRecord record(long id, int version) {
    Map<String, String> properties = new HashMap<>(64);
    long seed = id * 31 + version * 7919L;
    for (int i = 0; i < TEXT; i++) {
      if ((seed + i) % 8 != 0) {
        properties.put("text_" + i, i == 0 ? "person" + id + "@example" + (id % 97) + ".com"
            : i % 5 == 0 ? "A longer free-text note about contact " + id + ", version " + version + ", field " + i
            : "value-" + i + "-" + (seed % 100_003));
      }
    }
    for (int i = 0; i < DECIMAL; i++) {
      if ((seed + i) % 8 != 1) {
        properties.put("number_" + i, (seed * (i + 1)) % 10_000_000 + "." + (seed % 100));
      }
    }
    for (int i = 0; i < BOOL; i++) {
      properties.put("flag_" + i, ((seed >> i) & 1) == 0 ? "true" : "false");
    }
    for (int i = 0; i < DATE; i++) {
      properties.put("day_" + i, java.time.LocalDate.of(2000, 1, 1).plusDays((seed + i * 37L) % 9_000).toString());
    }
    for (int i = 0; i < DATETIME; i++) {
      properties.put("moment_" + i, Long.toString(1_600_000_000_000L + (seed * 1_000 + i) % 100_000_000_000L));
    }
    Instant updated = Instant.parse("2026-01-01T00:00:00Z").plus(version, ChronoUnit.DAYS).plusMillis(id);
    return new CrmRecord(id, properties, CREATED, updated, false, null);
  }

  private static String columnDdl(Connection c, String table) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT a.attname, "
        + "format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = '" + table
        + "'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
      while (rs.next()) {
        columns.add("\"" + rs.getString(1) + "\" " + rs.getString(2));
      }
    }
    return columns.stream().collect(Collectors.joining(", "));
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long queryLong(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String queryString(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
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
  }
}
