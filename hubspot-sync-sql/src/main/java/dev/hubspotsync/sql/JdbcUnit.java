package dev.hubspotsync.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A unit of work on one JDBC connection whose transaction the session opened (auto-commit off).
 * For sessions of JDBC warehouses; not thread-safe.
 */
public class JdbcUnit implements SqlUnit {
  private static final int FETCH_SIZE = 50_000;
  private final Connection connection;

  public JdbcUnit(Connection connection) {
    this.connection = connection;
  }

  /** The connection, for loaders that use the driver's own API (PostgreSQL's COPY, DuckDB's Arrow streams). */
  public Connection connection() {
    return connection;
  }

  @Override
  public long execute(Sql statement) throws SQLException {
    if (statement.params().isEmpty()) {
      try (Statement s = connection.createStatement()) {
        return s.executeUpdate(statement.text());
      }
    }
    try (PreparedStatement s = prepare(statement)) {
      return s.executeUpdate();
    }
  }

  @Override
  public List<Object[]> rows(Sql query) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    try (PreparedStatement s = prepare(query); ResultSet rs = s.executeQuery()) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
          row[i] = rs.getObject(i + 1);
        }
        rows.add(row);
      }
    }
    return rows;
  }

  @Override
  public long[] longs(Sql query) throws SQLException {
    try (PreparedStatement s = prepare(query)) {
      s.setFetchSize(FETCH_SIZE);
      try (ResultSet rs = s.executeQuery()) {
        long[] values = new long[1024];
        int n = 0;
        while (rs.next()) {
          if (n == values.length) {
            values = Arrays.copyOf(values, n * 2);
          }
          values[n++] = rs.getLong(1);
        }
        return Arrays.copyOf(values, n);
      }
    }
  }

  private PreparedStatement prepare(Sql sql) throws SQLException {
    PreparedStatement s = connection.prepareStatement(sql.text());
    try {
      List<Object> params = sql.params();
      for (int i = 0; i < params.size(); i++) {
        Object value = params.get(i);
        if (value instanceof String text) {
          s.setString(i + 1, text);
        } else {
          s.setObject(i + 1, value instanceof Instant instant
              ? OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC) : value);
        }
      }
      return s;
    } catch (SQLException | RuntimeException e) {
      s.close();
      throw e;
    }
  }
}
