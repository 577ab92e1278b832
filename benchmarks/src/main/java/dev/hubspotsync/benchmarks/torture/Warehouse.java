package dev.hubspotsync.benchmarks.torture;

import dev.hubspotsync.duckdb.DuckDbSink;
import dev.hubspotsync.postgres.PostgresSink;
import dev.hubspotsync.schema.ColumnMapping;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One warehouse of a scenario, as the CLI's config names it and as the check reads it: the sink's
 * own view of its tables (names and column mappings, from the sink's system tables) and a plain
 * JDBC connection for the rows. Read only between runs, when no child process holds it.
 */
abstract class Warehouse {

  /** The property → column mapping and the table names, as the sink stored them. */
  record Layout(Map<String, String> tables, Map<String, List<ColumnMapping>> columns, Map<String, String> linkTables) {}

  /** The {@code sink:} block of the CLI config. */
  abstract String configYaml();

  /** The schema every table lives in. */
  abstract String schema();

  abstract Connection connect() throws SQLException;

  /** Opens the sink just long enough to read its catalog. */
  abstract Layout layout(List<String> types, List<List<String>> pairs);

  static Layout layout(List<String> types, List<List<String>> pairs, Function<String, Optional<String>> tableName,
      BiFunction<String, String, Optional<String>> linkTableName, Function<String, List<ColumnMapping>> describe) {
    Map<String, String> tables = new LinkedHashMap<>();
    Map<String, List<ColumnMapping>> columns = new LinkedHashMap<>();
    Map<String, String> links = new LinkedHashMap<>();
    for (String type : types) {
      tableName.apply(type).ifPresent(t -> tables.put(type, t));
      columns.put(type, describe.apply(type));
    }
    for (List<String> pair : pairs) {
      linkTableName.apply(pair.get(0), pair.get(1)).ifPresent(t -> links.put(pair.get(0) + "->" + pair.get(1), t));
    }
    return new Layout(tables, columns, links);
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** A DuckDB file beside the config. */
  static final class DuckDb extends Warehouse {
    private final Path file;

    DuckDb(Path file) {
      this.file = file;
    }

    @Override
    String configYaml() {
      return "sink: { type: duckdb, file: \"" + file.getFileName() + "\" }\n";
    }

    @Override
    String schema() {
      return "main";
    }

    @Override
    Connection connect() throws SQLException {
      return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
    }

    @Override
    Layout layout(List<String> types, List<List<String>> pairs) {
      try (DuckDbSink sink = DuckDbSink.builder().file(file).build()) {
        return layout(types, pairs, sink::tableName, sink::linkTableName, sink::describe);
      }
    }

    @Override
    public String toString() {
      return "DuckDB " + file;
    }
  }

  /** A schema of its own on a PostgreSQL server. */
  static final class Postgres extends Warehouse {
    private final String jdbcUrl;
    private final String schema;

    Postgres(String jdbcUrl, String schema) {
      this.jdbcUrl = jdbcUrl;
      this.schema = schema;
    }

    @Override
    String configYaml() {
      return "sink: { type: postgres, url: \"" + jdbcUrl + "\", schema: " + schema + " }\n";
    }

    @Override
    String schema() {
      return schema;
    }

    @Override
    Connection connect() throws SQLException {
      return DriverManager.getConnection(jdbcUrl);
    }

    @Override
    Layout layout(List<String> types, List<List<String>> pairs) {
      try (PostgresSink sink = PostgresSink.builder().jdbcUrl(jdbcUrl).schema(schema).build()) {
        return layout(types, pairs, sink::tableName, sink::linkTableName, sink::describe);
      }
    }

    @Override
    public String toString() {
      return "PostgreSQL schema " + schema;
    }
  }
}
