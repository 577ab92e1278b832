package dev.hubspotsync.duckdb;

import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.testkit.WarehouseSinkContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The testkit's sink contract against a DuckDB file, a fresh one per test. */
class DuckDbSinkContractTest extends WarehouseSinkContract {
  @TempDir
  Path directory;

  @Override
  protected WarehouseSink newSink() {
    return DuckDbSink.builder().file(directory.resolve("contract.duckdb")).schema("hubspot").build();
  }

  @Override
  protected List<Map<String, Object>> readRows(WarehouseSink sink, String objectType) {
    DuckDbSink duck = (DuckDbSink) sink;
    return TestDuck.query(duck, "SELECT * FROM " + TestDuck.table(duck, duck.tableName(objectType).orElseThrow()));
  }

  @Override
  protected List<LinkRow> readLinks(WarehouseSink sink, String fromType, String toType) {
    DuckDbSink duck = (DuckDbSink) sink;
    List<LinkRow> links = new ArrayList<>();
    for (Map<String, Object> row : TestDuck.query(duck, "SELECT * FROM "
        + TestDuck.table(duck, duck.linkTableName(fromType, toType).orElseThrow()))) {
      links.add(new LinkRow((Long) row.get("from_id"), (Long) row.get("to_id"), (Integer) row.get("association_type_id"),
          (String) row.get("association_category"), (String) row.get("association_label")));
    }
    return links;
  }

  @Override
  protected void armCrashBeforeCommit(WarehouseSink sink, String stream) {
    ((DuckDbSink) sink).crashBeforeCommit(stream);
  }
}
