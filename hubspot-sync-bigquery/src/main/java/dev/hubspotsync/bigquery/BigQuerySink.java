package dev.hubspotsync.bigquery;

import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.DatasetId;
import com.google.cloud.bigquery.DatasetInfo;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.sql.Identifiers;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlSession.Lock;
import dev.hubspotsync.sql.SqlSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Loads synced HubSpot data into a BigQuery dataset: one table per object type (clustered on
 * {@code id}), one link table per association pair, and the sink's own tables
 * ({@code _hubspot_sync_state}, {@code _hubspot_sync_columns}, {@code _hubspot_sync_tables},
 * {@code _hubspot_sync_runs}), all with the configured prefix; see {@code docs/bigquery.md}.
 *
 * <pre>{@code
 * try (BigQuerySink sink = BigQuerySink.builder().project("my-project").dataset("hubspot").location("EU").build()) {
 *   SyncJob.builder().client(hubspot).sink(sink).addObjectTypes("contacts").build().run();
 * }
 * }</pre>
 *
 * <p><b>Loads.</b> Every DML statement costs seconds and counts against BigQuery's quotas, so
 * batches are coalesced: {@link #write} appends the batch to a staging table of its object type
 * with a load job (free; the table expires on its own) and returns; once {@link Builder#coalesceRows}
 * rows or {@link Builder#coalesceAge} have gathered (or before any read, and on {@link #close()}),
 * one transaction merges each staged object type with one guarded {@code MERGE} (the newest row of
 * each id wins, and replaces a stored row only if at least as new) and stores every stream's newest
 * checkpoint with one more statement. A checkpoint is therefore never stored before its rows; a crash
 * loses staged rows whose checkpoints were never stored either, and the next run fetches them again.
 * With coalescing, {@link WriteResult#written()} counts the rows handed over (rows skipped as older
 * are known only to the merge). {@code coalesceRows(1)} writes each batch in its own transaction
 * through the SQL kernel ({@link SqlSink}), with exact counts.
 *
 * <p><b>Transactions.</b> A unit of work runs as jobs of one BigQuery session between
 * {@code BEGIN TRANSACTION} and {@code COMMIT TRANSACTION}; every job has an id this sink chose, so
 * a job whose answer was lost is looked up, never run twice. DDL ({@code CREATE TABLE},
 * {@code ALTER TABLE … ADD COLUMN IF NOT EXISTS}) runs outside transactions, as BigQuery requires.
 *
 * <p>Thread-safe. Writers of one table (and schema changes) are ordered by locks of this JVM;
 * another process writing the same table makes one of two transactions fail with a retryable
 * {@link dev.hubspotsync.WarehouseException}. Failures name the dataset, what failed and what to do;
 * never a credential. After {@link #close()} operations throw {@link IllegalStateException}.
 */
public final class BigQuerySink extends SqlSink<BigQueryUnit> {
  private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9_]{1,1024}");
  private final Settings settings;
  private final BigQueryJobs jobs;
  private final BigQueryDialect dialect;
  private final BigQueryLoader loader;
  private final BigQuerySession session;
  private final Set<String> crashBeforeCommit = ConcurrentHashMap.newKeySet();
  private final Object pendingLock = new Object();
  private final Map<String, Staging> staging = new LinkedHashMap<>();
  private final Map<String, Checkpoint> pendingCheckpoints = new LinkedHashMap<>();
  private final Map<String, List<ColumnMapping>> storedColumns = new ConcurrentHashMap<>();
  private long pendingRows;
  private long loadOrder;
  private Instant oldestPending;

  /** Batches of one object type and column list staged together, waiting for the merge. */
  private record Staging(String table, String stage, List<Column> columns, long[] rows) {}

  private BigQuerySink(Settings settings, BigQueryJobs jobs, BigQueryDialect dialect, BigQueryLoader loader,
      BigQuerySession session) {
    super("BigQuerySink", settings.dataset, settings.prefix, dialect, loader, session);
    this.settings = settings;
    this.jobs = jobs;
    this.dialect = dialect;
    this.loader = loader;
    this.session = session;
  }

  /** A builder: give it at least {@link Builder#project} and {@link Builder#dataset}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The project the dataset is in. */
  public String project() {
    return settings.project;
  }

  /** DML statements this sink has run (each costs seconds and counts against BigQuery's quotas). */
  public long dmlStatements() {
    return jobs.dmlStatements();
  }

  /** BigQuery jobs this sink has started: queries, DML, DDL, loads, transaction begins and commits. */
  public long jobs() {
    return jobs.jobs();
  }

  @Override
  public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(checkpoint, "checkpoint");
    if (settings.coalesceRows <= 1) {
      return prestaged(batch, () -> super.write(batch, checkpoint));
    }
    synchronized (pendingLock) {
      String table = coalescable(batch);
      if (table == null) {
        flushPending();
        return prestaged(batch, () -> super.write(batch, checkpoint));
      }
      if (batch.rowCount() > 0) {
        stage(batch, table);
      }
      pendingCheckpoints.remove(checkpoint.stream());
      pendingCheckpoints.put(checkpoint.stream(), checkpoint);
      if (oldestPending == null) {
        oldestPending = settings.clock.instant();
      }
      pendingRows += batch.rowCount();
      if (pendingRows >= settings.coalesceRows
          || !settings.clock.instant().isBefore(oldestPending.plus(settings.coalesceAge))) {
        flushPending();
      }
      return new WriteResult(batch.rowCount(), 0, 0);
    }
  }

  /**
   * Merges what is staged and stores the checkpoints that cover it, in one transaction. Called
   * before every read and on close; callers need not call it.
   */
  @Override
  public void flush() {
    synchronized (pendingLock) {
      flushPending();
    }
  }

  /** The object type's table when the batch's columns are exactly its stored ones; null to let the kernel write it. */
  private String coalescable(RecordBatch batch) {
    Optional<String> table = tableName(batch.objectType());
    if (table.isEmpty()) {
      return null;
    }
    List<ColumnMapping> stored = storedColumns.computeIfAbsent(batch.objectType(), super::describe);
    Map<String, ColumnType> types = new HashMap<>();
    SystemColumns.ALL.forEach(c -> types.put(c.name(), c.type()));
    stored.forEach(m -> types.put(m.column(), m.type()));
    Set<String> seen = new TreeSet<>();
    for (Column column : batch.columns()) {
      if (types.get(column.name()) != column.type() || !seen.add(column.name())) {
        return null;
      }
    }
    return table.get();
  }

  private void stage(RecordBatch batch, String table) {
    String key = batch.objectType();
    Staging current = staging.get(key);
    if (current != null && !current.columns.equals(batch.columns())) {
      flushPending();
      current = null;
    }
    Staging target = current;
    long order = ++loadOrder;
    session.unit("stage " + batch.rowCount() + " rows for " + dialect.qualified(table), List.of(), u -> {
      Staging s = target;
      if (s == null) {
        s = new Staging(table, loader.newStage(jobs, BigQueryLoader.schema(batch.columns(), true)),
            List.copyOf(batch.columns()), new long[1]);
        staging.put(key, s);
      }
      loader.load(jobs, s.stage, BigQueryLoader.schema(batch.columns(), true), BigQueryLoader.rows(batch, order));
      s.rows[0] += batch.rowCount();
      return null;
    });
  }

  private void flushPending() {
    if (staging.isEmpty() && pendingCheckpoints.isEmpty()) {
      return;
    }
    List<Staging> stages = new ArrayList<>(staging.values());
    List<Checkpoint> checkpoints = new ArrayList<>(pendingCheckpoints.values());
    long rows = pendingRows;
    staging.clear();
    pendingCheckpoints.clear();
    pendingRows = 0;
    oldestPending = null;
    Set<String> tables = new TreeSet<>();
    stages.forEach(s -> tables.add(s.table));
    try {
      session.unit("merge " + rows + " staged rows into " + tables + " with " + checkpoints.size() + " checkpoints",
          tables.stream().map(Lock::table).toList(), u -> {
            for (Staging s : stages) {
              u.execute(Sql.of(dialect.upsertCoalesced(dialect.qualified(s.table), loader.qualified(s.stage),
                  BigQueryLoader.LOAD_ORDER, s.columns.stream().map(Column::name).toList())));
            }
            if (!checkpoints.isEmpty()) {
              u.execute(saveCheckpoints(checkpoints));
            }
            for (Checkpoint checkpoint : checkpoints) {
              beforeCommit(checkpoint);
            }
            return null;
          });
    } finally {
      stages.forEach(s -> loader.drop(jobs, s.stage));
    }
  }

  /** One {@code MERGE} storing every stream's checkpoint. */
  private Sql saveCheckpoints(List<Checkpoint> checkpoints) {
    StringBuilder rows = new StringBuilder();
    List<Object> params = new ArrayList<>();
    for (Checkpoint c : checkpoints) {
      rows.append(rows.length() == 0 ? "SELECT ? AS stream, ? AS checkpoint" : " UNION ALL SELECT ?, ?");
      params.add(c.stream());
      params.add(c.json());
    }
    String table = dialect.qualified(prefix() + "_hubspot_sync_state");
    return new Sql("MERGE " + table + " T USING (" + rows + ") S ON T.stream = S.stream WHEN MATCHED THEN UPDATE SET "
        + "checkpoint = S.checkpoint, updated_at = CURRENT_TIMESTAMP() WHEN NOT MATCHED THEN INSERT (stream, "
        + "checkpoint, updated_at) VALUES (S.stream, S.checkpoint, CURRENT_TIMESTAMP())", params);
  }

  private <T> T prestaged(RecordBatch batch, java.util.function.Supplier<T> write) {
    return prestaged(batch.rowCount() == 0 ? List.of() : List.of(batch), write);
  }

  /** Runs the write with its batches staged before its transaction begins; drops the stages after. */
  private <T> T prestaged(List<Object> batches, java.util.function.Supplier<T> write) {
    try {
      for (Object batch : batches) {
        session.unit("stage a batch in dataset " + settings.project + "." + settings.dataset, List.of(), u -> {
          loader.prestage(jobs, batch);
          return null;
        });
      }
      return write.get();
    } finally {
      batches.forEach(b -> loader.release(jobs, b));
    }
  }

  // Every other operation first merges what is staged, so nothing reads behind the sink's own writes.

  @Override
  public List<ColumnMapping> describe(String objectType) {
    flush();
    return super.describe(objectType);
  }

  @Override
  public void evolve(String objectType, List<ColumnMapping> columns) {
    flush();
    storedColumns.remove(objectType);
    super.evolve(objectType, columns);
  }

  @Override
  public List<String> evolveStatements(String objectType, List<ColumnMapping> columns) {
    flush();
    return super.evolveStatements(objectType, columns);
  }

  @Override
  public List<WriteResult> writeTogether(List<Part> parts) {
    flush();
    return prestaged(parts.stream().<Object>map(Part::batch).toList(), () -> super.writeTogether(parts));
  }

  @Override
  public Optional<Checkpoint> checkpoint(String stream) {
    flush();
    return super.checkpoint(stream);
  }

  @Override
  public void replaceAssociations(LinkBatch batch, Checkpoint checkpoint) {
    flush();
    prestaged(batch.links().isEmpty() ? List.of() : List.of(batch), () -> {
      super.replaceAssociations(batch, checkpoint);
      return null;
    });
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

  /** Merges what is staged, then refuses later operations. */
  @Override
  public void close() {
    try {
      flush();
    } finally {
      super.close();
    }
  }

  @Override
  protected void release() {
    // The client holds no connections of its own to release.
  }

  /** Test hook: the next unit that stores {@code stream}'s checkpoint fails after its statements, before its commit. */
  void crashBeforeCommit(String stream) {
    crashBeforeCommit.add(stream);
  }

  @Override
  protected void beforeCommit(Checkpoint checkpoint) throws SQLException {
    if (crashBeforeCommit.remove(checkpoint.stream())) {
      throw new SQLException("simulated crash before commit (stream " + checkpoint.stream() + ")");
    }
  }

  /** The table's name as statements take it: {@code `project.dataset.table`}. For tests and tools. */
  String qualifiedTable(String table) {
    return dialect.qualified(table);
  }

  @Override
  public String toString() {
    return "BigQuerySink[project=" + settings.project + ", dataset=" + settings.dataset
        + (settings.location == null ? "" : ", location=" + settings.location)
        + (settings.host == null ? "" : ", host=" + settings.host)
        + (settings.prefix.isEmpty() ? "" : ", tablePrefix=" + settings.prefix) + ", coalesceRows="
        + settings.coalesceRows + ", coalesceAge=" + settings.coalesceAge + "]";
  }

  /** A builder's settings, copied by build(). */
  private record Settings(String project, String dataset, String location, String host, Credentials credentials,
      Path credentialsFile, String prefix, int coalesceRows, Duration coalesceAge, Duration stagingExpiration,
      Clock clock) {}

  /**
   * Collects a sink's settings. Not thread-safe; {@link #build()} copies them, so one builder can
   * make several sinks. {@link #toString()} never shows credentials.
   */
  public static final class Builder {
    private String project;
    private String dataset;
    private String location;
    private String host;
    private Credentials credentials;
    private Path credentialsFile;
    private String tablePrefix = "";
    private int coalesceRows = 50_000;
    private Duration coalesceAge = Duration.ofMinutes(3);
    private Duration stagingExpiration = Duration.ofDays(1);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The Google Cloud project that holds the dataset and runs the jobs (required). */
    public Builder project(String project) {
      this.project = Objects.requireNonNull(project, "project");
      return this;
    }

    /** The dataset of every table (required): letters, digits and underscores; created if absent. */
    public Builder dataset(String dataset) {
      if (!DATASET.matcher(Objects.requireNonNull(dataset, "dataset")).matches()) {
        throw new IllegalArgumentException("A BigQuery dataset name is 1 to 1,024 letters, digits and underscores, was '"
            + dataset + "'");
      }
      this.dataset = dataset;
      return this;
    }

    /** Where the dataset lives and jobs run, e.g. {@code EU}, {@code US}, {@code europe-west3} (default: BigQuery's, US). */
    public Builder location(String location) {
      this.location = Objects.requireNonNull(location, "location");
      return this;
    }

    /** Another endpoint than BigQuery's (a proxy, a local stand-in): {@code http://127.0.0.1:9050}. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** A service account's JSON key file; without it (or {@link #credentials}) Application Default Credentials. */
    public Builder credentialsFile(Path file) {
      this.credentialsFile = Objects.requireNonNull(file, "credentialsFile");
      this.credentials = null;
      return this;
    }

    /** Credentials of Google's auth library (e.g. {@code NoCredentials} for a local stand-in). */
    public Builder credentials(Credentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      this.credentialsFile = null;
      return this;
    }

    /** Prepended to every table the sink creates, its own included: at most 30 characters of a-z, 0-9 and _. */
    public Builder tablePrefix(String prefix) {
      this.tablePrefix = Identifiers.checkPrefix(Objects.requireNonNull(prefix, "tablePrefix"));
      return this;
    }

    /**
     * Rows gathered before they are merged (default 50,000); {@code 1} merges every batch on its own.
     */
    public Builder coalesceRows(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("coalesceRows must be at least 1, was " + rows);
      }
      this.coalesceRows = rows;
      return this;
    }

    /** The longest staged rows wait before a write merges them (default 3 minutes). */
    public Builder coalesceAge(Duration age) {
      if (Objects.requireNonNull(age, "coalesceAge").isNegative()) {
        throw new IllegalArgumentException("coalesceAge must not be negative, was " + age);
      }
      this.coalesceAge = age;
      return this;
    }

    /** How long a staging table left by a crash lives (default one day; at least one hour). */
    public Builder stagingExpiration(Duration expiration) {
      if (Objects.requireNonNull(expiration, "stagingExpiration").compareTo(Duration.ofHours(1)) < 0) {
        throw new IllegalArgumentException("stagingExpiration must be at least one hour, was " + expiration);
      }
      this.stagingExpiration = expiration;
      return this;
    }

    /** The clock of coalescing and staging expirations (tests). */
    Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Makes the client and creates the dataset (in {@link #location}) if it does not exist.
     *
     * @throws HubSpotSyncException with {@code BAD_CONFIGURATION} when project or dataset is missing
     *     or the credentials file cannot be read
     * @throws dev.hubspotsync.WarehouseException when BigQuery refused to show or create the dataset
     */
    public BigQuerySink build() {
      if (project == null || dataset == null) {
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "BigQuerySink needs a project(…) and a dataset(…)");
      }
      Settings settings = new Settings(project, dataset, location, host, credentials, credentialsFile, tablePrefix,
          coalesceRows, coalesceAge, stagingExpiration, clock);
      BigQueryOptions.Builder options = BigQueryOptions.newBuilder().setProjectId(project);
      if (location != null) {
        options.setLocation(location);
      }
      if (host != null) {
        options.setHost(host);
      }
      if (credentials != null) {
        options.setCredentials(credentials);
      } else if (credentialsFile != null) {
        options.setCredentials(readCredentials(credentialsFile));
      }
      BigQuery bigquery = options.build().getService();
      BigQueryJobs jobs = new BigQueryJobs(bigquery, project, location);
      BigQuerySession session = new BigQuerySession(jobs, project + "." + dataset);
      ensureDataset(bigquery, session);
      return new BigQuerySink(settings, jobs, new BigQueryDialect(project, dataset),
          new BigQueryLoader(project, dataset, tablePrefix, stagingExpiration, clock), session);
    }

    private void ensureDataset(BigQuery bigquery, BigQuerySession session) {
      try {
        if (bigquery.getDataset(DatasetId.of(project, dataset)) == null) {
          DatasetInfo.Builder info = DatasetInfo.newBuilder(project, dataset);
          if (location != null) {
            info.setLocation(location);
          }
          bigquery.create(info.build());
        }
      } catch (BigQueryException e) {
        if (e.getCode() != 409) { // created meanwhile by another process: fine
          throw session.failure("find or create the dataset",
              new SQLException(e.getMessage(), e.getReason(), e.getCode(), e));
        }
      }
    }

    private static GoogleCredentials readCredentials(Path file) {
      try (InputStream in = Files.newInputStream(file)) {
        return GoogleCredentials.fromStream(in).createScoped("https://www.googleapis.com/auth/bigquery");
      } catch (IOException e) {
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "BigQuerySink cannot read the credentials file "
            + file + ": " + e.getClass().getSimpleName() + "; give a service account's JSON key file", false, e);
      }
    }

    @Override
    public String toString() {
      return "BigQuerySink.Builder[project=" + project + ", dataset=" + dataset + ", location=" + location + "]";
    }
  }
}
