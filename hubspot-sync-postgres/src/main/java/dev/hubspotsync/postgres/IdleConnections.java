package dev.hubspotsync.postgres;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * Keeps a few connections of a pool-less DataSource (the one built from a JDBC URL) open between
 * operations: a PostgreSQL connection costs a server process and a few milliseconds, which small
 * batches would pay on every write. A connection is handed out to one caller at a time; when the
 * caller closes it, it is kept (at most {@code maxIdle}) if it is open, in auto-commit mode and
 * not inside a transaction, else closed. Thread-safe. {@link #close()} closes the idle ones.
 */
final class IdleConnections implements DataSource, AutoCloseable {
  private final DataSource connector;
  private final int maxIdle;
  private static final long CHECK_AFTER_NANOS = 30_000_000_000L;

  private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger idleCount = new AtomicInteger();
  private volatile boolean closed;

  IdleConnections(DataSource connector, int maxIdle) {
    this.connector = connector;
    this.maxIdle = maxIdle;
  }

  @Override
  public Connection getConnection() throws SQLException {
    for (Idle kept = idle.pollFirst(); kept != null; kept = idle.pollFirst()) {
      idleCount.decrementAndGet();
      // A connection idle for long may have been closed by the server or a firewall: checked first.
      if (System.nanoTime() - kept.since < CHECK_AFTER_NANOS || kept.connection.isValid(5)) {
        return handOut(kept.connection);
      }
      closeQuietly(kept.connection);
    }
    return handOut(connector.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("connections carry the sink's configured credentials");
  }

  private Connection handOut(Connection real) {
    boolean[] returned = {false};
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "close":
              if (!returned[0]) {
                returned[0] = true;
                giveBack(real);
              }
              return null;
            case "isClosed":
              return returned[0] || real.isClosed();
            case "equals":
              return proxy == args[0];
            case "hashCode":
              return System.identityHashCode(proxy);
            default:
              if (returned[0]) {
                throw new SQLException("This connection was closed", "08003");
              }
              return invoke(real, method, args);
          }
        });
  }

  private static Object invoke(Connection real, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(real, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private void giveBack(Connection real) throws SQLException {
    boolean reusable;
    try {
      reusable = !closed && !real.isClosed() && real.getAutoCommit()
          && real.unwrap(BaseConnection.class).getTransactionState() == TransactionState.IDLE;
    } catch (SQLException e) {
      reusable = false;
    }
    if (reusable && idleCount.incrementAndGet() <= maxIdle) {
      idle.offerFirst(new Idle(real, System.nanoTime()));
      if (closed) {
        close();
      }
      return;
    }
    if (reusable) {
      idleCount.decrementAndGet();
    }
    real.close();
  }

  /** Closes the idle connections; connections handed out are closed when given back. */
  @Override
  public void close() {
    closed = true;
    for (Idle kept = idle.pollFirst(); kept != null; kept = idle.pollFirst()) {
      idleCount.decrementAndGet();
      closeQuietly(kept.connection);
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // it is being dropped either way
    }
  }

  private record Idle(Connection connection, long since) {}

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return connector.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    connector.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    connector.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return connector.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return connector.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return connector.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || connector.isWrapperFor(iface);
  }
}
