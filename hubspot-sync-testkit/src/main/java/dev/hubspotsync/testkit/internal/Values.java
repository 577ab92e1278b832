package dev.hubspotsync.testkit.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Formats and parses values the way HubSpot serializes them (hubspot-api.md §1, §5). */
public final class Values {
  private Values() {}

  /**
   * ISO-8601 with {@code Z} and 0–3 fraction digits, trailing zeros dropped: HubSpot's precision
   * varies, so clients must accept {@code …:25Z}, {@code …:25.3Z} and {@code …:25.327Z} (§1).
   */
  public static String isoMillis(long epochMillis) {
    String s = Instant.ofEpochMilli(epochMillis).toString(); // 0, 3 digits for ms precision
    int dot = s.indexOf('.');
    if (dot < 0) {
      return s;
    }
    int end = s.length() - 1; // the 'Z'
    int last = end - 1;
    while (last > dot && s.charAt(last) == '0') {
      last--;
    }
    return last == dot ? s.substring(0, dot) + "Z" : s.substring(0, last + 1) + "Z";
  }

  public static String isoDate(long epochMillis) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC).toString();
  }

  /**
   * Lenient timestamp parse used for filters and stored values: all digits is epoch milliseconds,
   * {@code YYYY-MM-DD} is midnight UTC, anything else ISO-8601. Returns {@code Long.MIN_VALUE} when
   * the text is none of these.
   */
  public static long parseTimestamp(String text) {
    if (text == null || text.isEmpty()) {
      return Long.MIN_VALUE;
    }
    if (isDigits(text)) {
      return Long.parseLong(text);
    }
    try {
      if (text.length() == 10) {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      return Long.MIN_VALUE;
    }
  }

  public static boolean isDigits(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
