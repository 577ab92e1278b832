package dev.hubspotsync.snowflake;

import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.sql.Identifiers;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlDialect;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Snowflake's SQL for the kernel: tables qualified with the schema (the session's database), every
 * identifier double-quoted, {@code MERGE} for both upserts. Immutable.
 *
 * <p>Quoted identifiers are case-sensitive in Snowflake, so {@code "email"} and {@code "EMAIL"}
 * could be two columns. The sink still treats names that differ only in case as one name
 * ({@code foldsCase}): the column namer then never makes two such columns, which keeps every table
 * queryable by tools that upper-case names, and is what the local stand-in can check.
 */
final class SnowflakeDialect extends SqlDialect {
  /** Snowflake identifiers hold at most 255 characters; the kernel counts UTF-8 bytes, which is stricter. */
  static final Identifiers NAMES = new Identifiers("Snowflake", 255, "Snowflake keeps at most 255", true);
  /** Numbers HubSpot sends are doubles (Snowflake's FLOAT is 64-bit); legacy DECIMAL is the other sinks' (38,9). */
  static final Map<ColumnType, String> TYPES = Map.of(ColumnType.TEXT, "VARCHAR", ColumnType.DOUBLE, "FLOAT",
      ColumnType.DECIMAL, "NUMBER(38,9)", ColumnType.BOOLEAN, "BOOLEAN", ColumnType.DATE, "DATE",
      ColumnType.TIMESTAMP, "TIMESTAMP_TZ", ColumnType.BIGINT, "BIGINT");
  /** Run once on every connection the sink opens (a Snowflake session keeps them). */
  static final String SESSION_SETTINGS = "ALTER SESSION SET TIMEZONE = 'UTC', TIMESTAMP_TYPE_MAPPING = "
      + "'TIMESTAMP_TZ', QUERY_TAG = 'hubspot-sync'";

  private static final Pattern NOW = Pattern.compile("(?i)\\bnow\\(\\)");

  private final String schema;

  SnowflakeDialect(String schema) {
    super(NAMES, TYPES);
    this.schema = schema;
  }

  @Override
  public String qualified(String table) {
    return NAMES.quote(schema) + "." + NAMES.quote(table);
  }

  @Override
  public List<String> sessionSettings() {
    return List.of(SESSION_SETTINGS);
  }

  @Override
  public Sql schemaExists() {
    return Sql.of("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", schema);
  }

  @Override
  public String createSchema() {
    return "CREATE SCHEMA IF NOT EXISTS " + NAMES.quote(schema);
  }

  @Override
  public Sql relations() {
    return Sql.of("SELECT table_name FROM information_schema.tables WHERE table_schema = ?", schema);
  }

  @Override
  public String epochMicros(String expression) {
    return "DATE_PART(EPOCH_MICROSECOND, " + expression + ")";
  }

  @Override
  public String addColumn(String table, String column, ColumnType type) {
    return "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + NAMES.quote(column) + " " + typeName(type);
  }

  /**
   * Snowflake cannot retype a {@code NUMBER} column as {@code FLOAT} in place, so one Snowflake
   * Scripting block adds a {@code FLOAT} column, copies the values, drops the old column and renames
   * the new one. The column moves to the end of the table.
   */
  @Override
  public String alterColumnType(String table, String column, ColumnType type) {
    String quoted = NAMES.quote(column);
    String temporary = NAMES.quote("_hubspot_sync_retype_" + Integer.toHexString(column.hashCode()));
    return "EXECUTE IMMEDIATE $$\nBEGIN\n"
        + "  ALTER TABLE " + table + " ADD COLUMN " + temporary + " " + typeName(type) + ";\n"
        + "  UPDATE " + table + " SET " + temporary + " = CAST(" + quoted + " AS " + typeName(type) + ");\n"
        + "  ALTER TABLE " + table + " DROP COLUMN " + quoted + ";\n"
        + "  ALTER TABLE " + table + " RENAME COLUMN " + temporary + " TO " + quoted + ";\n"
        + "END;\n$$";
  }

  /**
   * {@code MERGE} with the never-older guard, reading the staged rows newest first per id
   * ({@code QUALIFY}), so a load of several batches that hold one id twice merges its newest version
   * and never trips Snowflake's nondeterministic-merge error.
   */
  @Override
  public String upsert(String table, String source, List<String> columns) {
    String id = NAMES.quote(SystemColumns.ID);
    String updatedAt = NAMES.quote(SystemColumns.UPDATED_AT);
    String list = columns.stream().map(NAMES::quote).collect(Collectors.joining(", "));
    return "MERGE INTO " + table + " AS t USING (SELECT " + list + " FROM " + source + " QUALIFY ROW_NUMBER() OVER "
        + "(PARTITION BY " + id + " ORDER BY " + updatedAt + " DESC NULLS LAST) = 1) AS s ON t." + id + " = s." + id
        + " WHEN MATCHED AND (t." + updatedAt + " IS NULL OR t." + updatedAt + " <= s." + updatedAt
        + ") THEN UPDATE SET "
        + columns.stream().filter(c -> !c.equals(SystemColumns.ID)).map(NAMES::quote).map(c -> c + " = s." + c)
            .collect(Collectors.joining(", "))
        + " WHEN NOT MATCHED THEN INSERT (" + list + ") VALUES ("
        + columns.stream().map(NAMES::quote).map(c -> "s." + c).collect(Collectors.joining(", ")) + ")";
  }

  /** Snowflake has no {@code ON CONFLICT}: a one-row {@code MERGE}. */
  @Override
  public String upsertRow(String table, List<String> columns, List<String> values) {
    StringBuilder select = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      select.append(i == 0 ? "" : ", ").append(currentTimestamp(values.get(i))).append(" AS ").append(columns.get(i));
    }
    String key = columns.get(0);
    return "MERGE INTO " + table + " AS t USING (SELECT " + select + ") AS s ON t." + key + " = s." + key
        + " WHEN MATCHED THEN UPDATE SET "
        + columns.stream().skip(1).map(c -> c + " = s." + c).collect(Collectors.joining(", "))
        + " WHEN NOT MATCHED THEN INSERT (" + String.join(", ", columns) + ") VALUES ("
        + columns.stream().map(c -> "s." + c).collect(Collectors.joining(", ")) + ")";
  }

  /**
   * The kernel writes {@code now()}, which Snowflake does not have: replaced by
   * {@code CURRENT_TIMESTAMP()} outside quoted identifiers and string literals.
   */
  static String currentTimestamp(String sql) {
    StringBuilder out = new StringBuilder(sql.length() + 16);
    int plain = 0;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '"' || c == '\'') {
        out.append(NOW.matcher(sql.substring(plain, i)).replaceAll("CURRENT_TIMESTAMP()"));
        int end = i + 1;
        while (end < sql.length() && !(sql.charAt(end) == c && (end + 1 >= sql.length() || sql.charAt(end + 1) != c))) {
          end += sql.charAt(end) == c ? 2 : 1; // a doubled quote stays inside
        }
        end = Math.min(end + 1, sql.length());
        out.append(sql, i, end);
        plain = end;
        i = end - 1;
      }
    }
    return out.append(NOW.matcher(sql.substring(plain)).replaceAll("CURRENT_TIMESTAMP()")).toString();
  }
}
