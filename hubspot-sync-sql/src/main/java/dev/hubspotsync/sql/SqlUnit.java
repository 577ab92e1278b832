package dev.hubspotsync.sql;

import java.sql.SQLException;
import java.util.List;

/**
 * The statements of one unit of work, as a {@link SqlSession} opened it: everything run through
 * one unit commits together or not at all. Not thread-safe; valid only inside the session's call.
 * Failures are {@link SQLException}s whatever the warehouse's client throws, so the session can
 * translate them in one place.
 */
public interface SqlUnit {
  /** Runs a statement that changes rows or the catalog; the number of rows it changed (0 for DDL). */
  long execute(Sql statement) throws SQLException;

  /**
   * Runs a query; each row's values as the warehouse gives them for {@code TEXT} ({@code String}),
   * {@code BIGINT} ({@code Long}), {@code INTEGER} and {@code BOOLEAN}, null for SQL null.
   */
  List<Object[]> rows(Sql query) throws SQLException;

  /** Runs a query of one {@code BIGINT} column (no nulls), for large results such as every id of a table. */
  long[] longs(Sql query) throws SQLException;
}
