package dev.hubspotsync.testkit;

import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WarehouseSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** InMemorySink passes the sink contract, crash tests included. */
class InMemorySinkContractTest extends WarehouseSinkContract {

  @Override
  protected WarehouseSink newSink() {
    return InMemorySink.create();
  }

  @Override
  protected List<Map<String, Object>> readRows(WarehouseSink sink, String objectType) {
    List<Map<String, Object>> rows = new ArrayList<>();
    ((InMemorySink) sink).rows(objectType).forEach(row -> rows.add(row.values()));
    return rows;
  }

  @Override
  protected List<LinkRow> readLinks(WarehouseSink sink, String fromType, String toType) {
    return ((InMemorySink) sink).links(fromType, toType);
  }

  @Override
  protected void armCrashBeforeCommit(WarehouseSink sink, String stream) {
    ((InMemorySink) sink).failNextWrite(stream);
  }
}
