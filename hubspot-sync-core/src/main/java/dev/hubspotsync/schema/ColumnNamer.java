package dev.hubspotsync.schema;

import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.PropertyDefinition;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Names the warehouse columns that hold HubSpot properties (DESIGN.md invariant 7). Property names
 * come from portal admins and are never trusted, so a column name is derived from the property name
 * by these rules:
 *
 * <ul>
 *   <li>Letters with diacritics are folded to their ASCII base ({@code Café} → {@code cafe}, and
 *       {@code ß}, {@code æ}, {@code ø}, {@code œ}, {@code ł}, {@code đ}, {@code ð}, {@code þ},
 *       {@code ı} to their usual transliteration), then everything is lowercased.
 *   <li>Only {@code [a-z0-9_]} remain; each run of other characters becomes one {@code _}
 *       ({@code "First Name"}, {@code "first-name"} → {@code first_name}). Underscores of the
 *       property name itself are kept as they are.
 *   <li>A name with no letter or digit left ({@code ""}, {@code "名前"}, {@code "__"}) becomes
 *       {@code _property}; a name starting with a digit gets a {@code _} prefix.
 *   <li>The name is cut to the dialect's identifier length. Names are pure ASCII, so bytes and
 *       characters are the same count.
 *   <li>A name already taken, compared case-insensitively (some warehouses fold case) — by a stored
 *       column, by one of the {@link SystemColumns}, or by a new property named earlier in the same
 *       call — gets {@code _2}, {@code _3}, … with its base cut so the suffix fits.
 * </ul>
 *
 * <p>Reserved words such as {@code select} are left as they are: every sink quotes identifiers.
 *
 * <p>Stability across runs comes from the stored mapping: {@link #assign} never renames a column it
 * is given, so the same property keeps the same column whatever is added to the portal later.
 *
 * <p>Immutable and thread-safe. No method accepts or returns null.
 */
public final class ColumnNamer {

  /** Fits every system column name and any suffix with room to spare; real dialects allow 30 or more. */
  private static final int MIN_BYTES = 16;
  private static final String NO_NAME = "_property";

  private final int maxBytes;

  private ColumnNamer(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * Names for a dialect whose identifiers hold at most {@code maxBytes} UTF-8 bytes (PostgreSQL 63,
   * Snowflake 255, BigQuery 300, DuckDB 255 …).
   *
   * @throws IllegalArgumentException if {@code maxBytes} is below 16
   */
  public static ColumnNamer forDialect(int maxBytes) {
    if (maxBytes < MIN_BYTES) {
      throw new IllegalArgumentException("Column names need at least " + MIN_BYTES
          + " bytes, but the dialect was given maxBytes=" + maxBytes
          + "; pass the warehouse's identifier length (PostgreSQL 63, Snowflake 255, BigQuery 300)");
    }
    return new ColumnNamer(maxBytes);
  }

  /**
   * A mapping for every property: existing mappings are kept unchanged (stable across runs, even if
   * the property's type changed); each new property gets a {@linkplain #sanitize sanitized} name,
   * never a {@link SystemColumns} name (suffix instead), within the dialect's length; a collision
   * with any name already taken (existing columns, system columns, other new properties) is resolved
   * deterministically: new properties are named in sorted property-name order, the first keeps the
   * name, later ones get {@code _2}, {@code _3}, … (truncating the base so the suffix fits). The type
   * of a new mapping is {@link ColumnType#forHubSpotType ColumnType.forHubSpotType(property.type())}.
   *
   * <p>A property listed twice gets one mapping, from its first occurrence. Existing mappings whose
   * property is not among {@code properties} are kept (columns are only added).
   *
   * @return existing mappings first (in their order), then the new ones in sorted property-name
   *     order; an immutable list
   */
  public List<ColumnMapping> assign(List<PropertyDefinition> properties, List<ColumnMapping> existing) {
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(existing, "existing");
    Set<String> mapped = new HashSet<>();
    Set<String> taken = new HashSet<>();
    for (Column system : SystemColumns.ALL) {
      taken.add(key(system.name()));
    }
    taken.add(key(SystemColumns.GDPR_DELETED_AT));
    for (ColumnMapping mapping : existing) {
      mapped.add(Objects.requireNonNull(mapping.property(), "property of an existing mapping"));
      taken.add(key(Objects.requireNonNull(mapping.column(), "column of an existing mapping")));
    }
    TreeMap<String, PropertyDefinition> fresh = new TreeMap<>();
    for (PropertyDefinition property : properties) {
      String name = Objects.requireNonNull(property.name(), "property name");
      if (!mapped.contains(name)) {
        fresh.putIfAbsent(name, property);
      }
    }
    List<ColumnMapping> result = new ArrayList<>(existing);
    for (PropertyDefinition property : fresh.values()) {
      String column = firstFree(sanitize(property.name()), taken);
      taken.add(column);
      result.add(new ColumnMapping(property.name(), column, ColumnType.forHubSpotType(property.type())));
    }
    return List.copyOf(result);
  }

  /**
   * The base column name for a property, before collision handling: folded, lowercased, only
   * {@code [a-z0-9_]}, never starting with a digit, never empty, within the dialect's length. It may
   * still equal a system column or another property's name; {@link #assign} resolves that.
   */
  public String sanitize(String propertyName) {
    Objects.requireNonNull(propertyName, "propertyName");
    String decomposed = Normalizer.normalize(propertyName, Normalizer.Form.NFKD);
    StringBuilder out = new StringBuilder(Math.min(decomposed.length(), maxBytes + 1));
    boolean inRun = false;
    boolean hasAlphanumeric = false;
    for (int i = 0; i < decomposed.length(); ) {
      int codePoint = decomposed.codePointAt(i);
      i += Character.charCount(codePoint);
      if (isMark(codePoint)) {
        continue;
      }
      String ascii = ascii(Character.toLowerCase(codePoint));
      if (ascii == null) {
        if (!inRun) {
          out.append('_');
          inRun = true;
        }
        continue;
      }
      inRun = false;
      out.append(ascii);
      hasAlphanumeric |= !ascii.equals("_");
    }
    if (!hasAlphanumeric) {
      return NO_NAME;
    }
    if (Character.isDigit(out.charAt(0))) {
      out.insert(0, '_');
    }
    return truncate(out.toString(), maxBytes);
  }

  private String firstFree(String base, Set<String> taken) {
    if (!taken.contains(base)) {
      return base;
    }
    for (int n = 2; ; n++) {
      String suffix = "_" + n;
      String candidate = truncate(base, maxBytes - suffix.length()) + suffix;
      if (!taken.contains(candidate)) {
        return candidate;
      }
    }
  }

  private static String truncate(String ascii, int length) {
    return ascii.length() <= length ? ascii : ascii.substring(0, length);
  }

  private static String key(String column) {
    return column.toLowerCase(Locale.ROOT);
  }

  private static boolean isMark(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }

  /** The ASCII a lowercased code point stands for, or null if it has none. */
  private static String ascii(int codePoint) {
    if ((codePoint >= 'a' && codePoint <= 'z') || (codePoint >= '0' && codePoint <= '9') || codePoint == '_') {
      return Character.toString(codePoint);
    }
    // Letters NFKD does not decompose.
    switch (codePoint) {
      case 'ß': return "ss";
      case 'æ': return "ae";
      case 'œ': return "oe";
      case 'ø': return "o";
      case 'ł': return "l";
      case 'đ': return "d";
      case 'ð': return "d";
      case 'þ': return "th";
      case 'ı': return "i";
      default: return null;
    }
  }

  @Override
  public String toString() {
    return "ColumnNamer[maxBytes=" + maxBytes + "]";
  }
}
