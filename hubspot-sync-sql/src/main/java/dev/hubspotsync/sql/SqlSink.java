package dev.hubspotsync.sql;

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
import dev.hubspotsync.sink.GdprMode;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.SupportsTransactions;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.sql.SqlSession.Lock;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The kernel of every SQL sink: it owns the catalog (one table per object type and association
 * pair, named once and stored in {@code _hubspot_sync_tables}; the property → column mapping in
 * {@code _hubspot_sync_columns}), the sink's own tables ({@code _hubspot_sync_state},
 * {@code _hubspot_sync_runs}), the write protocol and link replacement. A sink extends it with a
 * {@link SqlDialect} (SQL text), a {@link SqlLoader} (how rows reach the warehouse) and a
 * {@link SqlSession} (units of work); see {@code docs/writing-a-sink.md}.
 *
 * <p>Each {@link #write} is one unit of work under the table's lock: the batch is staged and merged
 * with the dialect's guarded upsert (a stored row is replaced only by one at least as new; a stored
 * null counts as older than anything), then the stream's checkpoint is upserted. When no row of the
 * batch can exist yet (every id above the table's largest), the rows are appended without the
 * merge; should another writer have added one meanwhile (a unique violation, SQLSTATE 23505), the
 * batch is written again through the merge. {@link #replaceAssociations} deletes the stored links
 * of the batch's parents, appends the batch's links and stores the checkpoint in one unit.
 *
 * <p>Thread-safe: caches are concurrent and every operation is one or a few units of the session.
 * After {@link #close()} operations throw {@link IllegalStateException}. Arguments must not be null.
 *
 * @param <U> the session's unit of work
 */
public abstract class SqlSink<U extends SqlUnit> implements WarehouseSink, SupportsTransactions {
  /** The sink's own tables, before the prefix. */
  public static final String COLUMNS = "_hubspot_sync_columns";
  public static final String TABLES = "_hubspot_sync_tables";
  public static final String RUNS = RunsTable.TABLE;
  /** Ids per statement in the id lists of DELETE, UPDATE and SELECT. */
  private static final int IDS_PER_STATEMENT = 10_000;
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String OBJECT = "object";
  private static final String LINK = "link";

  private final String sinkName;
  private final String schema;
  private final String prefix;
  private final SqlDialect dialect;
  private final Identifiers names;
  private final SqlLoader<U> loader;
  private final SqlSession<U> session;
  private final Checkpoints checkpoints;
  private final RunsTable runs;
  private final Map<String, String> tableNames = new ConcurrentHashMap<>();
  private final Map<String, Map<String, ColumnType>> tableColumns = new ConcurrentHashMap<>();
  private final Set<String> readyLinkTables = ConcurrentHashMap.newKeySet();
  /** Object tables known to have {@code _hs_gdpr_deleted_at}. */
  private final Set<String> gdprColumnTables = ConcurrentHashMap.newKeySet();
  private final Object setUpLock = new Object();
  private volatile boolean setUp;
  private volatile boolean closed;

  /**
   * @param sinkName the sink's class name, for messages: {@code PostgresSink}
   * @param schema the schema (unquoted) every table is in
   * @param prefix prepended to every table the sink creates, its own included
   */
  protected SqlSink(String sinkName, String schema, String prefix, SqlDialect dialect, SqlLoader<U> loader,
      SqlSession<U> session) {
    this.sinkName = sinkName;
    this.schema = schema;
    this.prefix = prefix;
    this.dialect = dialect;
    this.names = dialect.identifiers();
    this.loader = loader;
    this.session = session;
    this.checkpoints = new Checkpoints(dialect, prefix);
    this.runs = new RunsTable(dialect, prefix);
  }

  /** The schema the sink writes to. */
  public String schema() {
    return schema;
  }

  /** The table prefix (empty for none). */
  protected String prefix() {
    return prefix;
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
    return session.unit("describe " + objectType, List.of(), u -> storedMappings(u, objectType));
  }

  /**
   * Creates the table if absent and adds each column whose name it does not have yet, in the order
   * given (the dialect's {@code ADD COLUMN}); a column it has keeps its type, except that a stored
   * {@code DECIMAL} column given as {@code DOUBLE} is converted (the dialect's {@code ALTER COLUMN …
   * TYPE}; each value becomes the nearest double). The mapping is stored in
   * {@code _hubspot_sync_columns}. Holds the DDL lock and, for an existing table, its writers' lock.
   *
   * @throws IllegalArgumentException when a column takes a system column's name, differs from a
   *     stored column only in case where the warehouse ignores case, or its name is not an
   *     identifier the warehouse keeps
   */
  @Override
  public void evolve(String objectType, List<ColumnMapping> columns) {
    checkColumns(objectType, columns);
    ready("evolve " + objectType);
    String existing = resolveTable(OBJECT, objectType);
    List<Lock> locks = existing == null ? List.of(Lock.ddl()) : List.of(Lock.ddl(), Lock.table(existing));
    String table = session.unit("evolve " + objectType, locks, u -> {
      Plan plan = plan(u, objectType, columns, true);
      for (String statement : plan.statements) {
        u.execute(Sql.of(statement));
      }
      int ordinal = plan.storedCount;
      for (ColumnMapping column : plan.added) {
        u.execute(Sql.of("INSERT INTO " + qualified(COLUMNS) + " (object_type, property, column_name, column_type, "
            + "ordinal) VALUES (?, ?, ?, ?, ?)", objectType, column.property(), column.column(), column.type().name(),
            ordinal++));
      }
      for (ColumnMapping column : plan.converted) {
        u.execute(Sql.of("UPDATE " + qualified(COLUMNS) + " SET column_type = ? WHERE object_type = ? AND "
            + "column_name = ?", column.type().name(), objectType, column.column()));
      }
      return plan.table;
    });
    tableNames.put(OBJECT + ":" + objectType, table);
    tableColumns.remove(objectType);
  }

  /**
   * The statements {@link #evolve} would run now (a {@code CREATE TABLE} when the table is absent,
   * an {@code ADD COLUMN} per new column, an {@code ALTER COLUMN} per column to convert), without
   * running them or storing anything.
   */
  @Override
  public List<String> evolveStatements(String objectType, List<ColumnMapping> columns) {
    checkColumns(objectType, columns);
    ready("plan the evolution of " + objectType);
    return session.unit("plan the evolution of " + objectType, List.of(Lock.ddl()),
        u -> plan(u, objectType, columns, false).statements);
  }

  private void checkColumns(String objectType, List<ColumnMapping> columns) {
    WarehouseSink.checkMappings(objectType, columns, column -> {
      names.check(column.column(), "column name of property '" + column.property() + "'");
      return names.key(column.column());
    });
  }

  /** What evolve does: the table (chosen and, if registered, stored), its DDL and the columns to add and convert. */
  private record Plan(String table, List<String> statements, List<ColumnMapping> added,
      List<ColumnMapping> converted, int storedCount) {}

  private Plan plan(U u, String objectType, List<ColumnMapping> columns, boolean register) throws SQLException {
    String table = registeredTable(u, OBJECT, objectType);
    List<String> statements = new ArrayList<>();
    if (table == null || !schemaRelations(u).contains(names.key(table))) {
      if (table == null) {
        table = register ? registerTable(u, OBJECT, objectType) : chooseTable(u, objectType);
      }
      statements.add("CREATE TABLE IF NOT EXISTS " + dialect.qualified(table) + " (" + systemColumnsDdl() + ")");
    }
    String qualified = dialect.qualified(table);
    List<ColumnMapping> stored = storedMappings(u, objectType);
    Map<String, String> known = new HashMap<>();
    SystemColumns.ALL.forEach(col -> known.put(col.name(), col.name()));
    stored.forEach(m -> known.put(names.key(m.column()), m.column()));
    Set<String> decimal = stored.stream().filter(m -> m.type() == ColumnType.DECIMAL).map(ColumnMapping::column)
        .collect(Collectors.toCollection(HashSet::new));
    List<ColumnMapping> added = new ArrayList<>();
    List<ColumnMapping> converted = new ArrayList<>();
    for (ColumnMapping column : columns) {
      String existing = known.putIfAbsent(names.key(column.column()), column.column());
      if (existing == null) {
        added.add(column);
        statements.add(dialect.addColumn(qualified, column.column(), column.type()));
      } else if (column.type() == ColumnType.DOUBLE && decimal.remove(column.column())) {
        converted.add(column);
        statements.add(dialect.alterColumnType(qualified, column.column(), column.type()));
      } else if (!existing.equals(column.column())) {
        throw new IllegalArgumentException("Column '" + column.column() + "' of property '" + column.property()
            + "' differs from column '" + existing + "' of " + objectType + " only in case, and "
            + names.product() + " names ignore case; name columns with the ColumnNamer");
      }
    }
    return new Plan(table, List.copyOf(statements), added, converted, stored.size());
  }

  /**
   * Upserts the batch and stores the checkpoint in one unit of work (see the class documentation).
   *
   * @return rows inserted or replaced, rows skipped because the stored one is newer (exact), and
   *     values the loader cleaned
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
    String table = tableFor(objectType, batch.columns());
    long minId = batch.rowCount() == 0 ? 0 : batch.distinctIds()[0];
    try {
      return write(batch, checkpoint, table, minId, false);
    } catch (WarehouseException e) {
      if (!UNIQUE_VIOLATION.equals(e.sqlState())) {
        throw e;
      }
      // Someone outside this sink added one of the ids since the check; the merge handles that.
      return write(batch, checkpoint, table, minId, true);
    }
  }

  private WriteResult write(RecordBatch batch, Checkpoint checkpoint, String table, long minId, boolean merge) {
    int rows = batch.rowCount();
    String qualified = dialect.qualified(table);
    return session.unit("write " + rows + " rows to " + qualified, List.of(Lock.table(table)), u -> {
      WriteResult result = rows == 0 ? new WriteResult(0, 0, 0) : load(u, batch, qualified, minId, merge);
      checkpoints.save(u, checkpoint);
      beforeCommit(checkpoint);
      return result;
    });
  }

  /** One batch and the checkpoint stored with it: a part of a coalesced unit of work ({@link #writeTogether}). */
  public record Part(RecordBatch batch, Checkpoint checkpoint) {
    public Part {
      Objects.requireNonNull(batch, "batch");
      Objects.requireNonNull(checkpoint, "checkpoint");
    }
  }

  /**
   * Writes several batches (of one or more object types) and their checkpoints as <em>one</em> unit
   * of work: every row and checkpoint, or none. For warehouses where each unit costs (BigQuery: one
   * multi-statement script, seconds per DML statement; Snowflake: credits per MERGE), a sink
   * collects the batches of its {@link #write} calls and hands them here together; each part is
   * staged and merged as {@link #write} does, in order, and its checkpoint saved after it. A sink that
   * defers writes this way must write its collected parts before it answers a read
   * ({@link #ids}, {@link #updatedAt}, {@link #checkpoint}, …), so the engine never reads behind
   * its own writes.
   *
   * @return each part's result, in order
   */
  public List<WriteResult> writeTogether(List<Part> parts) {
    Objects.requireNonNull(parts, "parts");
    if (parts.isEmpty()) {
      return List.of();
    }
    ready("write " + parts.size() + " batches");
    List<String> tables = new ArrayList<>();
    for (Part p : parts) {
      tables.add(tableFor(p.batch().objectType(), p.batch().columns()));
    }
    try {
      return writeTogether(parts, tables, false);
    } catch (WarehouseException e) {
      if (!UNIQUE_VIOLATION.equals(e.sqlState())) {
        throw e;
      }
      return writeTogether(parts, tables, true); // an id added outside this sink since the check: merge all
    }
  }

  private List<WriteResult> writeTogether(List<Part> parts, List<String> tables, boolean merge) {
    // locks in one order (by table name) whatever the parts' order, so two such units cannot deadlock
    Set<String> sorted = new java.util.TreeSet<>(tables);
    List<Lock> locks = sorted.stream().map(Lock::table).toList();
    long rows = parts.stream().mapToLong(p -> p.batch().rowCount()).sum();
    return session.unit("write " + parts.size() + " batches (" + rows + " rows) to " + String.join(", ", sorted), locks, u -> {
          List<WriteResult> results = new ArrayList<>();
          for (int i = 0; i < parts.size(); i++) {
            RecordBatch batch = parts.get(i).batch();
            results.add(batch.rowCount() == 0 ? new WriteResult(0, 0, 0)
                : load(u, batch, dialect.qualified(tables.get(i)), batch.distinctIds()[0], merge));
            checkpoints.save(u, parts.get(i).checkpoint());
          }
          for (Part p : parts) {
            beforeCommit(p.checkpoint());
          }
          return results;
        });
  }

  private WriteResult load(U u, RecordBatch batch, String table, long minId, boolean merge) throws SQLException {
    List<String> columns = batch.columns().stream().map(Column::name).toList();
    int rows = batch.rowCount();
    if (!merge && noneCanExist(u, table, minId)) {
      // Under the table's lock no other writer of this sink can add these ids: no merge needed.
      int cleaned = loader.append(u, batch, table, columns.stream().map(names::quote).toList());
      return new WriteResult(rows, 0, cleaned);
    }
    try (SqlLoader.Staged staged = loader.stage(u, batch)) {
      int written = Math.toIntExact(u.execute(Sql.of(dialect.upsert(table, staged.relation(), columns))));
      return new WriteResult(written, rows - written, staged.valuesCleaned());
    }
  }

  /** Whether every id of the batch is above the table's largest (an index lookup). */
  private boolean noneCanExist(U u, String table, long minId) throws SQLException {
    Object largest = u.rows(Sql.of("SELECT max(" + names.quote(SystemColumns.ID) + ") FROM " + table)).get(0)[0];
    return largest == null || minId > ((Number) largest).longValue();
  }

  /**
   * Runs inside the unit of a write or link replacement, after the checkpoint was stored and before
   * the commit. Does nothing; a sink's tests override it to fail there.
   */
  protected void beforeCommit(Checkpoint checkpoint) throws SQLException {}

  @Override
  public Optional<Checkpoint> checkpoint(String stream) {
    Objects.requireNonNull(stream, "stream");
    ready("read the checkpoint of " + stream);
    return session.unit("read the checkpoint of " + stream, List.of(), u -> checkpoints.load(u, stream));
  }

  /**
   * Deletes the stored links of the batch's parents, appends the batch's links to the pair's link
   * table (created if absent) and stores the checkpoint, in one unit of work.
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
    String name = linkTable(pair);
    String table = dialect.qualified(name);
    session.unit("replace links in " + table, List.of(Lock.table(name)), u -> {
      for (String ids : idLists(batch.parentIds())) {
        u.execute(Sql.of("DELETE FROM " + table + " WHERE from_id IN (" + ids + ")"));
      }
      if (!batch.links().isEmpty()) {
        loader.appendLinks(u, batch, table);
      }
      checkpoints.save(u, checkpoint);
      beforeCommit(checkpoint);
      return null;
    });
  }

  /**
   * Upserts one row of {@code _hubspot_sync_runs}, keyed on the run id: times, outcome, rows read,
   * written and skipped over all streams, the budget, and the calls, streams and association pairs
   * as JSON.
   */
  @Override
  public void recordRun(SyncReport report) {
    Objects.requireNonNull(report, "report");
    ready("record run " + report.runId());
    Sql upsert = runs.upsert(report);
    session.unit("record run " + report.runId(), List.of(), u -> u.execute(upsert));
  }

  /** The row of {@code _hubspot_sync_runs} that started last, read back into the report it came from. */
  @Override
  public Optional<SyncReport> lastRun() {
    ready("read the last run");
    return session.unit("read the last run from " + RUNS, List.of(), runs::last);
  }

  @Override
  public long[] ids(String objectType, boolean archived) {
    Objects.requireNonNull(objectType, "objectType");
    ready("list the ids of " + objectType);
    String name = resolveTable(OBJECT, objectType);
    if (name == null) {
      return new long[0];
    }
    String table = dialect.qualified(name);
    return session.unit("list the ids of " + table, List.of(), u -> u.longs(Sql.of("SELECT "
        + names.quote(SystemColumns.ID) + " FROM " + table + " WHERE " + names.quote(SystemColumns.ARCHIVED)
        + " = ? ORDER BY 1", archived)));
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
    String table = dialect.qualified(name);
    String archived = names.quote(SystemColumns.ARCHIVED);
    return session.unit("mark rows of " + table + " archived", List.of(Lock.table(name)), u -> {
      long changed = 0;
      for (String list : idLists(ids)) {
        changed += u.execute(Sql.of("UPDATE " + table + " SET " + archived + " = TRUE, "
            + names.quote(SystemColumns.ARCHIVED_AT) + " = ? WHERE " + names.quote(SystemColumns.ID) + " IN ("
            + list + ") AND NOT " + archived, archivedAt));
      }
      return Math.toIntExact(changed);
    });
  }

  /**
   * Deletes the rows ({@link GdprMode#ERASE}) or nulls their property columns and {@code _hs_unparsed}
   * and sets {@code _hs_archived}, {@code _hs_archived_at} (unless set) and {@code _hs_gdpr_deleted_at}
   * ({@link GdprMode#NULL_OUT}; the column is added first when the table lacks it), and deletes their
   * links from every link table of the type, as parent or target, all in one unit of work under the
   * tables' locks (taken in table order).
   */
  @Override
  public int erase(String objectType, Collection<Long> ids, GdprMode mode, Instant deletedAt) {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(deletedAt, "deletedAt");
    ready("erase rows of " + objectType);
    if (ids.isEmpty()) {
      return 0;
    }
    String name = resolveTable(OBJECT, objectType);
    List<ColumnMapping> mappings = name == null ? List.of() : describe(objectType);
    if (name != null && mode == GdprMode.NULL_OUT && !gdprColumnTables.contains(name)) {
      session.unit("add " + SystemColumns.GDPR_DELETED_AT + " to " + name, List.of(Lock.ddl()), u -> u.execute(Sql.of(
          dialect.addColumnIfAbsent(dialect.qualified(name), SystemColumns.GDPR_DELETED_AT, ColumnType.TIMESTAMP))));
      gdprColumnTables.add(name);
    }
    Map<String, List<String>> links = session.unit("list the link tables of " + objectType, List.of(),
        u -> linkTablesOf(u, objectType));
    Set<String> sorted = new java.util.TreeSet<>(links.keySet());
    if (name != null) {
      sorted.add(name);
    }
    List<Lock> locks = sorted.stream().map(Lock::table).toList();
    return session.unit("erase " + ids.size() + " rows of " + objectType + " (" + mode + ")", locks, u -> {
      for (Map.Entry<String, List<String>> link : links.entrySet()) {
        for (String column : link.getValue()) {
          for (String list : idLists(ids)) {
            u.execute(Sql.of("DELETE FROM " + dialect.qualified(link.getKey()) + " WHERE " + column + " IN (" + list + ")"));
          }
        }
      }
      if (name == null) {
        return 0;
      }
      String table = dialect.qualified(name);
      String id = names.quote(SystemColumns.ID);
      long changed = 0;
      for (String list : idLists(ids)) {
        if (mode == GdprMode.ERASE) {
          changed += u.execute(Sql.of("DELETE FROM " + table + " WHERE " + id + " IN (" + list + ")"));
        } else {
          StringBuilder set = new StringBuilder();
          for (ColumnMapping m : mappings) {
            set.append(names.quote(m.column())).append(" = NULL, ");
          }
          String archivedAt = names.quote(SystemColumns.ARCHIVED_AT);
          changed += u.execute(Sql.of("UPDATE " + table + " SET " + set + names.quote(SystemColumns.UNPARSED) + " = NULL, "
              + names.quote(SystemColumns.ARCHIVED) + " = TRUE, " + archivedAt + " = COALESCE(" + archivedAt + ", ?), "
              + names.quote(SystemColumns.GDPR_DELETED_AT) + " = ? WHERE " + id + " IN (" + list + ")", deletedAt,
              deletedAt));
        }
      }
      return Math.toIntExact(changed);
    });
  }

  /**
   * The registered link tables whose pair has {@code objectType} at one end, each with the columns
   * that hold its ids ({@code from_id}, {@code to_id}, or both for a pair of the type with itself).
   * Pairs are named {@code {from}_to_{to}}; the name is matched on the type at its start or end.
   */
  private Map<String, List<String>> linkTablesOf(U u, String objectType) throws SQLException {
    Map<String, List<String>> tables = new java.util.LinkedHashMap<>();
    for (Object[] row : u.rows(Sql.of("SELECT name, table_name FROM " + qualified(TABLES) + " WHERE kind = ?", LINK))) {
      String pair = (String) row[0];
      List<String> columns = new ArrayList<>();
      if (pair.startsWith(objectType + "_to_")) {
        columns.add("from_id");
      }
      if (pair.endsWith("_to_" + objectType)) {
        columns.add("to_id");
      }
      if (!columns.isEmpty()) {
        tables.put((String) row[1], columns);
      }
    }
    return tables;
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
    String table = dialect.qualified(name);
    String updatedAt = names.quote(SystemColumns.UPDATED_AT);
    return session.unit("read the modified dates of " + table, List.of(), u -> {
      for (String list : idLists(ids)) {
        for (Object[] row : u.rows(Sql.of("SELECT " + names.quote(SystemColumns.ID) + ", "
            + dialect.epochMicros(updatedAt) + " FROM " + table + " WHERE " + names.quote(SystemColumns.ID) + " IN ("
            + list + ") AND NOT " + names.quote(SystemColumns.ARCHIVED) + " AND " + updatedAt + " IS NOT NULL"))) {
          dates.put(((Number) row[0]).longValue(), Instant.EPOCH.plus(((Number) row[1]).longValue(), ChronoUnit.MICROS));
        }
      }
      return dates;
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
    String table = dialect.qualified(name);
    return session.unit("look up links in " + table, List.of(), u -> {
      Set<Long> parents = new java.util.TreeSet<>();
      for (String list : idLists(toIds)) {
        for (long id : u.longs(Sql.of("SELECT DISTINCT from_id FROM " + table + " WHERE to_id IN (" + list + ")"))) {
          parents.add(id);
        }
      }
      return parents.stream().mapToLong(Long::longValue).toArray();
    });
  }

  @Override
  public List<LinkRow> links(String fromType, String toType, Collection<Long> fromIds) {
    Objects.requireNonNull(fromIds, "fromIds");
    String pair = LinkBatch.pair(fromType, toType);
    ready("read the links of " + pair);
    String name = resolveTable(LINK, pair);
    if (name == null || fromIds.isEmpty()) {
      return List.of();
    }
    String table = dialect.qualified(name);
    return session.unit("read links of " + table, List.of(), u -> {
      List<LinkRow> out = new ArrayList<>();
      for (String list : idLists(fromIds)) {
        for (Object[] r : u.rows(Sql.of("SELECT from_id, to_id, association_type_id, association_category, "
            + "association_label FROM " + table + " WHERE from_id IN (" + list + ")"))) {
          out.add(new LinkRow(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), ((Number) r[2]).intValue(),
              (String) r[3], (String) r[4]));
        }
      }
      return out;
    });
  }

  @Override
  public int maxIdentifierBytes() {
    return names.maxBytes();
  }

  /**
   * Refuses later operations and releases what the sink holds ({@link #release()}). A second call
   * does nothing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    release();
  }

  /** Releases the sink's connections or files; called once, by {@link #close()}. */
  protected abstract void release();

  /** Checks the sink is open and creates the schema and the sink's own tables once per sink. */
  private void ready(String action) {
    if (closed) {
      throw new IllegalStateException(sinkName + " is closed; cannot " + action);
    }
    if (setUp) {
      return;
    }
    synchronized (setUpLock) {
      if (setUp) {
        return;
      }
      String text = dialect.typeName(ColumnType.TEXT);
      String time = dialect.typeName(ColumnType.TIMESTAMP);
      session.unit("create the schema " + names.quote(schema) + " and the sink's tables", List.of(Lock.ddl()), u -> {
        checkpoints.create(u);
        u.execute(Sql.of("CREATE TABLE IF NOT EXISTS " + qualified(COLUMNS) + " (object_type " + text + " NOT NULL, "
            + "property " + text + ", column_name " + text + " NOT NULL, column_type " + text + " NOT NULL, "
            + "ordinal INTEGER NOT NULL, added_at " + time + " NOT NULL DEFAULT now(), "
            + "PRIMARY KEY (object_type, column_name))"));
        u.execute(Sql.of("CREATE TABLE IF NOT EXISTS " + qualified(TABLES) + " (kind " + text + " NOT NULL, name "
            + text + " NOT NULL, table_name " + text + " NOT NULL UNIQUE, created_at " + time
            + " NOT NULL DEFAULT now(), PRIMARY KEY (kind, name))"));
        runs.create(u);
        return null;
      });
      setUp = true;
    }
  }

  /** One of the sink's own tables ({@code name} without the prefix), quoted and qualified. */
  private String qualified(String ownTable) {
    return dialect.qualified(prefix + ownTable);
  }

  private String systemColumnsDdl() {
    List<String> columns = new ArrayList<>();
    for (Column column : SystemColumns.ALL) {
      String ddl = names.quote(column.name()) + " " + dialect.typeName(column.type());
      if (column.name().equals(SystemColumns.ID)) {
        ddl += " PRIMARY KEY";
      } else if (column.name().equals(SystemColumns.ARCHIVED)) {
        ddl += " NOT NULL DEFAULT FALSE";
      }
      columns.add(ddl);
    }
    return String.join(", ", columns);
  }

  private List<ColumnMapping> storedMappings(U u, String objectType) throws SQLException {
    List<ColumnMapping> mappings = new ArrayList<>();
    for (Object[] row : u.rows(Sql.of("SELECT property, column_name, column_type FROM " + qualified(COLUMNS)
        + " WHERE object_type = ? ORDER BY ordinal", objectType))) {
      mappings.add(new ColumnMapping((String) row[0], (String) row[1], ColumnType.valueOf((String) row[2])));
    }
    return List.copyOf(mappings);
  }

  /**
   * The table of an object type, after checking the batch's columns against the stored ones
   * (reloaded once when the cached ones do not fit; stored {@code DECIMAL} columns the batch has as
   * {@code DOUBLE} are converted first).
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
    String text = dialect.typeName(ColumnType.TEXT);
    String name = session.unit("create the link table of " + pair, List.of(Lock.ddl()), u -> {
      String table = registerTable(u, LINK, pair);
      u.execute(Sql.of("CREATE TABLE IF NOT EXISTS " + dialect.qualified(table) + " (from_id BIGINT NOT NULL, "
          + "to_id BIGINT NOT NULL, association_type_id INTEGER NOT NULL, association_category " + text + ", "
          + "association_label " + text + ", _synced_at " + dialect.typeName(ColumnType.TIMESTAMP)
          + ", PRIMARY KEY (from_id, to_id, association_type_id))"));
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
    String found = session.unit("look up the table of " + name, List.of(), u -> registeredTable(u, kind, name));
    if (found != null) {
      tableNames.put(key, found);
    }
    return found;
  }

  private String registeredTable(U u, String kind, String name) throws SQLException {
    List<Object[]> rows = u.rows(Sql.of("SELECT table_name FROM " + qualified(TABLES) + " WHERE kind = ? AND name = ?",
        kind, name));
    return rows.isEmpty() ? null : (String) rows.get(0)[0];
  }

  /** Chooses the table name of an object type or pair and stores it (the caller holds the DDL lock). */
  private String registerTable(U u, String kind, String name) throws SQLException {
    String existing = registeredTable(u, kind, name);
    if (existing != null) {
      return existing;
    }
    String table = chooseTable(u, name);
    u.execute(Sql.of("INSERT INTO " + qualified(TABLES) + " (kind, name, table_name) VALUES (?, ?, ?)", kind, name,
        table));
    return table;
  }

  /** Every relation in the schema, in the dialect's comparison form. */
  private Set<String> schemaRelations(U u) throws SQLException {
    Set<String> relations = new HashSet<>();
    for (Object[] row : u.rows(dialect.relations())) {
      relations.add(names.key((String) row[0]));
    }
    return relations;
  }

  /** Every relation in the schema and every registered table name, in the dialect's comparison form. */
  private Set<String> relations(U u) throws SQLException {
    Set<String> taken = schemaRelations(u);
    for (Object[] row : u.rows(Sql.of("SELECT table_name FROM " + qualified(TABLES)))) {
      taken.add(names.key((String) row[0]));
    }
    return taken;
  }

  /**
   * The prefix plus the name sanitized as column names are, with {@code _2}, {@code _3}, … when that
   * is taken (as the dialect compares names) by a registered table or any relation in the schema.
   */
  private String chooseTable(U u, String name) throws SQLException {
    Set<String> taken = relations(u);
    for (String own : List.of(Checkpoints.TABLE, COLUMNS, TABLES, RUNS)) {
      taken.add(names.key(prefix + own));
    }
    int max = names.maxBytes();
    String base = prefix + ColumnNamer.forDialect(max - prefix.length()).sanitize(name);
    String table = base;
    for (int n = 2; taken.contains(names.key(table)); n++) {
      String suffix = "_" + n;
      table = base.substring(0, Math.min(base.length(), max - suffix.length())) + suffix;
    }
    return table;
  }

  /** The ids as comma-separated SQL literals (numbers only: nothing to quote), at most 10,000 per list. */
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
}
