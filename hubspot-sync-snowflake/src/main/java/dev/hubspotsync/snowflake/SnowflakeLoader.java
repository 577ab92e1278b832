package dev.hubspotsync.snowflake;

import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Sends rows as files: each batch is written to a gzip CSV file ({@link CsvFile}), {@code PUT} to
 * the user's stage under a path of its own and loaded with one {@code COPY INTO} (the files are
 * purged from the stage once loaded). A batch the guarded merge reads goes into a temporary staging
 * table (one per session and column layout, created before the unit's first change, because DDL
 * commits Snowflake's open transaction); rows that cannot exist yet and link rows are copied
 * straight into their table. Never an {@code INSERT} per row. Thread-safe (no state of its own).
 */
final class SnowflakeLoader implements SqlLoader<SnowflakeUnit> {
  /** Where a load's files go in the user's stage ({@code @~}): a fresh folder per file. */
  static final String STAGE_FOLDER = "@~/hubspot-sync/";
  private static final String STAGE = "_hubspot_sync_stage_";
  private static final List<String> LINK_COLUMNS = List.of("from_id", "to_id", "association_type_id",
      "association_category", "association_label", "_synced_at");

  private final SnowflakeDialect dialect;
  private final Path spool;

  /** @param spool the local directory load files are written to (and deleted from after the PUT) */
  SnowflakeLoader(SnowflakeDialect dialect, Path spool) {
    this.dialect = dialect;
    this.spool = spool;
  }

  @Override
  public Staged stage(SnowflakeUnit unit, RecordBatch batch) throws SQLException {
    String table = stagingTable(unit, batch.columns());
    unit.execute(Sql.of("DELETE FROM " + table));
    int cleaned = copy(unit, batch, table, quoted(batch.columns()));
    return Staged.of(table, cleaned, () -> {});
  }

  /**
   * The temporary staging table of this column layout (quoted and qualified), created in this
   * session if it has none yet; that must happen before the unit's first change. Empty it before use.
   */
  String stagingTable(SnowflakeUnit unit, List<Column> columns) throws SQLException {
    String definition = columns.stream()
        .map(col -> SnowflakeDialect.NAMES.quote(col.name()) + " " + dialect.typeName(col.type()))
        .collect(Collectors.joining(", "));
    String name = STAGE + UUID.nameUUIDFromBytes(definition.getBytes(StandardCharsets.UTF_8)).toString()
        .replace("-", "").substring(0, 16);
    String table = dialect.qualified(name);
    if (!unit.stagingTables().contains(name)) {
      if (unit.changedRows()) {
        throw new SQLException("Creating the staging table " + table + " now would commit this unit's earlier "
            + "changes (Snowflake commits before DDL); write batches of another column layout in a unit of their own");
      }
      unit.execute(Sql.of("CREATE TEMPORARY TABLE IF NOT EXISTS " + table + " (" + definition + ")"));
      unit.stagingTables().add(name);
    }
    return table;
  }

  static List<String> quoted(List<Column> columns) {
    return columns.stream().map(col -> SnowflakeDialect.NAMES.quote(col.name())).toList();
  }

  /** A new, open load file that batches are appended to ({@link CsvFile#append}). */
  CsvFile newFile() throws IOException {
    return CsvFile.create(spool);
  }

  /** PUTs the files into one stage folder and loads them all with one {@code COPY INTO}. */
  static void load(SnowflakeUnit unit, List<CsvFile> files, String table, List<String> quotedColumns)
      throws SQLException {
    String folder = STAGE_FOLDER + UUID.randomUUID() + "/";
    long rows = 0;
    try (Statement put = unit.connection().createStatement()) {
      for (CsvFile file : files) {
        put.execute("PUT '" + file.path().toUri().toString().replace("'", "\\'") + "' " + folder
            + " AUTO_COMPRESS = FALSE SOURCE_COMPRESSION = GZIP OVERWRITE = TRUE");
        rows += file.rows();
      }
    }
    long loaded = unit.execute(Sql.of(copyInto(table, quotedColumns, folder)));
    if (loaded != rows) {
      throw new SQLException("COPY INTO " + table + " loaded " + loaded + " of " + rows + " rows from " + folder);
    }
  }

  /** Copies straight into the table: no staging table, no merge. */
  @Override
  public int append(SnowflakeUnit unit, RecordBatch batch, String table, List<String> quotedColumns)
      throws SQLException {
    return copy(unit, batch, table, quotedColumns);
  }

  @Override
  public void appendLinks(SnowflakeUnit unit, LinkBatch batch, String table) throws SQLException {
    try (CsvFile file = write(() -> CsvFile.of(spool, batch))) {
      load(unit, file, table, LINK_COLUMNS);
    }
  }

  private int copy(SnowflakeUnit unit, RecordBatch batch, String table, List<String> quotedColumns)
      throws SQLException {
    try (CsvFile file = write(() -> CsvFile.of(spool, batch))) {
      load(unit, file, table, quotedColumns);
      return file.cleaned();
    }
  }

  /** PUT the file to a folder of its own in the user stage, then COPY INTO the table; checks every row loaded. */
  private static void load(SnowflakeUnit unit, CsvFile file, String table, List<String> quotedColumns)
      throws SQLException {
    load(unit, List.of(file), table, quotedColumns);
  }

  /** The {@code COPY INTO} of one stage folder. */
  static String copyInto(String table, List<String> quotedColumns, String folder) {
    return "COPY INTO " + table + " (" + String.join(", ", quotedColumns) + ") FROM " + folder + " "
        + CsvFile.FILE_FORMAT + " ON_ERROR = ABORT_STATEMENT PURGE = TRUE";
  }

  private interface FileWriter {
    CsvFile write() throws IOException;
  }

  private CsvFile write(FileWriter writer) throws SQLException {
    try {
      return writer.write();
    } catch (IOException e) {
      throw new SQLException("Could not write a load file in " + spool + ": " + e.getMessage()
          + "; check the directory exists, is writable and has space", e);
    }
  }
}
