package dev.hubspotsync.postgres;

import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sql.Identifiers;
import dev.hubspotsync.sql.JdbcUnit;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlLoader;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Sends rows with a binary {@code COPY … FROM STDIN}: into a temporary staging table the merge
 * reads, or straight into the table when none of the rows can exist yet. Values PostgreSQL would
 * refuse are cleaned on the way ({@link BatchEncoder}). Stateless.
 */
final class PostgresLoader implements SqlLoader<JdbcUnit> {
  private static final String STAGE = "_hubspot_sync_stage";
  private static final Identifiers NAMES = PostgresDialect.NAMES;
  private final PostgresDialect dialect;

  PostgresLoader(PostgresDialect dialect) {
    this.dialect = dialect;
  }

  /**
   * One staging table per session and column layout, emptied by every commit
   * ({@code ON COMMIT DELETE ROWS}): a session that writes again (a pooled connection) skips
   * creating and dropping it.
   */
  @Override
  public Staged stage(JdbcUnit unit, RecordBatch batch) throws SQLException {
    String definition = batch.columns().stream()
        .map(col -> NAMES.quote(col.name()) + " " + dialect.typeName(col.type())).collect(Collectors.joining(", "));
    String stage = NAMES.quote(STAGE + "_" + Long.toHexString(PostgresDialect.lockKey(definition)));
    unit.execute(Sql.of("CREATE TEMPORARY TABLE IF NOT EXISTS " + stage + " (" + definition + ") ON COMMIT DELETE ROWS"));
    int cleaned = copy(unit, batch, stage, batch.columns().stream().map(col -> NAMES.quote(col.name())).toList());
    return Staged.of(stage, cleaned, () -> {});
  }

  /** Copies straight into the table: no staging, no merge. */
  @Override
  public int append(JdbcUnit unit, RecordBatch batch, String table, List<String> quotedColumns) throws SQLException {
    return copy(unit, batch, table, quotedColumns);
  }

  private static int copy(JdbcUnit unit, RecordBatch batch, String table, List<String> quotedColumns)
      throws SQLException {
    try (BinaryCopy copy = BinaryCopy.start(unit.connection(), "COPY " + table + " (" + String.join(", ", quotedColumns)
        + ") FROM STDIN (FORMAT binary)")) {
      int cleaned = new BatchEncoder(batch).encode(copy);
      copy.finish();
      return cleaned;
    }
  }

  /** NUL characters are removed from categories and labels. */
  @Override
  public void appendLinks(JdbcUnit unit, LinkBatch batch, String table) throws SQLException {
    long syncedAt = micros(batch.syncedAt());
    try (BinaryCopy copy = BinaryCopy.start(unit.connection(), "COPY " + table + " (from_id, to_id, "
        + "association_type_id, association_category, association_label, _synced_at) FROM STDIN (FORMAT binary)")) {
      for (LinkRow link : batch.links()) {
        copy.startRow(6);
        copy.writeBigint(link.fromId());
        copy.writeBigint(link.toId());
        copy.writeInt(link.typeId());
        writeText(copy, link.category());
        writeText(copy, link.label());
        if (BinaryCopy.validTimestamp(syncedAt)) {
          copy.writeTimestamp(syncedAt);
        } else {
          copy.writeNull();
        }
      }
      copy.finish();
    }
  }

  private static void writeText(BinaryCopy copy, String value) {
    if (value == null) {
      copy.writeNull();
    } else {
      copy.writeText(value);
    }
  }

  private static long micros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }
}
