package dev.hubspotsync.duckdb;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.sql.JdbcUnit;
import dev.hubspotsync.sql.SqlDialect;
import dev.hubspotsync.sql.SqlSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.duckdb.DuckDBConnection;

/**
 * One open DuckDB database: a file (shared by every sink of this JVM that opens the same file, as
 * DuckDB keeps one database instance per file and process) or an in-memory database of its own.
 * Holds the root connection, hands out duplicates of it (kept for reuse), and the Java locks that
 * order the units of work of its sinks' sessions: one per table and one for DDL. Thread-safe.
 */
final class DuckDbFile {
  private static final Map<Path, DuckDbFile> OPEN = new HashMap<>();
  private static final int IDLE_CONNECTIONS = 4;

  /** The file, or null in memory. */
  private final Path file;
  private final String description;
  private final DuckDBConnection root;
  /** The database's catalog name (DuckDB names it after the file): qualifies every table. */
  private final String catalog;
  private final ConcurrentLinkedDeque<DuckDBConnection> idle = new ConcurrentLinkedDeque<>();
  private final Map<String, ReentrantLock> tableLocks = new ConcurrentHashMap<>();
  private final ReentrantLock ddlLock = new ReentrantLock();
  /** Sinks using it; guarded by {@link #OPEN}. */
  private int users;

  private DuckDbFile(Path file, DuckDBConnection root) {
    this.file = file;
    this.description = file == null ? "in memory" : file.toString();
    this.root = root;
    try (Statement s = root.createStatement(); var rs = s.executeQuery("SELECT current_database()")) {
      rs.next();
      this.catalog = rs.getString(1);
    } catch (SQLException e) {
      closeQuietly(root);
      throw failure("read the database's name", e);
    }
  }

  /**
   * Opens the file (created if absent) or a new in-memory database, or joins the sinks that have
   * the file open already.
   *
   * @throws HubSpotSyncException with {@link ErrorCode#BAD_CONFIGURATION} when the file's directory
   *     does not exist, the path is a directory or the file is not a DuckDB database
   * @throws WarehouseException (retryable) when another process holds the file
   */
  static DuckDbFile open(Path file, String owner) {
    if (file == null) {
      DuckDbFile memory = new DuckDbFile(null, connect("jdbc:duckdb:", null, owner));
      memory.users = 1;
      return memory;
    }
    Path path = file.toAbsolutePath().normalize();
    Path directory = path.getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, owner + ": the directory of file(" + path
          + ") does not exist; create it or choose another file");
    }
    if (Files.isDirectory(path)) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, owner + ": file(" + path
          + ") is a directory; give the path of a DuckDB database file (created if absent)");
    }
    Path key = realPath(path);
    synchronized (OPEN) {
      DuckDbFile shared = OPEN.get(key);
      if (shared == null) {
        shared = new DuckDbFile(path, connect("jdbc:duckdb:" + path, path, owner));
        OPEN.put(key, shared);
      }
      shared.users++;
      return shared;
    }
  }

  private static Path realPath(Path path) {
    try {
      return Files.exists(path) ? path.toRealPath() : path.getParent().toRealPath().resolve(path.getFileName());
    } catch (IOException e) {
      return path;
    }
  }

  private static DuckDBConnection connect(String url, Path path, String owner) {
    try {
      return (DuckDBConnection) DriverManager.getConnection(url, new Properties());
    } catch (SQLException e) {
      String what = path == null ? "an in-memory database" : "file(" + path + ")";
      String hint = "";
      String message = String.valueOf(e.getMessage());
      if (message.contains("Could not set lock")) {
        // Another run still holds the file (e.g. overlapping scheduled runs): retrying later can succeed.
        throw new WarehouseException(owner + " cannot open " + what + ": " + message + ". DuckDB lets one process "
            + "at a time open a database file for writing: wait for the other process (named above) to finish, "
            + "stop it, or give this sink another file", e.getSQLState(), true, e);
      } else if (message.contains("not a valid DuckDB database")) {
        hint = ". Give the path of a DuckDB database file, or of a file that does not exist yet";
      }
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, owner + " cannot open " + what + ": " + message
          + hint, false, e);
    }
  }

  /** Releases this sink's use; the last user closes the connections (and DuckDB then the file). */
  void release() {
    synchronized (OPEN) {
      if (--users > 0) {
        return;
      }
      if (file != null) {
        OPEN.values().remove(this);
      }
    }
    for (DuckDBConnection c; (c = idle.poll()) != null; ) {
      closeQuietly(c);
    }
    closeQuietly(root);
  }

  String description() {
    return description;
  }

  /**
   * The catalog, which a table name must carry: a file {@code hubspot.duckdb} is catalog
   * {@code hubspot}, and a schema of that name is then ambiguous without it.
   */
  String catalog() {
    return catalog;
  }

  /** A connection of its own for one operation, in auto-commit mode with the session time zone UTC. */
  DuckDBConnection borrow() throws SQLException {
    DuckDBConnection c = idle.poll();
    if (c != null) {
      return c;
    }
    c = root.duplicate();
    try (Statement s = c.createStatement()) {
      for (String setting : DuckDbDialect.SESSION_SETTINGS) {
        s.execute(setting);
      }
    }
    return c;
  }

  void giveBack(DuckDBConnection c) {
    boolean keep;
    try {
      keep = !c.isClosed() && c.getAutoCommit() && idle.size() < IDLE_CONNECTIONS;
    } catch (SQLException e) {
      keep = false;
    }
    if (keep) {
      idle.push(c);
    } else {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // Closing: nothing left to do with it.
    }
  }

  /**
   * The session of a sink on this database: units of work are transactions on a connection of
   * their own, ordered by locks of this JVM (one per table, one for DDL), which alone can open the
   * file.
   */
  SqlSession<JdbcUnit> session(SqlDialect dialect) {
    return new SqlSession<>() {
      @Override
      public <T> T unit(String action, List<Lock> locks, Work<JdbcUnit, T> work) {
        List<ReentrantLock> held = new ArrayList<>();
        for (Lock lock : locks) {
          held.add(lock.isDdl() ? ddlLock
              : tableLocks.computeIfAbsent(dialect.qualified(lock.table()), t -> new ReentrantLock()));
        }
        return transaction(action, held, work);
      }
    };
  }

  /**
   * Runs {@code work} in one transaction on a connection of its own, holding {@code locks} (in
   * order) until it ends. Commits when {@code work} returns, rolls back when it throws.
   *
   * @param action what it does, for messages: "write 100 rows to contacts"
   * @throws WarehouseException when DuckDB failed; retryable for a transaction conflict
   */
  private <T> T transaction(String action, List<ReentrantLock> locks, SqlSession.Work<JdbcUnit, T> work) {
    int locked = 0;
    try {
      for (ReentrantLock lock : locks) {
        lock.lock();
        locked++;
      }
      DuckDBConnection c = borrow();
      try {
        c.setAutoCommit(false);
        T result = work.run(new JdbcUnit(c));
        c.commit();
        c.setAutoCommit(true);
        return result;
      } catch (SQLException | RuntimeException e) {
        rollback(c);
        throw e;
      } finally {
        giveBack(c);
      }
    } catch (SQLException e) {
      throw failure(action, e);
    } finally {
      for (int i = locked - 1; i >= 0; i--) {
        locks.get(i).unlock();
      }
    }
  }

  private static void rollback(DuckDBConnection c) {
    try {
      c.rollback();
      c.setAutoCommit(true);
    } catch (SQLException e) {
      // The connection is not given back in a transaction: giveBack closes it.
    }
  }

  WarehouseException failure(String action, SQLException e) {
    String message = String.valueOf(e.getMessage());
    // DuckDB's optimistic concurrency: another transaction changed the same rows or catalog entry.
    boolean retryable = message.contains("Conflict") || message.contains("conflict");
    return new WarehouseException("DuckDB (" + description + ") failed to " + action + ": " + message
        + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")"), e.getSQLState(), retryable, e);
  }
}
