package dev.hubspotsync.postgres;

import dev.hubspotsync.WarehouseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Locks on streams, so that two processes never sync the same stream into the same schema at once
 * (two Airflow tasks of one stream, a retry that overlaps a run still going). Each lock is a
 * PostgreSQL session-level advisory lock on a connection of its own, held until {@link #close()}
 * or until the connection ends: a process killed with SIGKILL drops its connection and so its
 * locks, at once. Keyed by schema, table prefix and stream name. Not thread-safe; one per process.
 */
public final class PostgresStreamLocks implements AutoCloseable {
  private final Database db;
  private Connection connection;

  private PostgresStreamLocks(Database db) {
    this.db = db;
  }

  /**
   * Locks on streams in the database of {@code url} (credentials as {@link PostgresSink.Builder#jdbcUrl(String, String, String)}),
   * keyed by {@code schema} and {@code tablePrefix}, the sink's.
   */
  public static PostgresStreamLocks open(String url, String user, String password, String schema, String tablePrefix) {
    Database.Settings settings = new Database.Settings();
    settings.jdbcUrl(url, user, password);
    if (schema != null) {
      settings.schema(schema);
    }
    if (tablePrefix != null) {
      settings.tablePrefix(tablePrefix);
    }
    return new PostgresStreamLocks(Database.open(settings, "PostgresStreamLocks"));
  }

  /**
   * Takes the lock of every stream, or none: returns the streams another process holds (empty when
   * all were taken). Streams already held by this object count as taken.
   */
  public List<String> tryLock(Collection<String> streams) {
    if (connection == null) {
      connection = db.connection("lock streams");
    }
    List<String> taken = new ArrayList<>();
    List<String> busy = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      for (String stream : streams) {
        s.setLong(1, key(stream));
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          (rs.getBoolean(1) ? taken : busy).add(stream);
        }
      }
      if (!busy.isEmpty()) {
        try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
          for (String stream : taken) {
            unlock.setLong(1, key(stream));
            unlock.executeQuery().close();
          }
        }
      }
      return busy;
    } catch (SQLException e) {
      throw new WarehouseException("PostgreSQL (" + db.description() + ") failed to lock streams " + streams + ": "
          + e.getMessage(), e.getSQLState(), true, e);
    }
  }

  private long key(String stream) {
    return PostgresDialect.lockKey("stream", db.schema(), db.prefix(), stream);
  }

  /** Releases every lock and closes the connection. */
  @Override
  public void close() {
    if (connection != null) {
      try (Statement s = connection.createStatement()) {
        s.execute("SELECT pg_advisory_unlock_all()");
      } catch (SQLException e) {
        // The connection is going anyway; its locks end with it.
      }
      try {
        connection.close();
      } catch (SQLException e) {
        // nothing left to release
      }
      connection = null;
    }
    db.close();
  }
}
