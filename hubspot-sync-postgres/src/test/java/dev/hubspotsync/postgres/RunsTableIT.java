package dev.hubspotsync.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.ApiCall;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunsTableIT extends SinkTestBase {
  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

  @Test
  void oneRowPerRun() {
    SyncReport first = report("run-1", START.plusSeconds(60), 10, 8);
    sink.recordRun(first);
    sink.recordRun(report("run-2", START.plusSeconds(120), 5, 5));
    sink.recordRun(report("run-1", START.plusSeconds(90), 11, 9)); // the same run again: its row is replaced
    List<Map<String, Object>> runs = TestPostgres.query("SELECT run_id, started_at, finished_at, rows_read, "
        + "rows_written, rows_skipped_older, calls::text AS calls, streams->0->>'objectType' AS first_type, "
        + "streams->0->>'duration' AS duration, budget_daily_ceiling FROM " + TestPostgres.quote(schema)
        + "._hubspot_sync_runs ORDER BY run_id");
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0)).containsEntry("run_id", "run-1").containsEntry("started_at", START)
        .containsEntry("finished_at", START.plusSeconds(90)).containsEntry("rows_read", 22L)
        .containsEntry("rows_written", 18L).containsEntry("rows_skipped_older", 2L)
        .containsEntry("first_type", "contacts").containsEntry("duration", "PT1M30S")
        .containsEntry("budget_daily_ceiling", 500_000L);
    assertThat((String) runs.get(0).get("calls")).contains("\"SEARCH\": 7");
    assertThat(runs.get(1)).containsEntry("run_id", "run-2").containsEntry("rows_read", 10L);
  }

  @Test
  void lastRunIsTheReportOfTheRunThatStartedLast() {
    assertThat(sink.lastRun()).isEmpty();
    SyncReport first = report("run-1", START.plusSeconds(60), 10, 8);
    SyncReport second = report("run-2", START.plusSeconds(120), 5, 5);
    sink.recordRun(second);
    sink.recordRun(first); // both started at START: the one recorded last wins
    assertThat(sink.lastRun()).contains(first);
  }

  @Test
  void nulEscapesAreDroppedFromTheJson_escapedBackslashesStay() {
    assertThat(PostgresDialect.withoutNul("{\"a\":\"x\\u0000y\\\\u0000z\\\\\\u0000\"}"))
        .isEqualTo("{\"a\":\"xy\\\\u0000z\\\\\"}");
  }

  /** A report with two streams, built by component name so it survives new report fields. */
  static SyncReport report(String runId, Instant finished, long read, long written) {
    Map<String, Object> stream = new HashMap<>();
    stream.put("mode", "backfill");
    stream.put("rowsRead", read);
    stream.put("rowsWritten", written);
    stream.put("rowsSkippedOlder", 1L);
    stream.put("drift", List.of("contacts: added x (TEXT)"));
    stream.put("checkpoint", "{}");
    stream.put("duration", Duration.ofSeconds(90));
    stream.put("objectType", "contacts");
    SyncReport.StreamReport contacts = build(SyncReport.StreamReport.class, stream);
    stream.put("objectType", "deals");
    SyncReport.StreamReport deals = build(SyncReport.StreamReport.class, stream);
    Map<String, Object> run = new HashMap<>();
    run.put("runId", runId);
    run.put("startedAt", START);
    run.put("finishedAt", finished);
    run.put("outcome", "succeeded");
    run.put("streams", List.of(contacts, deals));
    run.put("calls", Map.of(ApiCall.SEARCH, 7L, ApiCall.PROPERTIES, 2L));
    run.put("budgetUsedToday", 1_234L);
    run.put("budgetDailyCeiling", 500_000L);
    run.put("budgetResetsAt", START.plusSeconds(86_400));
    return build(SyncReport.class, run);
  }

  private static <T> T build(Class<T> type, Map<String, Object> values) {
    RecordComponent[] components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      Object value = values.get(components[i].getName());
      if (value == null && types[i] == long.class) {
        value = 0L;
      } else if (value == null && types[i] == List.class) {
        value = List.of();
      } else if (value == null && types[i] == Map.class) {
        value = Map.of();
      }
      args[i] = value;
    }
    try {
      return type.getDeclaredConstructor(types).newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
