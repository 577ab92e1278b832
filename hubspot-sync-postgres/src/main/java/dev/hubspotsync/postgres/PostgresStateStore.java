package dev.hubspotsync.postgres;

import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.StateStore;
import dev.hubspotsync.sql.Checkpoints;
import dev.hubspotsync.sql.SqlSession.Lock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
    return db.describe("PostgresStateStore");
  }

  /** Collects the store's settings; {@link #build()} copies them. Not thread-safe. */
  public static final class Builder extends ConnectionBuilder<Builder> {
    private Builder() {
      super(new Database.Settings());
    }

    /** Does not connect; the first call creates the schema and table if absent. */
    public PostgresStateStore build() {
      return new PostgresStateStore(Database.open(settings.copy(), "PostgresStateStore"));
    }
  }
}
