package dev.hubspotsync.duckdb;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a sink's tables with SQL, on a connection of its own, values normalized as the sink contract wants them. */
final class TestDuck {
  private TestDuck() {}

  /** Every row of the query: column name → Long, String, BigDecimal, Boolean, LocalDate, Instant or Integer. */
  static List<Map<String, Object>> query(DuckDbSink sink, String sql) {
    try (Connection c = sink.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<Map<String, Object>> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnName(i), value(rs, i, meta.getColumnTypeName(i)));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new AssertionError("query failed: " + sql, e);
    }
  }

  private static Object value(ResultSet rs, int column, String type) throws SQLException {
    if (rs.getObject(column) == null) {
      return null;
    }
    switch (type) {
      case "TIMESTAMP WITH TIME ZONE": return rs.getObject(column, OffsetDateTime.class).toInstant();
      case "DATE": return rs.getObject(column, LocalDate.class);
      case "BIGINT": return rs.getLong(column);
      default: return rs.getObject(column);
    }
  }

  /** The quoted table with its catalog and schema. */
  static String table(DuckDbSink sink, String table) {
    return sink.qualifiedTable(table);
  }
}
