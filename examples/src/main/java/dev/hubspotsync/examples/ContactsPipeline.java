package dev.hubspotsync.examples;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.WarehouseSink;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * "A user's pipeline": syncs contacts, then counts the live contacts per lifecycle stage from the
 * synced table (the funnel a dashboard shows). {@code MyPipelineTest} unit-tests it against
 * FakeHubSpot and the InMemorySink; in production the sink is a warehouse and {@link ContactsTable}
 * a SQL query.
 */
public final class ContactsPipeline {
  /** The HubSpot property the funnel counts by. */
  public static final String STAGE = "lifecyclestage";

  /** Reads the synced contacts table back: a SQL query in production, the InMemorySink's rows in tests. */
  @FunctionalInterface
  public interface ContactsTable {
    /** Every row of the contacts table, as column name → value. */
    List<Map<String, Object>> rows();
  }

  /** What one run did: the sync's report and the funnel after it. */
  public record Result(SyncReport report, Map<String, Long> contactsPerStage) {}

  private final SyncJob job;
  private final WarehouseSink sink;
  private final ContactsTable table;

  public ContactsPipeline(HubSpotClient hubspot, WarehouseSink sink, ContactsTable table, Clock clock) {
    this.job = SyncJob.builder()
        .client(hubspot)
        .sink(sink)
        .clock(clock)
        .addObjectTypes("contacts")
        .properties("contacts", List.of("email", STAGE))
        .build();
    this.sink = sink;
    this.table = table;
  }

  /** Syncs, then counts live (not archived) contacts per stage; contacts without a stage count as {@code "(none)"}. */
  public Result run() {
    SyncReport report = job.run();
    // The column that holds the property: the sink's stored mapping says (names can differ from property names).
    String stageColumn = sink.describe("contacts").stream().filter(c -> c.property().equals(STAGE))
        .map(ColumnMapping::column).findFirst()
        .orElseThrow(() -> new IllegalStateException("the contacts table has no column for " + STAGE));
    Map<String, Long> perStage = new TreeMap<>();
    for (Map<String, Object> row : table.rows()) {
      if (!Boolean.TRUE.equals(row.get(SystemColumns.ARCHIVED))) {
        Object stage = row.get(stageColumn);
        perStage.merge(stage == null ? "(none)" : stage.toString(), 1L, Long::sum);
      }
    }
    return new Result(report, perStage);
  }
}
