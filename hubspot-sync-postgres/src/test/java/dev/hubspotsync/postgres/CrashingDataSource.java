package dev.hubspotsync.postgres;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Hands out the real connections, except that the {@code commit()} of the next transaction that
 * stored the checkpoint of an {@link #arm armed} stream throws instead, committing nothing: a
 * process killed just before its commit. The connection then rolls back, as a dead one would.
 */
final class CrashingDataSource implements DataSource {
  private final DataSource delegate;
  private final Set<String> armed = ConcurrentHashMap.newKeySet();

  CrashingDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  /** The next commit of a transaction that saves {@code stream}'s checkpoint fails, once. */
  void arm(String stream) {
    armed.add(stream);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return wrap(delegate.getConnection(user, password));
  }

  private Connection wrap(Connection real) {
    String[] savedStream = {null};
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "commit":
              String stream = savedStream[0];
              savedStream[0] = null;
              if (stream != null && armed.remove(stream)) {
                real.rollback();
                throw new SQLException("simulated crash before commit (stream " + stream + ")", "08006");
              }
              real.commit();
              return null;
            case "rollback":
              savedStream[0] = null;
              return invoke(real, method, args);
            case "prepareStatement":
              PreparedStatement statement = (PreparedStatement) invoke(real, method, args);
              String sql = (String) args[0];
              if (sql.startsWith("INSERT INTO") && sql.contains("_hubspot_sync_state")) {
                return watchStream(statement, savedStream);
              }
              return statement;
            default:
              return invoke(real, method, args);
          }
        });
  }

  /** Remembers the stream (parameter 1) of a checkpoint upsert. */
  private static PreparedStatement watchStream(PreparedStatement real, String[] savedStream) {
    return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
          if (method.getName().equals("setString") && (Integer) args[0] == 1) {
            savedStream[0] = (String) args[1];
          }
          return invoke(real, method, args);
        });
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return delegate.isWrapperFor(iface);
  }
}
