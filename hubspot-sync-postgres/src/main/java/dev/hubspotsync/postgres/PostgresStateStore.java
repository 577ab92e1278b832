package dev.hubspotsync.postgres;

import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.StateStore;
import dev.hubspotsync.sql.Checkpoints;
import dev.hubspotsync.sql.SqlSession.Lock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Keeps checkpoints in a PostgreSQL table, for a sync that loads its data elsewhere: the
 * {@code _hubspot_sync_state} table of {@link PostgresSink}'s layout (stream, checkpoint,
 * updated_at), in the configured schema and with the configured prefix, both created if absent.
 *
 * <pre>{@code
 * StateStore state = PostgresStateStore.builder().jdbcUrl(url, "sync", password).schema("hubspot").build();
 * SyncJob.builder().sink(bigQuerySink).stateStore(state)...
 * }</pre>
 *
 * <p>Thread-safe: each call runs in its own transaction on a connection of its own, and
 * {@link #save} has committed when it returns. Database failures throw
 * {@link WarehouseException} (or {@code HubSpotSyncException} with {@code BAD_CONFIGURATION});
 * messages never hold a password.
 */
public final class PostgresStateStore implements StateStore, AutoCloseable {
  private final Database db;
  private final Checkpoints checkpoints;
  private volatile boolean setUp;

  private PostgresStateStore(Database db) {
    this.db = db;
    this.checkpoints = new Checkpoints(db.dialect(), db.prefix());
  }

  /** A builder: give it {@link Builder#dataSource} or {@link Builder#jdbcUrl}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<Checkpoint> load(String stream) {
    Objects.requireNonNull(stream, "stream");
    setUp();
    return db.unit("read the checkpoint of " + stream, List.of(), u -> checkpoints.load(u, stream));
  }

  @Override
  public void save(Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    setUp();
    db.unit("save the checkpoint of " + checkpoint.stream(), List.of(), u -> {
      checkpoints.save(u, checkpoint);
      return null;
    });
  }

  private void setUp() {
    if (setUp) {
      return;
    }
    db.unit("create " + checkpoints.table(), List.of(Lock.ddl()), u -> {
      checkpoints.create(u);
      return null;
    });
    setUp = true;
  }

  /** Closes the connections the store opened itself (from a JDBC URL); a caller's DataSource stays open. */
  @Override
  public void close() {
    db.close();
  }

  @Override
  public String toString() {
    return "PostgresStateStore[" + db.description() + ", schema=" + db.schema()
        + (db.prefix().isEmpty() ? "" : ", tablePrefix=" + db.prefix()) + "]";
  }

  /** Collects the store's settings; {@link #build()} copies them. Not thread-safe. */
  public static final class Builder {
    private final Database.Settings settings = new Database.Settings();

    private Builder() {}

    /** Connections from this DataSource, which the caller keeps owning. Replaces a {@link #jdbcUrl}. */
    public Builder dataSource(DataSource dataSource) {
      settings.dataSource(dataSource);
      return this;
    }

    /** As {@link PostgresSink.Builder#jdbcUrl(String, String, String)}. */
    public Builder jdbcUrl(String url, String user, String password) {
      settings.jdbcUrl(url, user, password);
      return this;
    }

    /** As {@link PostgresSink.Builder#jdbcUrl(String)}. */
    public Builder jdbcUrl(String url) {
      return jdbcUrl(url, null, null);
    }

    /** The schema of the state table (default {@code hubspot}); created if absent. */
    public Builder schema(String schema) {
      settings.schema(schema);
      return this;
    }

    /** Prepended to the table name, as {@link PostgresSink.Builder#tablePrefix}. */
    public Builder tablePrefix(String prefix) {
      settings.tablePrefix(prefix);
      return this;
    }

    /** Does not connect; the first call creates the schema and table if absent. */
    public PostgresStateStore build() {
      return new PostgresStateStore(Database.open(settings.copy(), "PostgresStateStore"));
    }
  }
}
