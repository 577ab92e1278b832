package dev.hubspotsync.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One statement: SQL text with {@code ?} placeholders and their values in order. Values are
 * {@code String}, {@code Long}, {@code Integer}, {@code Boolean}, {@link java.time.Instant} (a UTC
 * timestamp, microseconds) or null. Immutable.
 */
public record Sql(String text, List<Object> params) {
  public Sql {
    params = Collections.unmodifiableList(new ArrayList<>(params));
  }

  /** The statement with these values for its placeholders. */
  public static Sql of(String text, Object... params) {
    return new Sql(text, Arrays.asList(params));
  }

  @Override
  public String toString() {
    return text;
  }
}
