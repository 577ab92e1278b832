package dev.hubspotsync.batch.internal;

import dev.hubspotsync.batch.ColumnType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * Turns HubSpot's string values into the typed value of a column (hubspot-api.md §1, §5). Parses
 * by the column's stored type, never by the property's current HubSpot type. Stateless and
 * thread-safe.
 */
public final class ValueParser {
  /** Returned for a value that is present but does not parse as the column's type. */
  public static final Object UNPARSED = new Object() {
    @Override
    public String toString() {
      return "UNPARSED";
    }
  };

  /** Scale of {@link ColumnType#DECIMAL} columns; precision is 38. */
  public static final int DECIMAL_SCALE = 9;
  /** Precision of {@link ColumnType#DECIMAL} columns. */
  public static final int DECIMAL_PRECISION = 38;
  private static final int DECIMAL_INTEGER_DIGITS = DECIMAL_PRECISION - DECIMAL_SCALE;
  // A plain decimal number: digits with an optional point and exponent. Double.parseDouble alone
  // would also take "NaN", "Infinity", hex floats and a trailing "d" or "f".
  private static final Pattern DECIMAL_NUMBER =
      Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
  // A double's exact decimal expansion has at most 767 significant digits; longer text is not a HubSpot number.
  private static final int MAX_DOUBLE_CHARS = 1_100;
  // 19 digits already exceed any epoch-ms value a timestamp can hold; longer runs are not epoch ms.
  private static final int MAX_EPOCH_DIGITS = 19;

  // ISO date-time with 0-9 fraction digits (seconds optional) and a mandatory offset: Z, +HH,
  // +HH:MM, +HHMM or +HH:MM:SS (a lenient "+HH" takes all of them). A local date-time without an
  // offset is ambiguous and does not parse.
  private static final DateTimeFormatter OFFSET_DATE_TIME = new DateTimeFormatterBuilder()
      .parseCaseInsensitive()
      .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
      .parseLenient()
      .appendOffset("+HH", "Z")
      .toFormatter()
      .withResolverStyle(ResolverStyle.STRICT)
      .withChronology(java.time.chrono.IsoChronology.INSTANCE);

  private ValueParser() {}

  /**
   * The typed value of {@code raw} for a column of {@code type}: {@code null} when absent (null or
   * empty), {@link #UNPARSED} when present but not of the type, else a String (TEXT), Double
   * (DOUBLE: the nearest double, as {@link Double#parseDouble}; text beyond a double's range, NaN
   * and Infinity are UNPARSED), BigDecimal with scale 9 (DECIMAL), Boolean, LocalDate (DATE), Instant truncated to microseconds
   * (TIMESTAMP) or Long (BIGINT).
   */
  public static Object parse(ColumnType type, String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    if (type == ColumnType.TEXT) {
      return raw;
    }
    String s = raw.strip();
    switch (type) {
      case DOUBLE: return doubleValue(s);
      case DECIMAL: return decimal(s);
      case BOOLEAN: return bool(s);
      case DATE: return date(s);
      case TIMESTAMP: return timestamp(s);
      case BIGINT: return bigint(s);
      default: throw new IllegalArgumentException("unknown column type " + type);
    }
  }

  /** Microseconds since the epoch of an instant, truncating finer digits. */
  public static long epochMicros(Instant instant) {
    long micros = Math.multiplyExact(instant.getEpochSecond(), 1_000_000L);
    return Math.addExact(micros, instant.getNano() / 1_000);
  }

  /** The instant of a count of microseconds since the epoch. */
  public static Instant instantOfMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  private static Object doubleValue(String s) {
    if (s.length() > MAX_DOUBLE_CHARS || !DECIMAL_NUMBER.matcher(s).matches()) {
      return UNPARSED;
    }
    double value = Double.parseDouble(s);
    // Beyond Double.MAX_VALUE: no double holds it, so its text is kept rather than an infinity stored.
    return Double.isInfinite(value) ? UNPARSED : (Object) value;
  }

  private static Object decimal(String s) {
    BigDecimal value = bigDecimal(s);
    if (value == null) {
      return UNPARSED;
    }
    BigDecimal stripped = value.stripTrailingZeros();
    long integerDigits = (long) stripped.precision() - stripped.scale();
    if (stripped.scale() > DECIMAL_SCALE || integerDigits > DECIMAL_INTEGER_DIGITS) {
      return UNPARSED;
    }
    return stripped.setScale(DECIMAL_SCALE, RoundingMode.UNNECESSARY);
  }

  private static Object bigint(String s) {
    BigDecimal value = bigDecimal(s);
    if (value == null) {
      return UNPARSED;
    }
    try {
      return value.longValueExact();
    } catch (ArithmeticException e) {
      return UNPARSED;
    }
  }

  private static BigDecimal bigDecimal(String s) {
    // BigDecimal accepts a 2^31 exponent range; a string that long is not a HubSpot number.
    if (s.length() > 200) {
      return null;
    }
    try {
      return new BigDecimal(s);
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  private static Object bool(String s) {
    if (s.equalsIgnoreCase("true")) {
      return Boolean.TRUE;
    }
    if (s.equalsIgnoreCase("false")) {
      return Boolean.FALSE;
    }
    return UNPARSED;
  }

  private static Object date(String s) {
    LocalDate date;
    Instant instant = epochMillis(s);
    if (instant != null) {
      date = LocalDate.ofInstant(instant, ZoneOffset.UTC);
    } else {
      date = localDate(s);
      if (date == null) {
        OffsetDateTime dateTime = offsetDateTime(s);
        if (dateTime == null) {
          return UNPARSED;
        }
        date = dateTime.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
      }
    }
    long epochDay = date.toEpochDay();
    // Arrow's DateDayVector holds 32-bit days.
    return epochDay == (int) epochDay ? date : UNPARSED;
  }

  private static Object timestamp(String s) {
    Instant instant = epochMillis(s);
    if (instant == null) {
      OffsetDateTime dateTime = offsetDateTime(s);
      if (dateTime != null) {
        instant = dateTime.toInstant();
      } else {
        LocalDate date = localDate(s);
        if (date == null) {
          return UNPARSED;
        }
        instant = date.atStartOfDay(ZoneOffset.UTC).toInstant();
      }
    }
    try {
      epochMicros(instant); // must fit the 64-bit microsecond vector
    } catch (ArithmeticException e) {
      return UNPARSED;
    }
    return instant.truncatedTo(ChronoUnit.MICROS);
  }

  private static Instant epochMillis(String s) {
    if (s.isEmpty() || s.length() > MAX_EPOCH_DIGITS) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    try {
      return Instant.ofEpochMilli(Long.parseLong(s));
    } catch (NumberFormatException | DateTimeException e) {
      return null;
    }
  }

  private static LocalDate localDate(String s) {
    try {
      return LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE.withResolverStyle(ResolverStyle.STRICT));
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static OffsetDateTime offsetDateTime(String s) {
    try {
      return OffsetDateTime.parse(s, OFFSET_DATE_TIME);
    } catch (DateTimeException e) {
      return null;
    }
  }
}
