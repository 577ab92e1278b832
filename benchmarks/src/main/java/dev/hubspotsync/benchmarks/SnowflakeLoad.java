package dev.hubspotsync.benchmarks;

import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.snowflake.SnowflakeSink;
import dev.hubspotsync.snowflake.standin.SnowflakeStandIn;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;
import net.snowflake.client.api.driver.SnowflakeDriver;

/**
 * {@link SnowflakeSink} through the real Snowflake JDBC driver into the local stand-in (which runs
 * every statement on DuckDB), next to a <b>direct COPY</b> of the same rows through the same driver
 * and stand-in: each batch as a gzip CSV file, {@code PUT} to the user stage, {@code COPY INTO} a
 * plain table, auto-commit. Counts the {@code MERGE} statements the stand-in received per 100,000
 * synced rows. {@code -Dbenchmark.contacts} contacts (default 100,000) with 20 properties (8 text,
 * 6 number, 3 bool, 3 datetime) in batches of {@code -Dbenchmark.batch} rows (default 10,000):
 *
 * <ol>
 *   <li>backfill: every batch into the empty table (ids above the table's largest: copied straight
 *       into the table, no MERGE), and the direct COPY of the same batch, alternating;
 *   <li>update: every row again, newer (staging table, one guarded MERGE per load), and the
 *       direct COPY of the updated batch into a fresh plain table.
 * </ol>
 *
 * The sink coalesces as configured ({@code -Dbenchmark.coalesceRows}, default the sink's 50,000; 0
 * is one load per write); each phase ends with {@link SnowflakeSink#flush()}, timed with the sink.
 *
 * Timed: {@code write}, the direct PUT + COPY, and apart from it the writing of the direct path's
 * file (the sink's time includes its own file writing). The numbers are the driver's and the
 * stand-in's (HTTP on 127.0.0.1, DuckDB), not Snowflake's: they show what the sink adds to a bare
 * COPY on the same path, and how many MERGEs a sync sends. Platform detection is off (the sink's
 * connection property; the direct connection sets it too).
 *
 * <p>Run: {@code ./mvnw -q -B -o -pl benchmarks -am package -DskipTests && ./mvnw -q -B -o -pl
 * benchmarks exec:exec -Dbenchmark.main=dev.hubspotsync.benchmarks.SnowflakeLoad
 * -Dbenchmark.contacts=100000 -Dbenchmark.batch=10000}
 */
public final class SnowflakeLoad {
  private static final Instant SYNCED = Instant.parse("2026-11-22T00:00:00Z");
  private static final Instant UPDATED = Instant.parse("2026-01-01T00:00:00Z");

  private SnowflakeLoad() {}

  public static void main(String[] args) throws Exception {
    int contacts = Integer.getInteger("benchmark.contacts", 100_000);
    int batchRows = Integer.getInteger("benchmark.batch", 10_000);
    int coalesceRows = Integer.getInteger("benchmark.coalesceRows", -1); // -1: the sink's default
    List<ColumnMapping> columns = new ArrayList<>();
    String[] stems = {"text", "number", "flag", "moment"};
    ColumnType[] types = {ColumnType.TEXT, ColumnType.DOUBLE, ColumnType.BOOLEAN, ColumnType.TIMESTAMP};
    int[] counts = {8, 6, 3, 3};
    for (int t = 0; t < stems.length; t++) {
      for (int i = 0; i < counts[t]; i++) {
        columns.add(new ColumnMapping(stems[t] + "_" + i, stems[t] + "_" + i, types[t]));
      }
    }
    System.out.printf("SnowflakeLoad: %,d contacts x %d properties in batches of %,d, coalesceRows %s; %d cores%n",
        contacts, columns.size(), batchRows, coalesceRows < 0 ? "default" : coalesceRows,
        Runtime.getRuntime().availableProcessors());
    SnowflakeSink.Builder sinkBuilder = SnowflakeSink.builder().password("benchmark").user("LOADER")
        .database("ANALYTICS").schema("BENCH");
    if (coalesceRows >= 0) {
      sinkBuilder.coalesceRows(coalesceRows);
    }
    Path spool = Files.createTempDirectory("snowflake-load");
    try (SnowflakeStandIn standIn = SnowflakeStandIn.start();
        SnowflakeSink sink = sinkBuilder.endpoint(standIn.endpoint()).account("standin").build();
        BatchAllocator allocator = BatchAllocator.create(2L << 30);
        Connection direct = direct(standIn)) {
      sink.evolve("contacts", columns);
      List<String> names = new ArrayList<>();
      names.add("\"id\"");
      columns.forEach(c -> names.add("\"" + c.column() + "\""));
      StringBuilder ddl = new StringBuilder("\"id\" BIGINT");
      for (ColumnMapping c : columns) {
        ddl.append(", \"").append(c.column()).append("\" ").append(c.type() == ColumnType.TEXT ? "VARCHAR"
            : c.type() == ColumnType.DOUBLE ? "FLOAT" : c.type() == ColumnType.BOOLEAN ? "BOOLEAN" : "TIMESTAMP_TZ");
      }
      try (Statement s = direct.createStatement()) {
        s.execute("CREATE TABLE \"BENCH\".\"direct_insert\" (" + ddl + ")");
        s.execute("CREATE TABLE \"BENCH\".\"direct_update\" (" + ddl + ")");
      }
      Map<String, long[]> timings = new HashMap<>();
      for (int pass = 0; pass < 2; pass++) {
        String phase = pass == 0 ? "backfill" : "update";
        int mergesBefore = merges(standIn, "\"BENCH\".\"contacts\"");
        int stateMergesBefore = merges(standIn, "\"BENCH\".\"_hubspot_sync_state\"");
        for (int first = 1; first <= contacts; first += batchRows) {
          int last = Math.min(contacts, first + batchRows - 1);
          try (RecordBatch batch = batch(allocator, columns, first, last, pass)) {
            long start = System.nanoTime();
            WriteResult result = sink.write(batch, new Checkpoint("contacts", "{\"after\":" + last + "}"));
            add(timings, "sink " + phase, System.nanoTime() - start, batch.rowCount());
            if (result.written() != batch.rowCount()) {
              throw new IllegalStateException("wrote " + result + " of " + batch.rowCount());
            }
            start = System.nanoTime();
            Path file = csv(spool, batch, columns);
            add(timings, "encode " + phase, System.nanoTime() - start, batch.rowCount());
            start = System.nanoTime();
            putAndCopy(direct, file, "\"BENCH\".\"direct_" + (pass == 0 ? "insert" : "update") + "\"", names);
            add(timings, "direct " + phase, System.nanoTime() - start, batch.rowCount());
            Files.delete(file);
          }
        }
        long start = System.nanoTime();
        sink.flush(); // what coalescing still holds: the phase ends with everything loaded
        add(timings, "sink " + phase, System.nanoTime() - start, 0);
        if (pass == 1) {
          List<SnowflakeStandIn.Executed> log = standIn.statements();
          int end = log.size() - 1;
          while (end > 0 && !log.get(end).sent().startsWith("SELECT max")) {
            end--;
          }
          System.out.println("statements of the last sink write (update):");
          log.subList(end, log.size()).stream().filter(e -> e.session() != log.get(log.size() - 1).session())
              .forEach(e -> System.out.println("  " + e.sent().substring(0, Math.min(100, e.sent().length()))));
        }
        int merges = merges(standIn, "\"BENCH\".\"contacts\"") - mergesBefore;
        int stateMerges = merges(standIn, "\"BENCH\".\"_hubspot_sync_state\"") - stateMergesBefore;
        timings.put("merges " + phase, new long[] {merges, contacts, stateMerges});
      }
      print(timings, contacts);
    } finally {
      try (var files = Files.walk(spool)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static int merges(SnowflakeStandIn standIn, String table) {
    return (int) standIn.statements().stream().filter(e -> e.sent().startsWith("MERGE INTO " + table)).count();
  }

  private static void add(Map<String, long[]> timings, String key, long nanos, int rows) {
    long[] t = timings.computeIfAbsent(key, k -> new long[2]);
    t[0] += nanos;
    t[1] += rows;
  }

  private static void print(Map<String, long[]> t, int contacts) {
    System.out.println();
    System.out.println("| phase | rows | s | rows/s | sink / direct COPY |");
    System.out.println("|---|---|---|---|---|");
    for (String phase : List.of("backfill", "update")) {
      long[] direct = t.get("direct " + phase);
      long[] sink = t.get("sink " + phase);
      double directRate = direct[1] / (direct[0] / 1e9);
      double sinkRate = sink[1] / (sink[0] / 1e9);
      System.out.printf("| direct PUT + COPY INTO a plain table, %s rows | %,d | %.1f | %,.0f | |%n", phase, direct[1],
          direct[0] / 1e9, directRate);
      long[] encode = t.get("encode " + phase);
      double withFiles = direct[1] / ((direct[0] + encode[0]) / 1e9);
      System.out.printf("| direct, its CSV file written in the timer too, %s rows | %,d | %.1f | %,.0f | |%n", phase,
          direct[1], (direct[0] + encode[0]) / 1e9, withFiles);
      System.out.printf("| SnowflakeSink.write, %s | %,d | %.1f | %,.0f | %.0f %% (%.0f %% with files) |%n", phase,
          sink[1], sink[0] / 1e9, sinkRate, 100 * sinkRate / directRate, 100 * sinkRate / withFiles);
    }
    System.out.println();
    for (String phase : List.of("backfill", "update")) {
      long[] m = t.get("merges " + phase);
      System.out.printf("MERGE statements, %s: %,d data MERGEs and %,d checkpoint MERGEs for %,d rows = %.1f + %.1f "
          + "per 100,000 synced rows%n", phase, m[0], m[2], m[1], m[0] * 100_000.0 / m[1], m[2] * 100_000.0 / m[1]);
    }
  }

  private static Connection direct(SnowflakeStandIn standIn) throws Exception {
    Properties p = new Properties();
    p.put("account", "standin");
    p.put("user", "LOADER");
    p.put("password", "benchmark");
    p.put("db", "ANALYTICS");
    p.put("ssl", "off");
    p.put("disablePlatformDetection", "true");
    return new SnowflakeDriver().connect("jdbc:snowflake://127.0.0.1:" + standIn.endpoint().getPort() + "/", p);
  }

  private static void putAndCopy(Connection c, Path file, String table, List<String> names) throws Exception {
    String folder = "@~/direct/" + file.getFileName() + "/";
    try (Statement s = c.createStatement()) {
      s.execute("PUT '" + file.toUri() + "' " + folder + " AUTO_COMPRESS = FALSE SOURCE_COMPRESSION = GZIP");
      s.executeUpdate("COPY INTO " + table + " (" + String.join(", ", names) + ") FROM " + folder + " FILE_FORMAT = "
          + "(TYPE = CSV COMPRESSION = GZIP FIELD_DELIMITER = ',' FIELD_OPTIONALLY_ENCLOSED_BY = '\"' "
          + "EMPTY_FIELD_AS_NULL = TRUE NULL_IF = () ESCAPE_UNENCLOSED_FIELD = NONE SKIP_HEADER = 0 "
          + "DATE_FORMAT = 'YYYY-MM-DD' TIMESTAMP_FORMAT = 'YYYY-MM-DD\"T\"HH24:MI:SS.FF6TZH:TZM') "
          + "ON_ERROR = ABORT_STATEMENT PURGE = TRUE");
    }
  }

  /** The batch's id and property columns as gzip CSV, text quoted, timestamps as the sink writes them. */
  private static Path csv(Path dir, RecordBatch batch, List<ColumnMapping> columns) throws Exception {
    Path file = Files.createTempFile(dir, "direct", ".csv.gz");
    try (Writer out = new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(file)),
        StandardCharsets.UTF_8))) {
      for (int row = 0; row < batch.rowCount(); row++) {
        out.write(Long.toString(batch.id(row)));
        for (ColumnMapping c : columns) {
          out.write(',');
          Object v = batch.value(row, c.column());
          if (v instanceof String text) {
            out.write('"' + text.replace("\"", "\"\"") + '"');
          } else if (v instanceof Instant instant) {
            out.write(instant.toString().replace("Z", "+00:00"));
          } else if (v != null) {
            out.write(v.toString());
          }
        }
        out.write('\n');
      }
    }
    return file;
  }

  private static RecordBatch batch(BatchAllocator allocator, List<ColumnMapping> columns, int first, int last,
      int version) {
    RecordBatch.Builder builder = RecordBatch.builder("contacts", columns, allocator, SYNCED, "bench");
    for (int id = first; id <= last; id++) {
      Map<String, String> props = new HashMap<>();
      for (ColumnMapping c : columns) {
        if ((id + c.column().hashCode()) % 8 == 0) {
          continue; // about one value in eight absent
        }
        props.put(c.property(), switch (c.type()) {
          case TEXT -> c.column() + " value " + id + (version > 0 ? " v" + version : "") + " \"q\", ünï";
          case DOUBLE -> Double.toString(id * 0.25 + version);
          case BOOLEAN -> Boolean.toString((id + version) % 2 == 0);
          default -> Instant.parse("2025-06-01T00:00:00Z").plusSeconds(id * 7L + version).toString();
        });
      }
      builder.add(new CrmRecord(id, props, Instant.parse("2020-01-01T00:00:00Z"), UPDATED.plusSeconds(version * 86_400L),
          false, null));
    }
    return builder.build();
  }
}
