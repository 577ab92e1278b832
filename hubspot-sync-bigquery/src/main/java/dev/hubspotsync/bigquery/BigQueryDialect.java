package dev.hubspotsync.bigquery;

import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.sql.Identifiers;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlDialect;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * BigQuery's SQL: {@code STRING}, {@code FLOAT64}, {@code BOOL}, {@code DATE}, {@code TIMESTAMP},
 * {@code INT64} and {@code NUMERIC} (38 digits, 9 after the point: the other sinks'
 * {@code DECIMAL(38,9)}); names in backticks, compared without case, at most 300 characters; both
 * upserts as {@code MERGE}. The kernel writes its own statements in a portable spelling (double-quoted
 * names, {@code BIGINT}, {@code now()}, enforced keys); {@link #spell} turns them into BigQuery's.
 * Immutable and thread-safe.
 */
final class BigQueryDialect extends SqlDialect {
  static final Identifiers NAMES = new Identifiers("BigQuery", 300, "BigQuery keeps at most 300 characters", true);
  private static final Pattern PRIMARY_KEY_COLUMN = Pattern.compile("^(\\s*(`[^`]+`|\\w+)\\s+\\w+) PRIMARY KEY$");
  private static final Pattern PRIMARY_KEY_TABLE = Pattern.compile("^\\s*PRIMARY KEY \\(([^)]*)\\)$");
  private static final Pattern NOT_NULL_DEFAULT = Pattern.compile("NOT NULL DEFAULT (CURRENT_TIMESTAMP\\(\\)|FALSE|TRUE)");

  private final String project;
  private final String dataset;

  BigQueryDialect(String project, String dataset) {
    super(NAMES, Map.of(ColumnType.TEXT, "STRING", ColumnType.DOUBLE, "FLOAT64", ColumnType.BOOLEAN, "BOOL",
        ColumnType.DATE, "DATE", ColumnType.TIMESTAMP, "TIMESTAMP", ColumnType.BIGINT, "INT64",
        ColumnType.DECIMAL, "NUMERIC"));
    this.project = project;
    this.dataset = dataset;
  }

  /** {@code `project.dataset.table`}: one quoted path, as BigQuery takes it. */
  @Override
  public String qualified(String table) {
    NAMES.check(table, "table name");
    return backticks(project + "." + dataset + "." + table);
  }

  /** BigQuery's {@code TIMESTAMP} is an instant and its default time zone UTC: no statement needed. */
  @Override
  public List<String> sessionSettings() {
    return List.of();
  }

  /** The sink creates the dataset itself, in its location, before the kernel asks (see BigQuerySink). */
  @Override
  public Sql schemaExists() {
    return Sql.of("SELECT 1");
  }

  @Override
  public String createSchema() {
    return "CREATE SCHEMA IF NOT EXISTS " + backticks(project + "." + dataset);
  }

  @Override
  public Sql relations() {
    return Sql.of("SELECT table_name FROM " + backticks(project + "." + dataset + ".INFORMATION_SCHEMA.TABLES"));
  }

  @Override
  public String epochMicros(String expression) {
    return "UNIX_MICROS(" + expression + ")";
  }

  @Override
  public String addColumn(String table, String column, ColumnType type) {
    return "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + NAMES.quote(column) + " " + typeName(type);
  }

  @Override
  public String alterColumnType(String table, String column, ColumnType type) {
    return "ALTER TABLE " + table + " ALTER COLUMN " + NAMES.quote(column) + " SET DATA TYPE " + typeName(type);
  }

  /**
   * One {@code MERGE} from the stage, de-duplicated by id (the newest row wins), guarded so a stored
   * row is replaced only by one at least as new (a stored null is older than anything).
   */
  @Override
  public String upsert(String table, String source, List<String> columns) {
    return merge(table, "(SELECT * FROM " + source + " WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY "
        + NAMES.quote(SystemColumns.ID) + " ORDER BY " + NAMES.quote(SystemColumns.UPDATED_AT) + " DESC) = 1)",
        columns);
  }

  /**
   * The guarded {@code MERGE} of coalesced loads: several batches staged together, the newest row of
   * each id wins and, between rows of one modified date, the one staged last ({@code order}, a
   * column of the stage that is not copied).
   */
  String upsertCoalesced(String table, String stage, String order, List<String> columns) {
    return merge(table, "(SELECT * FROM " + stage + " WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY "
        + NAMES.quote(SystemColumns.ID) + " ORDER BY " + NAMES.quote(SystemColumns.UPDATED_AT) + " DESC, "
        + NAMES.quote(order) + " DESC) = 1)", columns);
  }

  private static String merge(String table, String source, List<String> columns) {
    String updatedAt = NAMES.quote(SystemColumns.UPDATED_AT);
    String id = NAMES.quote(SystemColumns.ID);
    String list = columns.stream().map(NAMES::quote).collect(Collectors.joining(", "));
    return "MERGE " + table + " T USING " + source + " S ON T." + id + " = S." + id
        + " WHEN MATCHED AND (T." + updatedAt + " IS NULL OR T." + updatedAt + " <= S." + updatedAt + ") THEN UPDATE SET "
        + columns.stream().filter(c -> !c.equals(SystemColumns.ID)).map(NAMES::quote)
            .map(c -> c + " = S." + c).collect(Collectors.joining(", "))
        + " WHEN NOT MATCHED THEN INSERT (" + list + ") VALUES ("
        + columns.stream().map(NAMES::quote).map(c -> "S." + c).collect(Collectors.joining(", ")) + ")";
  }

  /** The kernel's own tables: a {@code MERGE} of one row keyed on the first column. */
  @Override
  public String upsertRow(String table, List<String> columns, List<String> values) {
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      row.append(i == 0 ? "" : ", ").append(values.get(i)).append(" AS ").append(columns.get(i));
    }
    String key = columns.get(0);
    return "MERGE " + table + " T USING (SELECT " + row + ") S ON T." + key + " = S." + key
        + " WHEN MATCHED THEN UPDATE SET " + columns.stream().skip(1).map(c -> c + " = S." + c)
            .collect(Collectors.joining(", "))
        + " WHEN NOT MATCHED THEN INSERT (" + String.join(", ", columns) + ") VALUES ("
        + columns.stream().map(c -> "S." + c).collect(Collectors.joining(", ")) + ")";
  }

  @Override
  public boolean keepsWholeReport() {
    return true;
  }

  /** A name or path in backticks; a backtick or backslash in it is escaped. */
  static String backticks(String name) {
    return '`' + name.replace("\\", "\\\\").replace("`", "\\`") + '`';
  }

  /**
   * The statement in BigQuery's spelling: double-quoted names in backticks, {@code BIGINT} and
   * {@code INTEGER} as {@code INT64}, {@code now()} as {@code CURRENT_TIMESTAMP()}; in
   * {@code CREATE TABLE}, keys {@code NOT ENFORCED} (BigQuery keeps them as hints; the kernel's
   * writes keep them true), no {@code UNIQUE}, {@code DEFAULT} before {@code NOT NULL}, and the table
   * clustered on its key's first column. Text in single quotes and backticks is left as it is.
   */
  static String spell(String sql) {
    StringBuilder out = new StringBuilder(sql.length() + 16);
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '"') {
        StringBuilder name = new StringBuilder();
        int j = i + 1;
        while (j < n) {
          char d = sql.charAt(j);
          if (d == '"') {
            if (j + 1 < n && sql.charAt(j + 1) == '"') {
              name.append('"');
              j += 2;
              continue;
            }
            break;
          }
          name.append(d);
          j++;
        }
        out.append(backticks(name.toString()));
        i = j + 1;
      } else if (c == '\'' || c == '`') {
        int j = i + 1;
        while (j < n && sql.charAt(j) != c) {
          j += sql.charAt(j) == '\\' ? 2 : 1;
        }
        out.append(sql, i, Math.min(j + 1, n));
        i = j + 1;
      } else if (Character.isLetter(c) && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
        int j = i;
        while (j < n && isWordChar(sql.charAt(j))) {
          j++;
        }
        String word = sql.substring(i, j);
        if (word.equalsIgnoreCase("BIGINT") || word.equalsIgnoreCase("INTEGER")) {
          out.append("INT64");
        } else if (word.equalsIgnoreCase("now") && sql.startsWith("()", j)) {
          out.append("CURRENT_TIMESTAMP");
        } else {
          out.append(word);
        }
        i = j;
      } else {
        out.append(c);
        i++;
      }
    }
    String text = out.toString();
    return text.startsWith("CREATE TABLE") ? createTable(text) : text;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  /** Keys not enforced, no {@code UNIQUE}, defaults before {@code NOT NULL}, clustered on the key. */
  private static String createTable(String text) {
    int open = text.indexOf('(');
    int close = text.lastIndexOf(')');
    String head = text.substring(0, open + 1);
    String tail = text.substring(close);
    List<String> elements = splitTopLevel(text.substring(open + 1, close));
    StringBuilder body = new StringBuilder();
    String key = null;
    for (String element : elements) {
      String e = NOT_NULL_DEFAULT.matcher(element.replace(" NOT NULL UNIQUE", " NOT NULL")).replaceAll("DEFAULT $1 NOT NULL");
      Matcher column = PRIMARY_KEY_COLUMN.matcher(e);
      Matcher table = PRIMARY_KEY_TABLE.matcher(e);
      if (column.matches()) {
        e = column.group(1);
        key = column.group(2);
      } else if (table.matches()) {
        key = table.group(1);
        continue;
      }
      body.append(body.length() == 0 ? "" : ",").append(e);
    }
    if (key != null) {
      body.append(", PRIMARY KEY (").append(key.trim()).append(") NOT ENFORCED");
    }
    String cluster = key == null ? "" : " CLUSTER BY " + key.split(",")[0].trim();
    return head + body + tail + cluster;
  }

  private static List<String> splitTopLevel(String list) {
    List<String> parts = new java.util.ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < list.length(); i++) {
      char c = list.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(list.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(list.substring(start));
    return parts;
  }
}
