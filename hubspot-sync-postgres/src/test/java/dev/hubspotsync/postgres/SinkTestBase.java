package dev.hubspotsync.postgres;

import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/** A fresh schema and sink per test, dropped afterwards. */
abstract class SinkTestBase {
  protected String schema;
  protected PostgresSink sink;
  protected BatchAllocator allocator;
  private final List<String> schemas = new ArrayList<>();

  @BeforeEach
  void createSink(TestInfo info) {
    allocator = BatchAllocator.create(256L << 20);
    schema = schema(info.getTestMethod().map(m -> m.getName()).orElse("x").toLowerCase());
    sink = newSink(schema);
  }

  @AfterEach
  void dropSchemas() {
    sink.close();
    allocator.close();
    schemas.forEach(TestPostgres::dropSchema);
  }

  /** A schema name the test owns: dropped after it. */
  protected String schema(String label) {
    String name = TestPostgres.newSchema(label.length() > 30 ? label.substring(0, 30) : label);
    schemas.add(name);
    return name;
  }

  protected PostgresSink newSink(String schemaName) {
    return PostgresSink.builder().dataSource(TestPostgres.dataSource()).schema(schemaName).build();
  }

  protected WriteResult write(String type, List<ColumnMapping> columns, String checkpoint, CrmRecord... records) {
    try (RecordBatch batch = Batches.batch(allocator, type, columns, records)) {
      return sink.write(batch, new Checkpoint(type, checkpoint));
    }
  }

  protected List<Map<String, Object>> rows(String type) {
    String table = sink.tableName(type).orElseThrow();
    return TestPostgres.query("SELECT * FROM " + TestPostgres.quote(schema) + "." + TestPostgres.quote(table)
        + " ORDER BY id");
  }

  protected Map<String, Object> row(String type, long id) {
    return rows(type).stream().filter(r -> r.get("id").equals(id)).findFirst().orElseThrow();
  }
}
