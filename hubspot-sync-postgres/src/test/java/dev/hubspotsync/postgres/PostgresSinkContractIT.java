package dev.hubspotsync.postgres;

import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.testkit.WarehouseSinkContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The testkit's sink contract against PostgreSQL, each test in a schema of its own. */
class PostgresSinkContractIT extends WarehouseSinkContract {
  private final List<String> schemas = new ArrayList<>();
  private final CrashingDataSource dataSource = new CrashingDataSource(TestPostgres.dataSource());
  private String schema;

  @Override
  protected WarehouseSink newSink() {
    schema = TestPostgres.newSchema("contract");
    schemas.add(schema);
    return PostgresSink.builder().dataSource(dataSource).schema(schema).build();
  }

  @AfterEach
  void dropSchemas() {
    schemas.forEach(TestPostgres::dropSchema);
  }

  @Override
  protected List<Map<String, Object>> readRows(WarehouseSink sink, String objectType) {
    String table = ((PostgresSink) sink).tableName(objectType).orElseThrow();
    return TestPostgres.query("SELECT * FROM " + TestPostgres.quote(schema) + "." + TestPostgres.quote(table));
  }

  @Override
  protected List<LinkRow> readLinks(WarehouseSink sink, String fromType, String toType) {
    String table = ((PostgresSink) sink).linkTableName(fromType, toType).orElseThrow();
    List<LinkRow> links = new ArrayList<>();
    for (Map<String, Object> row : TestPostgres.query("SELECT * FROM " + TestPostgres.quote(schema) + "."
        + TestPostgres.quote(table))) {
      links.add(new LinkRow((Long) row.get("from_id"), (Long) row.get("to_id"), (Integer) row.get("association_type_id"),
          (String) row.get("association_category"), (String) row.get("association_label")));
    }
    return links;
  }

  @Override
  protected void armCrashBeforeCommit(WarehouseSink sink, String stream) {
    dataSource.arm(stream);
  }
}
