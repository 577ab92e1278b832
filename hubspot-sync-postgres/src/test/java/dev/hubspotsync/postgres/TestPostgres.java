package dev.hubspotsync.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
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
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL server of this test JVM, started once: embedded (zonky, real binaries, on
 * localhost), or the server of {@code HUBSPOT_SYNC_TEST_POSTGRES_URL} (a JDBC URL with credentials)
 * when that is set. Each test works in a schema of its own ({@link #newSchema}) and drops it.
 */
final class TestPostgres {
  static final String URL_VARIABLE = "HUBSPOT_SYNC_TEST_POSTGRES_URL";

  private static DataSource dataSource;
  private static String jdbcUrl;

  private TestPostgres() {}

  static synchronized DataSource dataSource() {
    if (dataSource == null) {
      String external = System.getenv(URL_VARIABLE);
      if (external != null && !external.isBlank()) {
        jdbcUrl = external;
      } else {
        try {
          EmbeddedPostgres server = EmbeddedPostgres.builder().start();
          jdbcUrl = server.getJdbcUrl("postgres", "postgres");
        } catch (IOException e) {
          throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
      }
      PGSimpleDataSource simple = new PGSimpleDataSource();
      simple.setURL(jdbcUrl);
      dataSource = simple;
    }
    return dataSource;
  }

  /** A JDBC URL of the server, credentials included. */
  static synchronized String jdbcUrl() {
    dataSource();
    return jdbcUrl;
  }

  /** A fresh schema name (not created). */
  static String newSchema(String label) {
    return "t_" + label + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  static void dropSchema(String schema) {
    execute("DROP SCHEMA IF EXISTS \"" + schema.replace("\"", "\"\"") + "\" CASCADE");
  }

  static void execute(String sql) {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /**
   * Every row of a query as column → value, typed as a RecordBatch types them: Long, String,
   * BigDecimal, Boolean, LocalDate, Instant (from TIMESTAMPTZ).
   */
  static List<Map<String, Object>> query(String sql) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnName(i), value(rs, i, meta.getColumnTypeName(i)));
        }
        rows.add(row);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
    return rows;
  }

  private static Object value(ResultSet rs, int i, String type) throws SQLException {
    Object value;
    switch (type) {
      case "timestamptz": value = rs.getObject(i, OffsetDateTime.class); break;
      case "date": value = rs.getObject(i, LocalDate.class); break;
      case "numeric": value = rs.getBigDecimal(i); break;
      case "int8": value = rs.getObject(i, Long.class); break;
      case "int4": value = rs.getObject(i, Integer.class); break;
      case "bool": value = rs.getObject(i, Boolean.class); break;
      default: value = rs.getObject(i);
    }
    if (rs.wasNull()) {
      return null;
    }
    if (value instanceof OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (value instanceof BigDecimal || value instanceof String) {
      return value;
    }
    return value instanceof org.postgresql.util.PGobject pg ? pg.getValue() : value;
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
