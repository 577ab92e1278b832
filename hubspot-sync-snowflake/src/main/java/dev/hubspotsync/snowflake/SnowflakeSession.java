package dev.hubspotsync.snowflake;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.sql.SqlSession;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * The Snowflake session of a sink: connections through the Snowflake JDBC driver, kept open
 * between units (a Snowflake login costs a round trip or more; one idle for 30 minutes is closed,
 * before Snowflake would end its session), each set up once with the
 * dialect's session settings and auto-commit off; every unit is a JDBI transaction on one of them.
 * Locks are this JVM's: Snowflake has no advisory locks, so one process writes a schema at a time
 * (docs/snowflake.md). Failures become {@link WarehouseException}s naming the account, database
 * and action. Thread-safe.
 */
final class SnowflakeSession implements SqlSession<SnowflakeUnit>, AutoCloseable {
  private static final int IDLE_CONNECTIONS = 4;
  /** A kept connection idle longer is closed instead of reused: Snowflake ends idle sessions (4 h by default). */
  private static final long MAX_IDLE_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(30);
  /** Snowflake error codes that mean the set-up is wrong, not the statement: login, missing objects, no warehouse. */
  private static final Set<Integer> CONFIGURATION_ERRORS = Set.of(390100, 390101, 390102, 390144, 390189, 390201,
      390302, 2003, 2043, 3001, 606, 390422);

  private final Driver driver;
  private final String url;
  private final Properties properties;
  private final String description;
  private final Deque<Idle> idle = new ArrayDeque<>();
  private final Map<Connection, Set<String>> stagingTables = Collections.synchronizedMap(new java.util.IdentityHashMap<>());
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Jdbi jdbi;
  private volatile boolean closed;

  /**
   * @param properties the driver's connection properties, secrets included (never shown)
   * @param description where it connects, for messages: {@code account xy12345, database ANALYTICS}
   */
  SnowflakeSession(Driver driver, String url, Properties properties, String description) {
    this.driver = driver;
    this.url = url;
    this.properties = properties;
    this.description = description;
    this.jdbi = Jdbi.create(new ConnectionFactory() {
      @Override
      public Connection openConnection() throws SQLException {
        return borrow();
      }

      @Override
      public void closeConnection(Connection connection) throws SQLException {
        giveBack(connection);
      }
    });
  }

  String description() {
    return description;
  }

  @Override
  public <T> T unit(String action, List<Lock> order, Work<SnowflakeUnit, T> work) {
    List<ReentrantLock> held = order.stream()
        .map(l -> locks.computeIfAbsent(l.isDdl() ? "" : "table:" + l.table(), k -> new ReentrantLock())).toList();
    held.forEach(ReentrantLock::lock);
    try {
      return jdbi.inTransaction(handle -> {
        Connection connection = handle.getConnection();
        return work.run(new SnowflakeUnit(connection, stagingTables.computeIfAbsent(connection,
            c -> Collections.synchronizedSet(new HashSet<>()))));
      });
    } catch (SQLException e) {
      throw translate(action, e);
    } catch (JdbiException e) {
      SQLException sql = sqlCause(e);
      throw sql == null ? new WarehouseException(message(action, e.getMessage(), null), null, false, e)
          : translate(action, sql);
    } finally {
      for (int i = held.size() - 1; i >= 0; i--) {
        held.get(i).unlock();
      }
    }
  }

  /** A kept connection, or a new one set up with the session settings and auto-commit off. */
  private Connection borrow() throws SQLException {
    if (closed) {
      throw new SQLException("The Snowflake sink is closed");
    }
    while (true) {
      Idle kept;
      synchronized (idle) {
        kept = idle.pollFirst();
      }
      if (kept == null) {
        break;
      }
      if (System.nanoTime() - kept.since() < MAX_IDLE_NANOS) {
        return kept.connection();
      }
      discard(kept.connection());
    }
    Connection connection = driver.connect(url, properties);
    if (connection == null) {
      throw new SQLException("The Snowflake driver does not accept the URL " + url);
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute(SnowflakeDialect.SESSION_SETTINGS);
      connection.setAutoCommit(false);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  /** Keeps a healthy connection for the next unit; closes it when enough are kept or it broke. */
  private void giveBack(Connection connection) throws SQLException {
    if (!closed && !connection.isClosed()) {
      synchronized (idle) {
        if (idle.size() < IDLE_CONNECTIONS) {
          idle.addFirst(new Idle(connection, System.nanoTime()));
          return;
        }
      }
    }
    stagingTables.remove(connection);
    connection.close();
  }

  private record Idle(Connection connection, long since) {}

  private void discard(Connection connection) {
    stagingTables.remove(connection);
    try {
      connection.close();
    } catch (SQLException e) {
      // the session ends on Snowflake's side when it times out
    }
  }

  /** Closes every kept connection (each ends its Snowflake session); later units fail. */
  @Override
  public void close() {
    closed = true;
    synchronized (idle) {
      idle.forEach(kept -> discard(kept.connection()));
      idle.clear();
    }
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  private RuntimeException translate(String action, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    int code = e.getErrorCode();
    String text = message(action, e.getMessage(), state) + (code == 0 ? "" : " (Snowflake error " + code + ")");
    if (state.startsWith("28") || CONFIGURATION_ERRORS.contains(code)) {
      return new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, text + ". Check the account, user, key or "
          + "password, the warehouse, the database and the role's grants (docs/snowflake.md lists them)", false, e);
    }
    boolean retryable = state.startsWith("08") || code == 625 || code == 630 || code == 390114;
    return new WarehouseException(text + (retryable ? "; retrying the run may succeed" : ""), e.getSQLState(),
        retryable, e);
  }

  private String message(String action, String cause, String state) {
    return "Snowflake (" + description + ") failed to " + action + ": " + cause
        + (state == null || state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
  }
}
