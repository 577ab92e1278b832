package dev.hubspotsync.duckdb;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.sql.Identifiers;
import dev.hubspotsync.sql.JdbcUnit;
import dev.hubspotsync.sql.SqlSink;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.duckdb.DuckDBConnection;

/**
 * Loads synced HubSpot data into an embedded DuckDB database: one file (or memory), no server.
 * One table per object type in the configured schema, one link table per association pair, and the
 * sink's own tables {@code _hubspot_sync_state} (checkpoints), {@code _hubspot_sync_columns}
 * (property → column mapping), {@code _hubspot_sync_tables} (object type → table name) and
 * {@code _hubspot_sync_runs}, all named with the configured prefix; see {@code docs/duckdb.md}.
 *
 * <pre>{@code
 * try (DuckDbSink sink = DuckDbSink.builder().file(Path.of("hubspot.duckdb")).build()) {
 *   SyncJob.builder().client(hubspot).sink(sink).addObjectTypes("contacts").build().run();
 * }
 * }</pre>
 *
 * <p>Each {@link #write} is one transaction: the batch's Arrow vectors are handed to DuckDB as an
 * Arrow stream (no copy, no row-by-row JDBC) and merged with
 * {@code MERGE … WHEN MATCHED AND (stored._hs_updated_at IS NULL OR stored._hs_updated_at <= new._hs_updated_at)
 * THEN UPDATE … WHEN NOT MATCHED THEN INSERT …} (a stored row is replaced only by one at least as
 * new; a stored null counts as older than anything), then the stream's checkpoint row is upserted.
 * When no row of the batch can exist yet (every id above the table's largest), the rows are
 * inserted with a plain {@code INSERT … SELECT}. The protocol is the SQL kernel's ({@link SqlSink}). DuckDB
 * stores every value a {@link RecordBatch} holds (NUL characters included), so
 * {@link WriteResult#valuesCleaned()} is always 0.
 *
 * <p>Identifiers are always quoted and at most 255 bytes; table names are derived from the object
 * type (sanitized like column names, so {@code 2-12345} becomes {@code _2_12345}) and stored, so
 * they stay the same across runs. Every connection runs with {@code SET TimeZone = 'UTC'}. New
 * columns are added with {@code ALTER TABLE … ADD COLUMN}; a legacy {@code DECIMAL(38,9)} number
 * column is converted with {@code ALTER TABLE … ALTER COLUMN … TYPE DOUBLE} (see {@link #evolve}).
 *
 * <p>Lifecycle: {@link Builder#build()} opens (or creates) the file and holds it until
 * {@link #close()}; DuckDB lets one process at a time open a file, so a second process gets a
 * retryable {@link dev.hubspotsync.WarehouseException} naming the file (bad paths get a
 * {@link HubSpotSyncException} with {@code BAD_CONFIGURATION}). Sinks of one JVM on
 * the same file share one database; the file is released when the last of them closes. After
 * {@code close()} operations throw {@link IllegalStateException}.
 *
 * <p>Thread-safe: each operation runs on a connection of its own. Writes to different tables run in
 * parallel; writers of one table (and every schema change) take a lock, so they run one at a time.
 * Arguments must not be null. Database failures throw {@link WarehouseException} (retryable for a
 * DuckDB transaction conflict); the operation's transaction was rolled back. The JVM needs
 * {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (Arrow).
 */
public final class DuckDbSink extends SqlSink<JdbcUnit> {
  private final DuckDbFile db;
  private final DuckDbDialect dialect;
  private final DuckDbLoader loader;
  private final Set<String> crashBeforeCommit = ConcurrentHashMap.newKeySet();

  private DuckDbSink(DuckDbFile db, DuckDbDialect dialect, DuckDbLoader loader, String schema, String prefix) {
    super("DuckDbSink", schema, prefix, dialect, loader, db.session(dialect));
    this.db = db;
    this.dialect = dialect;
    this.loader = loader;
  }

  private static DuckDbSink open(DuckDbFile db, String schema, String prefix) {
    return new DuckDbSink(db, new DuckDbDialect(db.catalog(), schema), new DuckDbLoader(), schema, prefix);
  }

  /** A builder: give it {@link Builder#file} or {@link Builder#inMemory}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Releases the file (DuckDB closes it when the last sink of this JVM on it closes).
   */
  @Override
  protected void release() {
    try {
      db.release();
    } finally {
      loader.close();
    }
  }

  @Override
  public String toString() {
    return "DuckDbSink[" + db.description() + ", schema=" + schema() + (prefix().isEmpty() ? "" : ", tablePrefix="
        + prefix()) + "]";
  }

  /** A new connection to the sink's database, in UTC; the caller closes it. For tests and tools. */
  DuckDBConnection connect() throws SQLException {
    return db.borrow();
  }

  /** The table's name, quoted, with the catalog and schema. */
  String qualifiedTable(String table) {
    return dialect.qualified(table);
  }

  /** Test hook: the next write or link replacement that stores {@code stream}'s checkpoint fails before its commit. */
  void crashBeforeCommit(String stream) {
    crashBeforeCommit.add(stream);
  }

  @Override
  protected void beforeCommit(Checkpoint checkpoint) throws SQLException {
    if (crashBeforeCommit.remove(checkpoint.stream())) {
      throw new SQLException("simulated crash before commit (stream " + checkpoint.stream() + ")");
    }
  }

  /**
   * Collects a sink's settings. Not thread-safe; {@link #build()} copies them, so one builder can
   * make several sinks.
   */
  public static final class Builder {
    private Path file;
    private boolean inMemory;
    private String schema = "main";
    private String tablePrefix = "";

    private Builder() {}

    /** The database file, created if absent (its directory must exist). Replaces {@link #inMemory()}. */
    public Builder file(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      this.inMemory = false;
      return this;
    }

    /** A database in memory, private to this sink and gone when it closes (tests, demos). Replaces {@link #file}. */
    public Builder inMemory() {
      this.inMemory = true;
      this.file = null;
      return this;
    }

    /** The schema of every table (default {@code main}); created if absent. Any name of at most 255 bytes. */
    public Builder schema(String schema) {
      DuckDbDialect.NAMES.check(Objects.requireNonNull(schema, "schema"), "schema name");
      this.schema = schema;
      return this;
    }

    /**
     * Prepended to every table the sink creates, its own included (default none): at most 30
     * characters of {@code a-z}, {@code 0-9} and {@code _}.
     */
    public Builder tablePrefix(String prefix) {
      this.tablePrefix = Identifiers.checkPrefix(Objects.requireNonNull(prefix, "tablePrefix"));
      return this;
    }

    /**
     * Opens the file (creating it if absent) or the in-memory database. The schema and tables are
     * created by the first operation.
     *
     * @throws HubSpotSyncException with {@code BAD_CONFIGURATION} when neither a file nor
     *     {@code inMemory()} was given, the file's directory does not exist, the path is a directory
     *     or not a DuckDB file, or another process has the file open
     */
    public DuckDbSink build() {
      if (file == null && !inMemory) {
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "DuckDbSink needs a file(…) or inMemory()");
      }
      return open(DuckDbFile.open(file, "DuckDbSink"), schema, tablePrefix);
    }

    @Override
    public String toString() {
      return "DuckDbSink.Builder[" + (inMemory ? "in memory" : "file=" + file) + ", schema=" + schema + "]";
    }
  }
}
