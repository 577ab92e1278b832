package dev.hubspotsync.sql;

import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.SystemColumns;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What SQL text a warehouse needs: its identifiers and type names, where its tables live, the
 * guarded upsert, {@code ADD COLUMN}, and the session settings every unit of work runs with. The
 * defaults are the PostgreSQL forms that DuckDB shares; a warehouse overrides what differs
 * (BigQuery: {@code MERGE} for both upserts). Immutable and thread-safe.
 */
public interface SqlDialect {
  /** Quoting, length and case rules. */
  Identifiers identifiers();

  /** The table's name, quoted and qualified with the schema (and catalog, where there is one). */
  String qualified(String table);

  /** The warehouse's name for a column type; {@code TIMESTAMP} is a UTC timestamp type. */
  String typeName(ColumnType type);

  /** The type of the JSON columns of {@code _hubspot_sync_runs}; a text type will do. */
  default String jsonType() {
    return typeName(ColumnType.TEXT);
  }

  /** Statements every unit of work runs first: at least the session time zone set to UTC. */
  List<String> sessionSettings();

  /** A query with a row when the sink's schema exists. */
  Sql schemaExists();

  /** Creates the sink's schema. */
  String createSchema();

  /** A query of the names of every relation in the sink's schema (one text column). */
  Sql relations();

  /** The expression's {@code TIMESTAMP} value as microseconds since the epoch, a {@code BIGINT}. */
  String epochMicros(String expression);

  default String addColumn(String table, String column, ColumnType type) {
    return "ALTER TABLE " + table + " ADD COLUMN " + identifiers().quote(column) + " " + typeName(type);
  }

  default String alterColumnType(String table, String column, ColumnType type) {
    return "ALTER TABLE " + table + " ALTER COLUMN " + identifiers().quote(column) + " TYPE " + typeName(type);
  }

  /**
   * Upserts the rows of {@code source} into {@code table} by {@code id}, replacing a stored row only
   * when its {@code _hs_updated_at} is null or not newer than the incoming one (invariant 2); the
   * statement's count is the rows inserted or replaced. By default {@code INSERT … ON CONFLICT (id)
   * DO UPDATE … WHERE}.
   *
   * @param columns the batch's column names, unquoted, {@code id} among them
   */
  default String upsert(String table, String source, List<String> columns) {
    Identifiers names = identifiers();
    String list = columns.stream().map(names::quote).collect(Collectors.joining(", "));
    String updatedAt = names.quote(SystemColumns.UPDATED_AT);
    return "INSERT INTO " + table + " AS t (" + list + ") SELECT " + list + " FROM " + source
        + " ON CONFLICT (" + names.quote(SystemColumns.ID) + ") DO UPDATE SET "
        + columns.stream().filter(c -> !c.equals(SystemColumns.ID))
            .map(c -> names.quote(c) + " = EXCLUDED." + names.quote(c)).collect(Collectors.joining(", "))
        + " WHERE t." + updatedAt + " IS NULL OR t." + updatedAt + " <= EXCLUDED." + updatedAt;
  }

  /**
   * Inserts one row, or replaces every other column of the row with the same {@code key}
   * (the kernel's own tables). By default {@code INSERT … VALUES … ON CONFLICT DO UPDATE}.
   *
   * @param columns unquoted names, the key first
   * @param values SQL expressions, one per column ({@code ?}, {@code now()}, …)
   */
  default String upsertRow(String table, List<String> columns, List<String> values) {
    return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES (" + String.join(", ", values)
        + ") ON CONFLICT (" + columns.get(0) + ") DO UPDATE SET "
        + columns.stream().skip(1).map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
  }

  /** JSON text as the JSON columns take it (PostgreSQL's JSONB refuses escaped NUL characters). */
  default String jsonText(String json) {
    return json;
  }
}
