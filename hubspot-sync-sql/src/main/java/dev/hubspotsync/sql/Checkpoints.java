package dev.hubspotsync.sql;

import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.sink.Checkpoint;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The {@code _hubspot_sync_state} table (stream, checkpoint, updated_at) in a sink's schema: what
 * a {@link SqlSink} stores in the unit of work of the data, and what a state store of the same
 * warehouse keeps on its own. Immutable and thread-safe; each method works inside a given unit.
 */
public final class Checkpoints {
  /** The table's name before the prefix. */
  public static final String TABLE = "_hubspot_sync_state";
  private final SqlDialect dialect;
  private final String table;

  public Checkpoints(SqlDialect dialect, String prefix) {
    this.dialect = dialect;
    this.table = dialect.qualified(prefix + TABLE);
  }

  /** The table's name, quoted and qualified. */
  public String table() {
    return table;
  }

  /**
   * Creates the schema (unless it exists: checked first, so a user without the right to create
   * schemas can use one) and the table if absent.
   */
  public void create(SqlUnit unit) throws SQLException {
    if (unit.rows(dialect.schemaExists()).isEmpty()) {
      unit.execute(Sql.of(dialect.createSchema()));
    }
    String text = dialect.typeName(ColumnType.TEXT);
    unit.execute(Sql.of("CREATE TABLE IF NOT EXISTS " + table + " (stream " + text + " PRIMARY KEY, checkpoint "
        + text + " NOT NULL, updated_at " + dialect.typeName(ColumnType.TIMESTAMP) + " NOT NULL DEFAULT now())"));
  }

  public Optional<Checkpoint> load(SqlUnit unit, String stream) throws SQLException {
    List<Object[]> rows = unit.rows(Sql.of("SELECT checkpoint FROM " + table + " WHERE stream = ?", stream));
    return rows.isEmpty() ? Optional.empty() : Optional.of(new Checkpoint(stream, (String) rows.get(0)[0]));
  }

  public void save(SqlUnit unit, Checkpoint checkpoint) throws SQLException {
    unit.execute(Sql.of(dialect.upsertRow(table, List.of("stream", "checkpoint", "updated_at"),
        List.of("?", "?", "now()")), checkpoint.stream(), checkpoint.json()));
  }
}
