package dev.hubspotsync.duckdb;

import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.sql.Identifiers;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlDialect;
import java.util.List;

/** DuckDB's SQL for the kernel: tables qualified with the file's catalog and the schema. Immutable. */
final class DuckDbDialect implements SqlDialect {
  /**
   * DuckDB has no identifier limit of its own; the sink keeps names within 255 UTF-8 bytes so they
   * stay readable and portable (the engine's {@code ColumnNamer} cuts and de-duplicates to this).
   * Names differing only in case are one name to DuckDB.
   */
  static final Identifiers NAMES = new Identifiers("DuckDB", 255, "the sink keeps names within 255", true);
  /** Every connection the sink opens runs with these (a DuckDB setting lasts for the connection). */
  static final List<String> SESSION_SETTINGS = List.of("SET TimeZone = 'UTC'");

  private final String catalog;
  private final String schema;

  DuckDbDialect(String catalog, String schema) {
    this.catalog = catalog;
    this.schema = schema;
  }

  @Override
  public Identifiers identifiers() {
    return NAMES;
  }

  @Override
  public String qualified(String table) {
    return NAMES.quote(catalog) + "." + NAMES.quote(schema) + "." + NAMES.quote(table);
  }

  @Override
  public String typeName(ColumnType type) {
    switch (type) {
      case TEXT: return "VARCHAR";
      case DOUBLE: return "DOUBLE";
      case DECIMAL: return "DECIMAL(38,9)";
      case BOOLEAN: return "BOOLEAN";
      case DATE: return "DATE";
      case TIMESTAMP: return "TIMESTAMPTZ";
      case BIGINT: return "BIGINT";
      default: throw new IllegalArgumentException("unknown column type " + type);
    }
  }

  @Override
  public List<String> sessionSettings() {
    return SESSION_SETTINGS;
  }

  @Override
  public Sql schemaExists() {
    return Sql.of("SELECT 1 FROM information_schema.schemata WHERE catalog_name = ? AND schema_name = ?", catalog,
        schema);
  }

  @Override
  public String createSchema() {
    return "CREATE SCHEMA IF NOT EXISTS " + NAMES.quote(catalog) + "." + NAMES.quote(schema);
  }

  @Override
  public Sql relations() {
    return Sql.of("SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = ?",
        catalog, schema);
  }

  @Override
  public String epochMicros(String expression) {
    return "epoch_us(" + expression + ")";
  }
}
