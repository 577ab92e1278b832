package dev.hubspotsync.snowflake.standin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole translation the stand-in applies before DuckDB runs a statement: table-driven, on the
 * text outside quoted identifiers and string literals, and small on purpose (docs/snowflake.md
 * lists it). Everything else runs verbatim; DuckDB executes Snowflake's {@code MERGE … USING (…
 * QUALIFY …)}, {@code ADD COLUMN IF NOT EXISTS}, {@code RENAME COLUMN} and transactions as they are.
 * What it cannot run faithfully it refuses with {@link Unsupported}. Stateless.
 */
public final class SnowflakeToDuckDb {
  /** Type names and functions DuckDB spells differently, applied in order. */
  static final Map<Pattern, String> REWRITES = new LinkedHashMap<>();

  static {
    REWRITES.put(Pattern.compile("(?i)\\bNUMBER\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)"), "DECIMAL($1,$2)");
    REWRITES.put(Pattern.compile("(?i)\\bNUMBER\\b(?!\\s*\\()"), "DECIMAL(38,0)");
    REWRITES.put(Pattern.compile("(?i)\\bTIMESTAMP_(?:TZ|LTZ)\\b"), "TIMESTAMPTZ");
    REWRITES.put(Pattern.compile("(?i)\\bTIMESTAMP_NTZ\\b"), "TIMESTAMP");
    // Snowflake's FLOAT, FLOAT4, FLOAT8 and REAL are all 64-bit; DuckDB's FLOAT and REAL are 32-bit.
    REWRITES.put(Pattern.compile("(?i)\\b(?:FLOAT[48]?|REAL)\\b"), "DOUBLE");
    REWRITES.put(Pattern.compile("(?i)\\bCURRENT_TIMESTAMP\\s*\\(\\s*\\)"), "current_timestamp");
    REWRITES.put(Pattern.compile("(?i)\\bDATE_PART\\s*\\(\\s*EPOCH_MICROSECONDS?\\s*,"), "epoch_us(");
  }

  /** Snowflake SQL the stand-in does not run, for it would not behave as Snowflake does. */
  private static final List<Pattern> REFUSED = List.of(
      Pattern.compile("(?i)\\bVARIANT\\b|\\bOBJECT\\b|\\bARRAY\\b|PARSE_JSON|\\bIFF\\s*\\(|\\bNVL\\s*\\("),
      Pattern.compile("(?i)\\bCLONE\\b|\\bUNDROP\\b|\\bAT\\s*\\(\\s*(?:TIMESTAMP|OFFSET)"),
      Pattern.compile("(?i)\\bINSERT\\s+(?:ALL|FIRST)\\b|\\bTRUNCATE\\b"));

  private static final Pattern CREATE_LIKE = Pattern.compile("(?is)^\\s*CREATE\\b[^(]*\\bLIKE\\b");
  private static final Pattern CREATE_TEMP = Pattern.compile(
      "(?is)^\\s*CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:LOCAL\\s+)?TEMP(?:ORARY)?\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?"
          + "(\"(?:[^\"]|\"\")+\")\\.(\"(?:[^\"]|\"\")+\")(.*)$");
  private static final Pattern COPY = Pattern.compile(
      "(?is)^\\s*COPY\\s+INTO\\s+(.+?)\\s*\\((.+)\\)\\s*FROM\\s+@~/(\\S+)\\s+FILE_FORMAT\\s*=\\s*\\((.*)\\)\\s*(.*?)\\s*$");
  private static final Pattern OPTION = Pattern.compile(
      "(?is)\\s*(\\w+)\\s*=\\s*('(?:[^'\\\\]|\\\\.|'')*'|\\(\\s*\\)|\\w+)");
  /** The file format options the stand-in reads as Snowflake would, with the only value it supports. */
  private static final Map<String, String> FILE_FORMAT = Map.of("TYPE", "CSV", "COMPRESSION", "GZIP",
      "FIELD_DELIMITER", "','", "FIELD_OPTIONALLY_ENCLOSED_BY", "'\"'", "EMPTY_FIELD_AS_NULL", "TRUE",
      "NULL_IF", "()", "ESCAPE_UNENCLOSED_FIELD", "NONE", "SKIP_HEADER", "0", "DATE_FORMAT", "'YYYY-MM-DD'",
      "TIMESTAMP_FORMAT", "'YYYY-MM-DD\"T\"HH24:MI:SS.FF6TZH:TZM'");
  private static final Map<String, String> COPY_OPTIONS = Map.of("ON_ERROR", "ABORT_STATEMENT", "PURGE", "TRUE");

  private SnowflakeToDuckDb() {}

  /** A statement the stand-in will not run: it names the construct and why. */
  public static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsupported(String message) {
      super("The Snowflake stand-in cannot execute this faithfully: " + message);
    }
  }

  /** A Snowflake temporary table as DuckDB keeps it: in the connection's own {@code temp} catalog. */
  public record TempTable(String qualified, String duck) {}

  /** The rewrites, outside quoted identifiers, string literals and {@code $$} blocks; refused constructs throw. */
  public static String translate(String sql, List<TempTable> tempTables) {
    if (CREATE_LIKE.matcher(sql).find()) {
      throw new Unsupported("CREATE TABLE … LIKE (DuckDB has no LIKE form; the sink never sends one)");
    }
    StringBuilder out = new StringBuilder(sql.length());
    int i = 0;
    while (i < sql.length()) {
      int next = nextQuoted(sql, i);
      out.append(plain(sql.substring(i, next)));
      if (next == sql.length()) {
        break;
      }
      int end = quotedEnd(sql, next);
      out.append(sql, next, end);
      i = end;
    }
    String translated = out.toString();
    for (TempTable temp : tempTables) {
      translated = translated.replace(temp.qualified(), temp.duck());
    }
    return translated;
  }

  /**
   * {@code CREATE TEMPORARY TABLE "schema"."name" …} as DuckDB takes it (temporary tables live in
   * DuckDB's {@code temp} catalog, not in a schema); null when the statement is not one.
   */
  public static TempTable tempTable(String sql) {
    Matcher m = CREATE_TEMP.matcher(sql);
    return m.matches() ? new TempTable(m.group(2) + "." + m.group(3), "temp.main." + m.group(3)) : null;
  }

  /** The CREATE TEMPORARY TABLE statement without its schema, for DuckDB. */
  public static String createTemp(String sql) {
    Matcher m = CREATE_TEMP.matcher(sql);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a CREATE TEMPORARY TABLE: " + sql);
    }
    return "CREATE TEMPORARY TABLE " + (m.group(1) == null ? "" : "IF NOT EXISTS ") + m.group(3) + m.group(4);
  }

  /** A {@code COPY INTO table (columns) FROM @~/folder/ FILE_FORMAT = (…) …} from the user stage. */
  public record Copy(String table, List<String> columns, String folder) {
    /** The DuckDB statement: the folder's gzip CSV files read as text, cast to the columns by INSERT. */
    public String insert(Path stageFolder) {
      StringBuilder types = new StringBuilder();
      for (int i = 0; i < columns.size(); i++) {
        types.append(i == 0 ? "" : ", ").append("'c").append(i).append("': 'VARCHAR'");
      }
      String files = stageFolder.resolve("*").toString().replace("'", "''");
      return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") SELECT * FROM read_csv('" + files
          + "', header = false, auto_detect = false, columns = {" + types + "}, delim = ',', quote = '\"', "
          + "escape = '\"', allow_quoted_nulls = false, compression = 'gzip', strict_mode = true)";
    }
  }

  /** Parses a COPY INTO; refuses stages other than the user stage and options it does not read as Snowflake does. */
  public static Copy copy(String sql) {
    Matcher m = COPY.matcher(sql);
    if (!m.matches()) {
      throw new Unsupported("only COPY INTO <table> (<columns>) FROM @~/<folder>/ FILE_FORMAT = (…) is supported: "
          + sql);
    }
    checkOptions("file format option", m.group(4), FILE_FORMAT);
    checkOptions("copy option", m.group(5), COPY_OPTIONS);
    List<String> columns = new ArrayList<>();
    for (String column : splitColumns(m.group(2))) {
      columns.add(column.strip());
    }
    return new Copy(m.group(1).strip(), columns, m.group(3));
  }

  private static void checkOptions(String what, String text, Map<String, String> supported) {
    Matcher m = OPTION.matcher(text);
    int at = 0;
    while (at < text.length() && m.find(at) && m.start() == at) {
      String key = m.group(1).toUpperCase(Locale.ROOT);
      String value = m.group(2);
      String expected = supported.get(key);
      if (expected == null || !expected.equalsIgnoreCase(value.replaceAll("\\s+", ""))
          && !expected.equalsIgnoreCase(value)) {
        throw new Unsupported("the " + what + " " + key + " = " + value + " (supported: " + supported + ")");
      }
      at = m.end();
    }
    if (!text.substring(at).isBlank()) {
      throw new Unsupported("the " + what + "s '" + text.substring(at).strip() + "'");
    }
  }

  /** Column names separated by commas, commas inside quoted names kept. */
  private static List<String> splitColumns(String list) {
    List<String> columns = new ArrayList<>();
    int start = 0;
    boolean quoted = false;
    for (int i = 0; i < list.length(); i++) {
      char c = list.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        columns.add(list.substring(start, i));
        start = i + 1;
      }
    }
    columns.add(list.substring(start));
    return columns;
  }

  /** The statements of an {@code EXECUTE IMMEDIATE $$ BEGIN …; …; END; $$} block, or null when it is not one. */
  public static List<String> scriptStatements(String sql) {
    Matcher m = Pattern.compile("(?is)^\\s*EXECUTE\\s+IMMEDIATE\\s+\\$\\$\\s*BEGIN\\b(.*)\\bEND\\s*;?\\s*\\$\\$\\s*$")
        .matcher(sql);
    if (!m.matches()) {
      return null;
    }
    List<String> statements = new ArrayList<>();
    int start = 0;
    String body = m.group(1);
    int i = 0;
    while (i < body.length()) {
      char c = body.charAt(i);
      if (c == '"' || c == '\'') {
        i = quotedEnd(body, i);
        continue;
      }
      if (c == ';') {
        statements.add(body.substring(start, i).strip());
        start = i + 1;
      }
      i++;
    }
    if (!body.substring(start).isBlank()) {
      throw new Unsupported("a Snowflake Scripting block with anything but plain statements: " + sql);
    }
    for (String statement : statements) {
      if (Pattern.compile("(?i)^(?:LET|IF|FOR|WHILE|RETURN|DECLARE|EXCEPTION|CASE|LOOP|REPEAT)\\b").matcher(statement)
          .find()) {
        throw new Unsupported("Snowflake Scripting control flow (" + statement + ")");
      }
    }
    return statements;
  }

  private static String plain(String text) {
    for (Pattern refused : REFUSED) {
      Matcher m = refused.matcher(text);
      if (m.find()) {
        throw new Unsupported("'" + m.group() + "' has no faithful DuckDB form here");
      }
    }
    String out = text;
    for (Map.Entry<Pattern, String> rewrite : REWRITES.entrySet()) {
      out = rewrite.getKey().matcher(out).replaceAll(rewrite.getValue());
    }
    return out;
  }

  private static int nextQuoted(String sql, int from) {
    for (int i = from; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '"' || c == '\'' || (c == '$' && i + 1 < sql.length() && sql.charAt(i + 1) == '$')) {
        return i;
      }
    }
    return sql.length();
  }

  private static int quotedEnd(String sql, int start) {
    if (sql.startsWith("$$", start)) {
      int end = sql.indexOf("$$", start + 2);
      if (end < 0) {
        throw new Unsupported("an unterminated $$ block");
      }
      return end + 2;
    }
    char quote = sql.charAt(start);
    int i = start + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (quote == '\'' && c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    throw new Unsupported("an unterminated " + (quote == '"' ? "quoted identifier" : "string literal"));
  }
}
