package dev.hubspotsync.postgres;

import dev.hubspotsync.batch.ColumnType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** PostgreSQL identifiers, type names and lock keys. Stateless. */
final class PgNames {
  /** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
  static final int MAX_IDENTIFIER_BYTES = 63;

  private PgNames() {}

  /**
   * The identifier in double quotes, inner quotes doubled: safe whatever it holds.
   *
   * @throws IllegalArgumentException when it is empty, holds a NUL or is longer than 63 UTF-8 bytes
   *     (PostgreSQL would cut it and two names could meet)
   */
  static String quote(String identifier) {
    checkIdentifier(identifier, "identifier");
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  static void checkIdentifier(String identifier, String what) {
    if (identifier == null || identifier.isEmpty()) {
      throw new IllegalArgumentException("A PostgreSQL " + what + " must not be empty");
    }
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("A PostgreSQL " + what + " cannot hold a NUL character");
    }
    int bytes = identifier.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_IDENTIFIER_BYTES) {
      throw new IllegalArgumentException("The PostgreSQL " + what + " '" + identifier + "' is " + bytes
          + " UTF-8 bytes long; PostgreSQL keeps at most " + MAX_IDENTIFIER_BYTES);
    }
  }

  static String qualified(String schema, String table) {
    return quote(schema) + "." + quote(table);
  }

  /** The column type's PostgreSQL type name. */
  static String typeName(ColumnType type) {
    switch (type) {
      case TEXT: return "TEXT";
      case DOUBLE: return "DOUBLE PRECISION";
      case DECIMAL: return "NUMERIC(38,9)";
      case BOOLEAN: return "BOOLEAN";
      case DATE: return "DATE";
      case TIMESTAMP: return "TIMESTAMPTZ";
      case BIGINT: return "BIGINT";
      default: throw new IllegalArgumentException("unknown column type " + type);
    }
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
