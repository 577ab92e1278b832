package dev.hubspotsync.postgres;

import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.sql.JdbcUnit;
import dev.hubspotsync.sql.SqlSink;

/**
 * Loads synced HubSpot data into PostgreSQL (9.5 or later). One table per object type in the
 * configured schema, one link table per association pair, and the sink's own tables
 * {@code _hubspot_sync_state} (checkpoints), {@code _hubspot_sync_columns} (property → column
 * mapping), {@code _hubspot_sync_tables} (object type → table name) and {@code _hubspot_sync_runs},
 * all named with the configured prefix; see {@code docs/postgres.md}.
 *
 * <pre>{@code
 * PostgresSink sink = PostgresSink.builder()
 *     .jdbcUrl("jdbc:postgresql://db:5432/warehouse", "loader", password)
 *     .schema("hubspot")
 *     .build();
 * }</pre>
 *
 * <p>Each {@link #write} is one transaction: the batch is sent with a binary
 * {@code COPY … FROM STDIN} into a temporary staging table (kept by the session, emptied at each
 * commit) and merged with
 * {@code INSERT … ON CONFLICT (id) DO UPDATE … WHERE stored._hs_updated_at <= new._hs_updated_at}
 * (a stored row is replaced only by one at least as new; a stored null counts as older than
 * anything), then the stream's checkpoint row is upserted. When no row of the batch can exist yet
 * (every id above the table's largest), the rows are copied straight into the table. Writers of one
 * table, in this process or another, take a PostgreSQL advisory lock for the table, so writes to one
 * table run one at a time while writes to different tables run in parallel.
 *
 * <p>Values PostgreSQL would reject are changed and counted in {@link WriteResult#valuesCleaned()}:
 * NUL characters are removed from text, and a date or timestamp outside PostgreSQL's range becomes
 * null (for a property, with its text kept in {@code _hs_unparsed}). Numbers are
 * {@code DOUBLE PRECISION}, which holds every value a {@link RecordBatch} carries; a legacy
 * {@code NUMERIC(38,9)} number column is converted to it with {@code ALTER TABLE … ALTER COLUMN …
 * TYPE DOUBLE PRECISION} (see {@link #evolve}, which adds columns with
 * {@code ADD COLUMN IF NOT EXISTS}).
 *
 * <p>Identifiers are always quoted and at most 63 bytes; table names are derived from the object
 * type (sanitized like column names, so {@code 2-12345} becomes {@code _2_12345}) and stored, so
 * they stay the same across runs.
 *
 * <p>Thread-safe: every operation takes a connection of its own from the DataSource and gives it
 * back (with a JDBC URL, the sink keeps up to four connections open between operations). {@link #close()} releases nothing of a DataSource the caller passed (the caller owns it);
 * afterwards operations throw {@link IllegalStateException}. Arguments must not be null. Database
 * failures throw {@link WarehouseException}, or {@link dev.hubspotsync.HubSpotSyncException} with
 * {@code BAD_CONFIGURATION} for credentials, a missing database or missing privileges; messages
 * never contain a password.
 */
public final class PostgresSink extends SqlSink<JdbcUnit> {
  private final Database db;

  private PostgresSink(Database db, String prefix) {
    super("PostgresSink", db.schema(), prefix, db.dialect(), new PostgresLoader(db.dialect()), db);
    this.db = db;
  }

  /** A builder: give it {@link Builder#dataSource} or {@link Builder#jdbcUrl}. */
  public static Builder builder() {
    return new Builder(new Database.Settings());
  }

  /**
   * Closes the connections the sink opened itself (from a JDBC URL); a DataSource the caller passed
   * stays open.
   */
  @Override
  protected void release() {
    db.close();
  }

  @Override
  public String toString() {
    return "PostgresSink[" + db.description() + ", schema=" + db.schema()
        + (db.prefix().isEmpty() ? "" : ", tablePrefix=" + db.prefix()) + "]";
  }

  /**
   * Collects a sink's settings. Not thread-safe; {@link #build()} copies them, so one builder can
   * make several sinks.
   */
  public static final class Builder extends ConnectionBuilder<Builder> {
    private Builder(Database.Settings settings) {
      super(settings);
    }

    /**
     * A sink with these settings. Does not connect: the schema and tables are created by the first
     * operation.
     *
     * @throws dev.hubspotsync.HubSpotSyncException with {@code BAD_CONFIGURATION} when neither a
     *     DataSource nor a JDBC URL was given, or the URL is not a PostgreSQL URL
     */
    public PostgresSink build() {
      Database db = Database.open(settings.copy(), "PostgresSink");
      return new PostgresSink(db, db.prefix());
    }

    @Override
    public String toString() {
      return "PostgresSink.Builder[schema=" + settings.schema + "]";
    }
  }
}
