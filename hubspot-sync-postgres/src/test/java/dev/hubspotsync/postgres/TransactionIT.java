package dev.hubspotsync.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WriteResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rows and checkpoint commit together: a commit that fails leaves neither changed. */
class TransactionIT extends SinkTestBase {
  private static final List<ColumnMapping> COLUMNS = List.of(new ColumnMapping("email", "email", ColumnType.TEXT));
  private final CrashingDataSource failing = new CrashingDataSource(TestPostgres.dataSource());

  @Override
  protected PostgresSink newSink(String schemaName) {
    return PostgresSink.builder().dataSource(failing).schema(schemaName).build();
  }

  @Test
  void aFailedCommitLeavesRowsAndCheckpointAsTheyWere() {
    sink.evolve("contacts", COLUMNS);
    Instant t1 = Instant.parse("2026-01-01T00:00:00Z");
    Instant t2 = Instant.parse("2026-02-01T00:00:00Z");
    write("contacts", COLUMNS, "1", Batches.record(1, t1, Map.of("email", "a1")), Batches.record(2, t1, Map.of("email", "b1")));

    for (long firstNewId : new long[] {3, 1}) { // the straight-COPY path, then the merge path
      failing.arm("contacts");
      try (RecordBatch batch = Batches.batch(allocator, "contacts", COLUMNS,
          Batches.record(firstNewId, t2, Map.of("email", "new")), Batches.record(4, t2, Map.of("email", "new")))) {
        assertThatThrownBy(() -> sink.write(batch, new Checkpoint("contacts", "2")))
            .isInstanceOf(WarehouseException.class).hasMessageContaining("simulated crash before commit");
      }
      assertThat(rows("contacts")).extracting(r -> r.get("email")).containsExactly("a1", "b1");
      assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "1"));
    }

    assertThat(write("contacts", COLUMNS, "2", Batches.record(1, t2, Map.of("email", "a2")),
        Batches.record(4, t2, Map.of("email", "d2")))).isEqualTo(new WriteResult(2, 0, 0));
    assertThat(rows("contacts")).extracting(r -> r.get("email")).containsExactly("a2", "b1", "d2");
    assertThat(sink.checkpoint("contacts")).contains(new Checkpoint("contacts", "2"));
  }

  @Test
  void aFailedCommitLeavesLinksAndCheckpointAsTheyWere() {
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(1L), List.of(new LinkRow(1, 10, 3, "H", null)), at),
        new Checkpoint("contacts_to_deals", "1"));
    failing.arm("contacts_to_deals");
    assertThatThrownBy(() -> sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(1L),
        List.of(new LinkRow(1, 11, 3, "H", null)), at), new Checkpoint("contacts_to_deals", "2")))
        .isInstanceOfSatisfying(WarehouseException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAREHOUSE_FAILED));
    String table = sink.linkTableName("contacts", "deals").orElseThrow();
    assertThat(TestPostgres.query("SELECT to_id FROM " + TestPostgres.quote(schema) + "." + table))
        .extracting(r -> r.get("to_id")).containsExactly(10L);
    assertThat(sink.checkpoint("contacts_to_deals")).contains(new Checkpoint("contacts_to_deals", "1"));
  }
}
