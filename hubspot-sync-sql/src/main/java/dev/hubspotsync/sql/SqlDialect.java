package dev.hubspotsync.sql;

import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.SystemColumns;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What SQL text a warehouse needs: its identifiers and type names, where its tables live, the
 * guarded upsert, {@code ADD COLUMN}, and the session settings every unit of work runs with. The
 * defaults are the PostgreSQL forms that DuckDB shares; a warehouse overrides what differs
 * (BigQuery: {@code MERGE} for both upserts). Subclasses are immutable and thread-safe.
 */
public abstract class SqlDialect {
  private final Identifiers identifiers;
  private final Map<ColumnType, String> typeNames;

  /**
   * @param typeNames the warehouse's name of every {@link ColumnType}; {@code TIMESTAMP} must be a
   *     UTC timestamp type
   * @throws IllegalArgumentException when a column type has no name
   */
  protected SqlDialect(Identifiers identifiers, Map<ColumnType, String> typeNames) {
    this.identifiers = identifiers;
    this.typeNames = new EnumMap<>(typeNames);
    for (ColumnType type : ColumnType.values()) {
      if (!typeNames.containsKey(type)) {
        throw new IllegalArgumentException(getClass().getSimpleName() + " has no type name for " + type);
      }
    }
  }

  /** Quoting, length and case rules. */
  public final Identifiers identifiers() {
    return identifiers;
  }

  /** The table's name, quoted and qualified with the schema (and catalog, where there is one). */
  public abstract String qualified(String table);

  /** The warehouse's name for a column type. */
  public final String typeName(ColumnType type) {
    return typeNames.get(type);
  }

  /** The type of the JSON columns of {@code _hubspot_sync_runs}; a text type will do. */
  public String jsonType() {
    return typeName(ColumnType.TEXT);
  }

  /** Statements every unit of work runs first: at least the session time zone set to UTC. */
  public abstract List<String> sessionSettings();

  /** A query with a row when the sink's schema exists. */
  public abstract Sql schemaExists();

  /** Creates the sink's schema. */
  public abstract String createSchema();

  /** A query of the names of every relation in the sink's schema (one text column). */
  public abstract Sql relations();

  /** The expression's {@code TIMESTAMP} value as microseconds since the epoch, a {@code BIGINT}. */
  public abstract String epochMicros(String expression);

  public String addColumn(String table, String column, ColumnType type) {
    return "ALTER TABLE " + table + " ADD COLUMN " + identifiers().quote(column) + " " + typeName(type);
  }

  /** Adds the column unless the table has it (the sink's lazily added system columns). */
  public String addColumnIfAbsent(String table, String column, ColumnType type) {
    return "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + identifiers().quote(column) + " " + typeName(type);
  }

  public String alterColumnType(String table, String column, ColumnType type) {
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
  public String upsert(String table, String source, List<String> columns) {
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
  public String upsertRow(String table, List<String> columns, List<String> values) {
    return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES (" + String.join(", ", values)
        + ") ON CONFLICT (" + columns.get(0) + ") DO UPDATE SET "
        + columns.stream().skip(1).map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
  }

  /**
   * Whether {@code _hubspot_sync_runs} also keeps the whole report as JSON (column {@code report}),
   * which {@code lastRun()} then reads; otherwise the report is rebuilt from the row's columns.
   */
  public boolean keepsWholeReport() {
    return false;
  }

  /** JSON text as the JSON columns take it (PostgreSQL's JSONB refuses escaped NUL characters). */
  public String jsonText(String json) {
    return json;
  }
}
