package dev.hubspotsync.snowflake;

import dev.hubspotsync.sql.JdbcUnit;
import dev.hubspotsync.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A unit of work on one Snowflake connection (auto-commit off). Snowflake commits the open
 * transaction before every DDL statement, so the unit remembers whether it has changed rows yet:
 * the loader creates its staging table only before the first change, never between a change and
 * the commit. Timestamps are bound as ISO-8601 text, which Snowflake casts to {@code TIMESTAMP_TZ}
 * without a session time zone involved. Not thread-safe.
 */
final class SnowflakeUnit extends JdbcUnit {
  private final Set<String> stagingTables;
  private boolean changedRows;

  /** @param stagingTables the staging tables this connection's session has created (the loader adds to it) */
  SnowflakeUnit(Connection connection, Set<String> stagingTables) {
    super(connection);
    this.stagingTables = stagingTables;
  }

  @Override
  public long execute(Sql statement) throws SQLException {
    Sql sql = bindable(statement);
    if (isDml(sql.text())) {
      changedRows = true;
    }
    return super.execute(sql);
  }

  @Override
  public List<Object[]> rows(Sql query) throws SQLException {
    return super.rows(bindable(query));
  }

  @Override
  public long[] longs(Sql query) throws SQLException {
    return super.longs(bindable(query));
  }

  /** Whether a statement of this unit changed rows, so that DDL now would commit them early. */
  boolean changedRows() {
    return changedRows;
  }

  /** The staging tables of this session, by name; the loader creates one once per session. */
  Set<String> stagingTables() {
    return stagingTables;
  }

  private static boolean isDml(String sql) {
    String head = sql.stripLeading().toUpperCase(Locale.ROOT);
    return head.startsWith("INSERT") || head.startsWith("UPDATE") || head.startsWith("DELETE")
        || head.startsWith("MERGE") || head.startsWith("COPY");
  }

  private static Sql bindable(Sql sql) {
    List<Object> params = new ArrayList<>(sql.params().size());
    for (Object value : sql.params()) {
      params.add(value instanceof Instant instant ? instant.truncatedTo(ChronoUnit.MICROS).toString() : value);
    }
    return new Sql(SnowflakeDialect.currentTimestamp(sql.text()), params);
  }
}
