package dev.hubspotsync.testkit;

import dev.hubspotsync.batch.SystemColumns;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row of a sink's object table as a test sees it ({@link InMemorySink#rows} returns these;
 * tests of other sinks can read their tables into them): every column of the table, system
 * columns first, in table order, mapped to the value the {@link dev.hubspotsync.batch.RecordBatch}
 * returned for it ({@code String}, {@code BigDecimal}, {@code Boolean}, {@code LocalDate},
 * {@code Instant} in UTC, {@code Long}), or null. A column added to the table after the row was
 * last written is present with a null value.
 *
 * <p>Immutable and thread-safe; {@code values} keeps table order and may hold null values.
 *
 * @param id the row's HubSpot id (its {@code id} column)
 * @param values column name to value, in table order
 */
public record Row(long id, Map<String, Object> values) {

  public Row {
    Objects.requireNonNull(values, "values");
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /**
   * The value of a column of the row's table, null when the row holds none.
   *
   * @throws IllegalArgumentException when the table has no such column (a typo in a test, usually)
   */
  public Object get(String column) {
    if (!values.containsKey(column)) {
      throw new IllegalArgumentException("Row " + id + " has no column '" + column + "'; its columns are "
          + values.keySet());
    }
    return values.get(column);
  }

  /** The row's {@code _hs_updated_at}, null if the batch carried none. */
  public Instant updatedAt() {
    return (Instant) values.get(SystemColumns.UPDATED_AT);
  }

  /** Whether {@code _hs_archived} is true. */
  public boolean archived() {
    return Boolean.TRUE.equals(values.get(SystemColumns.ARCHIVED));
  }
}
