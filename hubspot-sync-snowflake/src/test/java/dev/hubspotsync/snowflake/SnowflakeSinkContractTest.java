package dev.hubspotsync.snowflake;

import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.snowflake.standin.SnowflakeStandIn;
import dev.hubspotsync.testkit.WarehouseSinkContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The testkit's sink contract against the real Snowflake JDBC driver and the local stand-in, which
 * executes every statement on DuckDB; rows are read back from the stand-in's database. One
 * stand-in for the class, a fresh schema per test.
 */
class SnowflakeSinkContractTest extends WarehouseSinkContract {
  private static SnowflakeStandIn standIn;
  private static int schemas;

  @BeforeAll
  static void startStandIn() {
    standIn = SnowflakeStandIn.start();
  }

  @AfterAll
  static void stopStandIn() {
    standIn.close();
  }

  @Override
  protected WarehouseSink newSink() {
    return builder(TestSinks.builder(standIn).schema("CONTRACT_" + (++schemas))).build();
  }

  /**
   * Coalescing off: the contract requires exact {@code WriteResult}s per write (skippedOlder) and a
   * crash at the write's own commit, which a coalesced write cannot give; SnowflakeCoalescingTest and
   * the end-to-end test cover coalescing.
   */
  SnowflakeSink.Builder builder(SnowflakeSink.Builder builder) {
    return builder.coalesceRows(0);
  }

  @Override
  protected List<Map<String, Object>> readRows(WarehouseSink sink, String objectType) {
    SnowflakeSink snowflake = (SnowflakeSink) sink;
    snowflake.flush();
    return standIn.query("SELECT * FROM " + TestSinks.table(snowflake, snowflake.tableName(objectType).orElseThrow()));
  }

  @Override
  protected List<LinkRow> readLinks(WarehouseSink sink, String fromType, String toType) {
    SnowflakeSink snowflake = (SnowflakeSink) sink;
    snowflake.flush();
    List<LinkRow> links = new ArrayList<>();
    for (Map<String, Object> row : standIn.query("SELECT * FROM "
        + TestSinks.table(snowflake, snowflake.linkTableName(fromType, toType).orElseThrow()))) {
      links.add(new LinkRow((Long) row.get("from_id"), (Long) row.get("to_id"),
          ((Number) row.get("association_type_id")).intValue(), (String) row.get("association_category"),
          (String) row.get("association_label")));
    }
    return links;
  }

  @Override
  protected void armCrashBeforeCommit(WarehouseSink sink, String stream) {
    ((SnowflakeSink) sink).crashBeforeCommit(stream);
  }
}
