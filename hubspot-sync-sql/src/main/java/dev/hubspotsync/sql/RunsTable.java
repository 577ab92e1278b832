package dev.hubspotsync.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.ColumnType;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The {@code _hubspot_sync_runs} table: one row per run, read back into its report. Thread-safe. */
final class RunsTable {
  static final String TABLE = "_hubspot_sync_runs";
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
  private static final List<String> COLUMNS = List.of("run_id", "started_at", "finished_at", "outcome", "rows_read",
      "rows_written", "rows_skipped_older", "calls", "streams", "associations", "budget_used_today",
      "budget_daily_ceiling", "budget_resets_at");
  private static final List<String> JSON_COLUMNS = List.of("calls", "streams", "associations", "report");

  private final SqlDialect dialect;
  private final String table;
  /** The columns of a row, {@code report} among them where the dialect keeps the whole report. */
  private final List<String> columns;

  RunsTable(SqlDialect dialect, String prefix) {
    this.dialect = dialect;
    this.table = dialect.qualified(prefix + TABLE);
    List<String> all = new ArrayList<>(COLUMNS);
    if (dialect.keepsWholeReport()) {
      all.add("report");
    }
    all.add("recorded_at");
    this.columns = List.copyOf(all);
  }

  String table() {
    return table;
  }

  void create(SqlUnit unit) throws SQLException {
    String text = dialect.typeName(ColumnType.TEXT);
    String time = dialect.typeName(ColumnType.TIMESTAMP);
    String json = dialect.jsonType();
    unit.execute(Sql.of("CREATE TABLE IF NOT EXISTS " + table + " (run_id " + text + " PRIMARY KEY, started_at "
        + time + ", finished_at " + time + ", outcome " + text + ", rows_read BIGINT, rows_written BIGINT, "
        + "rows_skipped_older BIGINT, calls " + json + ", streams " + json + ", associations " + json
        + ", budget_used_today BIGINT, budget_daily_ceiling BIGINT, budget_resets_at " + time
        + (dialect.keepsWholeReport() ? ", report " + json : "") + ", recorded_at " + time + " NOT NULL)"));
  }

  /** The statement that upserts the report's row, keyed on the run id. */
  Sql upsert(SyncReport report) {
    JsonNode json = JSON.valueToTree(report);
    long read = 0;
    long written = 0;
    long skipped = 0;
    for (SyncReport.StreamReport stream : report.streams()) {
      read += stream.rowsRead();
      written += stream.rowsWritten();
      skipped += stream.rowsSkippedOlder();
    }
    List<String> values = new ArrayList<>();
    for (String column : columns) {
      values.add(column.equals("recorded_at") ? "now()"
          : JSON_COLUMNS.contains(column) ? "CAST(? AS " + dialect.jsonType() + ")" : "?");
    }
    List<Object> params = new ArrayList<>(Arrays.asList(report.runId(), report.startedAt(), report.finishedAt(),
        json.hasNonNull("outcome") ? json.get("outcome").asText() : null, read, written, skipped,
        text(json.get("calls")), text(json.get("streams")), text(json.get("associations")), report.budgetUsedToday(),
        report.budgetDailyCeiling(), report.budgetResetsAt()));
    if (dialect.keepsWholeReport()) {
      params.add(text(json));
    }
    return new Sql(dialect.upsertRow(table, columns, values), params);
  }

  private String text(JsonNode json) {
    if (json == null || json.isNull()) {
      return null;
    }
    try {
      return dialect.jsonText(JSON.writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a run report as JSON", e);
    }
  }

  /** The report of the row that started last. */
  Optional<SyncReport> last(SqlUnit unit) throws SQLException {
    if (dialect.keepsWholeReport()) {
      List<Object[]> rows = unit.rows(Sql.of("SELECT run_id, report FROM " + table
          + " ORDER BY started_at DESC NULLS LAST, recorded_at DESC LIMIT 1"));
      try {
        return rows.isEmpty() ? Optional.empty() : Optional.of(JSON.readValue((String) rows.get(0)[1], SyncReport.class));
      } catch (JsonProcessingException e) {
        throw unreadable(rows.get(0)[0], e);
      }
    }
    String text = dialect.typeName(ColumnType.TEXT);
    List<Object[]> rows = unit.rows(Sql.of("SELECT run_id, " + dialect.epochMicros("started_at") + ", "
        + dialect.epochMicros("finished_at") + ", outcome, CAST(calls AS " + text + "), CAST(streams AS " + text
        + "), CAST(associations AS " + text + "), budget_used_today, budget_daily_ceiling, "
        + dialect.epochMicros("budget_resets_at") + " FROM " + table
        + " ORDER BY started_at DESC NULLS LAST, recorded_at DESC LIMIT 1"));
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Object[] row = rows.get(0);
    ObjectNode json = JSON.createObjectNode();
    json.put("runId", (String) row[0]);
    json.put("startedAt", instantText(row[1]));
    json.put("finishedAt", instantText(row[2]));
    json.put("outcome", (String) row[3]);
    try {
      json.set("calls", readJson(row[4]));
      json.set("streams", readJson(row[5]));
      json.set("associations", readJson(row[6]));
      json.put("budgetUsedToday", ((Number) row[7]).longValue());
      json.put("budgetDailyCeiling", ((Number) row[8]).longValue());
      json.put("budgetResetsAt", instantText(row[9]));
      return Optional.of(JSON.treeToValue(json, SyncReport.class));
    } catch (JsonProcessingException e) {
      throw unreadable(row[0], e);
    }
  }

  private WarehouseException unreadable(Object runId, JsonProcessingException e) {
    return new WarehouseException("The last row of " + table + " (run " + runId
        + ") is not a report this version can read: " + e.getOriginalMessage(), null, false, e);
  }

  private static String instantText(Object micros) {
    return micros == null ? null : Instant.EPOCH.plus(((Number) micros).longValue(), ChronoUnit.MICROS).toString();
  }

  private static JsonNode readJson(Object text) throws JsonProcessingException {
    return text == null ? null : JSON.readTree((String) text);
  }
}
