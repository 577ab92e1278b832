package dev.hubspotsync.bigquery;

import com.google.cloud.NoCredentials;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.testkit.WarehouseSinkContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * The testkit's sink contract against the BigQuery sink, through the real Google client, on the
 * local BigQuery that executes every statement with ZetaSQL; a dataset of its own per test. Batches
 * are merged one by one ({@code coalesceRows(1)}), so write counts are exact; coalescing has its own
 * tests.
 */
class BigQuerySinkContractTest extends WarehouseSinkContract {
  static final LocalBigQuery LOCAL = LocalBigQuery.start();
  private static final AtomicInteger DATASETS = new AtomicInteger();

  @AfterAll
  static void stop() {
    LOCAL.close();
  }

  static BigQuerySink.Builder sink(LocalBigQuery local, String dataset) {
    return BigQuerySink.builder().project("local-project").dataset(dataset).host(local.host())
        .credentials(NoCredentials.getInstance());
  }

  @Override
  protected WarehouseSink newSink() {
    return sink(LOCAL, "contract_" + DATASETS.incrementAndGet()).coalesceRows(1).build();
  }

  @Override
  protected List<Map<String, Object>> readRows(WarehouseSink sink, String objectType) {
    BigQuerySink bq = (BigQuerySink) sink;
    return LOCAL.store().rows(path(bq, bq.tableName(objectType).orElseThrow()));
  }

  @Override
  protected List<LinkRow> readLinks(WarehouseSink sink, String fromType, String toType) {
    BigQuerySink bq = (BigQuerySink) sink;
    return links(LOCAL, bq, fromType, toType);
  }

  static List<LinkRow> links(LocalBigQuery local, BigQuerySink bq, String fromType, String toType) {
    List<LinkRow> links = new ArrayList<>();
    for (Map<String, Object> row : local.store().rows(path(bq, bq.linkTableName(fromType, toType).orElseThrow()))) {
      links.add(new LinkRow((Long) row.get("from_id"), (Long) row.get("to_id"),
          ((Long) row.get("association_type_id")).intValue(), (String) row.get("association_category"),
          (String) row.get("association_label")));
    }
    return links;
  }

  static String path(BigQuerySink sink, String table) {
    return sink.project() + "." + sink.schema() + "." + table;
  }

  @Override
  protected void armCrashBeforeCommit(WarehouseSink sink, String stream) {
    ((BigQuerySink) sink).crashBeforeCommit(stream);
  }
}
