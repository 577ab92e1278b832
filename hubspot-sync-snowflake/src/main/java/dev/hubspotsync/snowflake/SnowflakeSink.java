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
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.GdprMode;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.sql.Checkpoints;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlSession.Lock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
  private final SnowflakeDialect dialect;
  private final SnowflakeLoader loader;
  private final Checkpoints checkpoints;
  private final Path spool;
  private final int coalesceRows;
  private final Duration coalesceAge;
  private final Clock clock;
  private final Set<String> crashBeforeCommit = ConcurrentHashMap.newKeySet();
  /** The column types of each object type's table, as of the last evolve: what a buffered batch must fit. */
  private final Map<String, Map<String, ColumnType>> knownColumns = new ConcurrentHashMap<>();
  /** Guards the buffer; held by a flush for its whole load. */
  private final Object buffer = new Object();
  private final Map<List<Object>, Pending> pending = new LinkedHashMap<>();
  private final Map<String, Checkpoint> pendingCheckpoints = new LinkedHashMap<>();
  private long pendingRows;
  private Instant pendingSince;
  private volatile boolean closing;
  /** Streams whose buffered batches a failed load dropped: their writes fail until their checkpoint is read again. */
  private final Map<String, RuntimeException> dropped = new ConcurrentHashMap<>();

  private SnowflakeSink(SnowflakeSession session, SnowflakeDialect dialect, Path spool, String schema, String prefix,
      int coalesceRows, Duration coalesceAge, Clock clock) {
    this(session, dialect, new SnowflakeLoader(dialect, spool), spool, schema, prefix, coalesceRows, coalesceAge,
        clock);
  }

  private SnowflakeSink(SnowflakeSession session, SnowflakeDialect dialect, SnowflakeLoader loader, Path spool,
      String schema, String prefix, int coalesceRows, Duration coalesceAge, Clock clock) {
    super("SnowflakeSink", schema, prefix, dialect, loader, session);
    this.session = session;
    this.dialect = dialect;
    this.loader = loader;
    this.checkpoints = new Checkpoints(dialect, prefix);
    this.spool = spool;
    this.coalesceRows = coalesceRows;
    this.coalesceAge = coalesceAge;
    this.clock = clock;
  }

  /** The buffered rows of one table and column layout: one load file they are appended to. */
  private static final class Pending {
    final String objectType;
    final List<Column> columns;
    CsvFile file;
    final Set<Long> ids = new HashSet<>();
    boolean repeatedIds;
    long minId = Long.MAX_VALUE;

    Pending(String objectType, List<Column> columns) {
      this.objectType = objectType;
      this.columns = columns;
    }
  }

  /**
   * With coalescing on (the default): appends the batch's rows to its table's load file, buffers
   * its checkpoint, and
   * loads what is buffered when it reaches {@link Builder#coalesceRows} rows or has waited
   * {@link Builder#coalesceAge}; see {@link #flush()}. The result counts every row as written
   * (whether a stored row was newer is known only at the load). With coalescing off, or when the
   * batch does not fit the table as last evolved (a column to add or convert), the batch is one
   * load of its own, as {@link SqlSink#write} describes, after what is buffered.
   */
  @Override
  public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(checkpoint, "checkpoint");
    if (coalesceRows <= 1 || closing) {
      return super.write(batch, checkpoint);
    }
    RuntimeException failure = dropped.get(checkpoint.stream());
    if (failure != null) {
      throw new WarehouseException("SnowflakeSink: an earlier coalesced load with batches of stream '"
          + checkpoint.stream() + "' failed and nothing of it was applied (" + failure.getMessage() + "); read the "
          + "stream's checkpoint again and sync from there (a new run does)", null, false, failure);
    }
    synchronized (buffer) {
      if (!fits(batch)) {
        flush();
        return super.write(batch, checkpoint);
      }
      long[] ids = batch.distinctIds();
      int cleaned = 0;
      if (ids.length > 0) {
        String table = tableName(batch.objectType()).orElseThrow();
        Pending load = pending.computeIfAbsent(List.of(table, batch.columns()),
            k -> new Pending(batch.objectType(), batch.columns()));
        cleaned = append(load, batch, checkpoint);
        for (long id : ids) {
          load.repeatedIds |= !load.ids.add(id);
        }
        load.minId = Math.min(load.minId, ids[0]);
      }
      pendingCheckpoints.remove(checkpoint.stream());
      pendingCheckpoints.put(checkpoint.stream(), checkpoint);
      pendingRows += ids.length;
      if (pendingSince == null) {
        pendingSince = clock.instant();
      }
      if (pendingRows >= coalesceRows || !clock.instant().isBefore(pendingSince.plus(coalesceAge))) {
        flush();
      }
      return new WriteResult(ids.length, 0, cleaned);
    }
  }

  /** Appends the batch to the load's file; a failure drops the buffer, as a failed load does. */
  private int append(Pending load, RecordBatch batch, Checkpoint checkpoint) {
    try {
      if (load.file == null) {
        load.file = loader.newFile();
      }
      return load.file.append(batch);
    } catch (IOException e) {
      WarehouseException failure = new WarehouseException("SnowflakeSink could not write " + batch.rowCount()
          + " rows of " + batch.objectType() + " to a load file in " + spool + ": " + e.getMessage()
          + "; check the directory exists, is writable and has space", null, false, e);
      pendingCheckpoints.keySet().forEach(stream -> dropped.put(stream, failure));
      dropped.put(checkpoint.stream(), failure);
      discardBuffer();
      throw failure;
    }
  }

  /** Whether every column of the batch is in its table with the same type (as of the last evolve). */
  private boolean fits(RecordBatch batch) {
    Map<String, ColumnType> types = knownColumns.get(batch.objectType());
    if (types == null) {
      if (tableName(batch.objectType()).isEmpty()) {
        return false;
      }
      Map<String, ColumnType> read = new HashMap<>();
      SystemColumns.ALL.forEach(col -> read.put(col.name(), col.type()));
      super.describe(batch.objectType()).forEach(m -> read.put(m.column(), m.type()));
      types = Map.copyOf(read);
      knownColumns.put(batch.objectType(), types);
    }
    Set<String> seen = new HashSet<>();
    for (Column column : batch.columns()) {
      if (types.get(column.name()) != column.type() || !seen.add(column.name())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Loads every buffered batch and stores the buffered checkpoints in one transaction: per table
   * and column layout one {@code PUT} of its file and one {@code COPY INTO} (a temporary staging
   * table, or the table itself when none of its ids can exist yet and none repeats), one
   * {@code MERGE} with the newest version of each id ({@code QUALIFY}, never older over newer),
   * then each stream's latest checkpoint and one {@code COMMIT}. Staging tables are created before
   * the first change, since Snowflake commits before DDL. When the load fails nothing of it is
   * applied and the buffer is dropped; writes of its streams then fail until the stream's
   * {@link #checkpoint} is read again, so a stream resumes from its stored checkpoint and its
   * dropped batches are synced again (at least once). Does nothing when nothing is buffered.
   *
   * @throws WarehouseException when the load failed
   */
  @Override
  public void flush() {
    synchronized (buffer) {
      if (pending.isEmpty() && pendingCheckpoints.isEmpty()) {
        return;
      }
      List<Pending> loads = new ArrayList<>(pending.values());
      List<String> tables = new ArrayList<>();
      for (Pending p : loads) {
        tables.add(tableName(p.objectType).orElseThrow());
      }
      List<Lock> locks = new TreeSet<>(tables).stream().map(Lock::table).toList();
      try {
        load(loads, tables, locks);
      } catch (RuntimeException e) {
        pendingCheckpoints.keySet().forEach(stream -> dropped.put(stream, e));
        throw e;
      } finally {
        discardBuffer();
      }
    }
  }

  private void load(List<Pending> loads, List<String> tables, List<Lock> locks) {
    String names = new TreeSet<>(tables).stream().map(dialect::qualified).collect(Collectors.joining(", "));
    session.unit("write " + pendingRows + " coalesced rows to " + names, locks,
        u -> {
          List<Boolean> merge = new ArrayList<>();
          for (int i = 0; i < loads.size(); i++) {
            merge.add(loads.get(i).repeatedIds || canExist(u, dialect.qualified(tables.get(i)), loads.get(i).minId));
          }
          List<String> staging = new ArrayList<>();
          for (int i = 0; i < loads.size(); i++) {
            staging.add(merge.get(i) ? loader.stagingTable(u, loads.get(i).columns) : null);
          }
          for (int i = 0; i < loads.size(); i++) {
            Pending p = loads.get(i);
            String table = dialect.qualified(tables.get(i));
            List<String> columns = SnowflakeLoader.quoted(p.columns);
            if (staging.get(i) == null) {
              SnowflakeLoader.load(u, List.of(finished(p.file)), table, columns);
            } else {
              u.execute(Sql.of("DELETE FROM " + staging.get(i)));
              SnowflakeLoader.load(u, List.of(finished(p.file)), staging.get(i), columns);
              u.execute(Sql.of(dialect.upsert(table, staging.get(i), p.columns.stream().map(Column::name).toList())));
            }
          }
          for (Checkpoint c : pendingCheckpoints.values()) {
            checkpoints.save(u, c);
          }
          for (Checkpoint c : pendingCheckpoints.values()) {
            beforeCommit(c);
          }
          return null;
        });
  }

  private static CsvFile finished(CsvFile file) throws SQLException {
    try {
      file.finish();
      return file;
    } catch (IOException e) {
      throw new SQLException("Could not finish the load file " + file.path() + ": " + e.getMessage(), e);
    }
  }

  /** Whether a row of the table may have an id of {@code minId} or above (its largest id is not below). */
  private boolean canExist(SnowflakeUnit u, String table, long minId) throws SQLException {
    Object largest = u.rows(Sql.of("SELECT max(" + SnowflakeDialect.NAMES.quote(SystemColumns.ID) + ") FROM "
        + table)).get(0)[0];
    return largest != null && minId <= ((Number) largest).longValue();
  }

  private void discardBuffer() {
    pending.values().stream().filter(p -> p.file != null).forEach(p -> p.file.close());
    pending.clear();
    pendingCheckpoints.clear();
    pendingRows = 0;
    pendingSince = null;
  }

  /**
   * The committed checkpoint: what is buffered is loaded first. Reading it lets the stream write
   * again after a failed load dropped its batches.
   */
  @Override
  public Optional<Checkpoint> checkpoint(String stream) {
    flush();
    Optional<Checkpoint> stored = super.checkpoint(stream);
    dropped.remove(stream);
    return stored;
  }

  @Override
  public List<ColumnMapping> describe(String objectType) {
    flush();
    return super.describe(objectType);
  }

  /** Loads what is buffered first: the DDL would commit a load half done. */
  @Override
  public void evolve(String objectType, List<ColumnMapping> columns) {
    flush();
    knownColumns.remove(objectType);
    super.evolve(objectType, columns);
  }

  @Override
  public List<WriteResult> writeTogether(List<Part> parts) {
    flush();
    return super.writeTogether(parts);
  }

  /**
   * Replaces the links in a transaction of its own (see {@link SqlSink#replaceAssociations}). Buffered
   * rows are loaded first only when a checkpoint of the same stream is buffered: link tables are no
   * object table, so the order of the two loads does not matter otherwise.
   */
  @Override
  public void replaceAssociations(LinkBatch batch, Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    boolean sameStream;
    synchronized (buffer) {
      sameStream = pendingCheckpoints.containsKey(checkpoint.stream());
    }
    if (sameStream) {
      flush();
    }
    super.replaceAssociations(batch, checkpoint);
  }

  @Override
  public void recordRun(SyncReport report) {
    flush();
    super.recordRun(report);
  }

  @Override
  public Optional<SyncReport> lastRun() {
    flush();
    return super.lastRun();
  }

  @Override
  public long[] ids(String objectType, boolean archived) {
    flush();
    return super.ids(objectType, archived);
  }

  @Override
  public int markArchived(String objectType, Collection<Long> ids, Instant archivedAt) {
    flush();
    return super.markArchived(objectType, ids, archivedAt);
  }

  @Override
  public int erase(String objectType, Collection<Long> ids, GdprMode mode, Instant deletedAt) {
    flush();
    return super.erase(objectType, ids, mode, deletedAt);
  }

  @Override
  public Map<Long, Instant> updatedAt(String objectType, Collection<Long> ids) {
    flush();
    return super.updatedAt(objectType, ids);
  }

  @Override
  public long[] parentsLinkedTo(String fromType, String toType, Collection<Long> toIds) {
    flush();
    return super.parentsLinkedTo(fromType, toType, toIds);
  }

  @Override
  public List<LinkRow> links(String fromType, String toType, Collection<Long> fromIds) {
    flush();
    return super.links(fromType, toType, fromIds);
  }

  /**
   * Loads what is buffered, then ends the sessions. Should that load fail, the buffer is dropped
   * (nothing of it was applied; the next run loads it again from the stored checkpoints) and the
   * failure is thrown after the sink is closed.
   */
  @Override
  public void close() {
    closing = true;
    try {
      flush();
    } finally {
      synchronized (buffer) {
        discardBuffer();
      }
      super.close();
    }
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
    private int coalesceRows = 50_000;
    private Duration coalesceAge = Duration.ofMinutes(2);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Buffers written batches until this many rows are buffered, then loads them as one
     * transaction with one {@code MERGE} per table (default 50,000; each MERGE costs warehouse
     * credits). 0 or 1 turns coalescing off: every write is a load of its own.
     */
    public Builder coalesceRows(int rows) {
      if (rows < 0) {
        throw new IllegalArgumentException("coalesceRows must be 0 (off) or more, not " + rows);
      }
      this.coalesceRows = rows;
      return this;
    }

    /**
     * Loads the buffer at the first write once its oldest batch has waited this long (default 2
     * minutes), so a slow stream's rows and checkpoints do not wait for {@link #coalesceRows}.
     * Zero loads at every write (coalescing off).
     */
    public Builder coalesceAge(Duration wait) {
      Objects.requireNonNull(wait, "coalesceAge");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("coalesceAge must not be negative, not " + wait);
      }
      this.coalesceAge = wait;
      return this;
    }

    /** The clock {@link #coalesceAge} is measured on (default: the system clock). */
    Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

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
      return new SnowflakeSink(session, new SnowflakeDialect(schema), spool, schema, tablePrefix, coalesceRows,
          coalesceAge, clock);
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
