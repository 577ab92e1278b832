package dev.hubspotsync.postgres;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.sql.Identifiers;
import dev.hubspotsync.sql.JdbcUnit;
import dev.hubspotsync.sql.SqlSession;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL session of a sink or state store: a {@link Jdbi} over the user's DataSource (or
 * one that keeps a few connections from a JDBC URL), the target schema and the table prefix. Every
 * unit of work is a transaction on a connection of its own, in UTC, holding advisory locks every
 * process shares. Immutable and thread-safe.
 */
final class Database implements SqlSession<JdbcUnit> {
  /** Connections kept open between operations when the sink opens its own (from a JDBC URL). */
  private static final int IDLE_CONNECTIONS = 4;
  private static final String TEMP_BUFFERS = "32MB";

  private final Jdbi jdbi;
  private final DataSource owned;
  private final String schema;
  private final String prefix;
  /** Where it connects, without credentials; for messages and toString. */
  private final String description;
  private final PostgresDialect dialect;

  private Database(Jdbi jdbi, DataSource owned, String schema, String prefix, String description) {
    this.jdbi = jdbi;
    this.owned = owned;
    this.schema = schema;
    this.prefix = prefix;
    this.description = description;
    this.dialect = new PostgresDialect(schema);
  }

  /** The settings both public builders collect. */
  static final class Settings {
    DataSource dataSource;
    String jdbcUrl;
    String user;
    String password;
    String schema = "hubspot";
    String tablePrefix = "";

    Settings copy() {
      Settings s = new Settings();
      s.dataSource = dataSource;
      s.jdbcUrl = jdbcUrl;
      s.user = user;
      s.password = password;
      s.schema = schema;
      s.tablePrefix = tablePrefix;
      return s;
    }

    void dataSource(DataSource value) {
      dataSource = Objects.requireNonNull(value, "dataSource");
      jdbcUrl = null;
      user = null;
      password = null;
    }

    void jdbcUrl(String url, String userName, String secret) {
      jdbcUrl = Objects.requireNonNull(url, "jdbcUrl");
      user = userName;
      password = secret;
      dataSource = null;
    }

    void schema(String value) {
      PostgresDialect.NAMES.check(Objects.requireNonNull(value, "schema"), "schema name");
      schema = value;
    }

    void tablePrefix(String value) {
      tablePrefix = Identifiers.checkPrefix(Objects.requireNonNull(value, "tablePrefix"));
    }
  }

  /**
   * @throws HubSpotSyncException with {@link ErrorCode#BAD_CONFIGURATION} when neither a DataSource
   *     nor a JDBC URL was given, or the URL is not a PostgreSQL one
   */
  static Database open(Settings settings, String owner) {
    DataSource dataSource = settings.dataSource;
    String description;
    if (dataSource != null) {
      description = "DataSource " + dataSource.getClass().getName();
    } else if (settings.jdbcUrl != null) {
      description = PostgresDialect.redact(settings.jdbcUrl);
      PGSimpleDataSource simple = new PGSimpleDataSource();
      try {
        simple.setURL(settings.jdbcUrl);
      } catch (RuntimeException e) {
        // PgJDBC's message repeats the URL, which may hold a password: not passed on.
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, owner + ": the JDBC URL " + description
            + " is not a PostgreSQL URL (jdbc:postgresql://host:port/database)");
      }
      if (settings.user != null) {
        simple.setUser(settings.user);
      }
      if (settings.password != null) {
        simple.setPassword(settings.password);
      }
      simple.setApplicationName("hubspot-sync");
      // The staging table of a write lives in temporary buffers: 8 MB by default, less than a large
      // batch. Settable only before a session's first temporary table, so only on connections we open.
      simple.setOptions("-c temp_buffers=" + TEMP_BUFFERS);
      dataSource = new IdleConnections(simple, IDLE_CONNECTIONS);
    } else {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, owner + " needs a dataSource(…) or a jdbcUrl(…)");
    }
    return new Database(Jdbi.create(dataSource), dataSource, settings.schema, settings.tablePrefix, description);
  }

  /** Closes the connections kept open, if the database opened them itself; a user's DataSource is left alone. */
  void close() {
    if (owned instanceof IdleConnections connections) {
      connections.close();
    }
  }

  /**
   * A connection of its own, outside any unit of work, for locks held for as long as it stays open
   * (auto-commit, time zone UTC). The caller closes it.
   */
  Connection connection(String action) {
    try {
      Connection c = owned.getConnection();
      c.setAutoCommit(true);
      return c;
    } catch (SQLException e) {
      throw translate(action, e);
    }
  }

  String schema() {
    return schema;
  }

  /** "{@code owner}[where, schema=…, tablePrefix=…]", for the toString of what uses it; no credentials. */
  String describe(String owner) {
    return owner + "[" + description + ", schema=" + schema + (prefix.isEmpty() ? "" : ", tablePrefix=" + prefix) + "]";
  }

  String prefix() {
    return prefix;
  }

  String description() {
    return description;
  }

  PostgresDialect dialect() {
    return dialect;
  }

  /**
   * Runs {@code work} in one transaction on a connection of its own, with the dialect's session
   * settings (time zone UTC) for the transaction and the advisory lock of each of {@code locks}
   * held until it ends. Commits when {@code work} returns, rolls back when it throws.
   *
   * @throws HubSpotSyncException with {@link ErrorCode#BAD_CONFIGURATION} when PostgreSQL refused
   *     the credentials, the database does not exist or a privilege is missing
   * @throws WarehouseException when PostgreSQL failed otherwise
   */
  @Override
  public <T> T unit(String action, List<Lock> locks, Work<JdbcUnit, T> work) {
    StringBuilder settings = new StringBuilder(String.join("; ", dialect.sessionSettings()));
    for (Lock lock : locks) {
      long key = lock.isDdl() ? PostgresDialect.lockKey("ddl", schema)
          : PostgresDialect.lockKey("table", schema, lock.table());
      settings.append("; SELECT pg_advisory_xact_lock(").append(key).append(')');
    }
    try {
      return jdbi.inTransaction(handle -> {
        Connection connection = handle.getConnection();
        try (Statement statement = connection.createStatement()) {
          statement.execute(settings.toString());
        }
        return work.run(new JdbcUnit(connection));
      });
    } catch (SQLException e) {
      throw translate(action, e);
    } catch (JdbiException e) {
      SQLException sql = sqlCause(e);
      throw sql == null ? new WarehouseException(message(action, e.getMessage(), null), null, false, e)
          : translate(action, sql);
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
    if (state.startsWith("28") || state.equals("3D000") || state.equals("42501")) {
      return new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, message(action, e.getMessage(), state)
          + ". Check the credentials, the database name and the user's privileges (it needs CREATE on the "
          + "database or the schema '" + schema + "')", false, e);
    }
    boolean retryable = state.startsWith("08") || state.equals("40001") || state.equals("40P01")
        || state.startsWith("57P0");
    return new WarehouseException(message(action, e.getMessage(), state), e.getSQLState(), retryable, e);
  }

  private String message(String action, String cause, String state) {
    return "PostgreSQL (" + description + ") failed to " + action + ": " + cause
        + (state == null || state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
  }
}
