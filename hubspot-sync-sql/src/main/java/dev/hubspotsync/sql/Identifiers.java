package dev.hubspotsync.sql;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A warehouse's rules for identifiers: how long they may be, whether case matters, and how they
 * are quoted (double quotes, inner quotes doubled, so any name is safe). Immutable.
 *
 * @param product the warehouse's name, for messages: {@code PostgreSQL}
 * @param maxBytes the longest identifier in UTF-8 bytes
 * @param limit what the limit is, for messages: {@code PostgreSQL keeps at most 63}
 * @param foldsCase whether names that differ only in case are one name (DuckDB)
 */
public record Identifiers(String product, int maxBytes, String limit, boolean foldsCase) {
  private static final Pattern PREFIX = Pattern.compile("[a-z0-9_]{0,30}");

  /**
   * The identifier in double quotes, inner quotes doubled.
   *
   * @throws IllegalArgumentException when it is empty, holds a NUL or is too long
   */
  public String quote(String identifier) {
    check(identifier, "identifier");
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /**
   * Refuses an identifier the warehouse would not keep as given.
   *
   * @param what what it names, for the message: "column name of property 'email'"
   * @throws IllegalArgumentException when it is empty, holds a NUL or is longer than {@link #maxBytes}
   */
  public void check(String identifier, String what) {
    if (identifier == null || identifier.isEmpty()) {
      throw new IllegalArgumentException("A " + product + " " + what + " must not be empty");
    }
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("A " + product + " " + what + " cannot hold a NUL character");
    }
    int bytes = identifier.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw new IllegalArgumentException("The " + product + " " + what + " '" + identifier + "' is " + bytes
          + " UTF-8 bytes long; " + limit);
    }
  }

  /** The form two names are compared in: lower case where the warehouse ignores case. */
  public String key(String identifier) {
    return foldsCase ? identifier.toLowerCase(Locale.ROOT) : identifier;
  }

  /**
   * A table prefix as the builders take it.
   *
   * @throws IllegalArgumentException unless it is at most 30 characters of a-z, 0-9 and _
   */
  public static String checkPrefix(String prefix) {
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("tablePrefix must be at most 30 characters of a-z, 0-9 and _, was '"
          + prefix + "'");
    }
    return prefix;
  }
}
