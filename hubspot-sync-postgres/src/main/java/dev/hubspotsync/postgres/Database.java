package dev.hubspotsync.postgres;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.sink.Checkpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where a sink or state store keeps its tables: a {@link Jdbi} over the user's DataSource (or a
 * pool-less one from a JDBC URL), the target schema and the table prefix, and the
 * {@code _hubspot_sync_state} table they share. Every operation runs in its own transaction on its
 * own connection, in UTC. Immutable and thread-safe.
 */
final class Database {
  static final String STATE = "_hubspot_sync_state";
  /** Connections kept open between operations when the sink opens its own (from a JDBC URL). */
  private static final int IDLE_CONNECTIONS = 4;
  private static final String TEMP_BUFFERS = "32MB";
  private static final Pattern PREFIX = Pattern.compile("[a-z0-9_]{0,30}");

  private final Jdbi jdbi;
  private final DataSource owned;
  private final String schema;
  private final String prefix;
  /** Where it connects, without credentials; for messages and toString. */
  private final String description;
  private final String state;

  private Database(Jdbi jdbi, DataSource owned, String schema, String prefix, String description) {
    this.jdbi = jdbi;
    this.owned = owned;
    this.schema = schema;
    this.prefix = prefix;
    this.description = description;
    this.state = qualified(STATE);
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
      PgNames.checkIdentifier(Objects.requireNonNull(value, "schema"), "schema name");
      schema = value;
    }

    void tablePrefix(String value) {
      Objects.requireNonNull(value, "tablePrefix");
      if (!PREFIX.matcher(value).matches()) {
        throw new IllegalArgumentException("tablePrefix must be at most 30 characters of a-z, 0-9 and _, was '"
            + value + "'");
      }
      tablePrefix = value;
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
      description = PgNames.redact(settings.jdbcUrl);
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

  String schema() {
    return schema;
  }

  String prefix() {
    return prefix;
  }

  String description() {
    return description;
  }

  /** The schema-qualified, quoted name of one of the sink's tables ({@code name} without the prefix). */
  String qualified(String name) {
    return PgNames.qualified(schema, prefix + name);
  }

  String qualifiedTable(String table) {
    return PgNames.qualified(schema, table);
  }

  /** A connection's work, run inside the transaction {@link #transaction} opened. */
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction on a connection of its own, with the session's time zone
   * set to UTC for the transaction and, unless {@code lockKey} is 0, the advisory lock of that key
   * held until it ends. Commits when {@code work} returns, rolls back when it throws.
   *
   * @param action what it does, for messages: "write contacts"
   * @throws HubSpotSyncException with {@link ErrorCode#BAD_CONFIGURATION} when PostgreSQL refused
   *     the credentials, the database does not exist or a privilege is missing
   * @throws WarehouseException when PostgreSQL failed otherwise
   */
  <T> T transaction(String action, long lockKey, Work<T> work) {
    try {
      return jdbi.inTransaction(handle -> {
        Connection connection = handle.getConnection();
        try (Statement statement = connection.createStatement()) {
          statement.execute("SET LOCAL TIME ZONE 'UTC'"
              + (lockKey == 0 ? "" : "; SELECT pg_advisory_xact_lock(" + lockKey + ")"));
        }
        return work.run(connection);
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

  /** Creates the schema unless it exists (checked first, so a user without CREATE on the database can use one). */
  void createSchema(Connection connection) throws SQLException {
    try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
      exists.setString(1, schema);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
    }
    execute(connection, "CREATE SCHEMA IF NOT EXISTS " + PgNames.quote(schema));
  }

  /** The lock every DDL of this schema takes, so concurrent creators do not race in the catalog. */
  long ddlLock() {
    return PgNames.lockKey("ddl", schema);
  }

  void createStateTable(Connection connection) throws SQLException {
    execute(connection, "CREATE TABLE IF NOT EXISTS " + state + " (stream TEXT PRIMARY KEY, checkpoint TEXT NOT NULL, "
        + "updated_at TIMESTAMPTZ NOT NULL DEFAULT now())");
  }

  Optional<Checkpoint> loadCheckpoint(Connection connection, String stream) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT checkpoint FROM " + state + " WHERE stream = ?")) {
      select.setString(1, stream);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? Optional.of(new Checkpoint(stream, rs.getString(1))) : Optional.empty();
      }
    }
  }

  void saveCheckpoint(Connection connection, Checkpoint checkpoint) throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + state
        + " (stream, checkpoint, updated_at) VALUES (?, ?, now()) ON CONFLICT (stream) DO UPDATE "
        + "SET checkpoint = EXCLUDED.checkpoint, updated_at = EXCLUDED.updated_at")) {
      upsert.setString(1, checkpoint.stream());
      upsert.setString(2, checkpoint.json());
      upsert.executeUpdate();
    }
  }

  static int execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      return statement.executeUpdate(sql);
    }
  }
}
