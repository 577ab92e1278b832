package dev.hubspotsync.snowflake;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sql.Identifiers;
import dev.hubspotsync.sql.SqlSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.snowflake.client.api.driver.SnowflakeDriver;

/**
 * Loads synced HubSpot data into Snowflake. One table per object type in the configured schema, one
 * link table per association pair, and the sink's own tables {@code _hubspot_sync_state}
 * (checkpoints), {@code _hubspot_sync_columns}, {@code _hubspot_sync_tables} and
 * {@code _hubspot_sync_runs}, all named with the configured prefix; see {@code docs/snowflake.md}.
 *
 * <pre>{@code
 * SnowflakeSink sink = SnowflakeSink.builder()
 *     .account("xy12345.eu-central-1")
 *     .user("HUBSPOT_SYNC")
 *     .privateKeyFile(Path.of("/secrets/rsa_key.p8"), System.getenv("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"))
 *     .warehouse("LOADING").database("ANALYTICS").role("HUBSPOT_LOADER")
 *     .build();
 * }</pre>
 *
 * <p>Each {@link #write} is one transaction: the batch is written to a gzip CSV file, {@code PUT} to
 * the user stage and loaded with {@code COPY INTO} a temporary staging table, then merged with
 * {@code MERGE INTO … USING (SELECT … QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY
 * _hs_updated_at DESC) = 1) … WHEN MATCHED AND (stored._hs_updated_at IS NULL OR
 * stored._hs_updated_at <= new._hs_updated_at) THEN UPDATE … WHEN NOT MATCHED THEN INSERT …}, the
 * stream's checkpoint is merged into {@code _hubspot_sync_state} and the transaction commits. When
 * no row of the batch can exist yet, the file is copied straight into the table (no MERGE, so a
 * backfill costs no merge credits). Link tables are replaced per parent in one transaction with
 * their checkpoint. Never a row-by-row {@code INSERT}. {@link #writeTogether} loads several batches
 * of one column layout in one transaction.
 *
 * <p>Every session runs with {@code TIMEZONE = 'UTC'} and {@code TIMESTAMP_TYPE_MAPPING =
 * TIMESTAMP_TZ}. Columns are {@code VARCHAR}, {@code FLOAT} (HubSpot's numbers are doubles),
 * {@code NUMBER(38,9)} (legacy), {@code BOOLEAN}, {@code DATE}, {@code TIMESTAMP_TZ} and
 * {@code BIGINT}; new ones are added with {@code ADD COLUMN IF NOT EXISTS}. Every identifier is
 * double-quoted as the stored column map spells it (lower case), so queries quote them too:
 * {@code SELECT "email" FROM HUBSPOT."contacts"}. NUL characters are removed from text and counted
 * in {@link dev.hubspotsync.sink.WriteResult#valuesCleaned()}.
 *
 * <p>The Snowflake driver would probe cloud metadata addresses on connect; the sink turns that
 * platform detection off on every connection unless {@link Builder#enablePlatformDetection()} is
 * called.
 *
 * <p>Thread-safe: operations run on connections of their own (up to four are kept open between
 * operations). Writers of one table (and every schema change) take a lock of this JVM; Snowflake
 * has none a sink could share, so run one sync process per schema. After {@link #close()}
 * operations throw {@link IllegalStateException}. Arguments must not be null. Failures throw
 * {@link WarehouseException}, or {@link HubSpotSyncException} with {@code BAD_CONFIGURATION} for
 * credentials, missing objects or grants; messages never contain a password, key or passphrase.
 */
public final class SnowflakeSink extends SqlSink<SnowflakeUnit> {
  /** The driver's connection property that turns platform detection off (it also reads a system property and an environment variable). */
  static final String DISABLE_PLATFORM_DETECTION = "disablePlatformDetection";

  private final SnowflakeSession session;
  private final Path spool;
  private final Set<String> crashBeforeCommit = ConcurrentHashMap.newKeySet();

  private SnowflakeSink(SnowflakeSession session, SnowflakeDialect dialect, Path spool, String schema, String prefix) {
    super("SnowflakeSink", schema, prefix, dialect, new SnowflakeLoader(dialect, spool), session);
    this.session = session;
    this.spool = spool;
  }

  /** A builder: give it at least the account (or endpoint), user, credentials and database. */
  public static Builder builder() {
    return new Builder();
  }

  /** Ends the kept Snowflake sessions and deletes the local spool directory. */
  @Override
  protected void release() {
    session.close();
    try (Stream<Path> files = Files.walk(spool)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete the sink's spool directory " + spool, e);
    }
  }

  @Override
  public String toString() {
    return "SnowflakeSink[" + session.description() + ", schema=" + schema()
        + (prefix().isEmpty() ? "" : ", tablePrefix=" + prefix()) + "]";
  }

  /** Test hook: the next write or link replacement that stores {@code stream}'s checkpoint fails before its commit. */
  void crashBeforeCommit(String stream) {
    crashBeforeCommit.add(stream);
  }

  @Override
  protected void beforeCommit(Checkpoint checkpoint) throws SQLException {
    if (crashBeforeCommit.remove(checkpoint.stream())) {
      throw new SQLException("simulated crash before commit (stream " + checkpoint.stream() + ")");
    }
  }

  /**
   * Collects a sink's settings. Not thread-safe; {@link #build()} copies them, so one builder can
   * make several sinks. Secrets (password, key passphrase) are never shown by {@code toString()}.
   */
  public static final class Builder {
    private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9_.-]{1,255}");
    private String account;
    private URI endpoint;
    private String user;
    private String password;
    private Path privateKeyFile;
    private String privateKeyPassphrase;
    private String warehouse;
    private String database;
    private String schema = "HUBSPOT";
    private String role;
    private String tablePrefix = "";
    private boolean platformDetection;
    private Path spoolDirectory;

    private Builder() {}

    /** The account identifier, e.g. {@code myorg-myaccount} or {@code xy12345.eu-central-1}. */
    public Builder account(String account) {
      this.account = Objects.requireNonNull(account, "account");
      return this;
    }

    /**
     * Where the driver connects instead of {@code https://<account>.snowflakecomputing.com}: a
     * private-link host, or {@code http://127.0.0.1:port} for a local stand-in (plain HTTP only to
     * the loopback address).
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** The Snowflake user the sink logs in as. */
    public Builder user(String user) {
      this.user = Objects.requireNonNull(user, "user");
      return this;
    }

    /** Password authentication; replaces a {@link #privateKeyFile}. Never logged or shown. */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      this.privateKeyFile = null;
      this.privateKeyPassphrase = null;
      return this;
    }

    /**
     * Key-pair authentication (what Snowflake recommends for service users, and the documented
     * default): a PKCS#8 PEM private key file, encrypted with {@code passphrase} or not (null).
     * Replaces a {@link #password}. The passphrase is never logged or shown.
     */
    public Builder privateKeyFile(Path file, String passphrase) {
      this.privateKeyFile = Objects.requireNonNull(file, "file");
      this.privateKeyPassphrase = passphrase;
      this.password = null;
      return this;
    }

    /** The virtual warehouse that runs the loads (default: the user's default warehouse). */
    public Builder warehouse(String warehouse) {
      this.warehouse = Objects.requireNonNull(warehouse, "warehouse");
      return this;
    }

    /** The database the schema is in. */
    public Builder database(String database) {
      this.database = Objects.requireNonNull(database, "database");
      return this;
    }

    /** The schema of every table (default {@code HUBSPOT}); created if absent. The name is quoted, so case matters. */
    public Builder schema(String schema) {
      SnowflakeDialect.NAMES.check(Objects.requireNonNull(schema, "schema"), "schema name");
      this.schema = schema;
      return this;
    }

    /** The role the session uses (default: the user's default role). */
    public Builder role(String role) {
      this.role = Objects.requireNonNull(role, "role");
      return this;
    }

    /**
     * Prepended to every table the sink creates, its own included (default none): at most 30
     * characters of {@code a-z}, {@code 0-9} and {@code _}.
     */
    public Builder tablePrefix(String prefix) {
      this.tablePrefix = Identifiers.checkPrefix(Objects.requireNonNull(prefix, "tablePrefix"));
      return this;
    }

    /** Where load files are written before the PUT (default: a new directory under java.io.tmpdir). */
    public Builder spoolDirectory(Path directory) {
      this.spoolDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Lets the driver detect the cloud platform it runs on, which probes cloud metadata addresses
     * on connect. Off unless called.
     */
    public Builder enablePlatformDetection() {
      this.platformDetection = true;
      return this;
    }

    /** The driver's connection properties these settings make (secrets included: never print them). */
    Properties properties() {
      Properties p = new Properties();
      p.put("account", account == null ? "local" : account);
      p.put("user", user);
      if (password != null) {
        p.put("password", password);
      } else {
        p.put("authenticator", "SNOWFLAKE_JWT");
        p.put("private_key_file", privateKeyFile.toAbsolutePath().toString());
        if (privateKeyPassphrase != null) {
          p.put("private_key_file_pwd", privateKeyPassphrase);
        }
      }
      p.put("db", database);
      if (warehouse != null) {
        p.put("warehouse", warehouse);
      }
      if (role != null) {
        p.put("role", role);
      }
      p.put("application", "hubspot-sync");
      if (!platformDetection) {
        p.put(DISABLE_PLATFORM_DETECTION, "true");
      }
      if (endpoint != null && "http".equals(endpoint.getScheme())) {
        p.put("ssl", "off");
      }
      return p;
    }

    String url() {
      if (endpoint != null) {
        return "jdbc:snowflake://" + endpoint.getHost() + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort()) + "/";
      }
      return "jdbc:snowflake://" + account.toLowerCase(Locale.ROOT) + ".snowflakecomputing.com/";
    }

    /**
     * A sink with these settings. Does not connect: the schema and tables are created by the first
     * operation.
     *
     * @throws HubSpotSyncException with {@code BAD_CONFIGURATION} when the account (or endpoint),
     *     user, credentials or database are missing, the key file is unreadable, or a plain-HTTP
     *     endpoint is not the loopback address
     */
    public SnowflakeSink build() {
      if (account == null && endpoint == null) {
        throw bad("SnowflakeSink needs an account(…) (e.g. myorg-myaccount), or an endpoint(…)");
      }
      if (account != null && !ACCOUNT.matcher(account).matches()) {
        throw bad("SnowflakeSink: the account '" + account + "' is not an account identifier (letters, digits, "
            + "'_', '-' and '.', e.g. myorg-myaccount)");
      }
      if (user == null || database == null) {
        throw bad("SnowflakeSink needs a user(…) and a database(…)");
      }
      if (password == null && privateKeyFile == null) {
        throw bad("SnowflakeSink needs credentials: privateKeyFile(…) (recommended) or password(…)");
      }
      if (privateKeyFile != null && !Files.isReadable(privateKeyFile)) {
        throw bad("SnowflakeSink: the private key file " + privateKeyFile + " does not exist or is not readable");
      }
      if (endpoint != null && "http".equals(endpoint.getScheme())
          && !Set.of("127.0.0.1", "localhost", "[::1]").contains(endpoint.getHost())) {
        throw bad("SnowflakeSink: plain HTTP is only for a local stand-in on 127.0.0.1, not " + endpoint.getHost()
            + "; use https");
      }
      Path spool;
      try {
        spool = spoolDirectory == null ? Files.createTempDirectory("hubspot-sync-snowflake")
            : Files.createDirectories(spoolDirectory).resolve("hubspot-sync-" + System.nanoTime());
        Files.createDirectories(spool);
      } catch (IOException e) {
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "SnowflakeSink could not create its spool "
            + "directory" + (spoolDirectory == null ? "" : " in " + spoolDirectory) + ": " + e.getMessage(), false, e);
      }
      String description = (account == null ? "endpoint " + endpoint.getHost() : "account " + account)
          + ", database " + database + (warehouse == null ? "" : ", warehouse " + warehouse);
      SnowflakeSession session = new SnowflakeSession(new SnowflakeDriver(), url(), properties(), description);
      return new SnowflakeSink(session, new SnowflakeDialect(schema), spool, schema, tablePrefix);
    }

    private static HubSpotSyncException bad(String message) {
      return new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, message);
    }

    @Override
    public String toString() {
      return "SnowflakeSink.Builder[" + (account == null ? "endpoint=" + endpoint : "account=" + account) + ", user="
          + user + ", database=" + database + ", schema=" + schema + ", auth="
          + (privateKeyFile != null ? "key pair" : password != null ? "password" : "none") + "]";
    }
  }
}
