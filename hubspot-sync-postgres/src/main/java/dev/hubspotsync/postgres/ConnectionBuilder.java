package dev.hubspotsync.postgres;

import javax.sql.DataSource;

/**
 * The connection settings every PostgreSQL builder takes (sink, state store, budget leases): a
 * DataSource or a JDBC URL, the schema and the table prefix. Not thread-safe.
 *
 * @param <B> the builder itself, for chaining
 */
abstract class ConnectionBuilder<B extends ConnectionBuilder<B>> {
  final Database.Settings settings;

  ConnectionBuilder(Database.Settings settings) {
    this.settings = settings;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * Connections from this DataSource (e.g. a pool); the caller keeps owning it and closes it after
   * the object built. Replaces a {@link #jdbcUrl}.
   */
  public B dataSource(DataSource dataSource) {
    settings.dataSource(dataSource);
    return self();
  }

  /**
   * Connects with PgJDBC to this URL ({@code jdbc:postgresql://host:port/database}), opening a
   * connection per operation. The password is never logged or shown in messages or
   * {@code toString()}. Replaces a {@link #dataSource}.
   *
   * @param user null to take it from the URL
   * @param password null to take it from the URL (or none)
   */
  public B jdbcUrl(String url, String user, String password) {
    settings.jdbcUrl(url, user, password);
    return self();
  }

  /** As {@link #jdbcUrl(String, String, String)}, with the credentials (if any) in the URL. */
  public B jdbcUrl(String url) {
    return jdbcUrl(url, null, null);
  }

  /** The schema of every table (default {@code hubspot}); created if absent. Any name of at most 63 bytes. */
  public B schema(String schema) {
    settings.schema(schema);
    return self();
  }

  /**
   * Prepended to every table created (default none): at most 30 characters of {@code a-z},
   * {@code 0-9} and {@code _}.
   */
  public B tablePrefix(String prefix) {
    settings.tablePrefix(prefix);
    return self();
  }
}
