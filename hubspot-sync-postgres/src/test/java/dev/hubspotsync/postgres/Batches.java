package dev.hubspotsync.postgres;

import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds record batches for tests. */
final class Batches {
  static final Instant SYNCED = Instant.parse("2026-11-01T00:00:00Z");

  private Batches() {}

  static CrmRecord record(long id, Instant updatedAt, Map<String, String> properties) {
    return new CrmRecord(id, properties, Instant.parse("2020-01-01T00:00:00Z"), updatedAt, false, null);
  }

  static RecordBatch batch(BatchAllocator allocator, String type, List<ColumnMapping> columns, CrmRecord... records) {
    return batch(allocator, type, columns, List.of(records));
  }

  static RecordBatch batch(BatchAllocator allocator, String type, List<ColumnMapping> columns, List<CrmRecord> records) {
    RecordBatch.Builder builder = RecordBatch.builder(type, new ArrayList<>(columns), allocator, SYNCED, "run-1");
    records.forEach(builder::add);
    return builder.build();
  }
}
