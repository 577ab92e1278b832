package dev.hubspotsync.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.snowflake.standin.SnowflakeStandIn;
import dev.hubspotsync.snowflake.standin.SnowflakeStandIn.Executed;
import dev.hubspotsync.testkit.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Coalescing, as the stand-in ran it: small batches are buffered and loaded as one transaction with
 * one MERGE per table; reads load the buffer first; a failed load applies nothing and is retried.
 */
class SnowflakeCoalescingTest {
  private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2026-03-01T11:00:00Z");
  private static final Instant T3 = Instant.parse("2026-03-01T12:00:00Z");
  private static final List<ColumnMapping> EMAIL = List.of(new ColumnMapping("email", "email", ColumnType.TEXT));
  private static final List<ColumnMapping> BOTH = List.of(new ColumnMapping("email", "email", ColumnType.TEXT),
      new ColumnMapping("Score", "score", ColumnType.DOUBLE));

  private SnowflakeStandIn standIn;
  private VirtualTime time;
  private SnowflakeSink sink;
  private BatchAllocator allocator;
  private final List<RecordBatch> batches = new ArrayList<>();

  @BeforeEach
  void start() {
    standIn = SnowflakeStandIn.start();
    time = VirtualTime.at(T1);
    sink = TestSinks.builder(standIn).coalesceRows(1_000).coalesceAge(Duration.ofMinutes(2)).clock(time).build();
    allocator = BatchAllocator.create(64L << 20);
    sink.evolve("contacts", BOTH);
    sink.evolve("companies", BOTH);
  }

  @AfterEach
  void stop() {
    batches.forEach(RecordBatch::close);
    sink.close();
    allocator.close();
    standIn.close();
  }

  @Test
  void smallBatchesAreOneLoadWithOneMergePerTable() {
    sink.write(batch("contacts", BOTH, record(1, T1, "a@example.com", "1"), record(2, T1, "b@example.com", "2")),
        new Checkpoint("contacts", "{\"v\":0}"));
    sink.write(batch("companies", BOTH, record(1, T1, "acme", "1")), new Checkpoint("companies", "{\"v\":0}"));
    sink.flush();
    int before = standIn.statements().size();

    for (int i = 1; i <= 10; i++) {
      sink.write(batch("contacts", BOTH, record(1, T1.plusSeconds(i), "a" + i + "@example.com", null),
          record(100 + i, T2, "new" + i + "@example.com", String.valueOf(i))), new Checkpoint("contacts",
          "{\"v\":" + i + "}"));
      sink.write(batch("companies", BOTH, record(200 + i, T2, "co" + i, null)), new Checkpoint("companies",
          "{\"v\":" + i + "}"));
    }
    // Buffered: nothing reached Snowflake yet.
    assertThat(standIn.statements()).hasSize(before);

    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "{\"v\":10}"));

    List<String> sent = sent(before);
    sent = sent.subList(0, sent.indexOf(sent.stream().filter(s -> s.startsWith("SELECT checkpoint")).findFirst()
        .orElseThrow())); // the load, without the checkpoint's read
    assertThat(sent).filteredOn(s -> s.startsWith("MERGE INTO \"HUBSPOT\".\"contacts\"")).hasSize(1);
    assertThat(sent).filteredOn(s -> s.startsWith("MERGE INTO \"HUBSPOT\".\"companies\"")).isEmpty();
    assertThat(sent).filteredOn(s -> s.startsWith("COPY INTO \"HUBSPOT\".\"companies\"")).hasSize(1);
    assertThat(sent).filteredOn(s -> s.startsWith("COPY INTO")).hasSize(2);
    assertThat(sent).filteredOn(s -> s.startsWith("PUT ")).hasSize(2);
    assertThat(sent).filteredOn(s -> s.startsWith("MERGE INTO \"HUBSPOT\".\"_hubspot_sync_state\"")).hasSize(2);
    assertThat(sent).filteredOn(s -> s.equalsIgnoreCase("commit")).hasSize(1);
    assertThat(standIn.query("SELECT id, email, score FROM \"HUBSPOT\".\"contacts\" WHERE id IN (1, 2, 110) "
        + "ORDER BY id")).containsExactly(row(1L, "a10@example.com", null), row(2L, "b@example.com", 2.0),
        row(110L, "new10@example.com", 10.0));
    assertThat(standIn.query("SELECT count(*) AS n FROM \"HUBSPOT\".\"companies\"")).containsExactly(Map.of("n", 11L));
    assertThat(sink.checkpoint("companies")).contains(new Checkpoint("companies", "{\"v\":10}"));
  }

  @Test
  void theBufferIsLoadedAtCoalesceRowsOrAfterCoalesceWait() {
    try (SnowflakeSink small = TestSinks.builder(standIn).coalesceRows(5).clock(time).build()) {
      small.write(batch("contacts", BOTH, record(1, T1, "a", null), record(2, T1, "b", null)),
          new Checkpoint("contacts", "{\"v\":1}"));
      small.write(batch("contacts", BOTH, record(3, T1, "c", null), record(4, T1, "d", null)),
          new Checkpoint("contacts", "{\"v\":2}"));
      assertThat(count()).isZero();
      small.write(batch("contacts", BOTH, record(5, T1, "e", null)), new Checkpoint("contacts", "{\"v\":3}"));
      assertThat(count()).isEqualTo(5);

      small.write(batch("contacts", BOTH, record(6, T1, "f", null)), new Checkpoint("contacts", "{\"v\":4}"));
      time.advance(Duration.ofMinutes(1));
      small.write(batch("contacts", BOTH, record(7, T1, "g", null)), new Checkpoint("contacts", "{\"v\":5}"));
      assertThat(count()).isEqualTo(5);
      time.advance(Duration.ofMinutes(1));
      small.write(batch("contacts", BOTH, record(8, T1, "h", null)), new Checkpoint("contacts", "{\"v\":6}"));
      assertThat(count()).isEqualTo(8);
    }
  }

  @Test
  void aFailedMergeOfTheLoadAppliesNeitherRowsNorCheckpointsAndItsStreamsResumeFromTheStoredCheckpoint() {
    sink.write(batch("contacts", BOTH, record(1, T1, "a@example.com", "1")), new Checkpoint("contacts", "{\"v\":1}"));
    sink.flush();
    sink.write(batch("contacts", BOTH, record(1, T2, "new@example.com", "2")), new Checkpoint("contacts", "{\"v\":2}"));
    sink.write(batch("companies", BOTH, record(7, T2, "acme", null)), new Checkpoint("companies", "{\"v\":2}"));
    sink.write(batch("contacts", BOTH, record(2, T2, "b@example.com", "3")), new Checkpoint("contacts", "{\"v\":3}"));
    standIn.failNext("^MERGE INTO \"HUBSPOT\"\\.\"contacts\"", "000630", "Statement reached its statement or "
        + "warehouse timeout of 60 second(s) and was canceled.");

    assertThatThrownBy(sink::flush).isInstanceOf(WarehouseException.class)
        .hasMessageContaining("coalesced rows").hasMessageContaining("canceled");

    List<String> sent = sent(0);
    assertThat(sent.get(sent.size() - 1)).isEqualToIgnoringCase("rollback");
    assertThat(standIn.query("SELECT id, email FROM \"HUBSPOT\".\"contacts\"")).containsExactly(
        Map.of("id", 1L, "email", "a@example.com"));
    assertThat(count("companies")).isZero();
    // The dropped batches' streams cannot write on until they read their checkpoint again.
    assertThatThrownBy(() -> sink.write(batch("companies", BOTH, record(8, T2, "later", null)),
        new Checkpoint("companies", "{\"v\":3}"))).isInstanceOf(WarehouseException.class)
        .hasMessageContaining("stream 'companies'").hasMessageContaining("read the stream's checkpoint again");
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "{\"v\":1}"));
    assertThat(sink.checkpoint("companies")).isEmpty();

    sink.write(batch("contacts", BOTH, record(1, T2, "new@example.com", "2"), record(2, T2, "b@example.com", "3")),
        new Checkpoint("contacts", "{\"v\":3}"));
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "{\"v\":3}"));
    assertThat(standIn.query("SELECT id, email FROM \"HUBSPOT\".\"contacts\" ORDER BY id")).containsExactly(
        Map.of("id", 1L, "email", "new@example.com"), Map.of("id", 2L, "email", "b@example.com"));
  }

  @Test
  void batchesWithoutAColumnKeepItsStoredValuesAndTheNewestVersionWins() {
    sink.write(batch("contacts", BOTH, record(1, T1, "a@example.com", "1"), record(2, T1, "b@example.com", "2")),
        new Checkpoint("contacts", "{\"v\":1}"));
    sink.flush();
    int before = standIn.statements().size();

    sink.write(batch("contacts", EMAIL, record(1, T2, "a2@example.com", null)), new Checkpoint("contacts", "{\"v\":2}"));
    sink.write(batch("contacts", BOTH, record(2, T3, "b3@example.com", "5")), new Checkpoint("contacts", "{\"v\":3}"));
    sink.write(batch("contacts", BOTH, record(2, T2, "older@example.com", "9"), record(3, T2, "c@example.com", null)),
        new Checkpoint("contacts", "{\"v\":4}"));
    sink.flush();

    assertThat(standIn.query("SELECT id, email, score FROM \"HUBSPOT\".\"contacts\" ORDER BY id")).containsExactly(
        row(1L, "a2@example.com", 1.0), row(2L, "b3@example.com", 5.0), row(3L, "c@example.com", null));
    List<String> sent = sent(before);
    assertThat(sent).filteredOn(s -> s.startsWith("MERGE INTO \"HUBSPOT\".\"contacts\"")).hasSize(2);
    // DDL commits Snowflake's open transaction: staging tables come before the first change.
    int firstChange = 0;
    while (!sent.get(firstChange).startsWith("DELETE ") && !sent.get(firstChange).startsWith("COPY ")) {
      firstChange++;
    }
    assertThat(sent.subList(firstChange, sent.size())).noneMatch(s -> s.startsWith("CREATE"));
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "{\"v\":4}"));
  }

  @Test
  void newRowsOfSeveralBatchesAreCopiedStraightInUnlessAnIdRepeats() {
    sink.write(batch("contacts", BOTH, record(10, T1, "x", null)), new Checkpoint("contacts", "{}"));
    sink.write(batch("contacts", BOTH, record(11, T1, "y", null)), new Checkpoint("contacts", "{}"));
    sink.flush();
    assertThat(sent(0)).noneMatch(s -> s.startsWith("MERGE INTO \"HUBSPOT\".\"contacts\""));

    sink.write(batch("contacts", BOTH, record(20, T2, "new", null)), new Checkpoint("contacts", "{}"));
    sink.write(batch("contacts", BOTH, record(20, T1, "old", null)), new Checkpoint("contacts", "{}"));
    sink.flush();
    assertThat(standIn.query("SELECT id, email FROM \"HUBSPOT\".\"contacts\" WHERE id = 20")).containsExactly(
        Map.of("id", 20L, "email", "new"));
  }

  @Test
  void closeLoadsTheBuffer() {
    sink.write(batch("contacts", BOTH, record(1, T1, "a", null)), new Checkpoint("contacts", "{\"v\":1}"));
    sink.close();
    assertThat(count()).isEqualTo(1);
  }

  private long count() {
    return count("contacts");
  }

  private long count(String table) {
    return (Long) standIn.query("SELECT count(*) AS n FROM \"HUBSPOT\".\"" + table + "\"").get(0).get("n");
  }

  private List<String> sent(int from) {
    return standIn.statements().subList(from, standIn.statements().size()).stream().map(Executed::sent).toList();
  }

  private static Map<String, Object> row(long id, String email, Double score) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.put("email", email);
    row.put("score", score);
    return row;
  }

  private static CrmRecord record(long id, Instant updatedAt, String email, String score) {
    Map<String, String> properties = new HashMap<>();
    properties.put("email", email);
    if (score != null) {
      properties.put("Score", score);
    }
    return new CrmRecord(id, properties, Instant.parse("2020-01-01T00:00:00Z"), updatedAt, false, null);
  }

  private RecordBatch batch(String type, List<ColumnMapping> columns, CrmRecord... records) {
    RecordBatch.Builder builder = RecordBatch.builder(type, columns, allocator, Instant.parse("2026-11-01T00:00:00Z"),
        "run-1");
    for (CrmRecord r : records) {
      builder.add(r);
    }
    RecordBatch batch = builder.build();
    batches.add(batch);
    return batch;
  }
}
