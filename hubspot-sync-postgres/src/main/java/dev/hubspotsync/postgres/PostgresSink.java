package dev.hubspotsync.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.schema.ColumnNamer;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.SupportsTransactions;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.sink.WriteResult;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Loads synced HubSpot data into PostgreSQL (9.5 or later). One table per object type in the
 * configured schema, one link table per association pair, and the sink's own tables
 * {@code _hubspot_sync_state} (checkpoints), {@code _hubspot_sync_columns} (property → column
 * mapping), {@code _hubspot_sync_tables} (object type → table name) and {@code _hubspot_sync_runs},
 * all named with the configured prefix; see {@code docs/postgres.md}.
 *
 * <pre>{@code
 * PostgresSink sink = PostgresSink.builder()
 *     .jdbcUrl("jdbc:postgresql://db:5432/warehouse", "loader", password)
 *     .schema("hubspot")
 *     .build();
 * }</pre>
 *
 * <p>Each {@link #write} is one transaction: the batch is sent with a binary
 * {@code COPY … FROM STDIN} into a temporary staging table (kept by the session, emptied at each
 * commit) and merged with
 * {@code INSERT … ON CONFLICT (id) DO UPDATE … WHERE stored._hs_updated_at <= new._hs_updated_at}
 * (a stored row is replaced only by one at least as new; a stored null counts as older than
 * anything), then the stream's checkpoint row is upserted. When no row of the batch can exist yet
 * (every id above the table's largest), the rows are copied straight into the table. Writers of one
 * table, in this process or another, take a PostgreSQL advisory lock for the table, so writes to one
 * table run one at a time while writes to different tables run in parallel.
 *
 * <p>Values PostgreSQL would reject are changed and counted in {@link WriteResult#valuesCleaned()}:
 * NUL characters are removed from text, and a date or timestamp outside PostgreSQL's range becomes
 * null (for a property, with its text kept in {@code _hs_unparsed}). Numbers are
 * {@code DOUBLE PRECISION}, which holds every value a {@link RecordBatch} carries; a legacy
 * {@code NUMERIC(38,9)} number column is converted to it (see {@link #evolve}).
 *
 * <p>Identifiers are always quoted and at most 63 bytes; table names are derived from the object
 * type (sanitized like column names, so {@code 2-12345} becomes {@code _2_12345}) and stored, so
 * they stay the same across runs.
 *
 * <p>Thread-safe: every operation takes a connection of its own from the DataSource and gives it
 * back (with a JDBC URL, the sink keeps up to four connections open between operations). {@link #close()} releases nothing of a DataSource the caller passed (the caller owns it);
 * afterwards operations throw {@link IllegalStateException}. Arguments must not be null. Database
 * failures throw {@link WarehouseException}, or {@link dev.hubspotsync.HubSpotSyncException} with
 * {@code BAD_CONFIGURATION} for credentials, a missing database or missing privileges; messages
 * never contain a password.
 */
public final class PostgresSink implements WarehouseSink, SupportsTransactions {
  static final String COLUMNS = "_hubspot_sync_columns";
  static final String TABLES = "_hubspot_sync_tables";
  static final String RUNS = "_hubspot_sync_runs";
  private static final String STAGE = "_hubspot_sync_stage";
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String OBJECT = "object";
  private static final String LINK = "link";
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

  private static final Pattern NUL_ESCAPE = Pattern.compile("(?<!\\\\)((?:\\\\\\\\)*)\\\\u0000");

  private final Database db;
  private final Map<String, String> tableNames = new ConcurrentHashMap<>();
  private final Map<String, TableColumns> tableColumns = new ConcurrentHashMap<>();
  private final Set<String> readyLinkTables = ConcurrentHashMap.newKeySet();
  private final Object setUpLock = new Object();
  private volatile boolean setUp;
  private volatile boolean closed;

  private PostgresSink(Database db) {
    this.db = db;
  }

  /** A builder: give it {@link Builder#dataSource} or {@link Builder#jdbcUrl}. */
  public static Builder builder() {
    return new Builder(new Database.Settings());
  }

  /** The schema the sink writes to. */
  public String schema() {
    return db.schema();
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
    checkOpen("describe " + objectType);
    setUp();
    return db.transaction("describe " + objectType, 0, c -> storedMappings(c, objectType));
  }

  /**
   * Creates the table if absent and adds each column whose name it does not have yet, in the order
   * given, with {@code ALTER TABLE … ADD COLUMN IF NOT EXISTS}; a column it has keeps its type, except
   * that a stored {@code DECIMAL} ({@code NUMERIC(38,9)}) column given as {@code DOUBLE} is converted
   * with {@code ALTER TABLE … ALTER COLUMN … TYPE DOUBLE PRECISION} (each value becomes the nearest
   * double). The mapping is stored in {@code _hubspot_sync_columns}.
   *
   * @throws IllegalArgumentException when a column takes a system column's name, or its name is
   *     empty, holds a NUL or is longer than 63 bytes
   */
  @Override
  public void evolve(String objectType, List<ColumnMapping> columns) {
    checkColumns(objectType, columns);
    checkOpen("evolve " + objectType);
    setUp();
    String name = db.transaction("evolve " + objectType, db.ddlLock(), c -> evolve(c, objectType, columns, true).table());
    tableNames.put(OBJECT + ":" + objectType, name);
    tableColumns.remove(objectType);
  }

  /**
   * The statements {@link #evolve} would run now (a {@code CREATE TABLE} when the table is absent,
   * an {@code ALTER TABLE … ADD COLUMN} per new column, an {@code ALTER TABLE … ALTER COLUMN} per
   * column to convert), without running them or storing anything.
   */
  @Override
  public List<String> evolveStatements(String objectType, List<ColumnMapping> columns) {
    checkColumns(objectType, columns);
    checkOpen("plan the evolution of " + objectType);
    setUp();
    return db.transaction("plan the evolution of " + objectType, 0, c -> evolve(c, objectType, columns, false).statements());
  }

  private static void checkColumns(String objectType, List<ColumnMapping> columns) {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(columns, "columns");
    for (ColumnMapping column : columns) {
      Objects.requireNonNull(column, "columns must not contain null");
      Objects.requireNonNull(column.type(), "column type");
      PgNames.checkIdentifier(column.column(), "column name of property '" + column.property() + "'");
      if (SystemColumns.isSystem(column.column())) {
        throw new IllegalArgumentException("Property '" + column.property() + "' of " + objectType
            + " cannot take the column name '" + column.column() + "': it is a system column");
      }
    }
  }

  private record Evolution(String table, List<String> statements) {}

  /** Evolves the table, or with {@code apply} false only lists the statements it would run. */
  private Evolution evolve(Connection c, String objectType, List<ColumnMapping> columns, boolean apply)
      throws SQLException {
    String table = apply ? registerTable(c, OBJECT, objectType) : tableNameFor(c, OBJECT, objectType);
    String qualified = db.qualifiedTable(table);
    List<String> statements = new ArrayList<>();
    if (apply || !relationExists(c, table)) {
      statements.add("CREATE TABLE IF NOT EXISTS " + qualified + " (" + systemColumnsDdl() + ")");
    }
    List<ColumnMapping> stored = storedMappings(c, objectType);
    Set<String> names = stored.stream().map(ColumnMapping::column).collect(Collectors.toCollection(HashSet::new));
    Set<String> decimal = stored.stream().filter(m -> m.type() == ColumnType.DECIMAL).map(ColumnMapping::column)
        .collect(Collectors.toCollection(HashSet::new));
    List<ColumnMapping> added = new ArrayList<>();
    List<ColumnMapping> converted = new ArrayList<>();
    for (ColumnMapping column : columns) {
      if (names.add(column.column())) {
        added.add(column);
        statements.add("ALTER TABLE " + qualified + " ADD COLUMN IF NOT EXISTS " + PgNames.quote(column.column())
            + " " + PgNames.typeName(column.type()));
      } else if (column.type() == ColumnType.DOUBLE && decimal.remove(column.column())) {
        converted.add(column);
        statements.add("ALTER TABLE " + qualified + " ALTER COLUMN " + PgNames.quote(column.column()) + " TYPE "
            + PgNames.typeName(column.type()));
      }
    }
    if (!apply) {
      return new Evolution(table, statements);
    }
    for (String statement : statements) {
      Database.execute(c, statement);
    }
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + db.qualified(COLUMNS)
        + " (object_type, property, column_name, column_type, ordinal) VALUES (?, ?, ?, ?, ?)")) {
      int ordinal = stored.size();
      for (ColumnMapping column : added) {
        insert.setString(1, objectType);
        insert.setString(2, column.property());
        insert.setString(3, column.column());
        insert.setString(4, column.type().name());
        insert.setInt(5, ordinal++);
        insert.executeUpdate();
      }
    }
    try (PreparedStatement update = c.prepareStatement("UPDATE " + db.qualified(COLUMNS)
        + " SET column_type = ? WHERE object_type = ? AND column_name = ?")) {
      for (ColumnMapping column : converted) {
        update.setString(1, column.type().name());
        update.setString(2, objectType);
        update.setString(3, column.column());
        update.executeUpdate();
      }
    }
    return new Evolution(table, statements);
  }

  private boolean relationExists(Connection c, String table) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM pg_class c JOIN pg_namespace n "
        + "ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
      select.setString(1, db.schema());
      select.setString(2, table);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Upserts the batch and stores the checkpoint in one transaction (see the class documentation).
   *
   * @return rows inserted or replaced, rows skipped because the stored one is newer (exact), and
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
    checkOpen("write to " + objectType);
    setUp();
    TableColumns stored = columnsFor(objectType, batch.columns());
    int rows = batch.rowCount();
    long[] ids = batch.distinctIds();
    long minId = rows == 0 ? 0 : ids[0];
    String table = db.qualifiedTable(stored.table);
    long lock = PgNames.lockKey("table", db.schema(), stored.table);
    try {
      return write(batch, checkpoint, table, lock, minId, false);
    } catch (WarehouseException e) {
      if (!UNIQUE_VIOLATION.equals(e.sqlState())) {
        throw e;
      }
      // Someone outside this sink added one of the ids since the check; the merge handles that.
      return write(batch, checkpoint, table, lock, minId, true);
    }
  }

  private WriteResult write(RecordBatch batch, Checkpoint checkpoint, String table, long lock, long minId,
      boolean merge) {
    int rows = batch.rowCount();
    return db.transaction("write " + rows + " rows to " + table, lock, c -> {
      WriteResult result = rows == 0 ? new WriteResult(0, 0, 0) : load(c, batch, table, minId, merge);
      db.saveCheckpoint(c, checkpoint);
      return result;
    });
  }

  private WriteResult load(Connection c, RecordBatch batch, String table, long minId, boolean merge)
      throws SQLException {
    List<Column> columns = batch.columns();
    String columnList = columns.stream().map(col -> PgNames.quote(col.name())).collect(Collectors.joining(", "));
    int rows = batch.rowCount();
    if (!merge && noneCanExist(c, table, minId)) {
      // Under the table's lock no other writer can add these ids: no merge needed.
      int cleaned = copy(c, batch, table + " (" + columnList + ")");
      return new WriteResult(rows, 0, cleaned);
    }
    // One staging table per session and column layout, emptied by every commit: a session that
    // writes again (a pooled connection) skips creating and dropping it.
    String definition = columns.stream().map(col -> PgNames.quote(col.name()) + " " + PgNames.typeName(col.type()))
        .collect(Collectors.joining(", "));
    String stage = PgNames.quote(STAGE + "_" + Long.toHexString(PgNames.lockKey(definition)));
    Database.execute(c, "CREATE TEMPORARY TABLE IF NOT EXISTS " + stage + " (" + definition + ") ON COMMIT DELETE ROWS");
    int cleaned = copy(c, batch, stage + " (" + columnList + ")");
    String updatedAt = PgNames.quote(SystemColumns.UPDATED_AT);
    String upsert = "INSERT INTO " + table + " AS t (" + columnList + ") SELECT " + columnList + " FROM " + stage
        + " ON CONFLICT (" + PgNames.quote(SystemColumns.ID) + ") DO UPDATE SET "
        + columns.stream().filter(col -> !col.name().equals(SystemColumns.ID))
            .map(col -> PgNames.quote(col.name()) + " = EXCLUDED." + PgNames.quote(col.name()))
            .collect(Collectors.joining(", "))
        + " WHERE t." + updatedAt + " IS NULL OR t." + updatedAt + " <= EXCLUDED." + updatedAt;
    int written = Database.execute(c, upsert);
    return new WriteResult(written, rows - written, cleaned);
  }

  /** Whether every id of the batch is above the table's largest (an index lookup). */
  private static boolean noneCanExist(Connection c, String table, long minId) throws SQLException {
    try (PreparedStatement max = c.prepareStatement("SELECT max(" + PgNames.quote(SystemColumns.ID) + ") FROM " + table);
        ResultSet rs = max.executeQuery()) {
      rs.next();
      long largest = rs.getLong(1);
      return rs.wasNull() || minId > largest;
    }
  }

  private static int copy(Connection c, RecordBatch batch, String target) throws SQLException {
    try (BinaryCopy copy = BinaryCopy.start(c, "COPY " + target + " FROM STDIN (FORMAT binary)")) {
      int cleaned = new BatchEncoder(batch).encode(copy);
      copy.finish();
      return cleaned;
    }
  }

  @Override
  public Optional<Checkpoint> checkpoint(String stream) {
    Objects.requireNonNull(stream, "stream");
    checkOpen("read the checkpoint of " + stream);
    setUp();
    return db.transaction("read the checkpoint of " + stream, 0, c -> db.loadCheckpoint(c, stream));
  }

  /**
   * Deletes the stored links of the batch's parents, copies the batch's links into the pair's link
   * table (created if absent) and stores the checkpoint, in one transaction. NUL characters are
   * removed from categories and labels.
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
    checkOpen("replace links of " + pair);
    setUp();
    String name = linkTable(pair);
    String table = db.qualifiedTable(name);
    db.transaction("replace links in " + table, PgNames.lockKey("table", db.schema(), name), c -> {
      if (!batch.parentIds().isEmpty()) {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE from_id = ANY (?)")) {
          Array array = c.createArrayOf("bigint", batch.parentIds().toArray());
          delete.setArray(1, array);
          delete.executeUpdate();
          array.free();
        }
      }
      if (!batch.links().isEmpty()) {
        copyLinks(c, table, batch);
      }
      db.saveCheckpoint(c, checkpoint);
      return null;
    });
  }

  private static void copyLinks(Connection c, String table, LinkBatch batch) throws SQLException {
    long syncedAt = micros(batch.syncedAt());
    try (BinaryCopy copy = BinaryCopy.start(c, "COPY " + table + " (from_id, to_id, association_type_id, "
        + "association_category, association_label, _synced_at) FROM STDIN (FORMAT binary)")) {
      for (LinkRow link : batch.links()) {
        copy.startRow(6);
        copy.writeBigint(link.fromId());
        copy.writeBigint(link.toId());
        copy.writeInt(link.typeId());
        writeText(copy, link.category());
        writeText(copy, link.label());
        if (BinaryCopy.validTimestamp(syncedAt)) {
          copy.writeTimestamp(syncedAt);
        } else {
          copy.writeNull();
        }
      }
      copy.finish();
    }
  }

  private static void writeText(BinaryCopy copy, String value) {
    if (value == null) {
      copy.writeNull();
    } else {
      copy.writeText(value);
    }
  }

  /**
   * Upserts one row of {@code _hubspot_sync_runs}, keyed on the run id: times, outcome (when the
   * report has one), rows read, written and skipped over all streams, and the calls, streams and
   * association pairs (when the report has them) as JSONB. NUL escapes are dropped from the JSON
   * (PostgreSQL's JSONB refuses them).
   */
  @Override
  public void recordRun(SyncReport report) {
    Objects.requireNonNull(report, "report");
    checkOpen("record run " + report.runId());
    setUp();
    JsonNode json = JSON.valueToTree(report);
    String calls;
    String streams;
    String associations;
    try {
      calls = JSON.writeValueAsString(json.get("calls"));
      streams = JSON.writeValueAsString(json.get("streams"));
      associations = json.hasNonNull("associations") ? JSON.writeValueAsString(json.get("associations")) : null;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report of run " + report.runId() + " as JSON", e);
    }
    long read = 0;
    long written = 0;
    long skipped = 0;
    for (SyncReport.StreamReport stream : report.streams()) {
      read += stream.rowsRead();
      written += stream.rowsWritten();
      skipped += stream.rowsSkippedOlder();
    }
    long rowsRead = read;
    long rowsWritten = written;
    long rowsSkipped = skipped;
    JsonNode outcome = json.get("outcome");
    db.transaction("record run " + report.runId(), 0, c -> {
      try (PreparedStatement upsert = c.prepareStatement("INSERT INTO " + db.qualified(RUNS)
          + " (run_id, started_at, finished_at, outcome, rows_read, rows_written, rows_skipped_older, calls, streams, "
          + "associations, budget_used_today, budget_daily_ceiling, budget_resets_at, recorded_at) VALUES "
          + "(?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), CAST(? AS JSONB), CAST(? AS JSONB), ?, ?, ?, now()) ON CONFLICT (run_id) DO UPDATE SET "
          + "started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, outcome = EXCLUDED.outcome, "
          + "rows_read = EXCLUDED.rows_read, rows_written = EXCLUDED.rows_written, "
          + "rows_skipped_older = EXCLUDED.rows_skipped_older, calls = EXCLUDED.calls, streams = EXCLUDED.streams, "
          + "associations = EXCLUDED.associations, budget_used_today = EXCLUDED.budget_used_today, budget_daily_ceiling = EXCLUDED.budget_daily_ceiling, "
          + "budget_resets_at = EXCLUDED.budget_resets_at, recorded_at = EXCLUDED.recorded_at")) {
        upsert.setString(1, report.runId());
        setInstant(upsert, 2, report.startedAt());
        setInstant(upsert, 3, report.finishedAt());
        upsert.setString(4, outcome == null || outcome.isNull() ? null : outcome.asText());
        upsert.setLong(5, rowsRead);
        upsert.setLong(6, rowsWritten);
        upsert.setLong(7, rowsSkipped);
        upsert.setString(8, withoutNul(calls));
        upsert.setString(9, withoutNul(streams));
        upsert.setString(10, associations == null ? null : withoutNul(associations));
        upsert.setLong(11, report.budgetUsedToday());
        upsert.setLong(12, report.budgetDailyCeiling());
        setInstant(upsert, 13, report.budgetResetsAt());
        upsert.executeUpdate();
      }
      return null;
    });
  }

  /** The row of {@code _hubspot_sync_runs} that started last, read back into the report it came from. */
  @Override
  public Optional<SyncReport> lastRun() {
    checkOpen("read the last run");
    setUp();
    return db.transaction("read the last run from " + RUNS, 0, c -> {
      try (Statement select = c.createStatement();
          ResultSet rs = select.executeQuery("SELECT run_id, started_at, finished_at, outcome, calls::text, "
              + "streams::text, associations::text, budget_used_today, budget_daily_ceiling, budget_resets_at FROM "
              + db.qualified(RUNS) + " ORDER BY started_at DESC NULLS LAST, recorded_at DESC LIMIT 1")) {
        if (!rs.next()) {
          return Optional.empty();
        }
        var json = JSON.createObjectNode();
        json.put("runId", rs.getString(1));
        json.put("startedAt", instantText(rs.getObject(2, OffsetDateTime.class)));
        json.put("finishedAt", instantText(rs.getObject(3, OffsetDateTime.class)));
        json.put("outcome", rs.getString(4));
        json.set("calls", readJson(rs.getString(5)));
        json.set("streams", readJson(rs.getString(6)));
        json.set("associations", readJson(rs.getString(7)));
        json.put("budgetUsedToday", rs.getLong(8));
        json.put("budgetDailyCeiling", rs.getLong(9));
        json.put("budgetResetsAt", instantText(rs.getObject(10, OffsetDateTime.class)));
        try {
          return Optional.of(JSON.treeToValue(json, SyncReport.class));
        } catch (JsonProcessingException e) {
          throw new WarehouseException("The last row of " + db.qualified(RUNS) + " (run " + rs.getString(1)
              + ") is not a report this version can read: " + e.getOriginalMessage(), null, false, e);
        }
      }
    });
  }

  private static String instantText(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }

  private static JsonNode readJson(String text) throws SQLException {
    try {
      return text == null ? null : JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new SQLException("unreadable JSON in " + RUNS + ": " + e.getOriginalMessage(), e);
    }
  }

  /** JSON without escaped NUL characters (an escaped backslash followed by "u0000" stays). */
  static String withoutNul(String json) {
    return NUL_ESCAPE.matcher(json).replaceAll("$1");
  }

  @Override
  public long[] ids(String objectType, boolean archived) {
    Objects.requireNonNull(objectType, "objectType");
    checkOpen("list the ids of " + objectType);
    setUp();
    String name = resolveTable(OBJECT, objectType);
    if (name == null) {
      return new long[0];
    }
    String table = db.qualifiedTable(name);
    return db.transaction("list the ids of " + table, 0, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT " + PgNames.quote(SystemColumns.ID) + " FROM " + table
          + " WHERE " + PgNames.quote(SystemColumns.ARCHIVED) + " = ? ORDER BY 1")) {
        select.setBoolean(1, archived);
        select.setFetchSize(50_000);
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

  /** Sets {@code _hs_archived} and {@code _hs_archived_at} of the rows not archived yet; other columns stay. */
  @Override
  public int markArchived(String objectType, Collection<Long> ids, Instant archivedAt) {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(archivedAt, "archivedAt");
    checkOpen("mark rows of " + objectType + " archived");
    setUp();
    String name = resolveTable(OBJECT, objectType);
    if (name == null || ids.isEmpty()) {
      return 0;
    }
    String table = db.qualifiedTable(name);
    String archived = PgNames.quote(SystemColumns.ARCHIVED);
    return db.transaction("mark rows of " + table + " archived", PgNames.lockKey("table", db.schema(), name), c -> {
      try (PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET " + archived + " = TRUE, "
          + PgNames.quote(SystemColumns.ARCHIVED_AT) + " = ? WHERE " + PgNames.quote(SystemColumns.ID)
          + " = ANY (?) AND NOT " + archived)) {
        setInstant(update, 1, archivedAt);
        Array array = c.createArrayOf("bigint", ids.toArray());
        update.setArray(2, array);
        int changed = update.executeUpdate();
        array.free();
        return changed;
      }
    });
  }

  @Override
  public Map<Long, Instant> updatedAt(String objectType, Collection<Long> ids) {
    Objects.requireNonNull(ids, "ids");
    checkOpen("read the modified dates of " + objectType);
    setUp();
    String name = resolveTable(OBJECT, objectType);
    Map<Long, Instant> dates = new HashMap<>();
    if (name == null || ids.isEmpty()) {
      return dates;
    }
    String table = db.qualifiedTable(name);
    return db.transaction("read the modified dates of " + table, 0, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT " + PgNames.quote(SystemColumns.ID) + ", "
          + PgNames.quote(SystemColumns.UPDATED_AT) + " FROM " + table + " WHERE " + PgNames.quote(SystemColumns.ID)
          + " = ANY (?) AND NOT " + PgNames.quote(SystemColumns.ARCHIVED) + " AND "
          + PgNames.quote(SystemColumns.UPDATED_AT) + " IS NOT NULL")) {
        Array array = c.createArrayOf("bigint", ids.toArray());
        select.setArray(1, array);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            dates.put(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant());
          }
        } finally {
          array.free();
        }
        return dates;
      }
    });
  }

  @Override
  public long[] parentsLinkedTo(String fromType, String toType, Collection<Long> toIds) {
    Objects.requireNonNull(toIds, "toIds");
    String pair = LinkBatch.pair(fromType, toType);
    checkOpen("look up the links of " + pair);
    setUp();
    String name = resolveTable(LINK, pair);
    if (name == null || toIds.isEmpty()) {
      return new long[0];
    }
    String table = db.qualifiedTable(name);
    return db.transaction("look up links in " + table, 0, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT DISTINCT from_id FROM " + table
          + " WHERE to_id = ANY (?) ORDER BY 1")) {
        Array array = c.createArrayOf("bigint", toIds.toArray());
        select.setArray(1, array);
        try (ResultSet rs = select.executeQuery()) {
          return longs(rs);
        } finally {
          array.free();
        }
      }
    });
  }

  /** PostgreSQL keeps identifiers of at most 63 bytes. */
  @Override
  public int maxIdentifierBytes() {
    return PgNames.MAX_IDENTIFIER_BYTES;
  }

  /**
   * Refuses later operations and closes the connections the sink opened itself (from a JDBC URL);
   * a DataSource the caller passed stays open. A second call does nothing.
   */
  @Override
  public void close() {
    closed = true;
    db.close();
  }

  @Override
  public String toString() {
    return "PostgresSink[" + db.description() + ", schema=" + db.schema()
        + (db.prefix().isEmpty() ? "" : ", tablePrefix=" + db.prefix()) + "]";
  }

  private void checkOpen(String action) {
    if (closed) {
      throw new IllegalStateException("PostgresSink is closed; cannot " + action);
    }
  }

  /** Creates the schema and the sink's own tables once per sink instance. */
  private void setUp() {
    if (setUp) {
      return;
    }
    synchronized (setUpLock) {
      if (setUp) {
        return;
      }
      db.transaction("create the schema " + PgNames.quote(db.schema()) + " and the sink's tables", db.ddlLock(), c -> {
        db.createSchema(c);
        db.createStateTable(c);
        Database.execute(c, "CREATE TABLE IF NOT EXISTS " + db.qualified(COLUMNS) + " (object_type TEXT NOT NULL, "
            + "property TEXT, column_name TEXT NOT NULL, column_type TEXT NOT NULL, ordinal INTEGER NOT NULL, "
            + "added_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (object_type, column_name))");
        Database.execute(c, "CREATE TABLE IF NOT EXISTS " + db.qualified(TABLES) + " (kind TEXT NOT NULL, "
            + "name TEXT NOT NULL, table_name TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
            + "PRIMARY KEY (kind, name))");
        Database.execute(c, "CREATE TABLE IF NOT EXISTS " + db.qualified(RUNS) + " (run_id TEXT PRIMARY KEY, "
            + "started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, outcome TEXT, rows_read BIGINT, rows_written BIGINT, "
            + "rows_skipped_older BIGINT, calls JSONB, streams JSONB, associations JSONB, budget_used_today BIGINT, "
            + "budget_daily_ceiling BIGINT, budget_resets_at TIMESTAMPTZ, recorded_at TIMESTAMPTZ NOT NULL)");
        return null;
      });
      setUp = true;
    }
  }

  private static String systemColumnsDdl() {
    List<String> columns = new ArrayList<>();
    for (Column column : SystemColumns.ALL) {
      String ddl = PgNames.quote(column.name()) + " " + PgNames.typeName(column.type());
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
        + db.qualified(COLUMNS) + " WHERE object_type = ? ORDER BY ordinal")) {
      select.setString(1, objectType);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          mappings.add(new ColumnMapping(rs.getString(1), rs.getString(2), ColumnType.valueOf(rs.getString(3))));
        }
      }
    }
    return List.copyOf(mappings);
  }

  /** The stored table and column types of an object type, reloaded once if the batch does not match. */
  private TableColumns columnsFor(String objectType, List<Column> batchColumns) {
    TableColumns cached = tableColumns.get(objectType);
    if (cached != null && cached.mismatch(objectType, batchColumns) == null) {
      return cached;
    }
    String table = resolveTable(OBJECT, objectType);
    if (table == null) {
      throw new IllegalStateException("Table for '" + objectType + "' does not exist in schema " + db.schema()
          + "; evolve() must run first to create it");
    }
    List<ColumnMapping> mappings = db.transaction("describe " + objectType, 0, c -> storedMappings(c, objectType));
    List<ColumnMapping> toConvert = SchemaDrift.conversions(mappings, batchColumns);
    if (!toConvert.isEmpty()) {
      evolve(objectType, toConvert);
      mappings = db.transaction("describe " + objectType, 0, c -> storedMappings(c, objectType));
    }
    Map<String, ColumnType> types = new HashMap<>();
    SystemColumns.ALL.forEach(col -> types.put(col.name(), col.type()));
    mappings.forEach(m -> types.put(m.column(), m.type()));
    TableColumns fresh = new TableColumns(table, Map.copyOf(types));
    String mismatch = fresh.mismatch(objectType, batchColumns);
    if (mismatch != null) {
      throw new IllegalStateException(mismatch);
    }
    tableColumns.put(objectType, fresh);
    return fresh;
  }

  /** A table's name and column types, as stored. */
  private record TableColumns(String table, Map<String, ColumnType> types) {
    /** Why the batch's columns do not fit the table, or null if they do. */
    String mismatch(String objectType, List<Column> batchColumns) {
      Set<String> seen = new HashSet<>();
      for (Column column : batchColumns) {
        String described = "Column '" + column.name() + "'"
            + (column.property() == null ? "" : " (property '" + column.property() + "')");
        ColumnType stored = types.get(column.name());
        if (stored == null) {
          return described + " of the " + objectType + " batch is not in table " + table + "; evolve() must run "
              + "first to add it";
        }
        if (stored != column.type()) {
          return described + " of the " + objectType + " batch is " + column.type() + " but table " + table
              + " stores it as " + stored + "; columns are never retyped, so build batches from the mapping "
              + "describe() returns";
        }
        if (!seen.add(column.name())) {
          return described + " appears twice in the " + objectType + " batch";
        }
      }
      return null;
    }
  }

  private String linkTable(String pair) {
    String cached = resolveTable(LINK, pair);
    if (cached != null && readyLinkTables.contains(pair)) {
      return cached;
    }
    String name = db.transaction("create the link table of " + pair, db.ddlLock(), c -> {
      String table = registerTable(c, LINK, pair);
      Database.execute(c, "CREATE TABLE IF NOT EXISTS " + db.qualifiedTable(table) + " (from_id BIGINT NOT NULL, "
          + "to_id BIGINT NOT NULL, association_type_id INTEGER NOT NULL, association_category TEXT, "
          + "association_label TEXT, _synced_at TIMESTAMPTZ, PRIMARY KEY (from_id, to_id, association_type_id))");
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
    checkOpen("look up the table of " + name);
    setUp();
    String found = db.transaction("look up the table of " + name, 0, c -> registeredTable(c, kind, name));
    if (found != null) {
      tableNames.put(key, found);
    }
    return found;
  }

  private String registeredTable(Connection c, String kind, String name) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT table_name FROM " + db.qualified(TABLES)
        + " WHERE kind = ? AND name = ?")) {
      select.setString(1, kind);
      select.setString(2, name);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /**
   * The table name of an object type or pair, chosen and stored on first use (the caller holds the
   * DDL lock): the prefix plus the name sanitized as column names are, with {@code _2}, {@code _3}, …
   * when that is taken by another registered name or any relation already in the schema.
   */
  private String registerTable(Connection c, String kind, String name) throws SQLException {
    String existing = registeredTable(c, kind, name);
    if (existing != null) {
      return existing;
    }
    String table = newTableName(c, name);
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + db.qualified(TABLES)
        + " (kind, name, table_name) VALUES (?, ?, ?)")) {
      insert.setString(1, kind);
      insert.setString(2, name);
      insert.setString(3, table);
      insert.executeUpdate();
    }
    return table;
  }

  /** The registered table name, or the one {@link #registerTable} would choose now. */
  private String tableNameFor(Connection c, String kind, String name) throws SQLException {
    String existing = registeredTable(c, kind, name);
    return existing != null ? existing : newTableName(c, name);
  }

  private String newTableName(Connection c, String name) throws SQLException {
    Set<String> taken = new HashSet<>();
    try (PreparedStatement select = c.prepareStatement("SELECT c.relname FROM pg_class c JOIN pg_namespace n "
        + "ON n.oid = c.relnamespace WHERE n.nspname = ? UNION SELECT table_name FROM " + db.qualified(TABLES))) {
      select.setString(1, db.schema());
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          taken.add(rs.getString(1));
        }
      }
    }
    for (String own : List.of(Database.STATE, COLUMNS, TABLES, RUNS)) {
      taken.add(db.prefix() + own);
    }
    int room = PgNames.MAX_IDENTIFIER_BYTES - db.prefix().length();
    String base = db.prefix() + ColumnNamer.forDialect(room).sanitize(name);
    String table = base;
    for (int n = 2; taken.contains(table); n++) {
      String suffix = "_" + n;
      table = base.substring(0, Math.min(base.length(), PgNames.MAX_IDENTIFIER_BYTES - suffix.length())) + suffix;
    }
    return table;
  }

  private static long micros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  private static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
    if (instant == null) {
      statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      statement.setObject(index, OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
    }
  }

  /**
   * Collects a sink's settings. Not thread-safe; {@link #build()} copies them, so one builder can
   * make several sinks.
   */
  public static final class Builder {
    private final Database.Settings settings;

    private Builder(Database.Settings settings) {
      this.settings = settings;
    }

    /**
     * Connections from this DataSource (e.g. a pool); the caller keeps owning it and closes it after
     * the sink. Replaces a {@link #jdbcUrl}.
     */
    public Builder dataSource(DataSource dataSource) {
      settings.dataSource(dataSource);
      return this;
    }

    /**
     * Connects with PgJDBC to this URL ({@code jdbc:postgresql://host:port/database}), opening a
     * connection per operation. The password is never logged or shown in messages or
     * {@code toString()}. Replaces a {@link #dataSource}.
     *
     * @param user null to take it from the URL
     * @param password null to take it from the URL (or none)
     */
    public Builder jdbcUrl(String url, String user, String password) {
      settings.jdbcUrl(url, user, password);
      return this;
    }

    /** As {@link #jdbcUrl(String, String, String)}, with the credentials (if any) in the URL. */
    public Builder jdbcUrl(String url) {
      return jdbcUrl(url, null, null);
    }

    /** The schema of every table (default {@code hubspot}); created if absent. Any name of at most 63 bytes. */
    public Builder schema(String schema) {
      settings.schema(schema);
      return this;
    }

    /**
     * Prepended to every table the sink creates, its own included (default none): at most 30
     * characters of {@code a-z}, {@code 0-9} and {@code _}.
     */
    public Builder tablePrefix(String prefix) {
      settings.tablePrefix(prefix);
      return this;
    }

    /**
     * A sink with these settings. Does not connect: the schema and tables are created by the first
     * operation.
     *
     * @throws dev.hubspotsync.HubSpotSyncException with {@code BAD_CONFIGURATION} when neither a
     *     DataSource nor a JDBC URL was given, or the URL is not a PostgreSQL URL
     */
    public PostgresSink build() {
      return new PostgresSink(Database.open(settings.copy(), "PostgresSink"));
    }

    @Override
    public String toString() {
      return "PostgresSink.Builder[schema=" + settings.schema + "]";
    }
  }
}
