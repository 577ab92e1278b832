package dev.hubspotsync.testkit;

import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.GdprMode;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.SupportsTransactions;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.sink.WriteResult;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A warehouse in the JVM's heap, for unit tests of pipelines and of the sync engine. It keeps the
 * same invariants as the real sinks (DESIGN.md): rows are upserted by {@code id}, a row is replaced
 * only by a version whose {@code _hs_updated_at} is at least the stored one, columns are only
 * added, and each {@link #write} publishes its rows together with its checkpoint or nothing at all
 * ({@link SupportsTransactions}). It passes the {@link WarehouseSinkContract sink contract tests}.
 *
 * <pre>{@code
 * InMemorySink sink = InMemorySink.create();
 * SyncJob.builder().sink(sink)...build().run();
 * assertThat(sink.rows("contacts")).extracting(r -> r.get("email")).contains("ada@example.com");
 * }</pre>
 *
 * <h2>Two modes</h2>
 * {@link #create()} keeps every value as the {@link RecordBatch} returned it ({@code String},
 * {@code Double}, {@code BigDecimal}, {@code Boolean}, {@code LocalDate}, {@code Instant} in UTC, {@code Long}), so
 * tests can read rows back with {@link #rows} and {@link #row}. {@link #counting()} is for large
 * benchmarks: per table it keeps only each id and its {@code _hs_updated_at} in a primitive hash
 * table (about 32 MB per million ids), so upserts and "never older over newer" still hold and
 * {@link #rowCount}, {@link #ids} and {@link #contains} work, but {@link #rows} and {@link #row}
 * throw {@link UnsupportedOperationException}.
 *
 * <h2>Stricter than a warehouse where it helps</h2>
 * A write fails, storing nothing, when its table does not exist or lacks a column of the batch
 * ({@link #evolve} must run first), when a batch column's type differs from the stored one
 * (columns are never retyped, so batches must be built from {@link #describe}'s mapping), and when
 * a batch holds two rows for one id (batches arrive de-duplicated; a {@code MERGE} would fail too).
 * When a row is replaced, the batch's columns overwrite the stored values and the table's other
 * columns keep theirs, as an {@code UPDATE} that sets the batch's columns does.
 *
 * <h2>Crash tests</h2>
 * {@link #failNextWrite(String)} makes the next write to an object type throw {@link SimulatedCrash}
 * after it has done all its work but before it publishes anything: neither rows nor checkpoint
 * change, as when a process dies before its transaction commits.
 *
 * <h2>Thread safety and lifecycle</h2>
 * Thread-safe. Writes to different object types run concurrently; writes and evolutions of one
 * object type are serialized. Readers see each write entirely or not at all. {@link #close()}
 * marks the sink closed (a second call does nothing): later {@link #evolve} and {@link #write}
 * calls fail, while every inspection method keeps working so a test can look at what a closed
 * sink holds. Nothing here needs releasing; the caller owns and closes the batches it writes.
 * Arguments must not be null.
 */
public final class InMemorySink implements WarehouseSink, SupportsTransactions {
  private static final int UPDATED_AT_POSITION = positionOf(SystemColumns.UPDATED_AT);
  private static final int ARCHIVED_POSITION = positionOf(SystemColumns.ARCHIVED);
  private static final int ARCHIVED_AT_POSITION = positionOf(SystemColumns.ARCHIVED_AT);
  private static final int UNPARSED_POSITION = positionOf(SystemColumns.UNPARSED);
  /** Counting mode's stand-in for a null {@code _hs_updated_at}: older than every instant. */
  private static final long NO_TIME = Long.MIN_VALUE + 1;
  private static final long ABSENT = Long.MIN_VALUE;

  private final boolean counting;
  private final ConcurrentHashMap<String, Table> tables = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> armedCrashes = new ConcurrentHashMap<>();
  /**
   * Guards everything readers see: each table's columns, rows, ids and write count, and the
   * checkpoints. Writers hold their table's lock throughout and this one only to publish.
   */
  private final Object published = new Object();
  private final Map<String, String> checkpoints = new HashMap<>();
  /** Link tables by pair name: each parent's links, guarded by {@link #published}. */
  private final Map<String, TreeMap<Long, List<LinkRow>>> linkTables = new HashMap<>();
  private final List<SyncReport> runs = new ArrayList<>();
  private volatile boolean closed;

  private InMemorySink(boolean counting) {
    this.counting = counting;
  }

  /** An empty sink that keeps every value, for tests that read rows back. */
  public static InMemorySink create() {
    return new InMemorySink(false);
  }

  /**
   * An empty sink that keeps only ids, their {@code _hs_updated_at} and row counts (plus columns
   * and checkpoints), for benchmarks over millions of records; see the class documentation.
   */
  public static InMemorySink counting() {
    return new InMemorySink(true);
  }

  @Override
  public List<ColumnMapping> describe(String objectType) {
    Objects.requireNonNull(objectType, "objectType");
    Table table = tables.get(objectType);
    if (table == null) {
      return List.of();
    }
    synchronized (published) {
      return table.mappings;
    }
  }

  /**
   * Creates the table if absent and appends each column whose name it does not have yet, in the
   * order given. A column it already has is left as stored, even if {@code columns} gives it another
   * type or property, except that a stored {@code DECIMAL} column given as {@code DOUBLE} is
   * converted: its type becomes DOUBLE and each stored value the nearest double.
   *
   * @throws IllegalArgumentException when a column takes the name of a {@link SystemColumns system
   *     column}
   * @throws IllegalStateException when the sink is closed
   */
  @Override
  public void evolve(String objectType, List<ColumnMapping> columns) {
    WarehouseSink.checkMappings(objectType, columns, column -> Objects.requireNonNull(column.column(), "column name"));
    checkOpen("evolve " + objectType);
    Table table = tables.computeIfAbsent(objectType, Table::new);
    table.lock.lock();
    try {
      List<ColumnMapping> next = new ArrayList<>(table.mappings);
      Set<String> names = new HashSet<>(table.positions.keySet());
      List<Integer> converted = new ArrayList<>();
      for (ColumnMapping column : columns) {
        if (names.add(column.column())) {
          next.add(column);
        } else if (column.type() == ColumnType.DOUBLE) {
          for (int i = 0; i < next.size(); i++) {
            ColumnMapping stored = next.get(i);
            if (stored.column().equals(column.column()) && stored.type() == ColumnType.DECIMAL) {
              next.set(i, new ColumnMapping(stored.property(), stored.column(), ColumnType.DOUBLE));
              converted.add(SystemColumns.ALL.size() + i);
            }
          }
        }
      }
      if (next.size() > table.mappings.size() || !converted.isEmpty()) {
        synchronized (published) {
          table.setMappings(next);
          if (table.rows != null) {
            for (Object[] values : table.rows.values()) {
              converted.stream().filter(at -> at < values.length && values[at] != null)
                  .forEach(at -> values[at] = ((BigDecimal) values[at]).doubleValue());
            }
          }
        }
      }
    } finally {
      table.lock.unlock();
    }
  }

  /**
   * Upserts the batch's rows into the table named by its object type and stores {@code checkpoint},
   * both or neither; see the class documentation for what fails.
   *
   * @return rows inserted or replaced, and rows skipped because the stored one is newer
   * @throws IllegalStateException when the table or one of the batch's columns does not exist, a
   *     column's type differs from the stored one (a stored {@code DECIMAL} column the batch has as
   *     {@code DOUBLE} is converted first, as {@link #evolve} does), or the sink is closed
   * @throws IllegalArgumentException when the batch holds two rows for one id
   * @throws SimulatedCrash when {@link #failNextWrite} armed a failure for this object type
   */
  @Override
  public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
    Objects.requireNonNull(batch, "batch");
    return write(new BatchSource(batch), checkpoint);
  }

  /** The write path; tests feed it rows without building Arrow batches. */
  WriteResult write(Source source, Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    String objectType = source.objectType();
    checkOpen("write to " + objectType);
    Table table = tables.get(objectType);
    if (table == null) {
      throw new IllegalStateException("Table '" + objectType + "' does not exist in this InMemorySink; evolve() must "
          + "run first to create it");
    }
    List<ColumnMapping> conversions = SchemaDrift.conversions(describe(objectType), source.columns());
    if (!conversions.isEmpty()) {
      evolve(objectType, conversions);
    }
    table.lock.lock();
    try {
      int[] positions = table.positionsOf(source.columns());
      long[] ids = new long[source.rowCount()];
      for (int row = 0; row < ids.length; row++) {
        ids[row] = source.id(row);
      }
      rejectDuplicates(objectType, ids);
      Pending pending = counting ? prepareCounts(table, source, ids) : prepareRows(table, source, ids, positions);
      crashIfArmed(objectType, checkpoint);
      synchronized (published) {
        pending.publish().run();
        checkpoints.put(checkpoint.stream(), checkpoint.json());
        table.writes++;
      }
      return pending.result();
    } finally {
      table.lock.unlock();
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws UnsupportedOperationException in {@link #counting() counting mode}, which keeps no flags
   */
  @Override
  public long[] ids(String objectType, boolean archived) {
    Objects.requireNonNull(objectType, "objectType");
    checkKeepsValues(objectType);
    Table table = tables.get(objectType);
    if (table == null) {
      return new long[0];
    }
    synchronized (published) {
      return table.rows.entrySet().stream()
          .filter(e -> Boolean.TRUE.equals(e.getValue()[ARCHIVED_POSITION]) == archived)
          .mapToLong(Map.Entry::getKey).toArray();
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws UnsupportedOperationException in {@link #counting() counting mode}, which keeps no flags
   */
  @Override
  public int markArchived(String objectType, java.util.Collection<Long> ids, Instant archivedAt) {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(archivedAt, "archivedAt");
    checkOpen("mark rows of " + objectType + " archived");
    checkKeepsValues(objectType);
    Table table = tables.get(objectType);
    if (table == null) {
      return 0;
    }
    table.lock.lock();
    try {
      Map<Long, Object[]> changed = new HashMap<>();
      for (long id : ids) {
        Object[] values = table.rows.get(id);
        if (values != null && !Boolean.TRUE.equals(values[ARCHIVED_POSITION])) {
          Object[] copy = values.clone();
          copy[ARCHIVED_POSITION] = true;
          copy[ARCHIVED_AT_POSITION] = archivedAt;
          changed.put(id, copy);
        }
      }
      synchronized (published) {
        table.rows.putAll(changed);
      }
      return changed.size();
    } finally {
      table.lock.unlock();
    }
  }

  /**
   * {@inheritDoc} A table that nulled out rows shows {@code _hs_gdpr_deleted_at} in every {@link Row}
   * from then on, after the other columns.
   *
   * @throws UnsupportedOperationException in {@link #counting() counting mode}, which keeps no values
   */
  @Override
  public int erase(String objectType, java.util.Collection<Long> ids, GdprMode mode, Instant deletedAt) {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(deletedAt, "deletedAt");
    checkOpen("erase rows of " + objectType);
    checkKeepsValues(objectType);
    Set<Long> erased = new HashSet<>(ids);
    Table table = tables.get(objectType);
    if (table != null) {
      table.lock.lock();
    }
    try {
      synchronized (published) {
        linkTables.forEach((pair, links) -> {
          if (pair.startsWith(objectType + "_to_")) {
            erased.forEach(links::remove);
          }
          if (pair.endsWith("_to_" + objectType)) {
            links.replaceAll((parent, rows) -> rows.stream().filter(l -> !erased.contains(l.toId())).toList());
            links.values().removeIf(List::isEmpty);
          }
        });
        if (table == null) {
          return 0;
        }
        int changed = 0;
        for (long id : erased) {
          Object[] values = table.rows.get(id);
          if (values == null) {
            continue;
          }
          changed++;
          if (mode == GdprMode.ERASE) {
            table.rows.remove(id);
            if (table.gdprDeletedAt != null) {
              table.gdprDeletedAt.remove(id);
            }
            continue;
          }
          Object[] nulled = new Object[table.columns.size()];
          for (int i = 0; i < SystemColumns.ALL.size(); i++) {
            nulled[i] = i < values.length ? values[i] : null;
          }
          nulled[UNPARSED_POSITION] = null;
          nulled[ARCHIVED_POSITION] = true;
          nulled[ARCHIVED_AT_POSITION] = values[ARCHIVED_AT_POSITION] != null ? values[ARCHIVED_AT_POSITION] : deletedAt;
          table.rows.put(id, nulled);
          if (table.gdprDeletedAt == null) {
            table.gdprDeletedAt = new HashMap<>();
          }
          table.gdprDeletedAt.put(id, deletedAt);
        }
        return changed;
      }
    } finally {
      if (table != null) {
        table.lock.unlock();
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws UnsupportedOperationException in {@link #counting() counting mode}, which keeps no dates
   */
  @Override
  public Map<Long, Instant> updatedAt(String objectType, java.util.Collection<Long> ids) {
    Objects.requireNonNull(objectType, "objectType");
    checkKeepsValues(objectType);
    Table table = tables.get(objectType);
    Map<Long, Instant> dates = new HashMap<>();
    if (table == null) {
      return dates;
    }
    synchronized (published) {
      for (long id : ids) {
        Object[] row = table.rows.get(id);
        if (row != null && !Boolean.TRUE.equals(row[ARCHIVED_POSITION]) && row[UPDATED_AT_POSITION] != null) {
          dates.put(id, (Instant) row[UPDATED_AT_POSITION]);
        }
      }
    }
    return dates;
  }

  @Override
  public long[] parentsLinkedTo(String fromType, String toType, java.util.Collection<Long> toIds) {
    Objects.requireNonNull(toIds, "toIds");
    Set<Long> targets = new HashSet<>(toIds);
    synchronized (published) {
      TreeMap<Long, List<LinkRow>> table = linkTables.getOrDefault(LinkBatch.pair(fromType, toType), new TreeMap<>());
      return table.entrySet().stream()
          .filter(e -> e.getValue().stream().anyMatch(l -> targets.contains(l.toId())))
          .mapToLong(Map.Entry::getKey).toArray();
    }
  }

  @Override
  public Optional<Checkpoint> checkpoint(String stream) {
    Objects.requireNonNull(stream, "stream");
    synchronized (published) {
      return Optional.ofNullable(checkpoints.get(stream)).map(json -> new Checkpoint(stream, json));
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when a link's parent is not among the batch's parents, or a
   *     (from id, to id, type id) key appears twice; nothing is stored
   * @throws SimulatedCrash when {@link #failNextWrite} armed a failure for the pair
   *     ({@link LinkBatch#pair()})
   */
  @Override
  public void replaceAssociations(LinkBatch batch, Checkpoint checkpoint) {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(checkpoint, "checkpoint");
    checkOpen("replace links of " + batch.pair());
    Map<Long, List<LinkRow>> byParent = new HashMap<>();
    batch.parentIds().forEach(id -> byParent.put(id, new ArrayList<>()));
    batch.checkLinks();
    for (LinkRow link : batch.links()) {
      byParent.get(link.fromId()).add(link);
    }
    crashIfArmed(batch.pair(), checkpoint);
    synchronized (published) {
      TreeMap<Long, List<LinkRow>> table = linkTables.computeIfAbsent(batch.pair(), k -> new TreeMap<>());
      byParent.forEach((id, links) -> {
        if (links.isEmpty()) {
          table.remove(id);
        } else {
          table.put(id, List.copyOf(links));
        }
      });
      checkpoints.put(checkpoint.stream(), checkpoint.json());
    }
  }

  /**
   * Every stored link of a pair, ordered by from id, to id and type id; empty when the link table
   * does not exist. A snapshot.
   */
  public List<LinkRow> links(String fromType, String toType) {
    synchronized (published) {
      TreeMap<Long, List<LinkRow>> table = linkTables.getOrDefault(LinkBatch.pair(fromType, toType), new TreeMap<>());
      return table.values().stream().flatMap(List::stream)
          .sorted(java.util.Comparator.comparingLong(LinkRow::fromId).thenComparingLong(LinkRow::toId)
              .thenComparingInt(LinkRow::typeId))
          .toList();
    }
  }

  @Override
  public List<LinkRow> links(String fromType, String toType, java.util.Collection<Long> fromIds) {
    synchronized (published) {
      TreeMap<Long, List<LinkRow>> table = linkTables.getOrDefault(LinkBatch.pair(fromType, toType), new TreeMap<>());
      List<LinkRow> out = new ArrayList<>();
      new TreeSet<>(fromIds).forEach(id -> out.addAll(table.getOrDefault(id, List.of())));
      return out;
    }
  }

  @Override
  public void recordRun(SyncReport report) {
    Objects.requireNonNull(report, "report");
    synchronized (published) {
      runs.add(report);
    }
  }

  /** The recorded run with the latest {@code startedAt} (the last recorded among equals). */
  @Override
  public Optional<SyncReport> lastRun() {
    synchronized (published) {
      SyncReport last = null;
      for (SyncReport run : runs) {
        if (last == null || !run.startedAt().isBefore(last.startedAt())) {
          last = run;
        }
      }
      return Optional.ofNullable(last);
    }
  }

  /** The runs recorded so far, oldest first. */
  public List<SyncReport> runs() {
    synchronized (published) {
      return List.copyOf(runs);
    }
  }

  /**
   * Makes the next {@link #write} to {@code objectType} throw {@link SimulatedCrash} before it
   * publishes anything. Each call arms one more failing write; the table need not exist yet.
   */
  public void failNextWrite(String objectType) {
    Objects.requireNonNull(objectType, "objectType");
    armedCrashes.computeIfAbsent(objectType, k -> new AtomicInteger()).incrementAndGet();
  }

  /**
   * The table's rows ordered by id, each with every column of the table; empty when the table does
   * not exist. A snapshot: later writes do not change it.
   *
   * @throws UnsupportedOperationException in {@link #counting() counting mode}
   */
  public List<Row> rows(String objectType) {
    Objects.requireNonNull(objectType, "objectType");
    checkKeepsValues(objectType);
    Table table = tables.get(objectType);
    if (table == null) {
      return List.of();
    }
    synchronized (published) {
      List<Row> rows = new ArrayList<>(table.rows.size());
      table.rows.forEach((id, values) -> rows.add(table.view(id, values)));
      return Collections.unmodifiableList(rows);
    }
  }

  /**
   * The row with this id, if the table has it.
   *
   * @throws UnsupportedOperationException in {@link #counting() counting mode}
   */
  public Optional<Row> row(String objectType, long id) {
    Objects.requireNonNull(objectType, "objectType");
    checkKeepsValues(objectType);
    Table table = tables.get(objectType);
    if (table == null) {
      return Optional.empty();
    }
    synchronized (published) {
      return Optional.ofNullable(table.rows.get(id)).map(values -> table.view(id, values));
    }
  }

  /** Rows in the table (distinct ids); 0 when it does not exist. Works in both modes. */
  public long rowCount(String objectType) {
    Objects.requireNonNull(objectType, "objectType");
    Table table = tables.get(objectType);
    if (table == null) {
      return 0;
    }
    synchronized (published) {
      return counting ? table.ids.size() : table.rows.size();
    }
  }

  /** The table's ids in ascending order; empty when it does not exist. Works in both modes. */
  public long[] ids(String objectType) {
    Objects.requireNonNull(objectType, "objectType");
    Table table = tables.get(objectType);
    if (table == null) {
      return new long[0];
    }
    synchronized (published) {
      if (counting) {
        return table.ids.sortedKeys();
      }
      return table.rows.keySet().stream().mapToLong(Long::longValue).toArray();
    }
  }

  /** Whether the table has a row with this id. Works in both modes. */
  public boolean contains(String objectType, long id) {
    Objects.requireNonNull(objectType, "objectType");
    Table table = tables.get(objectType);
    if (table == null) {
      return false;
    }
    synchronized (published) {
      return counting ? table.ids.get(id, ABSENT) != ABSENT : table.rows.containsKey(id);
    }
  }

  /** Names of the tables {@link #evolve} has created, sorted. */
  public Set<String> tables() {
    return Collections.unmodifiableSet(new TreeSet<>(tables.keySet()));
  }

  /** Every stored checkpoint, stream to JSON, sorted by stream. A snapshot. */
  public Map<String, String> checkpoints() {
    synchronized (published) {
      return Collections.unmodifiableMap(new TreeMap<>(checkpoints));
    }
  }

  /** Writes to the object type that succeeded (empty batches included; failed and crashed ones not). */
  public long writeCount(String objectType) {
    Objects.requireNonNull(objectType, "objectType");
    Table table = tables.get(objectType);
    if (table == null) {
      return 0;
    }
    synchronized (published) {
      return table.writes;
    }
  }

  /** Refuses later writes and evolutions; the data stays readable. A second call does nothing. */
  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "InMemorySink[" + (counting ? "counting, " : "") + "tables=" + tables() + "]";
  }

  private Pending prepareRows(Table table, Source source, long[] ids, int[] positions) {
    int width = table.columns.size();
    long[] keys = new long[ids.length];
    Object[][] next = new Object[ids.length][];
    int count = 0;
    int skipped = 0;
    for (int row = 0; row < ids.length; row++) {
      Object[] stored = table.rows.get(ids[row]);
      if (stored != null && isOlder(source.updatedAt(row), (Instant) stored[UPDATED_AT_POSITION])) {
        skipped++;
        continue;
      }
      Object[] values = stored == null ? new Object[width] : Arrays.copyOf(stored, width);
      for (int column = 0; column < positions.length; column++) {
        values[positions[column]] = source.value(row, column);
      }
      keys[count] = ids[row];
      next[count] = values;
      count++;
    }
    int written = count;
    return new Pending(new WriteResult(written, skipped), () -> {
      for (int i = 0; i < written; i++) {
        table.rows.put(keys[i], next[i]);
      }
    });
  }

  private Pending prepareCounts(Table table, Source source, long[] ids) {
    long[] keys = new long[ids.length];
    long[] times = new long[ids.length];
    int count = 0;
    int skipped = 0;
    for (int row = 0; row < ids.length; row++) {
      long incoming = micros(source.updatedAt(row));
      long stored = table.ids.get(ids[row], ABSENT);
      if (stored != ABSENT && incoming < stored) {
        skipped++;
        continue;
      }
      keys[count] = ids[row];
      times[count] = incoming;
      count++;
    }
    int written = count;
    return new Pending(new WriteResult(written, skipped), () -> {
      // Grows the table before the first put, so an OutOfMemoryError leaves it unchanged.
      table.ids.ensureCapacity(table.ids.size() + written);
      for (int i = 0; i < written; i++) {
        table.ids.put(keys[i], times[i]);
      }
    });
  }

  /** Null is older than every instant, so any dated version replaces an undated one. */
  private static boolean isOlder(Instant incoming, Instant stored) {
    if (stored == null) {
      return false;
    }
    return incoming == null || incoming.isBefore(stored);
  }

  private static long micros(Instant instant) {
    if (instant == null) {
      return NO_TIME;
    }
    long seconds = instant.getEpochSecond();
    // Far beyond any HubSpot date; clamped so the multiplication cannot overflow.
    if (seconds > 9_000_000_000_000L) {
      return Long.MAX_VALUE;
    }
    if (seconds < -9_000_000_000_000L) {
      return NO_TIME + 1;
    }
    return seconds * 1_000_000L + instant.getNano() / 1_000;
  }

  private static void rejectDuplicates(String objectType, long[] ids) {
    long[] sorted = ids.clone();
    Arrays.sort(sorted);
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        throw new IllegalArgumentException("The " + objectType + " batch has more than one row for id " + sorted[i]
            + "; batches must be de-duplicated by id before write() (DESIGN.md invariant 1), as a warehouse MERGE "
            + "with two source rows for one id fails. Nothing was written.");
      }
    }
  }

  private void crashIfArmed(String objectType, Checkpoint checkpoint) {
    AtomicInteger armed = armedCrashes.get(objectType);
    if (armed != null && armed.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new SimulatedCrash(objectType, checkpoint.stream());
    }
  }

  private void checkOpen(String action) {
    if (closed) {
      throw new IllegalStateException("InMemorySink is closed; cannot " + action);
    }
  }

  private void checkKeepsValues(String objectType) {
    if (counting) {
      throw new UnsupportedOperationException("This InMemorySink is in counting mode (InMemorySink.counting()): it "
          + "keeps only the ids and row counts of '" + objectType + "', not values. Use rowCount(), ids() or "
          + "contains(), or InMemorySink.create() to read rows back.");
    }
  }

  private static int positionOf(String systemColumn) {
    for (int i = 0; i < SystemColumns.ALL.size(); i++) {
      if (SystemColumns.ALL.get(i).name().equals(systemColumn)) {
        return i;
      }
    }
    throw new AssertionError(systemColumn);
  }

  /**
   * Thrown by a {@link #write} that {@link #failNextWrite} armed, in place of committing it: neither
   * its rows nor its checkpoint were stored.
   */
  public static final class SimulatedCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String objectType;

    SimulatedCrash(String objectType, String stream) {
      super("Simulated crash (InMemorySink.failNextWrite) while writing to '" + objectType
          + "': neither the rows nor the checkpoint of stream '" + stream + "' were committed");
      this.objectType = objectType;
    }

    /** The object type whose write crashed. */
    public String objectType() {
      return objectType;
    }
  }

  /** What {@link #write} reads from a batch; {@link RecordBatch} in production, plain arrays in tests. */
  interface Source {
    String objectType();

    /** {@link SystemColumns#ALL} then property columns, as in {@link RecordBatch#columns()}. */
    List<Column> columns();

    int rowCount();

    long id(int row);

    Instant updatedAt(int row);

    Object value(int row, int column);
  }

  private record BatchSource(RecordBatch batch) implements Source {
    @Override
    public String objectType() {
      return batch.objectType();
    }

    @Override
    public List<Column> columns() {
      return batch.columns();
    }

    @Override
    public int rowCount() {
      return batch.rowCount();
    }

    @Override
    public long id(int row) {
      return batch.id(row);
    }

    @Override
    public Instant updatedAt(int row) {
      return batch.updatedAt(row);
    }

    @Override
    public Object value(int row, int column) {
      return batch.value(row, column);
    }
  }

  /** A write's effect, computed aside; {@code publish} only stores it and cannot fail on bad input. */
  private record Pending(WriteResult result, Runnable publish) {}

  /**
   * One object table. Its fields change only while both {@link #lock} and {@code published} are
   * held; writers read them under {@link #lock}, readers under {@code published}.
   */
  private final class Table {
    final String name;
    final ReentrantLock lock = new ReentrantLock();
    List<ColumnMapping> mappings = List.of();
    /** System columns, then one per mapping. */
    List<Column> columns = SystemColumns.ALL;
    Map<String, Integer> positions = positions(SystemColumns.ALL);
    /** Values in {@link #columns} order; shorter arrays than the table when columns came later. */
    final TreeMap<Long, Object[]> rows;
    /** Counting mode: id to {@code _hs_updated_at} in epoch microseconds. */
    final LongLongMap ids;
    long writes;
    /** {@code _hs_gdpr_deleted_at} by id, once a row was nulled out (the column exists); null before. */
    Map<Long, Instant> gdprDeletedAt;

    Table(String name) {
      this.name = name;
      this.rows = counting ? null : new TreeMap<>();
      this.ids = counting ? new LongLongMap() : null;
    }

    void setMappings(List<ColumnMapping> next) {
      List<Column> all = new ArrayList<>(SystemColumns.ALL);
      for (ColumnMapping m : next) {
        all.add(new Column(m.column(), m.type(), m.property()));
      }
      mappings = List.copyOf(next);
      columns = List.copyOf(all);
      positions = positions(columns);
    }

    /** Where each batch column lives in this table. */
    int[] positionsOf(List<Column> batchColumns) {
      int[] result = new int[batchColumns.size()];
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < result.length; i++) {
        Column column = batchColumns.get(i);
        Integer position = positions.get(column.name());
        String described = "Column '" + column.name() + "'"
            + (column.property() == null ? "" : " (property '" + column.property() + "')");
        if (position == null) {
          throw new IllegalStateException(described + " of the " + name + " batch is not in table '" + name
              + "'; evolve() must run first to add it. The table has " + positions.keySet());
        }
        Column stored = columns.get(position);
        if (stored.type() != column.type()) {
          throw new IllegalStateException(described + " of the " + name + " batch is " + column.type()
              + " but table '" + name + "' stores it as " + stored.type() + "; columns are never retyped, so build "
              + "batches from the mapping describe() returns");
        }
        if (!seen.add(column.name())) {
          throw new IllegalArgumentException(described + " appears twice in the " + name + " batch");
        }
        result[i] = position;
      }
      return result;
    }

    Row view(long id, Object[] values) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        map.put(columns.get(i).name(), i < values.length ? values[i] : null);
      }
      if (gdprDeletedAt != null) {
        map.put(SystemColumns.GDPR_DELETED_AT, gdprDeletedAt.get(id));
      }
      return new Row(id, map);
    }

    private static Map<String, Integer> positions(List<Column> columns) {
      Map<String, Integer> result = new HashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        result.put(columns.get(i).name(), i);
      }
      return result;
    }
  }

  /**
   * A map from long to long in two primitive arrays (open addressing, linear probing, at most half
   * full): 16 bytes per slot, about 32 MB for a million keys, where a {@code HashMap<Long, Long>}
   * takes over 70 MB. Not thread-safe; {@link Table} guards it.
   */
  static final class LongLongMap {
    private long[] keys = new long[16];
    private long[] values = new long[16];
    /** Key 0 marks a free slot, so the key 0 itself lives here. */
    private boolean hasZeroKey;
    private long zeroValue;
    private int size;

    int size() {
      return size + (hasZeroKey ? 1 : 0);
    }

    long get(long key, long missing) {
      if (key == 0) {
        return hasZeroKey ? zeroValue : missing;
      }
      int mask = keys.length - 1;
      for (int slot = slot(key, mask); ; slot = (slot + 1) & mask) {
        long k = keys[slot];
        if (k == key) {
          return values[slot];
        }
        if (k == 0) {
          return missing;
        }
      }
    }

    void put(long key, long value) {
      if (key == 0) {
        hasZeroKey = true;
        zeroValue = value;
        return;
      }
      ensureCapacity(size + 1);
      int mask = keys.length - 1;
      int slot = slot(key, mask);
      while (keys[slot] != 0 && keys[slot] != key) {
        slot = (slot + 1) & mask;
      }
      if (keys[slot] == 0) {
        keys[slot] = key;
        size++;
      }
      values[slot] = value;
    }

    /** Grows so that {@code entries} keys fit without another resize. */
    void ensureCapacity(int entries) {
      int capacity = keys.length;
      while (entries > capacity / 2) {
        if (capacity == 1 << 30) {
          throw new IllegalStateException("InMemorySink counting mode holds at most " + (1 << 29) + " ids a table");
        }
        capacity *= 2;
      }
      if (capacity == keys.length) {
        return;
      }
      long[] oldKeys = keys;
      long[] oldValues = values;
      long[] newKeys = new long[capacity];
      long[] newValues = new long[capacity];
      int mask = capacity - 1;
      for (int i = 0; i < oldKeys.length; i++) {
        long k = oldKeys[i];
        if (k != 0) {
          int slot = slot(k, mask);
          while (newKeys[slot] != 0) {
            slot = (slot + 1) & mask;
          }
          newKeys[slot] = k;
          newValues[slot] = oldValues[i];
        }
      }
      keys = newKeys;
      values = newValues;
    }

    long[] sortedKeys() {
      long[] result = new long[size()];
      int n = 0;
      if (hasZeroKey) {
        result[n++] = 0;
      }
      for (long k : keys) {
        if (k != 0) {
          result[n++] = k;
        }
      }
      Arrays.sort(result);
      return result;
    }

    /** Murmur3's 64-bit finalizer: sequential ids spread over the whole table. */
    private static int slot(long key, int mask) {
      long h = key;
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb53e1a85ec63L;
      h ^= h >>> 33;
      return (int) h & mask;
    }
  }
}
