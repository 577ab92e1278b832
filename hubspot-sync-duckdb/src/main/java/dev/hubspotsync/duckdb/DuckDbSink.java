package dev.hubspotsync.duckdb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.schema.ColumnNamer;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.SupportsTransactions;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.sink.WriteResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.duckdb.DuckDBConnection;

/**
 * Loads synced HubSpot data into an embedded DuckDB database: one file (or memory), no server.
 * One table per object type in the configured schema, one link table per association pair, and the
 * sink's own tables {@code _hubspot_sync_state} (checkpoints), {@code _hubspot_sync_columns}
 * (property → column mapping), {@code _hubspot_sync_tables} (object type → table name) and
 * {@code _hubspot_sync_runs}, all named with the configured prefix; see {@code docs/duckdb.md}.
 *
 * <pre>{@code
 * try (DuckDbSink sink = DuckDbSink.builder().file(Path.of("hubspot.duckdb")).build()) {
 *   SyncJob.builder().client(hubspot).sink(sink).addObjectTypes("contacts").build().run();
 * }
 * }</pre>
 *
 * <p>Each {@link #write} is one transaction: the batch's Arrow vectors are handed to DuckDB as an
 * Arrow stream (no copy, no row-by-row JDBC) and merged with
 * {@code INSERT … SELECT … ON CONFLICT (id) DO UPDATE … WHERE stored._hs_updated_at <= new._hs_updated_at}
 * (a stored row is replaced only by one at least as new; a stored null counts as older than
 * anything), then the stream's checkpoint row is upserted. When no row of the batch can exist yet
 * (every id above the table's largest), the rows are inserted without the conflict check. DuckDB
 * stores every value a {@link RecordBatch} holds (NUL characters included), so
 * {@link WriteResult#valuesCleaned()} is always 0.
 *
 * <p>Identifiers are always quoted and at most 255 bytes; table names are derived from the object
 * type (sanitized like column names, so {@code 2-12345} becomes {@code _2_12345}) and stored, so
 * they stay the same across runs. Every connection runs with {@code SET TimeZone = 'UTC'}.
 *
 * <p>Lifecycle: {@link Builder#build()} opens (or creates) the file and holds it until
 * {@link #close()}; DuckDB lets one process at a time open a file, so a second process gets a
 * retryable {@link dev.hubspotsync.WarehouseException} naming the file (bad paths get a
 * {@link HubSpotSyncException} with {@code BAD_CONFIGURATION}). Sinks of one JVM on
 * the same file share one database; the file is released when the last of them closes. After
 * {@code close()} operations throw {@link IllegalStateException}.
 *
 * <p>Thread-safe: each operation runs on a connection of its own. Writes to different tables run in
 * parallel; writers of one table (and every schema change) take a lock, so they run one at a time.
 * Arguments must not be null. Database failures throw {@link WarehouseException} (retryable for a
 * DuckDB transaction conflict); the operation's transaction was rolled back. The JVM needs
 * {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (Arrow).
 */
public final class DuckDbSink implements WarehouseSink, SupportsTransactions {
  static final String STATE = "_hubspot_sync_state";
  static final String COLUMNS = "_hubspot_sync_columns";
  static final String TABLES = "_hubspot_sync_tables";
  static final String RUNS = "_hubspot_sync_runs";
  private static final String BATCH_VIEW = "_hubspot_sync_batch";
  private static final String LINKS_VIEW = "_hubspot_sync_links";
  private static final String LINK_COLUMNS =
      "from_id, to_id, association_type_id, association_category, association_label, _synced_at";
  private static final String OBJECT = "object";
  private static final String LINK = "link";
  /** Ids per statement in the id lists of DELETE and UPDATE. */
  private static final int IDS_PER_STATEMENT = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

  private final DuckDbFile db;
  private final String schema;
  private final String prefix;
  private final BufferAllocator allocator;
  private final Map<String, String> tableNames = new ConcurrentHashMap<>();
  private final Map<String, Map<String, ColumnType>> tableColumns = new ConcurrentHashMap<>();
  private final Set<String> readyLinkTables = ConcurrentHashMap.newKeySet();
  private final Set<String> crashBeforeCommit = ConcurrentHashMap.newKeySet();
  private final Object setUpLock = new Object();
  private volatile boolean setUp;
  private volatile boolean closed;

  private DuckDbSink(DuckDbFile db, String schema, String prefix) {
    this.db = db;
    this.schema = schema;
    this.prefix = prefix;
    this.allocator = new RootAllocator();
  }

  /** A builder: give it {@link Builder#file} or {@link Builder#inMemory}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The schema the sink writes to. */
  public String schema() {
    return schema;
  }

  /**
   * The table holding an object type's rows (unquoted, in {@link #schema()}), once {@link #evolve}
   * has created it.
   */
  public Optional<String> tableName(String objectType) {
    Objects.requireNonNull(objectType, "objectType");
    return Optional.ofNullable(resolveTable(OBJECT, objectType));
  }

  /** The link table of an association pair (unquoted, in {@link #schema()}), once links were written. */
  public Optional<String> linkTableName(String fromType, String toType) {
    return Optional.ofNullable(resolveTable(LINK, LinkBatch.pair(fromType, toType)));
  }

  @Override
  public List<ColumnMapping> describe(String objectType) {
    Objects.requireNonNull(objectType, "objectType");
    ready("describe " + objectType);
    return db.transaction("describe " + objectType, null, c -> storedMappings(c, objectType));
  }

  /**
   * Creates the table if absent and adds each column whose name it does not have yet, in the order
   * given, with {@code ALTER TABLE … ADD COLUMN}; a column it has keeps its type, except that a stored
   * {@code DECIMAL} ({@code DECIMAL(38,9)}) column given as {@code DOUBLE} is converted with
   * {@code ALTER TABLE … ALTER COLUMN … TYPE DOUBLE} (each value becomes the nearest double). The
   * mapping is stored in {@code _hubspot_sync_columns}.
   *
   * @throws IllegalArgumentException when a column takes a system column's name, differs from a
   *     stored column only in case (DuckDB's names ignore case), or its name is empty, holds a NUL
   *     or is longer than 255 bytes
   */
  @Override
  public void evolve(String objectType, List<ColumnMapping> columns) {
    checkColumns(objectType, columns);
    ready("evolve " + objectType);
    // DDL lock, then (for an existing table) the table's lock: no write of the table runs meanwhile.
    db.ddlLock().lock();
    try {
      String existing = resolveTable(OBJECT, objectType);
      evolve(objectType, columns, existing == null ? null : db.tableLock(qualifiedTable(existing)));
    } finally {
      db.ddlLock().unlock();
    }
  }

  private void evolve(String objectType, List<ColumnMapping> columns, ReentrantLock tableLock) {
    String table = db.transaction("evolve " + objectType, tableLock, c -> {
      Plan plan = plan(c, objectType, columns, true);
      for (String ddl : plan.statements) {
        DuckDbFile.execute(c, ddl);
      }
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + qualified(COLUMNS)
          + " (object_type, property, column_name, column_type, ordinal) VALUES (?, ?, ?, ?, ?)")) {
        int ordinal = plan.storedCount;
        for (ColumnMapping column : plan.added) {
          insert.setString(1, objectType);
          insert.setString(2, column.property());
          insert.setString(3, column.column());
          insert.setString(4, column.type().name());
          insert.setInt(5, ordinal++);
          insert.executeUpdate();
        }
      }
      try (PreparedStatement update = c.prepareStatement("UPDATE " + qualified(COLUMNS)
          + " SET column_type = ? WHERE object_type = ? AND column_name = ?")) {
        for (ColumnMapping column : plan.converted) {
          update.setString(1, column.type().name());
          update.setString(2, objectType);
          update.setString(3, column.column());
          update.executeUpdate();
        }
      }
      return plan.table;
    });
    tableNames.put(OBJECT + ":" + objectType, table);
    tableColumns.remove(objectType);
  }

  /**
   * The {@code CREATE TABLE}, {@code ALTER TABLE … ADD COLUMN} and (for a column to convert)
   * {@code ALTER TABLE … ALTER COLUMN} statements {@link #evolve} would run now.
   */
  @Override
  public List<String> evolveStatements(String objectType, List<ColumnMapping> columns) {
    checkColumns(objectType, columns);
    ready("plan the evolution of " + objectType);
    return db.transaction("plan the evolution of " + objectType, db.ddlLock(),
        c -> plan(c, objectType, columns, false).statements);
  }

  private static void checkColumns(String objectType, List<ColumnMapping> columns) {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(columns, "columns");
    for (ColumnMapping column : columns) {
      Objects.requireNonNull(column, "columns must not contain null");
      Objects.requireNonNull(column.type(), "column type");
      DuckNames.checkIdentifier(column.column(), "column name of property '" + column.property() + "'");
      if (SystemColumns.isSystem(column.column().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("Property '" + column.property() + "' of " + objectType
            + " cannot take the column name '" + column.column() + "': it is a system column");
      }
    }
  }

  /** What evolve does: the table (chosen and, if {@code register}, stored), its DDL and the columns to add and convert. */
  private record Plan(String table, List<String> statements, List<ColumnMapping> added, List<ColumnMapping> converted,
      int storedCount) {}

  private Plan plan(Connection c, String objectType, List<ColumnMapping> columns, boolean register)
      throws SQLException {
    String table = registeredTable(c, OBJECT, objectType);
    List<String> statements = new ArrayList<>();
    if (table == null) {
      table = register ? registerTable(c, OBJECT, objectType) : chooseTable(c, objectType);
      statements.add("CREATE TABLE IF NOT EXISTS " + qualifiedTable(table) + " (" + systemColumnsDdl() + ")");
    }
    List<ColumnMapping> stored = storedMappings(c, objectType);
    Map<String, String> names = new HashMap<>();
    SystemColumns.ALL.forEach(col -> names.put(col.name(), col.name()));
    stored.forEach(m -> names.put(m.column().toLowerCase(Locale.ROOT), m.column()));
    Set<String> decimal = stored.stream().filter(m -> m.type() == ColumnType.DECIMAL).map(ColumnMapping::column)
        .collect(Collectors.toCollection(HashSet::new));
    List<ColumnMapping> added = new ArrayList<>();
    List<ColumnMapping> converted = new ArrayList<>();
    for (ColumnMapping column : columns) {
      String existing = names.putIfAbsent(column.column().toLowerCase(Locale.ROOT), column.column());
      if (existing == null) {
        added.add(column);
        statements.add("ALTER TABLE " + qualifiedTable(table) + " ADD COLUMN " + DuckNames.quote(column.column())
            + " " + DuckNames.typeName(column.type()));
      } else if (column.type() == ColumnType.DOUBLE && decimal.remove(column.column())) {
        converted.add(column);
        statements.add("ALTER TABLE " + qualifiedTable(table) + " ALTER COLUMN " + DuckNames.quote(column.column())
            + " TYPE " + DuckNames.typeName(column.type()));
      } else if (!existing.equals(column.column())) {
        throw new IllegalArgumentException("Column '" + column.column() + "' of property '" + column.property()
            + "' differs from column '" + existing + "' of " + objectType + " only in case, and DuckDB names "
            + "ignore case; name columns with the ColumnNamer");
      }
    }
    return new Plan(table, List.copyOf(statements), added, converted, stored.size());
  }

  /**
   * Upserts the batch and stores the checkpoint in one transaction (see the class documentation).
   *
   * @return rows inserted or replaced, rows skipped because the stored one is newer (exact), and 0
   *     values cleaned
   * @throws IllegalStateException when the table or a column of the batch does not exist
   *     ({@link #evolve} first), or a column's type differs from the stored one (a stored
   *     {@code DECIMAL} column the batch has as {@code DOUBLE} is converted first, as {@link #evolve} does)
   * @throws IllegalArgumentException when the batch holds two rows for one id
   */
  @Override
  public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(checkpoint, "checkpoint");
    String objectType = batch.objectType();
    ready("write to " + objectType);
    String table = qualifiedTable(tableFor(objectType, batch.columns()));
    int rows = batch.rowCount();
    long minId = rows == 0 ? 0 : batch.distinctIds()[0];
    return db.transaction("write " + rows + " rows to " + table, db.tableLock(table), c -> {
      WriteResult result = rows == 0 ? new WriteResult(0, 0, 0) : load(c, batch, table, minId);
      saveCheckpoint(c, checkpoint);
      crashIfArmed(checkpoint.stream());
      return result;
    });
  }

  private WriteResult load(DuckDBConnection c, RecordBatch batch, String table, long minId) throws SQLException {
    List<Column> columns = batch.columns();
    String columnList = columns.stream().map(col -> DuckNames.quote(col.name())).collect(Collectors.joining(", "));
    String insert = "INSERT INTO " + table + " AS t (" + columnList + ") SELECT " + columnList + " FROM "
        + DuckNames.quote(BATCH_VIEW);
    if (!noneCanExist(c, table, minId)) {
      String updatedAt = DuckNames.quote(SystemColumns.UPDATED_AT);
      insert += " ON CONFLICT (" + DuckNames.quote(SystemColumns.ID) + ") DO UPDATE SET "
          + columns.stream().filter(col -> !col.name().equals(SystemColumns.ID))
              .map(col -> DuckNames.quote(col.name()) + " = excluded." + DuckNames.quote(col.name()))
              .collect(Collectors.joining(", "))
          + " WHERE t." + updatedAt + " IS NULL OR t." + updatedAt + " <= excluded." + updatedAt;
    }
    int rows = batch.rowCount();
    int written = ArrowStreams.execute(c, BATCH_VIEW, batch.arrow(), insert);
    return new WriteResult(written, rows - written, 0);
  }

  /**
   * Whether every id of the batch is above the table's largest: then, under the table's lock, no row
   * can conflict and the insert skips the conflict check.
   */
  private static boolean noneCanExist(Connection c, String table, long minId) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(" + DuckNames.quote(SystemColumns.ID) + ") FROM " + table)) {
      rs.next();
      long largest = rs.getLong(1);
      return rs.wasNull() || minId > largest;
    }
  }

  @Override
  public Optional<Checkpoint> checkpoint(String stream) {
    Objects.requireNonNull(stream, "stream");
    ready("read the checkpoint of " + stream);
    return db.transaction("read the checkpoint of " + stream, null, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT checkpoint FROM " + qualified(STATE)
          + " WHERE stream = ?")) {
        select.setString(1, stream);
        try (ResultSet rs = select.executeQuery()) {
          return rs.next() ? Optional.of(new Checkpoint(stream, rs.getString(1))) : Optional.empty();
        }
      }
    });
  }

  private void saveCheckpoint(Connection c, Checkpoint checkpoint) throws SQLException {
    try (PreparedStatement upsert = c.prepareStatement("INSERT INTO " + qualified(STATE)
        + " (stream, checkpoint, updated_at) VALUES (?, ?, now()) ON CONFLICT (stream) DO UPDATE "
        + "SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at")) {
      upsert.setString(1, checkpoint.stream());
      upsert.setString(2, checkpoint.json());
      upsert.executeUpdate();
    }
  }

  /** Test hook: the next write or link replacement that stores {@code stream}'s checkpoint fails before its commit. */
  void crashBeforeCommit(String stream) {
    crashBeforeCommit.add(stream);
  }

  private void crashIfArmed(String stream) throws SQLException {
    if (crashBeforeCommit.remove(stream)) {
      throw new SQLException("simulated crash before commit (stream " + stream + ")");
    }
  }

  /**
   * Deletes the stored links of the batch's parents, inserts the batch's links into the pair's link
   * table (created if absent) and stores the checkpoint, in one transaction.
   *
   * @throws IllegalArgumentException when a link's parent is not among the batch's parents, or a
   *     (from id, to id, type id) key appears twice; nothing is stored
   */
  @Override
  public void replaceAssociations(LinkBatch batch, Checkpoint checkpoint) {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(checkpoint, "checkpoint");
    String pair = batch.pair();
    batch.checkLinks();
    ready("replace links of " + pair);
    String table = qualifiedTable(linkTable(pair));
    db.transaction("replace links in " + table, db.tableLock(table), c -> {
      for (String ids : idLists(batch.parentIds())) {
        DuckDbFile.execute(c, "DELETE FROM " + table + " WHERE from_id IN (" + ids + ")");
      }
      if (!batch.links().isEmpty()) {
        try (VectorSchemaRoot links = ArrowStreams.links(allocator, batch)) {
          ArrowStreams.execute(c, LINKS_VIEW, links, "INSERT INTO " + table + " (" + LINK_COLUMNS + ") SELECT "
              + LINK_COLUMNS + " FROM " + DuckNames.quote(LINKS_VIEW));
        }
      }
      saveCheckpoint(c, checkpoint);
      crashIfArmed(checkpoint.stream());
      return null;
    });
  }

  /** The ids as comma-separated SQL literals, at most {@link #IDS_PER_STATEMENT} per list. */
  private static List<String> idLists(Collection<Long> ids) {
    List<String> lists = new ArrayList<>();
    StringBuilder list = new StringBuilder();
    int n = 0;
    for (Long id : ids) {
      list.append(n++ == 0 ? "" : ",").append((long) id);
      if (n == IDS_PER_STATEMENT) {
        lists.add(list.toString());
        list.setLength(0);
        n = 0;
      }
    }
    if (n > 0) {
      lists.add(list.toString());
    }
    return lists;
  }

  /**
   * Upserts one row of {@code _hubspot_sync_runs}, keyed on the run id: times, outcome, rows read,
   * written and skipped over all streams, the budget, and the calls, streams and association pairs
   * as JSON text; {@code report} holds the whole report as JSON, which {@link #lastRun()} reads.
   */
  @Override
  public void recordRun(SyncReport report) {
    Objects.requireNonNull(report, "report");
    ready("record run " + report.runId());
    var json = JSON.valueToTree(report);
    long read = 0;
    long written = 0;
    long skipped = 0;
    for (SyncReport.StreamReport stream : report.streams()) {
      read += stream.rowsRead();
      written += stream.rowsWritten();
      skipped += stream.rowsSkippedOlder();
    }
    Object[] values = {report.runId(), utc(report.startedAt()), utc(report.finishedAt()),
        json.hasNonNull("outcome") ? json.get("outcome").asText() : null, read, written, skipped,
        text(json.get("calls")), text(json.get("streams")), text(json.get("associations")),
        report.budgetUsedToday(), report.budgetDailyCeiling(), utc(report.budgetResetsAt()), text(json)};
    String columns = "run_id, started_at, finished_at, outcome, rows_read, rows_written, rows_skipped_older, calls, "
        + "streams, associations, budget_used_today, budget_daily_ceiling, budget_resets_at, report";
    String updates = Arrays.stream(columns.split(", ")).skip(1).map(col -> col + " = excluded." + col)
        .collect(Collectors.joining(", "));
    db.transaction("record run " + report.runId(), null, c -> {
      try (PreparedStatement upsert = c.prepareStatement("INSERT INTO " + qualified(RUNS) + " (" + columns
          + ", recorded_at) VALUES (" + "?, ".repeat(values.length) + "now()) ON CONFLICT (run_id) DO UPDATE SET "
          + updates + ", recorded_at = excluded.recorded_at")) {
        for (int i = 0; i < values.length; i++) {
          upsert.setObject(i + 1, values[i]);
        }
        upsert.executeUpdate();
      }
      return null;
    });
  }

  private static String text(Object json) {
    if (json == null || (json instanceof com.fasterxml.jackson.databind.JsonNode node && node.isNull())) {
      return null;
    }
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a run report as JSON", e);
    }
  }

  /** The report of the recorded run that started last, as {@link #recordRun} received it. */
  @Override
  public Optional<SyncReport> lastRun() {
    ready("read the last run");
    return db.transaction("read the last run from " + RUNS, null, c -> {
      try (Statement select = c.createStatement();
          ResultSet rs = select.executeQuery("SELECT run_id, report FROM " + qualified(RUNS)
              + " ORDER BY started_at DESC NULLS LAST, recorded_at DESC LIMIT 1")) {
        if (!rs.next()) {
          return Optional.empty();
        }
        try {
          return Optional.of(JSON.readValue(rs.getString(2), SyncReport.class));
        } catch (JsonProcessingException e) {
          throw new WarehouseException("The last row of " + qualified(RUNS) + " (run " + rs.getString(1)
              + ") is not a report this version can read: " + e.getOriginalMessage(), null, false, e);
        }
      }
    });
  }

  @Override
  public long[] ids(String objectType, boolean archived) {
    Objects.requireNonNull(objectType, "objectType");
    ready("list the ids of " + objectType);
    String name = resolveTable(OBJECT, objectType);
    if (name == null) {
      return new long[0];
    }
    String table = qualifiedTable(name);
    return db.transaction("list the ids of " + table, null, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT " + DuckNames.quote(SystemColumns.ID) + " FROM "
          + table + " WHERE " + DuckNames.quote(SystemColumns.ARCHIVED) + " = ? ORDER BY 1")) {
        select.setBoolean(1, archived);
        try (ResultSet rs = select.executeQuery()) {
          return longs(rs);
        }
      }
    });
  }

  /** The first column of every row, as longs. */
  private static long[] longs(ResultSet rs) throws SQLException {
    long[] values = new long[1024];
    int n = 0;
    while (rs.next()) {
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n++] = rs.getLong(1);
    }
    return Arrays.copyOf(values, n);
  }

  @Override
  public Map<Long, Instant> updatedAt(String objectType, Collection<Long> ids) {
    Objects.requireNonNull(ids, "ids");
    ready("read the modified dates of " + objectType);
    String name = resolveTable(OBJECT, objectType);
    Map<Long, Instant> dates = new HashMap<>();
    if (name == null || ids.isEmpty()) {
      return dates;
    }
    String table = qualifiedTable(name);
    String in = ids.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")); // numbers only
    return db.transaction("read the modified dates of " + table, null, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT " + DuckNames.quote(SystemColumns.ID) + ", epoch_us("
          + DuckNames.quote(SystemColumns.UPDATED_AT) + ") FROM " + table + " WHERE " + DuckNames.quote(SystemColumns.ID)
          + " IN (" + in + ") AND NOT " + DuckNames.quote(SystemColumns.ARCHIVED) + " AND "
          + DuckNames.quote(SystemColumns.UPDATED_AT) + " IS NOT NULL"); ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          dates.put(rs.getLong(1), Instant.EPOCH.plus(rs.getLong(2), ChronoUnit.MICROS)); // no JVM zone involved
        }
        return dates;
      }
    });
  }

  @Override
  public long[] parentsLinkedTo(String fromType, String toType, Collection<Long> toIds) {
    Objects.requireNonNull(toIds, "toIds");
    String pair = LinkBatch.pair(fromType, toType);
    ready("look up the links of " + pair);
    String name = resolveTable(LINK, pair);
    if (name == null || toIds.isEmpty()) {
      return new long[0];
    }
    String table = qualifiedTable(name);
    StringBuilder in = new StringBuilder();
    for (long id : toIds) { // numbers only: nothing to quote
      in.append(in.length() == 0 ? "" : ",").append(id);
    }
    return db.transaction("look up links in " + table, null, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT DISTINCT from_id FROM " + table
          + " WHERE to_id IN (" + in + ") ORDER BY 1"); ResultSet rs = select.executeQuery()) {
        return longs(rs);
      }
    });
  }

  /** Sets {@code _hs_archived} and {@code _hs_archived_at} of the rows not archived yet; other columns stay. */
  @Override
  public int markArchived(String objectType, Collection<Long> ids, Instant archivedAt) {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(archivedAt, "archivedAt");
    ready("mark rows of " + objectType + " archived");
    String name = resolveTable(OBJECT, objectType);
    if (name == null || ids.isEmpty()) {
      return 0;
    }
    String table = qualifiedTable(name);
    String archived = DuckNames.quote(SystemColumns.ARCHIVED);
    return db.transaction("mark rows of " + table + " archived", db.tableLock(table), c -> {
      int changed = 0;
      for (String list : idLists(ids)) {
        try (PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET " + archived + " = TRUE, "
            + DuckNames.quote(SystemColumns.ARCHIVED_AT) + " = ? WHERE " + DuckNames.quote(SystemColumns.ID)
            + " IN (" + list + ") AND NOT " + archived)) {
          update.setObject(1, utc(archivedAt));
          changed += update.executeUpdate();
        }
      }
      return changed;
    });
  }

  /** The sink keeps identifiers within 255 UTF-8 bytes (DuckDB itself has no limit). */
  @Override
  public int maxIdentifierBytes() {
    return DuckNames.MAX_IDENTIFIER_BYTES;
  }

  /**
   * Refuses later operations and releases the file (DuckDB closes it when the last sink of this JVM
   * on it closes). A second call does nothing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      db.release();
    } finally {
      allocator.close();
    }
  }

  @Override
  public String toString() {
    return "DuckDbSink[" + db.description() + ", schema=" + schema + (prefix.isEmpty() ? "" : ", tablePrefix=" + prefix)
        + "]";
  }

  /** A new connection to the sink's database, in UTC; the caller closes it. For tests and tools. */
  DuckDBConnection connect() throws SQLException {
    return db.borrow();
  }

  /** Checks the sink is open and creates the schema and the sink's own tables once per sink. */
  private void ready(String action) {
    if (closed) {
      throw new IllegalStateException("DuckDbSink is closed; cannot " + action);
    }
    if (setUp) {
      return;
    }
    synchronized (setUpLock) {
      if (setUp) {
        return;
      }
      db.transaction("create the schema " + DuckNames.quote(schema) + " and the sink's tables", db.ddlLock(), c -> {
        DuckDbFile.execute(c, "CREATE SCHEMA IF NOT EXISTS " + DuckNames.quote(db.catalog()) + "."
            + DuckNames.quote(schema));
        DuckDbFile.execute(c, "CREATE TABLE IF NOT EXISTS " + qualified(STATE) + " (stream VARCHAR PRIMARY KEY, "
            + "checkpoint VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        DuckDbFile.execute(c, "CREATE TABLE IF NOT EXISTS " + qualified(COLUMNS) + " (object_type VARCHAR NOT NULL, "
            + "property VARCHAR, column_name VARCHAR NOT NULL, column_type VARCHAR NOT NULL, ordinal INTEGER NOT NULL, "
            + "added_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (object_type, column_name))");
        DuckDbFile.execute(c, "CREATE TABLE IF NOT EXISTS " + qualified(TABLES) + " (kind VARCHAR NOT NULL, "
            + "name VARCHAR NOT NULL, table_name VARCHAR NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
            + "PRIMARY KEY (kind, name))");
        DuckDbFile.execute(c, "CREATE TABLE IF NOT EXISTS " + qualified(RUNS) + " (run_id VARCHAR PRIMARY KEY, "
            + "started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, outcome VARCHAR, rows_read BIGINT, rows_written BIGINT, "
            + "rows_skipped_older BIGINT, calls VARCHAR, streams VARCHAR, associations VARCHAR, "
            + "budget_used_today BIGINT, budget_daily_ceiling BIGINT, budget_resets_at TIMESTAMPTZ, report VARCHAR, "
            + "recorded_at TIMESTAMPTZ NOT NULL)");
        return null;
      });
      setUp = true;
    }
  }

  private String qualified(String ownTable) {
    return qualifiedTable(prefix + ownTable);
  }

  /** The table's name, quoted, with the catalog and schema. */
  String qualifiedTable(String table) {
    return DuckNames.qualified(db.catalog(), schema, table);
  }

  private static String systemColumnsDdl() {
    List<String> columns = new ArrayList<>();
    for (Column column : SystemColumns.ALL) {
      String ddl = DuckNames.quote(column.name()) + " " + DuckNames.typeName(column.type());
      if (column.name().equals(SystemColumns.ID)) {
        ddl += " PRIMARY KEY";
      } else if (column.name().equals(SystemColumns.ARCHIVED)) {
        ddl += " NOT NULL DEFAULT FALSE";
      }
      columns.add(ddl);
    }
    return String.join(", ", columns);
  }

  private List<ColumnMapping> storedMappings(Connection c, String objectType) throws SQLException {
    List<ColumnMapping> mappings = new ArrayList<>();
    try (PreparedStatement select = c.prepareStatement("SELECT property, column_name, column_type FROM "
        + qualified(COLUMNS) + " WHERE object_type = ? ORDER BY ordinal")) {
      select.setString(1, objectType);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          mappings.add(new ColumnMapping(rs.getString(1), rs.getString(2), ColumnType.valueOf(rs.getString(3))));
        }
      }
    }
    return List.copyOf(mappings);
  }

  /**
   * The table of an object type, after checking the batch's columns against the stored ones
   * (reloaded once when the cached ones do not fit).
   */
  private String tableFor(String objectType, List<Column> batchColumns) {
    String table = resolveTable(OBJECT, objectType);
    if (table == null) {
      throw new IllegalStateException("Table for '" + objectType + "' does not exist in schema " + schema
          + "; evolve() must run first to create it");
    }
    Map<String, ColumnType> cached = tableColumns.get(objectType);
    if (cached != null && misfit(objectType, table, cached, batchColumns) == null) {
      return table;
    }
    List<ColumnMapping> mappings = describe(objectType);
    List<ColumnMapping> toConvert = SchemaDrift.conversions(mappings, batchColumns);
    if (!toConvert.isEmpty()) {
      evolve(objectType, toConvert);
      mappings = describe(objectType);
    }
    Map<String, ColumnType> types = new HashMap<>();
    SystemColumns.ALL.forEach(col -> types.put(col.name(), col.type()));
    mappings.forEach(m -> types.put(m.column(), m.type()));
    String misfit = misfit(objectType, table, types, batchColumns);
    if (misfit != null) {
      throw new IllegalStateException(misfit);
    }
    tableColumns.put(objectType, Map.copyOf(types));
    return table;
  }

  /** Why the batch's columns do not fit the table's, or null if they do. */
  private static String misfit(String objectType, String table, Map<String, ColumnType> types,
      List<Column> batchColumns) {
    Set<String> seen = new HashSet<>();
    for (Column column : batchColumns) {
      ColumnType stored = types.get(column.name());
      String which = "Column '" + column.name() + "'"
          + (column.property() == null ? "" : " (property '" + column.property() + "')") + " of the " + objectType
          + " batch";
      if (stored == null) {
        return which + " is not in table " + table + "; evolve() must run first to add it";
      } else if (stored != column.type()) {
        return which + " is " + column.type() + " but table " + table + " stores it as " + stored
            + "; columns are never retyped, so build batches from the mapping describe() returns";
      } else if (!seen.add(column.name())) {
        return which + " appears twice";
      }
    }
    return null;
  }

  private String linkTable(String pair) {
    String cached = resolveTable(LINK, pair);
    if (cached != null && readyLinkTables.contains(pair)) {
      return cached;
    }
    String name = db.transaction("create the link table of " + pair, db.ddlLock(), c -> {
      String table = registerTable(c, LINK, pair);
      DuckDbFile.execute(c, "CREATE TABLE IF NOT EXISTS " + qualifiedTable(table) + " (from_id BIGINT NOT NULL, "
          + "to_id BIGINT NOT NULL, association_type_id INTEGER NOT NULL, association_category VARCHAR, "
          + "association_label VARCHAR, _synced_at TIMESTAMPTZ, PRIMARY KEY (from_id, to_id, association_type_id))");
      return table;
    });
    tableNames.put(LINK + ":" + pair, name);
    readyLinkTables.add(pair);
    return name;
  }

  /** The registered table name of an object type or pair; null if it has none yet. */
  private String resolveTable(String kind, String name) {
    String key = kind + ":" + name;
    String cached = tableNames.get(key);
    if (cached != null) {
      return cached;
    }
    ready("look up the table of " + name);
    String found = db.transaction("look up the table of " + name, null, c -> registeredTable(c, kind, name));
    if (found != null) {
      tableNames.put(key, found);
    }
    return found;
  }

  private String registeredTable(Connection c, String kind, String name) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT table_name FROM " + qualified(TABLES)
        + " WHERE kind = ? AND name = ?")) {
      select.setString(1, kind);
      select.setString(2, name);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Chooses the table name of an object type or pair and stores it (the caller holds the DDL lock). */
  private String registerTable(Connection c, String kind, String name) throws SQLException {
    String existing = registeredTable(c, kind, name);
    if (existing != null) {
      return existing;
    }
    String table = chooseTable(c, name);
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + qualified(TABLES)
        + " (kind, name, table_name) VALUES (?, ?, ?)")) {
      insert.setString(1, kind);
      insert.setString(2, name);
      insert.setString(3, table);
      insert.executeUpdate();
    }
    return table;
  }

  /**
   * The prefix plus the name sanitized as column names are, with {@code _2}, {@code _3}, … when that
   * is taken (ignoring case, as DuckDB does) by a registered table or any relation in the schema.
   */
  private String chooseTable(Connection c, String name) throws SQLException {
    Set<String> taken = new HashSet<>();
    try (PreparedStatement select = c.prepareStatement("SELECT lower(table_name) FROM information_schema.tables "
        + "WHERE table_catalog = current_database() AND table_schema = ? UNION SELECT lower(table_name) FROM "
        + qualified(TABLES))) {
      select.setString(1, schema);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          taken.add(rs.getString(1));
        }
      }
    }
    for (String own : List.of(STATE, COLUMNS, TABLES, RUNS)) {
      taken.add(prefix + own);
    }
    int room = DuckNames.MAX_IDENTIFIER_BYTES - prefix.length();
    String base = prefix + ColumnNamer.forDialect(room).sanitize(name);
    String table = base;
    for (int n = 2; taken.contains(table.toLowerCase(Locale.ROOT)); n++) {
      String suffix = "_" + n;
      table = base.substring(0, Math.min(base.length(), DuckNames.MAX_IDENTIFIER_BYTES - suffix.length())) + suffix;
    }
    return table;
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  /**
   * Collects a sink's settings. Not thread-safe; {@link #build()} copies them, so one builder can
   * make several sinks.
   */
  public static final class Builder {
    private Path file;
    private boolean inMemory;
    private String schema = "main";
    private String tablePrefix = "";

    private Builder() {}

    /** The database file, created if absent (its directory must exist). Replaces {@link #inMemory()}. */
    public Builder file(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      this.inMemory = false;
      return this;
    }

    /** A database in memory, private to this sink and gone when it closes (tests, demos). Replaces {@link #file}. */
    public Builder inMemory() {
      this.inMemory = true;
      this.file = null;
      return this;
    }

    /** The schema of every table (default {@code main}); created if absent. Any name of at most 255 bytes. */
    public Builder schema(String schema) {
      DuckNames.checkIdentifier(Objects.requireNonNull(schema, "schema"), "schema name");
      this.schema = schema;
      return this;
    }

    /**
     * Prepended to every table the sink creates, its own included (default none): at most 30
     * characters of {@code a-z}, {@code 0-9} and {@code _}.
     */
    public Builder tablePrefix(String prefix) {
      this.tablePrefix = DuckNames.checkPrefix(Objects.requireNonNull(prefix, "tablePrefix"));
      return this;
    }

    /**
     * Opens the file (creating it if absent) or the in-memory database. The schema and tables are
     * created by the first operation.
     *
     * @throws HubSpotSyncException with {@code BAD_CONFIGURATION} when neither a file nor
     *     {@code inMemory()} was given, the file's directory does not exist, the path is a directory
     *     or not a DuckDB file, or another process has the file open
     */
    public DuckDbSink build() {
      if (file == null && !inMemory) {
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "DuckDbSink needs a file(…) or inMemory()");
      }
      return new DuckDbSink(DuckDbFile.open(file, "DuckDbSink"), schema, tablePrefix);
    }

    @Override
    public String toString() {
      return "DuckDbSink.Builder[" + (inMemory ? "in memory" : "file=" + file) + ", schema=" + schema + "]";
    }
  }
}
