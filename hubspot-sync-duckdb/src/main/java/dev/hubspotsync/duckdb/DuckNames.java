package dev.hubspotsync.duckdb;

import dev.hubspotsync.batch.ColumnType;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** DuckDB identifiers and type names. Stateless. */
final class DuckNames {
  /**
   * DuckDB has no identifier limit of its own; the sink keeps names within 255 UTF-8 bytes so they
   * stay readable and portable (the engine's {@code ColumnNamer} cuts and de-duplicates to this).
   */
  static final int MAX_IDENTIFIER_BYTES = 255;
  private static final Pattern PREFIX = Pattern.compile("[a-z0-9_]{0,30}");

  private DuckNames() {}

  /**
   * The identifier in double quotes, inner quotes doubled: safe whatever it holds.
   *
   * @throws IllegalArgumentException when it is empty, holds a NUL or is longer than 255 UTF-8 bytes
   */
  static String quote(String identifier) {
    checkIdentifier(identifier, "identifier");
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  static void checkIdentifier(String identifier, String what) {
    if (identifier == null || identifier.isEmpty()) {
      throw new IllegalArgumentException("A DuckDB " + what + " must not be empty");
    }
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("A DuckDB " + what + " cannot hold a NUL character");
    }
    int bytes = identifier.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_IDENTIFIER_BYTES) {
      throw new IllegalArgumentException("The DuckDB " + what + " '" + identifier + "' is " + bytes
          + " UTF-8 bytes long; the sink keeps names within " + MAX_IDENTIFIER_BYTES);
    }
  }

  static String checkPrefix(String prefix) {
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("tablePrefix must be at most 30 characters of a-z, 0-9 and _, was '"
          + prefix + "'");
    }
    return prefix;
  }

  static String qualified(String catalog, String schema, String table) {
    return quote(catalog) + "." + quote(schema) + "." + quote(table);
  }

  /** The column type's DuckDB type name. */
  static String typeName(ColumnType type) {
    switch (type) {
      case TEXT: return "VARCHAR";
      case DOUBLE: return "DOUBLE";
      case DECIMAL: return "DECIMAL(38,9)";
      case BOOLEAN: return "BOOLEAN";
      case DATE: return "DATE";
      case TIMESTAMP: return "TIMESTAMPTZ";
      case BIGINT: return "BIGINT";
      default: throw new IllegalArgumentException("unknown column type " + type);
    }
  }
}
