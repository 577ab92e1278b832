package dev.hubspotsync.sql;

import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * How a sink reaches its warehouse: runs work as one atomic unit (a transaction, or one
 * multi-statement script where the warehouse has no interactive transactions), with the session
 * settings of the dialect (UTC) applied, holding the named locks until it ends. Thread-safe: the
 * kernel calls it from any thread, one unit per call.
 *
 * @param <U> the unit the sink's loader works with (e.g. one over a JDBC connection)
 */
public interface SqlSession<U extends SqlUnit> {
  /**
   * Runs {@code work} in one unit of work: commits when it returns, rolls back when it throws.
   *
   * @param action what the work does, for messages: "write 200 rows to \"hubspot\".\"contacts\""
   * @param locks taken in the order given, held until the unit ends
   * @throws dev.hubspotsync.WarehouseException when the warehouse failed (the session's own
   *     message, naming the warehouse and {@code action}); or what {@code work} threw unchecked
   */
  <T> T unit(String action, List<Lock> locks, Work<U, T> work);

  /** What a unit of work does. */
  @FunctionalInterface
  interface Work<U, T> {
    T run(U unit) throws SQLException;
  }

  /**
   * A lock that orders units: the schema's DDL lock, or the writers' lock of one table. A session
   * makes it as wide as its warehouse needs (PostgreSQL: advisory locks every process shares;
   * DuckDB: locks of this JVM, which alone can open the file).
   */
  record Lock(String table) {
    private static final Lock DDL = new Lock("");

    /** Every change of the catalog (tables, columns, the sink's own tables) holds it. */
    public static Lock ddl() {
      return DDL;
    }

    /** Writers of one table (its unquoted name) hold it for their whole unit. */
    public static Lock table(String table) {
      return new Lock(Objects.requireNonNull(table, "table"));
    }

    public boolean isDdl() {
      return table.isEmpty();
    }
  }
}
