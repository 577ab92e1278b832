package dev.hubspotsync.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.snowflake.standin.SnowflakeStandIn;
import dev.hubspotsync.snowflake.standin.SnowflakeStandIn.Executed;
import dev.hubspotsync.sql.SqlSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the sink sends Snowflake, as the stand-in recorded it and ran it: the file load path (PUT,
 * COPY INTO a temporary staging table, one MERGE with QUALIFY and the never-older guard, the
 * checkpoint MERGE, COMMIT), never an INSERT per row, and a failure between COPY and COMMIT that
 * leaves neither rows nor checkpoint.
 */
class SnowflakeLoadPathTest {
  private static final Instant T1 = Instant.parse("2026-03-01T10:00:00.123456Z");
  private static final Instant T2 = Instant.parse("2026-03-01T11:00:00Z");
  private static final List<ColumnMapping> COLUMNS = List.of(new ColumnMapping("email", "email", ColumnType.TEXT),
      new ColumnMapping("Score", "score", ColumnType.DOUBLE));

  private SnowflakeStandIn standIn;
  private SnowflakeSink sink;
  private BatchAllocator allocator;
  private final List<RecordBatch> batches = new ArrayList<>();

  @BeforeEach
  void start() {
    standIn = SnowflakeStandIn.start();
    sink = TestSinks.builder(standIn).coalesceRows(0).build(); // each write a load of its own
    allocator = BatchAllocator.create(64L << 20);
    sink.evolve("contacts", COLUMNS);
  }

  @AfterEach
  void stop() {
    batches.forEach(RecordBatch::close);
    sink.close();
    allocator.close();
    standIn.close();
  }

  @Test
  void aMergeLoadIsPutCopyIntoAStagingTableOneGuardedMergeTheCheckpointAndCommit() {
    sink.write(batch(record(1, T1, "a@example.com", "1.5"), record(2, T1, "b@example.com", null)),
        new Checkpoint("contacts", "{\"after\":2}"));
    int before = standIn.statements().size();

    WriteResult result = sink.write(batch(record(1, T2, "a2@example.com", "2.5"), record(2, Instant.parse(
        "2026-01-01T00:00:00Z"), "old@example.com", "9"), record(3, T2, "c@example.com", null)),
        new Checkpoint("contacts", "{\"after\":3}"));

    assertThat(result).isEqualTo(new WriteResult(2, 1, 0));
    List<Executed> load = standIn.statements().subList(before, standIn.statements().size());
    List<String> sent = load.stream().map(Executed::sent).toList();
    assertThat(sent).filteredOn(s -> s.startsWith("PUT ")).hasSize(1)
        .allMatch(s -> s.contains(".csv.gz' @~/hubspot-sync/") && s.contains("AUTO_COMPRESS = FALSE"));
    assertThat(sent).filteredOn(s -> s.startsWith("COPY INTO ")).singleElement().asString()
        .contains("\"_hubspot_sync_stage_").contains("TYPE = CSV COMPRESSION = GZIP").contains("PURGE = TRUE");
    assertThat(sent).filteredOn(s -> s.startsWith("MERGE INTO \"HUBSPOT\".\"contacts\"")).singleElement().asString()
        .contains("QUALIFY ROW_NUMBER() OVER (PARTITION BY \"id\" ORDER BY \"_hs_updated_at\" DESC NULLS LAST) = 1")
        .contains("WHEN MATCHED AND (t.\"_hs_updated_at\" IS NULL OR t.\"_hs_updated_at\" <= s.\"_hs_updated_at\")");
    assertThat(sent).anyMatch(s -> s.startsWith("MERGE INTO \"HUBSPOT\".\"_hubspot_sync_state\""));
    assertThat(sent.get(sent.size() - 1)).isEqualToIgnoringCase("commit");
    assertThat(sent).noneMatch(s -> s.matches("(?is)^INSERT INTO .*VALUES.*"));
    // The MERGE ran on DuckDB as Snowflake wrote it: only the temporary table's name changed.
    Executed merge = load.stream().filter(e -> e.sent().startsWith("MERGE INTO \"HUBSPOT\".\"contacts\""))
        .findFirst().orElseThrow();
    assertThat(merge.ran()).isEqualTo(merge.sent().replaceAll("\"HUBSPOT\"\\.(\"_hubspot_sync_stage_\\w+\")",
        "temp.main.$1"));

    assertThat(standIn.query("SELECT id, email, score FROM \"HUBSPOT\".\"contacts\" ORDER BY id")).containsExactly(
        Map.of("id", 1L, "email", "a2@example.com", "score", 2.5),
        row(2L, "b@example.com", null),
        row(3L, "c@example.com", null));
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "{\"after\":3}"));
  }

  @Test
  void aBackfillBatchIsCopiedStraightIntoTheTableWithoutAMerge() {
    sink.write(batch(record(10, T1, "x@example.com", "1")), new Checkpoint("contacts", "{}"));

    assertThat(standIn.statements().stream().map(Executed::sent))
        .anyMatch(s -> s.startsWith("COPY INTO \"HUBSPOT\".\"contacts\" (\"id\""))
        .noneMatch(s -> s.startsWith("MERGE INTO \"HUBSPOT\".\"contacts\""));
  }

  @Test
  void aFailureBetweenCopyAndCommitLeavesNeitherRowsNorCheckpoint() {
    sink.write(batch(record(1, T1, "a@example.com", "1")), new Checkpoint("contacts", "{\"v\":1}"));
    standIn.failNext("^MERGE INTO \"HUBSPOT\"\\.\"contacts\"", "000630", "Statement reached its statement or "
        + "warehouse timeout of 60 second(s) and was canceled.");

    assertThatThrownBy(() -> sink.write(batch(record(1, T2, "new@example.com", "2"), record(2, T2, "b@example.com",
        "3")), new Checkpoint("contacts", "{\"v\":2}")))
        .isInstanceOf(WarehouseException.class)
        .hasMessageContaining("Snowflake (account standin, database ANALYTICS, warehouse LOADING) failed to write 2 "
            + "rows to \"HUBSPOT\".\"contacts\"")
        .hasMessageContaining("canceled").hasMessageNotContaining("not-a-secret");
    List<String> sent = standIn.statements().stream().map(Executed::sent).toList();
    assertThat(sent.subList(sent.size() - 3, sent.size()).get(0)).startsWith("COPY INTO");
    assertThat(sent.get(sent.size() - 1)).isEqualToIgnoringCase("rollback");

    assertThat(standIn.query("SELECT id, email FROM \"HUBSPOT\".\"contacts\"")).containsExactly(
        Map.of("id", 1L, "email", "a@example.com"));
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "{\"v\":1}"));
    assertThat(sink.write(batch(record(1, T2, "new@example.com", "2")), new Checkpoint("contacts", "{\"v\":3}")))
        .isEqualTo(new WriteResult(1, 0, 0));
  }

  @Test
  void batchesOfOneLayoutWrittenTogetherAreOneTransactionWithOneCommit() {
    sink.write(batch(record(1, T1, "a@example.com", "1")), new Checkpoint("contacts", "{\"v\":1}"));
    int before = standIn.statements().size();

    List<WriteResult> results = sink.writeTogether(List.of(
        new SqlSink.Part(batch(record(1, T2, "a2@example.com", "2")), new Checkpoint("contacts", "{\"v\":2}")),
        new SqlSink.Part(batch(record(2, T2, "b@example.com", "3")), new Checkpoint("contacts", "{\"v\":3}"))));

    assertThat(results).containsExactly(new WriteResult(1, 0, 0), new WriteResult(1, 0, 0));
    List<String> sent = standIn.statements().subList(before, standIn.statements().size()).stream()
        .map(Executed::sent).toList();
    assertThat(sent).filteredOn(s -> s.equalsIgnoreCase("commit")).hasSize(1);
    // DDL commits Snowflake's open transaction: the staging table, if created, comes before the first change.
    int firstChange = indexOf(sent, "DELETE ");
    assertThat(sent.subList(firstChange, sent.size())).noneMatch(s -> s.startsWith("CREATE"));
    assertThat(sent).filteredOn(s -> s.startsWith("COPY INTO")).hasSize(2);
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "{\"v\":3}"));
  }

  @Test
  void aWrongPasswordIsABadConfigurationThatNamesTheAccountAndNotThePassword() {
    standIn.requirePassword("right");
    try (SnowflakeSink wrong = TestSinks.builder(standIn).schema("OTHER").build()) {
      assertThatThrownBy(() -> wrong.checkpoint("contacts"))
          .isInstanceOf(HubSpotSyncException.class)
          .hasMessageContaining("account standin").hasMessageContaining("Incorrect username or password")
          .hasMessageContaining("docs/snowflake.md").hasMessageNotContaining("not-a-secret");
    }
  }

  private static int indexOf(List<String> statements, String prefix) {
    for (int i = 0; i < statements.size(); i++) {
      if (statements.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no statement starts with " + prefix + ": " + statements);
  }

  private static Map<String, Object> row(long id, String email, Double score) {
    Map<String, Object> row = new java.util.LinkedHashMap<>();
    row.put("id", id);
    row.put("email", email);
    row.put("score", score);
    return row;
  }

  private static CrmRecord record(long id, Instant updatedAt, String email, String score) {
    Map<String, String> properties = new java.util.HashMap<>();
    properties.put("email", email);
    if (score != null) {
      properties.put("Score", score);
    }
    return new CrmRecord(id, properties, Instant.parse("2020-01-01T00:00:00Z"), updatedAt, false, null);
  }

  private RecordBatch batch(CrmRecord... records) {
    RecordBatch.Builder builder = RecordBatch.builder("contacts", COLUMNS, allocator,
        Instant.parse("2026-11-01T00:00:00Z"), "run-1");
    for (CrmRecord r : records) {
      builder.add(r);
    }
    RecordBatch batch = builder.build();
    batches.add(batch);
    return batch;
  }
}
