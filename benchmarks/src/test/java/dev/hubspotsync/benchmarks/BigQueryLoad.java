package dev.hubspotsync.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FormatOptions;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.TableDataWriteChannel;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableInfo;
import com.google.cloud.bigquery.WriteChannelConfiguration;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.bigquery.BigQuerySink;
import dev.hubspotsync.bigquery.LocalBigQueryServer;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How fast {@code BigQuerySink} loads into the local BigQuery stand-in (the real Google client over
 * HTTP, every statement executed by ZetaSQL), next to a direct load job of the same rows into a
 * plain table, and how many DML statements it runs. {@code -Dbenchmark.contacts} contacts (default
 * 2,000: ZetaSQL's reference evaluator is super-linear in joins, so volume is for real projects) with
 * 10 properties, in batches of {@code -Dbenchmark.batch} (default 100), written three ways: coalesced
 * ({@code coalesceRows} = {@code -Dbenchmark.coalesce}, default 1,000), one transaction per batch
 * ({@code coalesceRows(1)}), and one NDJSON load job of all rows (the direct load). A warm-up round
 * (ZetaSQL's native library loads once per JVM) is not counted. The stand-in's speed says nothing
 * about BigQuery's; the DML counts carry over exactly.
 *
 * <p>In {@code src/test}: it needs the stand-in from the sink's test jar. Run: see benchmarks/RESULTS.md (BigQuery sink).
 */
public final class BigQueryLoad {
  private static final Instant SYNCED = Instant.parse("2026-12-03T00:00:00Z");
  private static final Instant CREATED = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant UPDATED = Instant.parse("2026-01-01T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private BigQueryLoad() {}

  public static void main(String[] args) throws Exception {
    int contacts = Integer.getInteger("benchmark.contacts", 2_000);
    int batchRows = Integer.getInteger("benchmark.batch", 100);
    int coalesce = Integer.getInteger("benchmark.coalesce", 1_000);
    List<ColumnMapping> columns = new ArrayList<>();
    ColumnType[] types = {ColumnType.TEXT, ColumnType.DOUBLE, ColumnType.BOOLEAN, ColumnType.DATE, ColumnType.TIMESTAMP};
    for (int i = 0; i < 10; i++) {
      columns.add(new ColumnMapping("p" + i, "p" + i, types[i % types.length]));
    }
    System.out.printf("BigQueryLoad: %,d contacts x %d properties in batches of %,d, coalescing %,d rows; %d cores%n",
        contacts, columns.size(), batchRows, coalesce, Runtime.getRuntime().availableProcessors());
    try (LocalBigQueryServer local = LocalBigQueryServer.start();
        BatchAllocator allocator = BatchAllocator.create(1L << 30)) {
      List<RecordBatch> batches = new ArrayList<>();
      try {
        for (int first = 1; first <= contacts; first += batchRows) {
          batches.add(batch(allocator, columns, first, Math.min(contacts, first + batchRows - 1)));
        }
        run(local, "warmup", columns, batches.subList(0, Math.min(2, batches.size())), coalesce);
        direct(local, "warmup_direct", batches.subList(0, 1));
        Result coalesced = run(local, "coalesced", columns, batches, coalesce);
        Result perBatch = run(local, "per_batch", columns, batches, 1);
        double directSeconds = direct(local, "direct", batches);
        System.out.println();
        System.out.println("| path | rows | s | rows/s | DML statements | query jobs (loads apart) | DML per 100,000 rows |");
        System.out.println("|---|---|---|---|---|---|---|");
        coalesced.print("BigQuerySink, coalesceRows " + coalesce, contacts);
        perBatch.print("BigQuerySink, coalesceRows 1 (a transaction per batch of " + batchRows + ")", contacts);
        System.out.printf("| direct: one NDJSON load job, no merge | %,d | %.2f | %,.0f | 0 | 1 | 0 |%n", contacts,
            directSeconds, contacts / directSeconds);
        System.out.printf("%nAt the default coalesceRows 50,000, one object type: %.0f DML statements per 100,000 rows "
            + "(%d merges of 50,000 rows, each a MERGE and one checkpoint MERGE).%n", 2.0 * 100_000 / 50_000,
            100_000 / 50_000);
      } finally {
        batches.forEach(RecordBatch::close);
      }
    }
  }

  private record Result(double seconds, long dml, long jobs) {
    void print(String path, int rows) {
      System.out.printf("| %s | %,d | %.2f | %,.0f | %d | %d | %,.0f |%n", path, rows, seconds, rows / seconds, dml, jobs,
          dml * 100_000.0 / rows);
    }
  }

  private static Result run(LocalBigQueryServer local, String dataset, List<ColumnMapping> columns,
      List<RecordBatch> batches, int coalesce) {
    try (BigQuerySink sink = BigQuerySink.builder().project("bench").dataset(dataset).host(local.host())
        .credentials(NoCredentials.getInstance()).coalesceRows(coalesce).build()) {
      sink.evolve("contacts", columns);
      long dml = sink.dmlStatements();
      long jobs = sink.jobs();
      long start = System.nanoTime();
      int n = 0;
      for (RecordBatch batch : batches) {
        sink.write(batch, new Checkpoint("contacts", "{\"batch\":" + n++ + "}"));
      }
      sink.flush();
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Result(seconds, sink.dmlStatements() - dml, sink.jobs() - jobs);
    }
  }

  /** One load job of every row, as newline-delimited JSON, into a plain table: BigQuery's fastest path, no merge. */
  private static double direct(LocalBigQueryServer local, String dataset, List<RecordBatch> batches) throws Exception {
    BigQuery bigquery = BigQueryOptions.newBuilder().setProjectId("bench").setHost(local.host())
        .setCredentials(NoCredentials.getInstance()).build().getService();
    bigquery.create(DatasetInfo.newBuilder("bench", dataset).build());
    List<Field> fields = new ArrayList<>();
    for (Column c : batches.get(0).columns()) {
      fields.add(Field.newBuilder(c.name(), type(c.type())).setMode(Field.Mode.NULLABLE).build());
    }
    Schema schema = Schema.of(fields);
    TableId table = TableId.of("bench", dataset, "contacts");
    bigquery.create(TableInfo.of(table, StandardTableDefinition.of(schema)));
    long start = System.nanoTime();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (RecordBatch batch : batches) {
      for (int row = 0; row < batch.rowCount(); row++) {
        ObjectNode json = JSON.createObjectNode();
        for (int c = 0; c < batch.columns().size(); c++) {
          Object value = batch.value(row, c);
          String name = batch.columns().get(c).name();
          if (value instanceof Boolean b) {
            json.put(name, b);
          } else if (value instanceof Double d) {
            json.put(name, d);
          } else if (value instanceof Instant t) {
            json.put(name, t.toString().replace('T', ' ').replace("Z", "+00:00"));
          } else if (value != null) {
            json.put(name, value.toString());
          }
        }
        out.write(JSON.writeValueAsBytes(json));
        out.write('\n');
      }
    }
    TableDataWriteChannel writer = bigquery.writer(JobId.of("direct_" + UUID.randomUUID()),
        WriteChannelConfiguration.newBuilder(table).setFormatOptions(FormatOptions.json()).setSchema(schema).build());
    try (writer) {
      writer.write(ByteBuffer.wrap(out.toByteArray()));
    }
    Job job = writer.getJob().waitFor();
    if (job.getStatus().getError() != null) {
      throw new IllegalStateException("direct load failed: " + job.getStatus().getError());
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static StandardSQLTypeName type(ColumnType type) {
    switch (type) {
      case TEXT: return StandardSQLTypeName.STRING;
      case DOUBLE: return StandardSQLTypeName.FLOAT64;
      case BOOLEAN: return StandardSQLTypeName.BOOL;
      case DATE: return StandardSQLTypeName.DATE;
      case TIMESTAMP: return StandardSQLTypeName.TIMESTAMP;
      case DECIMAL: return StandardSQLTypeName.NUMERIC;
      default: return StandardSQLTypeName.INT64;
    }
  }

  private static RecordBatch batch(BatchAllocator allocator, List<ColumnMapping> columns, long first, long last) {
    RecordBatch.Builder builder = RecordBatch.builder("contacts", columns, allocator, SYNCED, "bench");
    for (long id = first; id <= last; id++) {
      Map<String, String> values = new HashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        ColumnType t = columns.get(i).type();
        values.put(columns.get(i).property(), t == ColumnType.TEXT ? "value-" + id + "-" + i
            : t == ColumnType.DOUBLE ? (id * 31 + i) + ".25" : t == ColumnType.BOOLEAN ? Boolean.toString(id % 2 == 0)
            : t == ColumnType.DATE ? "2024-0" + (1 + i % 9) + "-1" + (id % 9) : Long.toString(1_700_000_000_000L + id * 1_000));
      }
      builder.add(new CrmRecord(id, values, CREATED, UPDATED.plusSeconds(id), false, null));
    }
    return builder.build();
  }
}
