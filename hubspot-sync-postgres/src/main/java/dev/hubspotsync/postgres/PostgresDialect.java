package dev.hubspotsync.postgres;

import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.sql.Identifiers;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlDialect;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** PostgreSQL's SQL for the kernel (one schema), lock keys and redacted URLs. Immutable. */
final class PostgresDialect extends SqlDialect {
  /** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
  static final Identifiers NAMES = new Identifiers("PostgreSQL", 63, "PostgreSQL keeps at most 63", false);
  private static final Pattern NUL_ESCAPE = Pattern.compile("(?<!\\\\)((?:\\\\\\\\)*)\\\\u0000");

  private final String schema;

  PostgresDialect(String schema) {
    super(NAMES, Map.of(ColumnType.TEXT, "TEXT", ColumnType.DOUBLE, "DOUBLE PRECISION", ColumnType.DECIMAL,
        "NUMERIC(38,9)", ColumnType.BOOLEAN, "BOOLEAN", ColumnType.DATE, "DATE", ColumnType.TIMESTAMP, "TIMESTAMPTZ",
        ColumnType.BIGINT, "BIGINT"));
    this.schema = schema;
  }

  @Override
  public String qualified(String table) {
    return NAMES.quote(schema) + "." + NAMES.quote(table);
  }

  @Override
  public String jsonType() {
    return "JSONB";
  }

  @Override
  public List<String> sessionSettings() {
    return List.of("SET LOCAL TIME ZONE 'UTC'");
  }

  @Override
  public Sql schemaExists() {
    return Sql.of("SELECT 1 FROM pg_namespace WHERE nspname = ?", schema);
  }

  @Override
  public String createSchema() {
    return "CREATE SCHEMA IF NOT EXISTS " + NAMES.quote(schema);
  }

  @Override
  public Sql relations() {
    return Sql.of("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?",
        schema);
  }

  @Override
  public String epochMicros(String expression) {
    return "CAST(EXTRACT(EPOCH FROM " + expression + ") * 1000000 AS BIGINT)";
  }

  @Override
  public String addColumn(String table, String column, ColumnType type) {
    return "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + NAMES.quote(column) + " " + typeName(type);
  }

  /** JSONB refuses escaped NUL characters: they are dropped. */
  @Override
  public String jsonText(String json) {
    return withoutNul(json);
  }

  /** JSON without escaped NUL characters (an escaped backslash followed by "u0000" stays). */
  static String withoutNul(String json) {
    return NUL_ESCAPE.matcher(json).replaceAll("$1");
  }

  /**
   * A 64-bit key for {@code pg_advisory_xact_lock}, the same in every JVM: writers of one table in
   * any process that uses this sink take the same lock.
   */
  static long lockKey(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("hubspot-sync".getBytes(StandardCharsets.UTF_8));
      for (String part : parts) {
        sha.update((byte) 0);
        sha.update(part.getBytes(StandardCharsets.UTF_8));
      }
      byte[] digest = sha.digest();
      long key = 0;
      for (int i = 0; i < 8; i++) {
        key = (key << 8) | (digest[i] & 0xff);
      }
      return key;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * A JDBC URL fit for messages: no user info, no query string (where PgJDBC takes
   * {@code password=}), e.g. {@code jdbc:postgresql://db.example.com:5432/warehouse}.
   */
  static String redact(String jdbcUrl) {
    if (jdbcUrl == null) {
      return "null";
    }
    String url = jdbcUrl;
    int query = url.indexOf('?');
    if (query >= 0) {
      url = url.substring(0, query) + "?…";
    }
    int scheme = url.indexOf("//");
    int at = url.lastIndexOf('@');
    if (scheme >= 0 && at > scheme) {
      url = url.substring(0, scheme + 2) + "…@" + url.substring(at + 1);
    }
    return url;
  }
}
