package dev.hubspotsync.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.client.PropertyDefinition;
import dev.hubspotsync.ratelimit.RateBudget;
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
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link WarehouseSink} must have, as JUnit 5 tests. A sink's test extends
 * this class and implements three hooks; every test below then runs against that sink. The
 * testkit's own {@link InMemorySink} runs it in {@code InMemorySinkContractTest}.
 *
 * <pre>{@code
 * class MySinkIT extends WarehouseSinkContract {
 *   @Override
 *   protected WarehouseSink newSink() {
 *     return MySink.create(freshSchema());                 // empty: no tables, no checkpoints
 *   }
 *
 *   @Override
 *   protected List<Map<String, Object>> readRows(WarehouseSink sink, String objectType) {
 *     return query(sink, "select * from " + tableOf(objectType));  // values normalized, see below
 *   }
 *
 *   @Override
 *   protected List<LinkRow> readLinks(WarehouseSink sink, String fromType, String toType) {
 *     return queryLinks(sink, LinkBatch.pair(fromType, toType));
 *   }
 * }
 * }</pre>
 *
 * <h2>The hooks</h2>
 * <ul>
 *   <li>{@link #newSink()} (required): a new sink with nothing in it — no object tables, no link
 *       tables, no checkpoints. Called once per test; the contract closes it after the test.
 *   <li>{@link #readRows} (required): every row of an object type's table, in any order, read
 *       straight from the warehouse (not through the sink's own caches), each row a map from
 *       column name to value. The keys are every column of the table: the
 *       {@link SystemColumns system columns} and each {@link ColumnMapping#column()}, spelled as
 *       the mapping spells them (undo any case folding the warehouse does); a column added after
 *       the row was written is present with a null value. Values are normalized to plain Java
 *       types:
 *       <table>
 *         <caption>Normalized values</caption>
 *         <tr><th>column type</th><th>Java type</th></tr>
 *         <tr><td>{@code BIGINT} ({@code id})</td><td>{@link Long}</td></tr>
 *         <tr><td>{@code TEXT}</td><td>{@link String} ({@code _hs_unparsed}: its JSON text, any
 *             formatting)</td></tr>
 *         <tr><td>{@code DOUBLE}</td><td>{@link Double} (compared exactly)</td></tr>
 *         <tr><td>{@code DECIMAL} (legacy)</td><td>{@link BigDecimal}, any scale (compared with
 *             {@code compareTo})</td></tr>
 *         <tr><td>{@code BOOLEAN}</td><td>{@link Boolean}</td></tr>
 *         <tr><td>{@code DATE}</td><td>{@link LocalDate}</td></tr>
 *         <tr><td>{@code TIMESTAMP}</td><td>{@link Instant} (e.g. {@code OffsetDateTime::toInstant};
 *             never through the JVM's default time zone)</td></tr>
 *       </table>
 *       SQL NULL is {@code null}. The contract only reads tables it created with
 *       {@link WarehouseSink#evolve}.
 *   <li>{@link #readLinks} (required): every row of an association pair's link table, in any
 *       order, as {@link LinkRow}s (a null label stays null). Only called for pairs the test has
 *       written to.
 *   <li>{@link #armCrashBeforeCommit} (required): makes the sink's next write of a stream fail
 *       after it has done its work but before it commits, as a process killed at that moment
 *       would. {@link InMemorySink} has {@link InMemorySink#failNextWrite}; a JDBC sink's test can
 *       hand the sink a {@code DataSource} whose connections throw once from {@code commit()}.
 *       Every sink's crash tests run: a checkpoint must never run ahead of its data.
 *   <li>{@link #supportsIds()} (optional): false when the sink leaves {@link WarehouseSink#ids}
 *       and {@link WarehouseSink#markArchived} unsupported; the archive tests then check that both
 *       throw {@link UnsupportedOperationException}, as the engine expects.
 *   <li>{@link #supportsErase()} (optional): false when the sink leaves {@link WarehouseSink#erase}
 *       unsupported; the GDPR tests then check that it throws {@link UnsupportedOperationException}.
 * </ul>
 * {@link #supportsTransactions()} is not a hook: it is whether the sink implements
 * {@link SupportsTransactions}, and the crash tests hold a sink that does to "both or neither".
 *
 * <h2>What the contract requires beyond the interface's Javadoc</h2>
 * <ul>
 *   <li>A table exists only after {@link WarehouseSink#evolve}: writing to an object type that was
 *       never evolved, or a batch with a column the table lacks, must fail with an exception whose
 *       message names the object type (or the column) and store nothing. Sinks do not create
 *       tables or columns as a side effect of {@code write}.
 *   <li>{@code evolve} is idempotent: a column the table already has is left as stored, even when
 *       given again with another type, and this is not an error. The one exception: a legacy
 *       {@code DECIMAL} column given as {@code DOUBLE} is converted to {@code DOUBLE}, by
 *       {@code evolve} or before the first {@code write} of a batch that has it as {@code DOUBLE}.
 *   <li>A row without {@code _hs_updated_at} is older than any dated row (as
 *       {@link RecordBatch.Builder#add} treats it): it never replaces a dated row, and a dated row
 *       replaces it. Two undated versions count as equal.
 *   <li>{@link WriteResult} counts exactly: every row of the batch is either written or
 *       skippedOlder, a replayed batch (equal {@code _hs_updated_at}) is written again, and
 *       {@code valuesCleaned} is 0 unless the sink really changed a value to fit.
 *   <li>A checkpoint is stored even when its batch is empty or every row was skipped. It is read
 *       back as an equal JSON value (the sink may store it in a JSON type that reformats it).
 *   <li>The rows and links use HubSpot ids beyond 2^53 unchanged (no detour through a double).
 * </ul>
 *
 * <h2>Isolation, threads and lifecycle</h2>
 * Each test uses object types and streams of its own (named after the test, e.g.
 * {@code rewrite_contacts}; one test uses the custom object type id {@code 2-90001}), so tests
 * do not see each other's tables even if {@link #newSink()} shares a database across tests; it
 * must still return a sink without leftovers from earlier runs (the two tests that sync a
 * {@link FakeHubSpot} portal over HTTP with {@link SyncJob} both write {@code deals}). A test's
 * sink is used from the test's thread, except in {@code concurrentWritersToDifferentObjectTypesAllLand}, which
 * writes from four threads at once. The contract's {@code @BeforeEach} calls {@link #newSink()}
 * before any {@code @BeforeEach} of the subclass runs, and its {@code @AfterEach} closes the
 * sink after the subclass's {@code @AfterEach} methods; do per-test setup inside
 * {@link #newSink()}. Record batches are Arrow vectors: the JVM running the tests needs
 * {@code --add-opens=java.base/java.nio=ALL-UNNAMED}. A sink that needs a database server names
 * its test {@code *IT} so it runs in {@code verify}.
 *
 * <p>Everything is deterministic: fixed instants, no sleeping, no randomness. A test that fails
 * names the object type, the row and the column it looked at, and what it expected.
 */
public abstract class WarehouseSinkContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant CREATED = Instant.parse("2025-12-31T23:59:59.000001Z");
  private static final Instant T0 = Instant.parse("2026-03-01T09:00:00.123456Z");
  private static final Instant T1 = Instant.parse("2026-03-01T10:00:00.123456Z");
  private static final Instant T2 = Instant.parse("2026-03-01T11:00:00.123456Z");
  private static final Instant SYNCED_1 = Instant.parse("2026-03-02T08:00:00.654321Z");
  private static final Instant SYNCED_2 = Instant.parse("2026-03-02T09:00:00.000001Z");
  private static final String RUN_1 = "contract-run-1";
  private static final String RUN_2 = "contract-run-2";
  private static final Instant PORTAL_START = Instant.parse("2026-11-02T09:00:00Z");
  /** A HubSpot-calculated number property (issue 12). */
  private static final String PROBABILITY = "hs_deal_stage_probability";
  /** Doubles as HubSpot sends them in full ({@link #NUMBERS} are the doubles they are). */
  private static final List<String> NUMBERS_SENT = List.of("0.5476861596107483", "1.2000000000000002",
      "0.200000000000000011102230246251565404236316680908203125", "9007199254740993");
  private static final List<Double> NUMBERS = List.of(0.5476861596107483, 1.2000000000000002, 0.2,
      9007199254740992.0);
  /** Above 2^53: a value that passes through a double comes back changed. */
  private static final long BIG_ID = 9_007_199_254_740_993L;

  private BatchAllocator allocator;
  private WarehouseSink sink;
  private final List<RecordBatch> batches = new ArrayList<>();

  /**
   * A new, empty sink for one test: no object tables, no link tables, no checkpoints. The
   * contract closes it after the test.
   */
  protected abstract WarehouseSink newSink() throws Exception;

  /**
   * Every row of {@code objectType}'s table, in any order, each as column name → normalized value
   * with every column of the table present; see the class documentation for the types. Read from
   * the warehouse itself, not from what the sink remembers.
   */
  protected abstract List<Map<String, Object>> readRows(WarehouseSink sink, String objectType) throws Exception;

  /** Every row of the link table of the pair {@code fromType} → {@code toType}, in any order. */
  protected abstract List<LinkRow> readLinks(WarehouseSink sink, String fromType, String toType) throws Exception;

  /**
   * Arms a crash: the sink's next {@link WarehouseSink#write write} or
   * {@link WarehouseSink#replaceAssociations replaceAssociations} whose checkpoint is for
   * {@code stream} must throw an unchecked exception after doing its work but before committing
   * (a sink without transactions: after storing the rows, before storing the checkpoint), and only
   * that one call.
   * The contract names streams after what they write: the object type for rows,
   * {@link LinkBatch#pair()} for links, so {@code InMemorySink::failNextWrite} fits as it is.
   */
  protected abstract void armCrashBeforeCommit(WarehouseSink sink, String stream) throws Exception;

  /**
   * Whether the sink answers {@link WarehouseSink#ids} and {@link WarehouseSink#markArchived};
   * default true. Return false for a sink that leaves both unsupported (they must then throw
   * {@link UnsupportedOperationException}).
   */
  protected boolean supportsIds() {
    return true;
  }

  /**
   * Whether the sink implements {@link WarehouseSink#erase} (GDPR deletions); default true. Return
   * false for a sink that leaves it unsupported (it must then throw {@link UnsupportedOperationException},
   * and the engine fails a stream that reports GDPR deletions rather than keep the data).
   */
  protected boolean supportsErase() {
    return true;
  }

  /** Whether the sink under test implements {@link SupportsTransactions}: then a crash leaves both or neither. */
  protected final boolean supportsTransactions() {
    return sink instanceof SupportsTransactions;
  }

  @BeforeEach
  final void openContractSink() throws Exception {
    allocator = BatchAllocator.create(256L << 20);
    sink = Objects.requireNonNull(newSink(), "newSink() returned null");
  }

  @AfterEach
  final void closeContractSink() {
    try {
      batches.forEach(RecordBatch::close);
      batches.clear();
      if (sink != null) {
        sink.close();
      }
    } finally {
      if (allocator != null) {
        allocator.close();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Create, upsert, never older over newer

  /** evolve creates the table; write stores the rows with every system column and the checkpoint. */
  @Test
  void createThenWriteThenReadBack() throws Exception {
    String type = "create_contacts";
    assertEquals(List.of(), sink.describe(type), "describe() of an object type whose table does not exist");
    assertEquals(Optional.empty(), sink.checkpoint(type), "checkpoint() of a stream never written");

    List<ColumnMapping> columns = evolveTo(type, property("email", "string"), property("amount", "number"))
        .columnsAfter();
    assertEquals(columns, sink.describe(type), "describe() after evolve(): the mapping evolve() was given, in order");
    WriteResult result = write(batch(type, columns,
        record(2, T1, "email", "b@example.com"),
        record(1, T1, "email", "a@example.com", "amount", "12.50")), type, "{\"after\":2}");

    assertEquals(new WriteResult(2, 0, 0), result, "WriteResult of the first write of two new rows");
    List<Map<String, Object>> rows = rows(type);
    assertEquals(List.of(1L, 2L), ids(rows), "ids in " + type);
    Map<String, Object> first = rows.get(0);
    Set<String> expectedColumns = new HashSet<>();
    SystemColumns.ALL.forEach(c -> expectedColumns.add(c.name()));
    columns.forEach(m -> expectedColumns.add(m.column()));
    assertEquals(expectedColumns, first.keySet(), "columns readRows returns for " + type);
    assertValue(type, first, SystemColumns.ID, 1L);
    assertValue(type, first, SystemColumns.CREATED_AT, CREATED);
    assertValue(type, first, SystemColumns.UPDATED_AT, T1);
    assertValue(type, first, SystemColumns.ARCHIVED, false);
    assertValue(type, first, SystemColumns.ARCHIVED_AT, null);
    assertValue(type, first, SystemColumns.UNPARSED, null);
    assertValue(type, first, SystemColumns.SYNCED_AT, SYNCED_1);
    assertValue(type, first, SystemColumns.RUN_ID, RUN_1);
    assertValue(type, first, "email", "a@example.com");
    assertValue(type, first, "amount", 12.5);
    assertValue(type, rows.get(1), "email", "b@example.com");
    assertValue(type, rows.get(1), "amount", null);
    assertCheckpoint(type, "{\"after\":2}");
  }

  /** Writing the same batch again (a retry, a replay) leaves one row per id. */
  @Test
  void rewritingTheSameBatchAddsNoDuplicates() throws Exception {
    String type = "rewrite_contacts";
    List<ColumnMapping> columns = evolveTo(type, property("email", "string")).columnsAfter();
    CrmRecord[] records = {record(1, T1, "email", "a@example.com"), record(2, T1, "email", "b@example.com"),
        record(3, T1)};
    RecordBatch batch = batch(type, columns, records);

    WriteResult first = write(batch, type, "{\"after\":3}");
    WriteResult again = write(batch, type, "{\"after\":3}");
    WriteResult rebuilt = write(batch(type, columns, records), type, "{\"after\":3}");

    assertEquals(new WriteResult(3, 0, 0), first, "WriteResult of the first write");
    assertEquals(new WriteResult(3, 0, 0), again,
        "WriteResult of the same batch written again: an equal _hs_updated_at replaces (never older over newer "
            + "means >=), so every row is written again");
    assertEquals(new WriteResult(3, 0, 0), rebuilt, "WriteResult of an equal batch built again");
    List<Map<String, Object>> rows = rows(type);
    assertEquals(List.of(1L, 2L, 3L), ids(rows), "ids in " + type + " after writing one batch three times");
    assertValue(type, rows.get(0), "email", "a@example.com");
    assertValue(type, rows.get(1), "email", "b@example.com");
    assertValue(type, rows.get(2), "email", null);
    assertCheckpoint(type, "{\"after\":3}");
  }

  /** A row older than the stored one is skipped and counted; the checkpoint still advances. */
  @Test
  void anOlderVersionIsSkippedAndCountedAndTheCheckpointStillAdvances() throws Exception {
    String type = "older_contacts";
    List<ColumnMapping> columns = evolveTo(type, property("email", "string")).columnsAfter();
    write(batch(type, columns, SYNCED_1, RUN_1, record(1, T2, "email", "new@example.com")), type, "{\"v\":1}");

    WriteResult replay = write(batch(type, columns, SYNCED_2, RUN_2,
        record(1, T1, "email", "old@example.com"), record(2, T1, "email", "b@example.com")), type, "{\"v\":2}");

    assertEquals(new WriteResult(1, 1, 0), replay, "WriteResult of a batch with one older and one new row");
    List<Map<String, Object>> rows = rows(type);
    assertEquals(List.of(1L, 2L), ids(rows), "ids in " + type);
    Map<String, Object> kept = rows.get(0);
    assertValue(type, kept, "email", "new@example.com");
    assertValue(type, kept, SystemColumns.UPDATED_AT, T2);
    assertValue(type, kept, SystemColumns.SYNCED_AT, SYNCED_1);
    assertValue(type, kept, SystemColumns.RUN_ID, RUN_1);
    assertValue(type, rows.get(1), "email", "b@example.com");
    assertCheckpoint(type, "{\"v\":2}");
  }

  /** A newer version replaces every column the batch carries (a null included); an equal one replaces too. */
  @Test
  void aNewerOrEqualVersionReplacesTheRow() throws Exception {
    String type = "newer_contacts";
    List<ColumnMapping> columns = evolveTo(type, property("email", "string"), property("phone", "string"))
        .columnsAfter();
    write(batch(type, columns, SYNCED_1, RUN_1,
        record(1, T1, "email", "a@example.com", "phone", "555"),
        record(2, T1, "email", "b@example.com", "phone", "556")), type, "{\"v\":1}");

    WriteResult result = write(batch(type, columns, SYNCED_2, RUN_2,
        record(1, T2, "email", "a2@example.com"),
        record(2, T1, "email", "b2@example.com", "phone", "557")), type, "{\"v\":2}");

    assertEquals(new WriteResult(2, 0, 0), result, "WriteResult of a newer and an equally new version");
    List<Map<String, Object>> rows = rows(type);
    assertEquals(List.of(1L, 2L), ids(rows), "ids in " + type);
    Map<String, Object> newer = rows.get(0);
    assertValue(type, newer, "email", "a2@example.com");
    assertValue(type, newer, "phone", null);
    assertValue(type, newer, SystemColumns.UPDATED_AT, T2);
    assertValue(type, newer, SystemColumns.SYNCED_AT, SYNCED_2);
    assertValue(type, newer, SystemColumns.RUN_ID, RUN_2);
    Map<String, Object> equal = rows.get(1);
    assertValue(type, equal, "email", "b2@example.com");
    assertValue(type, equal, "phone", "557");
    assertValue(type, equal, SystemColumns.SYNCED_AT, SYNCED_2);
    assertCheckpoint(type, "{\"v\":2}");
  }

  /** A row without _hs_updated_at is older than any dated one, both ways round. */
  @Test
  void aRowWithoutUpdatedAtIsOlderThanAnyDatedRow() throws Exception {
    String type = "undated_contacts";
    List<ColumnMapping> columns = evolveTo(type, property("email", "string")).columnsAfter();
    write(batch(type, columns, record(1, T1, "email", "dated"), record(2, null, "email", "undated")),
        type, "{\"v\":1}");

    WriteResult result = write(batch(type, columns,
        record(1, null, "email", "undated, later"), record(2, T0, "email", "dated, later")), type, "{\"v\":2}");

    assertEquals(new WriteResult(1, 1, 0), result,
        "WriteResult: an undated row does not replace a dated one, a dated row replaces an undated one");
    List<Map<String, Object>> rows = rows(type);
    assertValue(type, rows.get(0), "email", "dated");
    assertValue(type, rows.get(0), SystemColumns.UPDATED_AT, T1);
    assertValue(type, rows.get(1), "email", "dated, later");
    assertValue(type, rows.get(1), SystemColumns.UPDATED_AT, T0);
  }

  // ---------------------------------------------------------------------------------------------
  // Schema drift and identifiers

  /** Columns added later appear after the stored ones; old rows read null there; evolve is idempotent. */
  @Test
  void evolveAddsColumnsLaterAndIsIdempotent() throws Exception {
    String type = "evolve_contacts";
    List<ColumnMapping> before = evolveTo(type, property("email", "string")).columnsAfter();
    write(batch(type, before, record(1, T1, "email", "a@example.com")), type, "{\"v\":1}");

    SchemaDrift drift = evolveTo(type, property("email", "string"), property("phone", "string"),
        property("score", "number"));
    List<ColumnMapping> after = drift.columnsAfter();
    assertEquals(after, sink.describe(type), "describe() after adding columns: stored ones first, then the added");
    sink.evolve(type, drift.added());
    sink.evolve(type, before);
    sink.evolve(type, List.of());
    assertEquals(after, sink.describe(type), "describe() after evolve() was given columns the table already has");

    WriteResult result = write(batch(type, after, record(2, T1, "email", "b@example.com", "phone", "555", "score",
        "7")), type, "{\"v\":2}");

    assertEquals(new WriteResult(1, 0, 0), result, "WriteResult of a batch with the added columns");
    List<Map<String, Object>> rows = rows(type);
    assertEquals(List.of(1L, 2L), ids(rows), "ids in " + type);
    assertValue(type, rows.get(0), "email", "a@example.com");
    assertValue(type, rows.get(0), "phone", null);
    assertValue(type, rows.get(0), "score", null);
    assertValue(type, rows.get(1), "phone", "555");
    assertValue(type, rows.get(1), "score", 7.0);
  }

  /**
   * A property whose HubSpot type changed keeps its column and type; a removed property keeps its
   * column; a batch built from the stored mapping loads, values that do not fit going to
   * {@code _hs_unparsed}.
   */
  @Test
  void aRetypedPropertyKeepsItsStoredColumnTypeAndStillLoads() throws Exception {
    String type = "retype_contacts";
    List<ColumnMapping> stored = evolveTo(type, property("score", "number"), property("note", "string"),
        property("old_prop", "string")).columnsAfter();
    write(batch(type, stored, record(1, T1, "score", "12.5", "note", "n1", "old_prop", "kept")), type, "{\"v\":1}");

    SchemaDrift drift = evolveTo(type, property("score", "string"), property("note", "string"));
    assertEquals(stored, sink.describe(type),
        "describe() after the portal retyped 'score' and removed 'old_prop': the stored mapping, unchanged");
    ColumnMapping score = stored.stream().filter(m -> m.property().equals("score")).findFirst().orElseThrow();
    sink.evolve(type, List.of(new ColumnMapping("score", score.column(), ColumnType.TEXT)));
    assertEquals(stored, sink.describe(type), "describe() after evolve() was given 'score' as TEXT: never retyped");

    WriteResult result = write(batch(type, drift.columnsAfter(),
        record(2, T1, "score", "high", "note", "n2"), record(3, T1, "score", "7.25")), type, "{\"v\":2}");

    assertEquals(new WriteResult(2, 0, 0), result, "WriteResult of a batch built from the stored mapping");
    List<Map<String, Object>> rows = rows(type);
    assertEquals(List.of(1L, 2L, 3L), ids(rows), "ids in " + type);
    assertValue(type, rows.get(0), "old_prop", "kept");
    assertValue(type, rows.get(1), score.column(), null);
    assertValue(type, rows.get(1), "note", "n2");
    assertValue(type, rows.get(1), "old_prop", null);
    assertJson(type, rows.get(1), SystemColumns.UNPARSED, "{\"score\":\"high\"}");
    assertValue(type, rows.get(2), score.column(), 7.25);
    assertValue(type, rows.get(2), SystemColumns.UNPARSED, null);
  }

  /**
   * Property names from portal admins, as hostile as they come, get columns through the
   * {@link ColumnNamer} for the sink's {@link WarehouseSink#maxIdentifierBytes()}; the sink stores
   * and returns the mapping exactly, and every column takes and returns its value.
   */
  @Test
  void describeRoundTripsHostilePropertyNames() throws Exception {
    String type = "hostile_contacts";
    int max = sink.maxIdentifierBytes();
    String longName = "long_" + "x".repeat(max);
    List<PropertyDefinition> live = List.of(
        property("\"; drop table x; --", "string"),
        property("'; delete from _hubspot_sync_state; --", "string"),
        property("it's a \"quoted\" `name` \\ with [brackets]", "string"),
        property("Prénom Ünïcødé Straße", "string"),
        property("名前", "string"),
        property("emoji 🚀", "string"),
        property("new\nline\ttab", "string"),
        property("select", "number"),
        property("from", "datetime"),
        property("order", "date"),
        property("user", "bool"),
        property("table", "string"),
        property("id", "string"),
        property(SystemColumns.UPDATED_AT, "string"),
        property("First Name", "string"),
        property("first-name", "string"),
        property("first_name", "string"),
        property("Email", "string"),
        property("email", "string"),
        property("123 starts with a digit", "string"),
        property(longName, "string"),
        property(longName + "_other", "string"));

    SchemaDrift drift = evolveTo(type, live.toArray(new PropertyDefinition[0]));
    List<ColumnMapping> columns = drift.columnsAfter();
    assertEquals(columns, sink.describe(type), "describe() of a table with hostile property names");
    Set<String> folded = new HashSet<>();
    for (ColumnMapping m : columns) {
      assertTrue(m.column().getBytes(StandardCharsets.UTF_8).length <= max,
          () -> "column " + m.column() + " is longer than maxIdentifierBytes() = " + max);
      assertTrue(folded.add(m.column().toLowerCase(Locale.ROOT)), () -> "two columns named " + m.column());
    }

    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < live.size(); i++) {
      PropertyDefinition p = live.get(i);
      switch (p.type()) {
        case "number": values.put(p.name(), i + ".5"); break;
        case "datetime": values.put(p.name(), "2026-01-02T03:04:05.00000" + (i % 10) + "Z"); break;
        case "date": values.put(p.name(), "2026-01-" + (10 + i)); break;
        case "bool": values.put(p.name(), "true"); break;
        default: values.put(p.name(), "value of " + p.name());
      }
    }
    RecordBatch batch = batch(type, columns, new CrmRecord(1, values, CREATED, T1, false, null));
    WriteResult result = write(batch, type, "{\"v\":1}");

    assertEquals(new WriteResult(1, 0, 0), result, "WriteResult of a row with a value in every hostile column");
    Map<String, Object> row = row(type, 1);
    for (ColumnMapping m : columns) {
      Object expected = batch.value(0, m.column());
      assertNotNull(expected, "test setup: a value for property " + m.property());
      assertValue(type, row, m.column(), expected);
    }
    assertValue(type, row, SystemColumns.UNPARSED, null);
    SchemaDrift again = SchemaDrift.analyze(type, live, sink.describe(type), namer());
    assertTrue(again.isEmpty(), () -> "a second run against the stored mapping finds no drift, but found:\n"
        + again.describe());
  }

  /** Custom object types reach the sink as ids like {@code 2-90001}, which are not plain identifiers. */
  @Test
  void aCustomObjectTypeIdWorksAsATableName() throws Exception {
    String type = "2-90001";
    String contacts = "custom_contacts";
    List<ColumnMapping> columns = evolveTo(type, property("name", "string")).columnsAfter();
    assertEquals(columns, sink.describe(type), "describe() of object type " + type);

    write(batch(type, columns, record(1, T1, "name", "first")), type, "{\"v\":1}");
    LinkBatch links = new LinkBatch(contacts, type, List.of(5L), List.of(new LinkRow(5, 1, 33, "USER_DEFINED", null)),
        SYNCED_1);
    sink.replaceAssociations(links, new Checkpoint(links.pair(), "{\"v\":1}"));

    List<Map<String, Object>> rows = rows(type);
    assertEquals(List.of(1L), ids(rows), "ids in " + type);
    assertValue(type, rows.get(0), "name", "first");
    assertEquals(List.of(new LinkRow(5, 1, 33, "USER_DEFINED", null)), links(contacts, type),
        "links of " + links.pair());
    assertCheckpoint(type, "{\"v\":1}");
    assertCheckpoint(links.pair(), "{\"v\":1}");
  }

  /** Each column type keeps its value exactly, at its edges, and null. */
  @Test
  void everyColumnTypeRoundTripsIncludingNull() throws Exception {
    String type = "types_contacts";
    List<ColumnMapping> columns = evolveTo(type, property("t_text", "string"), property("t_number", "number"),
        property("t_bool", "bool"), property("t_date", "date"), property("t_datetime", "datetime")).columnsAfter();
    String unicode = "Zoë ‘curly’ \"double\" 'single' \\ back 名前 🚀 \r\n\ttab";
    String longText = "long text " + "Zoë 🚀 名前 abc ".repeat(10_000);

    WriteResult result = write(batch(type, columns,
        record(1, T1, "t_text", "plain", "t_number", "-12.5", "t_bool", "true", "t_date", "1990-04-01",
            "t_datetime", "2026-02-28T23:30:00.123456+01:00"),
        record(2, T1, "t_text", unicode, "t_number", "0.000000001", "t_bool", "false", "t_date", "1969-12-31",
            "t_datetime", "1969-07-20T20:17:40.000001Z"),
        record(3, T1, "t_text", longText, "t_number", "12345678901234567890123456789.123456789",
            "t_date", "1900-01-01", "t_datetime", "1772400000000"),
        record(4, T1),
        record(5, T1, "t_text", "  padded  ", "t_number", "-99999999999999999999999999999.999999999",
            "t_bool", "TRUE", "t_date", "9999-12-31", "t_datetime", "9999-12-31T23:59:59.999999Z"),
        record(BIG_ID, T1, "t_text", "big id", "t_number", "0")), type, "{\"v\":1}");

    assertEquals(new WriteResult(6, 0, 0), result, "WriteResult of six rows");
    List<Map<String, Object>> rows = rows(type);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, BIG_ID), ids(rows), "ids in " + type);
    assertRow(type, rows.get(0), "plain", -12.5, true, LocalDate.of(1990, 4, 1),
        Instant.parse("2026-02-28T22:30:00.123456Z"));
    assertRow(type, rows.get(1), unicode, 1e-9, false, LocalDate.of(1969, 12, 31),
        Instant.parse("1969-07-20T20:17:40.000001Z"));
    assertRow(type, rows.get(2), longText, 1.2345678901234568e28, null,
        LocalDate.of(1900, 1, 1), Instant.ofEpochMilli(1_772_400_000_000L));
    assertRow(type, rows.get(3), null, null, null, null, null);
    assertRow(type, rows.get(4), "  padded  ", -1e29, true,
        LocalDate.of(9999, 12, 31), Instant.parse("9999-12-31T23:59:59.999999Z"));
    assertRow(type, rows.get(5), "big id", 0.0, null, null, null);
    for (Map<String, Object> row : rows) {
      assertValue(type, row, SystemColumns.UNPARSED, null);
      assertValue(type, row, SystemColumns.CREATED_AT, CREATED);
    }
  }

  /**
   * HubSpot's numbers are doubles, sent in full (calculated properties such as
   * {@code hs_deal_stage_probability}): each lands as the nearest double and reads back bit for bit;
   * text beyond a double's range goes to {@code _hs_unparsed} (issue 12).
   */
  @Test
  void hubSpotDoublesRoundTripExactly() throws Exception {
    String type = "doubles_deals";
    List<ColumnMapping> columns = evolveTo(type, property("p", "number")).columnsAfter();
    assertEquals(List.of(new ColumnMapping("p", "p", ColumnType.DOUBLE)), sink.describe(type),
        "describe() of a number property's column");
    String[] sent = {"0.5476861596107483", "1.2000000000000002",
        "0.200000000000000011102230246251565404236316680908203125", "9007199254740993", "1.7976931348623157e308",
        "4.9e-324", "-2.5E-7", "1e400"};
    double[] expected = {0.5476861596107483, 1.2000000000000002, 0.2, 9007199254740992.0, Double.MAX_VALUE,
        Double.MIN_VALUE, -2.5e-7};
    CrmRecord[] records = new CrmRecord[sent.length];
    for (int i = 0; i < sent.length; i++) {
      records[i] = record(i + 1, T1, "p", sent[i]);
    }
    write(batch(type, columns, records), type, "{\"v\":1}");

    List<Map<String, Object>> rows = rows(type);
    for (int i = 0; i < expected.length; i++) {
      assertValue(type, rows.get(i), "p", expected[i]);
      assertValue(type, rows.get(i), SystemColumns.UNPARSED, null);
    }
    assertValue(type, rows.get(expected.length), "p", null);
    assertJson(type, rows.get(expected.length), SystemColumns.UNPARSED, "{\"p\":\"1e400\"}");
  }

  /**
   * A number column made before numbers were doubles ({@code DECIMAL}) is converted to
   * {@code DOUBLE}: by {@code evolve} when given as DOUBLE ({@code evolveStatements} lists it
   * first, changing nothing), or before the first write of a batch that has it as DOUBLE. Stored
   * values become doubles; the mapping says DOUBLE afterwards.
   */
  @Test
  void aLegacyDecimalColumnIsConvertedToDouble() throws Exception {
    String type = "legacy_deals";
    List<ColumnMapping> legacy = List.of(new ColumnMapping("amount", "amount", ColumnType.DECIMAL),
        new ColumnMapping("score", "score", ColumnType.DECIMAL), new ColumnMapping("note", "note", ColumnType.TEXT));
    sink.evolve(type, legacy);
    write(batch(type, legacy, record(1, T1, "amount", "12.5", "score", "0.123456789", "note", "old"),
        record(2, T1, "amount", "0.5476861596107483", "score", "-3")), type, "{\"v\":1}");
    assertValue(type, row(type, 1), "amount", new BigDecimal("12.5"));
    assertJson(type, row(type, 2), SystemColumns.UNPARSED, "{\"amount\":\"0.5476861596107483\"}");

    SchemaDrift drift = SchemaDrift.analyze(type, List.of(property("amount", "number"), property("score", "number"),
        property("note", "string")), sink.describe(type), namer());
    assertEquals(legacy.subList(0, 2).stream().map(m -> new ColumnMapping(m.property(), m.column(), ColumnType.DOUBLE))
        .toList(), drift.converted(), "SchemaDrift.converted() of the legacy DECIMAL columns");
    List<ColumnMapping> score = List.of(drift.converted().get(1));
    assertEquals(1, sink.evolveStatements(type, score).size(), "evolveStatements() for converting 'score'");
    assertEquals(legacy, sink.describe(type), "describe() after evolveStatements(), which changes nothing");

    sink.evolve(type, score);
    assertEquals(List.of(legacy.get(0), score.get(0), legacy.get(2)), sink.describe(type),
        "describe() after evolve() was given 'score' as DOUBLE");
    assertEquals(List.of(), sink.evolveStatements(type, score), "evolveStatements() once 'score' is DOUBLE");
    assertValue(type, row(type, 1), "score", 0.123456789);
    assertValue(type, row(type, 2), "score", -3.0);
    assertValue(type, row(type, 1), "amount", new BigDecimal("12.5"));

    // 'amount' is still DECIMAL: the first write of a batch that has it as DOUBLE converts it.
    WriteResult result = write(batch(type, drift.columnsAfter(), record(3, T1, "amount", "0.5476861596107483",
        "score", "1.2000000000000002")), type, "{\"v\":2}");

    assertEquals(new WriteResult(1, 0, 0), result, "WriteResult of the batch with the converted columns");
    assertEquals(drift.columnsAfter(), sink.describe(type), "describe() after the write converted 'amount'");
    assertValue(type, row(type, 1), "amount", 12.5);
    assertValue(type, row(type, 1), "note", "old");
    assertValue(type, row(type, 3), "amount", 0.5476861596107483);
    assertValue(type, row(type, 3), "score", 1.2000000000000002);
    assertValue(type, row(type, 3), SystemColumns.UNPARSED, null);
    assertCheckpoint(type, "{\"v\":2}");
  }

  /**
   * Regression for issue 12, end to end: a FakeHubSpot portal whose number property holds doubles
   * in full, synced over HTTP by {@link SyncJob}. Each value is in its {@code DOUBLE} column as the
   * double HubSpot holds; none is in {@code _hs_unparsed}.
   */
  @Test
  void numbersSyncedFromHubSpotAreExactDoubles() throws Exception {
    try (FakeHubSpot hubspot = numbersPortal()) {
      sync(hubspot);

      assertTrue(sink.describe("deals").containsAll(List.of(new ColumnMapping("amount", "amount", ColumnType.DOUBLE),
          new ColumnMapping(PROBABILITY, PROBABILITY, ColumnType.DOUBLE))), "describe() of deals: number columns DOUBLE");
      assertSyncedNumbers(hubspot);
    }
  }

  /**
   * A table whose number columns an earlier version made {@code DECIMAL} (its old rows too): the
   * next sync converts the columns to {@code DOUBLE}, old values become doubles, and the values the
   * old version kept in {@code _hs_unparsed} arrive in their columns.
   */
  @Test
  void aSyncConvertsLegacyDecimalColumnsKeepingTheirValues() throws Exception {
    try (FakeHubSpot hubspot = numbersPortal()) {
      List<Long> deals = hubspot.portal().ids("deals");
      List<ColumnMapping> legacy = List.of(new ColumnMapping("amount", "amount", ColumnType.DECIMAL),
          new ColumnMapping(PROBABILITY, PROBABILITY, ColumnType.DECIMAL));
      sink.evolve("deals", legacy);
      write(batch("deals", legacy, record(999, T1, "amount", "12.5", PROBABILITY, "0.25"),
          record(deals.get(0), T1, "amount", "3", PROBABILITY, NUMBERS_SENT.get(0))), "legacy_run", "{}");
      assertJson("deals", row("deals", deals.get(0)), SystemColumns.UNPARSED,
          JSON.writeValueAsString(Map.of(PROBABILITY, NUMBERS_SENT.get(0))));

      SyncReport report = sync(hubspot);

      assertTrue(report.stream("deals").drift().containsAll(List.of("deals: amount converted from DECIMAL to DOUBLE",
          "deals: " + PROBABILITY + " converted from DECIMAL to DOUBLE")), () -> "drift reported: "
          + report.stream("deals").drift());
      assertEquals(legacy.stream().map(m -> new ColumnMapping(m.property(), m.column(), ColumnType.DOUBLE)).toList(),
          sink.describe("deals").subList(0, 2), "describe() of deals after the sync: the legacy columns are DOUBLE");
      assertSyncedNumbers(hubspot);
      // A row HubSpot no longer serves keeps its values, now doubles.
      assertValue("deals", row("deals", 999), "amount", 12.5);
      assertValue("deals", row("deals", 999), PROBABILITY, 0.25);
    }
  }

  /**
   * A text value the warehouse cannot hold as it is (a NUL character: PostgreSQL rejects it) is
   * either stored as it is or changed to fit and counted in {@link WriteResult#valuesCleaned()};
   * the rest of the row is written either way.
   */
  @Test
  void aValueTheWarehouseCannotHoldIsStoredOrCleanedAndCounted() throws Exception {
    String type = "cleaned_contacts";
    List<ColumnMapping> columns = evolveTo(type, property("note", "string"), property("other", "string"))
        .columnsAfter();
    String withNul = "before\u0000after";

    WriteResult result = write(batch(type, columns, record(1, T1, "note", withNul, "other", "fine")), type,
        "{\"v\":1}");

    assertEquals(1, result.written(), "rows written: " + result);
    assertEquals(0, result.skippedOlder(), "rows skipped: " + result);
    Map<String, Object> row = row(type, 1);
    Object stored = row.get("note");
    if (withNul.equals(stored)) {
      assertEquals(0, result.valuesCleaned(), "valuesCleaned when the value was stored unchanged");
    } else {
      assertEquals(1, result.valuesCleaned(), "valuesCleaned when the stored value (" + stored + ") differs");
      assertInstanceOf(String.class, stored, "a cleaned value is still stored as text");
    }
    assertValue(type, row, "other", "fine");
    assertCheckpoint(type, "{\"v\":1}");
  }

  // ---------------------------------------------------------------------------------------------
  // Checkpoints

  /** Each write stores its own stream's checkpoint; streams do not overwrite each other; empty batches count. */
  @Test
  void checkpointsAreStoredWithTheirWritesPerStream() throws Exception {
    String type = "checkpoint_contacts";
    String other = "checkpoint_companies";
    String archived = type + ".archived";
    List<ColumnMapping> columns = evolveTo(type, property("name", "string")).columnsAfter();
    List<ColumnMapping> otherColumns = evolveTo(other, property("name", "string")).columnsAfter();
    assertEquals(Optional.empty(), sink.checkpoint(type), "checkpoint of a stream never written");

    write(batch(type, columns, record(1, T1)), type, "{\"after\":1}");
    write(batch(type, columns, record(2, T1)), archived, "{\"page\":1,\"note\":\"Zoë \\\"q\\\" 名前\"}");
    write(batch(other, otherColumns, record(9, T1)), other, "{\"after\":9}");
    write(batch(type, columns), type, "{\"after\":\"9007199254740993\",\"window\":[1,2],\"done\":false}");

    assertCheckpoint(type, "{\"after\":\"9007199254740993\",\"window\":[1,2],\"done\":false}");
    assertCheckpoint(archived, "{\"page\":1,\"note\":\"Zoë \\\"q\\\" 名前\"}");
    assertCheckpoint(other, "{\"after\":9}");
    assertEquals(Optional.empty(), sink.checkpoint("checkpoint_deals"), "checkpoint of a stream never written");
    assertEquals(List.of(1L, 2L), ids(rows(type)), "ids in " + type);
    assertEquals(List.of(9L), ids(rows(other)), "ids in " + other);
  }

  // ---------------------------------------------------------------------------------------------
  // Archived rows

  /** Archived records are rows with _hs_archived = true; ids lists them apart; a restore clears the flag. */
  @Test
  void archivedRowsAreKeptFlaggedAndListedApart() throws Exception {
    String type = "archive_contacts";
    Instant archivedAt = Instant.parse("2026-03-01T10:30:00.000001Z");
    List<ColumnMapping> columns = evolveTo(type, property("email", "string")).columnsAfter();
    write(batch(type, columns,
        record(30, T1, "email", "c@example.com"),
        record(10, T1, "email", "a@example.com"),
        archivedRecord(25, T1, archivedAt, "email", "gone@example.com"),
        record(20, T1, "email", "b@example.com"),
        archivedRecord(5, T1, archivedAt)), type, "{\"v\":1}");

    Map<String, Object> gone = row(type, 25);
    assertValue(type, gone, SystemColumns.ARCHIVED, true);
    assertValue(type, gone, SystemColumns.ARCHIVED_AT, archivedAt);
    assertValue(type, gone, "email", "gone@example.com");
    assertValue(type, row(type, 10), SystemColumns.ARCHIVED, false);
    assertValue(type, row(type, 10), SystemColumns.ARCHIVED_AT, null);
    if (supportsIds()) {
      assertArrayEquals(new long[] {10, 20, 30}, sink.ids(type, false), "ids(" + type + ", false)");
      assertArrayEquals(new long[] {5, 25}, sink.ids(type, true), "ids(" + type + ", true)");
      assertArrayEquals(new long[0], sink.ids("archive_absent", false), "ids() of a table that does not exist");
    } else {
      assertThrows(UnsupportedOperationException.class, () -> sink.ids(type, false),
          "ids() of a sink whose test says supportsIds() is false");
    }

    write(batch(type, columns, SYNCED_2, RUN_2, record(25, T2, "email", "back@example.com")), type, "{\"v\":2}");

    Map<String, Object> restored = row(type, 25);
    assertValue(type, restored, SystemColumns.ARCHIVED, false);
    assertValue(type, restored, SystemColumns.ARCHIVED_AT, null);
    assertValue(type, restored, "email", "back@example.com");
    if (supportsIds()) {
      assertArrayEquals(new long[] {10, 20, 25, 30}, sink.ids(type, false), "ids(" + type + ", false) after a restore");
      assertArrayEquals(new long[] {5}, sink.ids(type, true), "ids(" + type + ", true) after a restore");
    }
  }

  /** markArchived flags existing live rows only, touches nothing else, and counts what it changed. */
  @Test
  void markArchivedChangesOnlyExistingLiveRows() throws Exception {
    String type = "mark_contacts";
    Instant earlier = Instant.parse("2026-02-01T00:00:00.000001Z");
    Instant at = Instant.parse("2026-03-05T12:00:00.654321Z");
    List<ColumnMapping> columns = evolveTo(type, property("email", "string")).columnsAfter();
    write(batch(type, columns,
        record(1, T1, "email", "a@example.com"),
        record(2, T1, "email", "b@example.com"),
        archivedRecord(3, T1, earlier, "email", "c@example.com")), type, "{\"v\":1}");
    List<Map<String, Object>> before = rows(type);

    if (!supportsIds()) {
      assertThrows(UnsupportedOperationException.class, () -> sink.markArchived(type, List.of(2L), at),
          "markArchived() of a sink whose test says supportsIds() is false");
      assertEquals(before, rows(type), "rows after an unsupported markArchived()");
      return;
    }
    int changed = sink.markArchived(type, List.of(2L, 3L, 404L), at);

    assertEquals(1, changed, "markArchived(" + type + ", [2, 3, 404]): only row 2 exists and is live");
    List<Map<String, Object>> after = rows(type);
    assertEquals(List.of(1L, 2L, 3L), ids(after), "ids after markArchived: no row is created for 404");
    assertEquals(before.get(0), after.get(0), "row 1, not listed, is unchanged");
    assertValue(type, after.get(1), SystemColumns.ARCHIVED, true);
    assertValue(type, after.get(1), SystemColumns.ARCHIVED_AT, at);
    assertEquals(withoutArchiveFlags(before.get(1)), withoutArchiveFlags(after.get(1)),
        "row 2's columns besides _hs_archived and _hs_archived_at");
    assertEquals(before.get(2), after.get(2), "row 3, already archived, is unchanged");
    assertEquals(0, sink.markArchived(type, List.of(2L), at.plusSeconds(60)), "markArchived of an archived row");
    assertValue(type, row(type, 2), SystemColumns.ARCHIVED_AT, at);
    assertEquals(0, sink.markArchived(type, List.of(), at), "markArchived of no ids");
    assertArrayEquals(new long[] {2, 3}, sink.ids(type, true), "ids(" + type + ", true)");
    assertArrayEquals(new long[] {1}, sink.ids(type, false), "ids(" + type + ", false)");
  }

  /** updatedAt gives the stored modified date of live rows only; unknown and archived ids are absent. */
  @Test
  void updatedAtGivesTheModifiedDatesOfLiveRows() throws Exception {
    String type = "dated_contacts";
    List<ColumnMapping> columns = evolveTo(type, property("email", "string")).columnsAfter();
    write(batch(type, columns,
        record(1, T1, "email", "a@example.com"),
        record(2, T2, "email", "b@example.com"),
        archivedRecord(3, T2, T1, "email", "c@example.com")), type, "{\"v\":1}");
    if (!supportsIds()) {
      assertThrows(UnsupportedOperationException.class, () -> sink.updatedAt(type, List.of(1L)),
          "updatedAt() of a sink whose test says supportsIds() is false");
      return;
    }
    assertEquals(Map.of(1L, T1, 2L, T2), sink.updatedAt(type, List.of(1L, 2L, 3L, 404L)),
        "updatedAt(" + type + ", [1, 2, 3, 404]): 3 is archived, 404 has no row");
    assertEquals(Map.of(), sink.updatedAt(type, List.of()), "updatedAt of no ids");
    assertEquals(Map.of(), sink.updatedAt("no_such_table", List.of(1L)), "updatedAt of a type without a table");
  }

  // ---------------------------------------------------------------------------------------------
  // GDPR erasure

  /**
   * erase in mode ERASE deletes the listed rows and every link of theirs, as parent and as target,
   * in every link table of the type; other rows and other types' links stay; a second call changes
   * nothing.
   */
  @Test
  void eraseDeletesTheRowsAndTheirLinksInEveryLinkTable() throws Exception {
    String contacts = "gdpr_contacts";
    String deals = "gdpr_deals";
    String companies = "gdpr_companies";
    Instant at = Instant.parse("2026-03-07T08:00:00.000001Z");
    List<ColumnMapping> columns = evolveTo(contacts, property("email", "string")).columnsAfter();
    write(batch(contacts, columns,
        record(1, T1, "email", "a@example.com"),
        record(2, T1, "email", "b@example.com"),
        record(BIG_ID, T1, "email", "big@example.com")), contacts, "{\"v\":1}");
    LinkRow oneToDeal = new LinkRow(1, 100, 3, "HUBSPOT_DEFINED", null);
    LinkRow twoToDeal = new LinkRow(2, 100, 3, "HUBSPOT_DEFINED", null);
    LinkRow dealToOne = new LinkRow(100, 1, 4, "HUBSPOT_DEFINED", null);
    LinkRow dealToBig = new LinkRow(100, BIG_ID, 4, "HUBSPOT_DEFINED", null);
    LinkRow dealToCompany = new LinkRow(100, 1, 5, "HUBSPOT_DEFINED", null);
    sink.replaceAssociations(new LinkBatch(contacts, deals, List.of(1L, 2L), List.of(oneToDeal, twoToDeal), SYNCED_1),
        new Checkpoint(LinkBatch.pair(contacts, deals), "{\"v\":1}"));
    sink.replaceAssociations(new LinkBatch(deals, contacts, List.of(100L), List.of(dealToOne, dealToBig), SYNCED_1),
        new Checkpoint(LinkBatch.pair(deals, contacts), "{\"v\":1}"));
    sink.replaceAssociations(new LinkBatch(deals, companies, List.of(100L), List.of(dealToCompany), SYNCED_1),
        new Checkpoint(LinkBatch.pair(deals, companies), "{\"v\":1}"));
    List<Map<String, Object>> before = rows(contacts);

    if (!supportsErase()) {
      assertThrows(UnsupportedOperationException.class,
          () -> sink.erase(contacts, List.of(1L), GdprMode.ERASE, at), "erase() of a sink whose test says supportsErase() is false");
      assertEquals(before, rows(contacts), "rows after an unsupported erase()");
      return;
    }
    assertEquals(2, sink.erase(contacts, List.of(1L, BIG_ID, 404L), GdprMode.ERASE, at),
        "erase(" + contacts + ", [1, " + BIG_ID + ", 404], ERASE): rows 1 and " + BIG_ID + " exist");

    assertEquals(List.of(2L), ids(rows(contacts)), "ids of " + contacts + " after rows 1 and " + BIG_ID + " were erased");
    assertEquals(before.get(1), row(contacts, 2), "row 2, not listed, is unchanged");
    assertEquals(List.of(twoToDeal), links(contacts, deals), "links of " + LinkBatch.pair(contacts, deals)
        + ": the erased parent's are gone");
    assertEquals(List.of(), links(deals, contacts), "links of " + LinkBatch.pair(deals, contacts)
        + ": links to the erased targets are gone");
    assertEquals(List.of(dealToCompany), links(deals, companies), "links of " + LinkBatch.pair(deals, companies)
        + ", a pair without " + contacts + ", whose ids match by chance");
    assertEquals(0, sink.erase(contacts, List.of(1L, BIG_ID), GdprMode.ERASE, at), "erase of rows already erased");
    assertEquals(0, sink.erase(contacts, List.of(), GdprMode.ERASE, at), "erase of no ids");
    assertEquals(0, sink.erase("gdpr_absent", List.of(1L), GdprMode.ERASE, at), "erase in a type without a table");
    if (supportsIds()) {
      assertArrayEquals(new long[] {2}, sink.ids(contacts, false), "ids(" + contacts + ", false) after erase");
    }
  }

  /**
   * erase in mode NULL_OUT keeps the row with its property columns and {@code _hs_unparsed} null,
   * archived, and {@code _hs_gdpr_deleted_at} set (a column the other rows then have as null); an
   * earlier archive date stays; the links of the row go.
   */
  @Test
  void nullOutKeepsTheRowWithoutItsPersonalData() throws Exception {
    String contacts = "nulled_contacts";
    String deals = "nulled_deals";
    Instant at = Instant.parse("2026-03-07T08:00:00.000001Z");
    Instant earlier = Instant.parse("2026-02-01T00:00:00.000001Z");
    List<ColumnMapping> columns = evolveTo(contacts, property("email", "string"), property("firstname", "string"))
        .columnsAfter();
    write(batch(contacts, columns,
        record(1, T1, "email", "a@example.com", "firstname", "Ada"),
        record(2, T1, "email", "b@example.com", "firstname", "Bob"),
        archivedRecord(3, T1, earlier, "email", "c@example.com")), contacts, "{\"v\":1}");
    LinkRow oneToDeal = new LinkRow(1, 100, 3, "HUBSPOT_DEFINED", null);
    LinkRow twoToDeal = new LinkRow(2, 100, 3, "HUBSPOT_DEFINED", null);
    sink.replaceAssociations(new LinkBatch(contacts, deals, List.of(1L, 2L), List.of(oneToDeal, twoToDeal), SYNCED_1),
        new Checkpoint(LinkBatch.pair(contacts, deals), "{\"v\":1}"));
    Map<String, Object> two = row(contacts, 2);
    if (!supportsErase()) {
      assertThrows(UnsupportedOperationException.class,
          () -> sink.erase(contacts, List.of(1L), GdprMode.NULL_OUT, at), "erase() of a sink whose test says supportsErase() is false");
      return;
    }

    assertEquals(2, sink.erase(contacts, List.of(1L, 3L, 404L), GdprMode.NULL_OUT, at),
        "erase(" + contacts + ", [1, 3, 404], NULL_OUT): rows 1 and 3 exist");

    assertEquals(List.of(1L, 2L, 3L), ids(rows(contacts)), "ids of " + contacts + ": nulled rows stay");
    Map<String, Object> one = row(contacts, 1);
    assertValue(contacts, one, "email", null);
    assertValue(contacts, one, "firstname", null);
    assertValue(contacts, one, SystemColumns.UNPARSED, null);
    assertValue(contacts, one, SystemColumns.ARCHIVED, true);
    assertValue(contacts, one, SystemColumns.ARCHIVED_AT, at);
    assertValue(contacts, one, SystemColumns.GDPR_DELETED_AT, at);
    assertValue(contacts, one, SystemColumns.UPDATED_AT, T1);
    assertValue(contacts, one, SystemColumns.CREATED_AT, CREATED);
    Map<String, Object> three = row(contacts, 3);
    assertValue(contacts, three, "email", null);
    assertValue(contacts, three, SystemColumns.ARCHIVED_AT, earlier);
    assertValue(contacts, three, SystemColumns.GDPR_DELETED_AT, at);
    Map<String, Object> twoAfter = new HashMap<>(row(contacts, 2));
    assertValue(contacts, twoAfter, SystemColumns.GDPR_DELETED_AT, null);
    twoAfter.remove(SystemColumns.GDPR_DELETED_AT);
    assertEquals(two, twoAfter, "row 2, not listed, is unchanged");
    assertEquals(List.of(twoToDeal), links(contacts, deals), "links of " + LinkBatch.pair(contacts, deals)
        + ": the nulled-out parent's are gone");

    write(batch(contacts, columns, SYNCED_2, RUN_2, record(2, T2, "email", "new@example.com")), contacts, "{\"v\":2}");
    assertValue(contacts, row(contacts, 2), "email", "new@example.com");
    assertValue(contacts, row(contacts, 1), SystemColumns.GDPR_DELETED_AT, at);
  }

  // ---------------------------------------------------------------------------------------------
  // Associations

  /**
   * replaceAssociations creates the link table and replaces each listed parent's links: a parent
   * listed without links loses them, parents not listed keep theirs, labels and categories are
   * stored, and two type ids of one pair are two rows. The pair's checkpoint is stored with them.
   */
  @Test
  void replaceAssociationsReplacesTheLinksOfEachListedParent() throws Exception {
    String contacts = "assoc_contacts";
    String deals = "assoc_deals";
    String pair = LinkBatch.pair(contacts, deals);
    String reversePair = LinkBatch.pair(deals, contacts);
    String label = "Chef d'équipe \"A\" 名前";
    LinkRow oneDefault = new LinkRow(1, 100, 3, "HUBSPOT_DEFINED", null);
    LinkRow oneLabeled = new LinkRow(1, 100, 7, "USER_DEFINED", "Decision maker");
    LinkRow oneOther = new LinkRow(1, BIG_ID, 3, "HUBSPOT_DEFINED", null);
    LinkRow two = new LinkRow(2, 200, 3, "HUBSPOT_DEFINED", null);
    LinkRow four = new LinkRow(BIG_ID, 400, 9, "USER_DEFINED", label);
    LinkRow reverse = new LinkRow(100, 1, 4, "HUBSPOT_DEFINED", null);

    sink.replaceAssociations(new LinkBatch(contacts, deals, List.of(1L, 2L, 3L, BIG_ID),
        List.of(oneDefault, oneLabeled, oneOther, two, four), SYNCED_1), new Checkpoint(pair, "{\"after\":1}"));
    sink.replaceAssociations(new LinkBatch(deals, contacts, List.of(100L), List.of(reverse), SYNCED_1),
        new Checkpoint(reversePair, "{\"after\":100}"));

    assertEquals(sorted(List.of(oneDefault, oneLabeled, oneOther, two, four)), links(contacts, deals),
        "links of " + pair + " after the first batch");
    assertCheckpoint(pair, "{\"after\":1}");

    LinkRow oneNew = new LinkRow(1, 101, 3, "HUBSPOT_DEFINED", null);
    LinkRow three = new LinkRow(3, 300, 3, "HUBSPOT_DEFINED", null);
    LinkBatch second = new LinkBatch(contacts, deals, List.of(1L, 3L), List.of(oneNew, three), SYNCED_2);
    sink.replaceAssociations(second, new Checkpoint(pair, "{\"after\":3}"));
    assertEquals(sorted(List.of(oneNew, two, three, four)), links(contacts, deals),
        "links of " + pair + " after parents 1 and 3 were replaced: 2 and " + BIG_ID + " keep theirs");
    sink.replaceAssociations(second, new Checkpoint(pair, "{\"after\":3}"));
    assertEquals(sorted(List.of(oneNew, two, three, four)), links(contacts, deals),
        "links of " + pair + " after the same batch was replayed");

    sink.replaceAssociations(new LinkBatch(contacts, deals, List.of(2L), List.of(), SYNCED_2),
        new Checkpoint(pair, "{\"after\":4}"));

    assertEquals(sorted(List.of(oneNew, three, four)), links(contacts, deals),
        "links of " + pair + " after parent 2 was listed with no links");
    assertCheckpoint(pair, "{\"after\":4}");
    assertEquals(List.of(reverse), links(deals, contacts), "links of " + reversePair + ", another table");
    assertCheckpoint(reversePair, "{\"after\":100}");
  }

  /**
   * parentsLinkedTo lists, once each and ascending, the parents of one pair's link table that link
   * to any of the given targets; other pairs, unknown targets and a missing table give nothing.
   */
  @Test
  void parentsLinkedToListsTheParentsOfGivenTargets() throws Exception {
    String contacts = "target_contacts";
    String deals = "target_deals";
    String pair = LinkBatch.pair(contacts, deals);
    if (!supportsIds()) {
      assertThrows(UnsupportedOperationException.class, () -> sink.parentsLinkedTo(contacts, deals, List.of(1L)),
          "parentsLinkedTo() of a sink whose test says supportsIds() is false");
      return;
    }
    assertArrayEquals(new long[0], sink.parentsLinkedTo(contacts, deals, List.of(100L)),
        "parentsLinkedTo before " + pair + " has a link table");
    sink.replaceAssociations(new LinkBatch(contacts, deals, List.of(1L, 2L, 3L, BIG_ID),
        List.of(new LinkRow(1, 100, 3, "HUBSPOT_DEFINED", null), new LinkRow(1, 100, 7, "USER_DEFINED", "Champion"),
            new LinkRow(2, 200, 3, "HUBSPOT_DEFINED", null), new LinkRow(3, 100, 3, "HUBSPOT_DEFINED", null),
            new LinkRow(BIG_ID, BIG_ID, 3, "HUBSPOT_DEFINED", null)), SYNCED_1),
        new Checkpoint(pair, "{\"after\":1}"));
    sink.replaceAssociations(new LinkBatch(deals, contacts, List.of(100L),
        List.of(new LinkRow(100, 9, 4, "HUBSPOT_DEFINED", null)), SYNCED_1), new Checkpoint("reverse", "{}"));

    assertArrayEquals(new long[] {1, 3}, sink.parentsLinkedTo(contacts, deals, List.of(100L, 404L)),
        "parents of " + pair + " linked to deal 100 (parent 1 twice, by two type ids)");
    assertArrayEquals(new long[] {2, BIG_ID}, sink.parentsLinkedTo(contacts, deals, List.of(200L, BIG_ID)),
        "parents of " + pair + " linked to deals 200 and " + BIG_ID);
    assertArrayEquals(new long[0], sink.parentsLinkedTo(contacts, deals, List.of(9L)),
        "parents of " + pair + " linked to 9, which only the reverse pair holds");
    assertArrayEquals(new long[0], sink.parentsLinkedTo(contacts, deals, List.of()), "parentsLinkedTo of no ids");
  }

  /**
   * links reads back every stored link of the given parents of one pair's link table, all columns;
   * other parents, other pairs, unknown parents and a missing table give nothing.
   */
  @Test
  void linksReadsBackTheStoredLinksOfGivenParents() throws Exception {
    String contacts = "read_contacts";
    String deals = "read_deals";
    String pair = LinkBatch.pair(contacts, deals);
    if (!supportsIds()) {
      assertThrows(UnsupportedOperationException.class, () -> sink.links(contacts, deals, List.of(1L)),
          "links() of a sink whose test says supportsIds() is false");
      return;
    }
    assertEquals(List.of(), sink.links(contacts, deals, List.of(1L)), "links before " + pair + " has a link table");
    LinkRow champion = new LinkRow(1, 100, 7, "USER_DEFINED", "Champion");
    LinkRow plain = new LinkRow(1, 100, 3, "HUBSPOT_DEFINED", null);
    LinkRow big = new LinkRow(BIG_ID, BIG_ID, 3, "HUBSPOT_DEFINED", null);
    sink.replaceAssociations(new LinkBatch(contacts, deals, List.of(1L, 2L, BIG_ID),
        List.of(plain, champion, new LinkRow(2, 200, 3, "HUBSPOT_DEFINED", null), big), SYNCED_1),
        new Checkpoint(pair, "{\"after\":1}"));
    sink.replaceAssociations(new LinkBatch(deals, contacts, List.of(1L),
        List.of(new LinkRow(1, 9, 4, "HUBSPOT_DEFINED", null)), SYNCED_1), new Checkpoint("reverse", "{}"));

    assertEquals(sorted(List.of(plain, champion, big)), sorted(sink.links(contacts, deals, List.of(1L, BIG_ID, 404L))),
        "the links of parents 1 and " + BIG_ID + " of " + pair + ", labels and categories included");
    assertEquals(List.of(), sink.links(contacts, deals, List.of(9L)), "links of a parent " + pair + " lacks");
    assertEquals(List.of(), sink.links(contacts, deals, List.of()), "links of no parents");
  }

  // ---------------------------------------------------------------------------------------------
  // Crashes

  /**
   * A crash after the rows are written but before the commit: on a {@link SupportsTransactions}
   * sink neither rows nor checkpoint change; on any sink the checkpoint does not run ahead of the
   * rows, and a retry of the same batch succeeds without duplicates.
   */
  @Test
  void aCrashBeforeCommitLeavesRowsAndCheckpointTogether() throws Exception {
    String type = "crash_contacts";
    List<ColumnMapping> columns = evolveTo(type, property("email", "string")).columnsAfter();
    write(batch(type, columns, record(1, T1, "email", "a@example.com")), type, "{\"v\":1}");
    List<Map<String, Object>> before = rows(type);
    RecordBatch next = batch(type, columns, SYNCED_2, RUN_2,
        record(1, T2, "email", "changed@example.com"), record(2, T2, "email", "b@example.com"));
    Checkpoint nextCheckpoint = new Checkpoint(type, "{\"v\":2}");

    armCrashBeforeCommit(sink, type);
    assertThrows(RuntimeException.class, () -> sink.write(next, nextCheckpoint),
        "write() after armCrashBeforeCommit(" + type + ")");

    if (supportsTransactions()) {
      assertEquals(before, rows(type), "rows after a crash before commit (SupportsTransactions: both or neither)");
      assertCheckpoint(type, "{\"v\":1}");
    } else if (isCheckpoint(type, "{\"v\":2}")) {
      List<Map<String, Object>> rows = rows(type);
      assertEquals(List.of(1L, 2L), ids(rows), "the checkpoint advanced after a crash, so the rows must be there");
      assertValue(type, rows.get(0), "email", "changed@example.com");
    }
    WriteResult retry = sink.write(next, nextCheckpoint);

    assertEquals(new WriteResult(2, 0, 0), retry, "WriteResult of the retried write");
    List<Map<String, Object>> rows = rows(type);
    assertEquals(List.of(1L, 2L), ids(rows), "ids in " + type + " after the retry");
    assertValue(type, rows.get(0), "email", "changed@example.com");
    assertValue(type, rows.get(1), "email", "b@example.com");
    assertCheckpoint(type, "{\"v\":2}");
  }

  /** As {@link #aCrashBeforeCommitLeavesRowsAndCheckpointTogether()}, for links. */
  @Test
  void aCrashBeforeCommitLeavesLinksAndCheckpointTogether() throws Exception {
    String contacts = "crashlinks_contacts";
    String deals = "crashlinks_deals";
    String pair = LinkBatch.pair(contacts, deals);
    LinkRow old = new LinkRow(1, 100, 3, "HUBSPOT_DEFINED", null);
    LinkRow kept = new LinkRow(2, 200, 3, "HUBSPOT_DEFINED", null);
    sink.replaceAssociations(new LinkBatch(contacts, deals, List.of(1L, 2L), List.of(old, kept), SYNCED_1),
        new Checkpoint(pair, "{\"v\":1}"));
    LinkRow replacement = new LinkRow(1, 101, 5, "USER_DEFINED", "Champion");
    LinkBatch next = new LinkBatch(contacts, deals, List.of(1L), List.of(replacement), SYNCED_2);
    Checkpoint nextCheckpoint = new Checkpoint(pair, "{\"v\":2}");

    armCrashBeforeCommit(sink, pair);
    assertThrows(RuntimeException.class, () -> sink.replaceAssociations(next, nextCheckpoint),
        "replaceAssociations() after armCrashBeforeCommit(" + pair + ")");

    if (supportsTransactions()) {
      assertEquals(sorted(List.of(old, kept)), links(contacts, deals),
          "links after a crash before commit (SupportsTransactions: both or neither)");
      assertCheckpoint(pair, "{\"v\":1}");
    } else if (isCheckpoint(pair, "{\"v\":2}")) {
      assertEquals(sorted(List.of(replacement, kept)), links(contacts, deals),
          "the checkpoint advanced after a crash, so the links must be there");
    }
    sink.replaceAssociations(next, nextCheckpoint);

    assertEquals(sorted(List.of(replacement, kept)), links(contacts, deals), "links of " + pair + " after the retry");
    assertCheckpoint(pair, "{\"v\":2}");
  }

  // ---------------------------------------------------------------------------------------------
  // Concurrency, runs, misuse

  /** Four threads each evolve and write their own object type, all at once; every row and checkpoint lands. */
  @Test
  void concurrentWritersToDifferentObjectTypesAllLand() throws Exception {
    List<String> types = List.of("concurrent_a", "concurrent_b", "concurrent_c", "concurrent_d");
    int batchesPerType = 10;
    int rowsPerBatch = 50;
    List<ColumnMapping> columns = namer().assign(List.of(property("name", "string"), property("n", "number")),
        List.of());
    Map<String, List<RecordBatch>> prepared = new HashMap<>();
    for (String type : types) {
      List<RecordBatch> list = new ArrayList<>();
      for (int b = 0; b < batchesPerType; b++) {
        List<CrmRecord> records = new ArrayList<>();
        if (b > 0) {
          long replayed = (long) b * rowsPerBatch; // the previous batch's last row, again
          records.add(record(replayed, T1, "name", type + "-" + replayed, "n", Long.toString(replayed)));
        }
        for (int r = 1; r <= rowsPerBatch; r++) {
          long id = (long) b * rowsPerBatch + r;
          records.add(record(id, T1, "name", type + "-" + id, "n", Long.toString(id)));
        }
        list.add(batch(type, columns, records.toArray(new CrmRecord[0])));
      }
      prepared.put(type, list);
    }
    ExecutorService pool = Executors.newFixedThreadPool(types.size());
    Map<String, Future<Long>> written = new HashMap<>();
    try {
      CountDownLatch start = new CountDownLatch(1);
      for (String type : types) {
        written.put(type, pool.submit(() -> {
          start.await();
          sink.evolve(type, columns);
          long sum = 0;
          for (int b = 0; b < batchesPerType; b++) {
            sum += sink.write(prepared.get(type).get(b), new Checkpoint(type, "{\"batch\":" + b + "}")).written();
          }
          return sum;
        }));
      }
      start.countDown();
      for (String type : types) {
        long replays = batchesPerType - 1;
        assertEquals((long) batchesPerType * rowsPerBatch + replays, written.get(type).get(2, TimeUnit.MINUTES),
            "rows written to " + type + ", replayed rows included");
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES), "the writer threads stopped");
    }

    for (String type : types) {
      List<Map<String, Object>> rows = rows(type);
      assertEquals(batchesPerType * rowsPerBatch, rows.size(), "rows in " + type);
      for (Map<String, Object> row : rows) {
        long id = (Long) row.get(SystemColumns.ID);
        assertValue(type, row, "name", type + "-" + id);
        assertValue(type, row, "n", (double) id);
      }
      assertCheckpoint(type, "{\"batch\":" + (batchesPerType - 1) + "}");
    }
  }

  /**
   * recordRun takes the report of a succeeded and of a failed run (with hostile text in it), and
   * the sink keeps working. Sinks may store reports or ignore them; one that stores them gives back
   * the report of the run that started last, equal to what it received, from {@code lastRun()}.
   */
  @Test
  void recordRunTakesReportsAndTheSinkKeepsWorking() throws Exception {
    String type = "run_contacts";
    Record stream = sampleRecord(SyncReport.StreamReport.class, Map.of("objectType", type, "mode", "backfill",
        "drift", List.of(type + ": added \"'; drop table x; --\" as _drop_table_x (TEXT)", type + ": 名前 🚀"),
        "checkpoint", "{\"after\":3}"));
    sink.recordRun(sampleRecord(SyncReport.class, Map.of("runId", RUN_1, "startedAt", T1, "finishedAt", T2,
        "outcome", SyncReport.SUCCEEDED, "streams", List.of(stream), "calls", Map.of(ApiCall.SEARCH, 3L))));
    SyncReport last = sampleRecord(SyncReport.class, Map.of("runId", RUN_2, "startedAt", T2,
        "finishedAt", T2.plusSeconds(5), "outcome", "RATE_BUDGET_EXHAUSTED"));
    sink.recordRun(last);
    sink.lastRun().ifPresent(run -> assertEquals(last, run, "lastRun() after two recorded runs"));

    List<ColumnMapping> columns = evolveTo(type, property("email", "string")).columnsAfter();
    WriteResult result = write(batch(type, columns, record(1, T1, "email", "a@example.com")), type, "{\"v\":1}");

    assertEquals(new WriteResult(1, 0, 0), result, "WriteResult of a write after recordRun()");
    assertValue(type, row(type, 1), "email", "a@example.com");
    assertCheckpoint(type, "{\"v\":1}");
  }

  /**
   * evolveStatements() plans without doing: for an absent table it lists something for the table and
   * each column, creates nothing; after evolve() it lists only a column the table lacks, and nothing
   * once the table has every column.
   */
  @Test
  void evolveStatementsChangeNothing() throws Exception {
    String type = "planned_contacts";
    SchemaDrift drift = SchemaDrift.analyze(type, List.of(property("email", "string"), property("score", "number")),
        List.of(), namer());
    List<ColumnMapping> both = drift.added();
    List<String> planned = sink.evolveStatements(type, both);
    assertTrue(planned.size() >= both.size(), "evolveStatements() for an absent table: " + planned);
    assertEquals(List.of(), sink.describe(type), "describe() after evolveStatements(): no table was created");

    sink.evolve(type, both.subList(0, 1));
    List<String> rest = sink.evolveStatements(type, both);
    assertEquals(1, rest.size(), "evolveStatements() when one of two columns is missing: " + rest);
    assertTrue(rest.get(0).contains(both.get(1).column()), "the planned statement names the missing column: " + rest);
    assertEquals(both.subList(0, 1), sink.describe(type), "describe() after evolveStatements(): no column was added");

    sink.evolve(type, both);
    assertEquals(List.of(), sink.evolveStatements(type, both), "evolveStatements() when nothing would change");
  }

  /**
   * The contract requires evolve() first: a write to a table that was never created, or with a
   * column the table lacks, fails with a message that names it, and stores nothing.
   */
  @Test
  void writingBeforeEvolveFailsClearlyAndStoresNothing() throws Exception {
    String missing = "unevolved_contacts";
    RecordBatch toMissing = batch(missing, List.of(), record(1, T1));
    RuntimeException noTable = assertThrows(RuntimeException.class,
        () -> sink.write(toMissing, new Checkpoint(missing, "{\"v\":1}")),
        "write() to an object type evolve() never created");
    assertMessageNames(noTable, missing);
    assertEquals(Optional.empty(), sink.checkpoint(missing), "checkpoint after the failed write");
    assertEquals(List.of(), sink.describe(missing), "describe() after the failed write: no table was created");

    String narrow = "narrow_contacts";
    List<ColumnMapping> both = namer().assign(List.of(property("email", "string"), property("phone", "string")),
        List.of());
    sink.evolve(narrow, both.subList(0, 1));
    RecordBatch wide = batch(narrow, both, record(1, T1, "email", "a@example.com", "phone", "555"));
    RuntimeException noColumn = assertThrows(RuntimeException.class,
        () -> sink.write(wide, new Checkpoint(narrow, "{\"v\":1}")),
        "write() of a batch with column '" + both.get(1).column() + "' that " + narrow + " lacks");
    assertMessageNames(noColumn, both.get(1).column());
    assertEquals(Optional.empty(), sink.checkpoint(narrow), "checkpoint after the failed write");
    assertEquals(List.of(), rows(narrow), "rows after the failed write");
    assertEquals(both.subList(0, 1), sink.describe(narrow), "describe() after the failed write: no column added");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** A portal with a deal per sent number, in {@link #PROBABILITY}, and {@code amount} 12.5. */
  private static FakeHubSpot numbersPortal() {
    FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(0).companies(0).deals(NUMBERS_SENT.size())
        .tickets(0).calls(0).subscriptions(0).unlimited().clock(PortalClock.fixed(PORTAL_START)).build());
    hubspot.portal().addProperty("deals", PROBABILITY, "Deal probability", "number", "calculation_equation");
    List<Long> deals = hubspot.portal().ids("deals");
    for (int i = 0; i < NUMBERS_SENT.size(); i++) {
      hubspot.portal().update("deals", deals.get(i), Map.of(PROBABILITY, NUMBERS_SENT.get(i), "amount", "12.5"));
    }
    return hubspot;
  }

  /** One run of the deals of {@code hubspot} into the sink, over HTTP, in the portal's virtual time. */
  private SyncReport sync(FakeHubSpot hubspot) {
    PortalClock clock = hubspot.clock();
    clock.advance(Duration.ofMinutes(2));
    try (HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
        .credentials(HubSpotCredentials.privateApp(hubspot.token())).clock(clock.asClock()).sleeper(clock::advance)
        .rateBudget(RateBudget.tokenBucket().clock(clock.asClock()).sleeper(clock::advance).build()).build()) {
      return SyncJob.builder().client(client).sink(sink).addObjectTypes("deals").clock(clock.asClock())
          .archivedPassEvery(Duration.ZERO).build().run();
    }
  }

  private void assertSyncedNumbers(FakeHubSpot hubspot) throws Exception {
    List<Long> deals = hubspot.portal().ids("deals");
    for (int i = 0; i < NUMBERS_SENT.size(); i++) {
      Map<String, Object> row = row("deals", deals.get(i));
      assertValue("deals", row, PROBABILITY, NUMBERS.get(i));
      assertValue("deals", row, "amount", 12.5);
      assertValue("deals", row, SystemColumns.UNPARSED, null);
    }
  }

  private ColumnNamer namer() {
    return ColumnNamer.forDialect(sink.maxIdentifierBytes());
  }

  /** What the engine does at the start of a run: diff the live properties against describe(), evolve the added. */
  private SchemaDrift evolveTo(String type, PropertyDefinition... live) {
    SchemaDrift drift = SchemaDrift.analyze(type, List.of(live), sink.describe(type), namer());
    if (drift.stored().isEmpty() || !drift.added().isEmpty()) {
      sink.evolve(type, drift.added());
    }
    return drift;
  }

  /**
   * A record with the named components set and every other one a plain value of its type. Reports
   * grow as the engine reports more; built this way, the contract does not change with them.
   */
  private static <R extends Record> R sampleRecord(Class<R> type, Map<String, Object> values) {
    RecordComponent[] components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      Object value = values.get(components[i].getName());
      args[i] = types[i].isInstance(value) ? value : plainValue(components[i].getGenericType());
    }
    try {
      return type.getDeclaredConstructor(types).newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("Cannot build a " + type.getSimpleName() + " for the test", e);
    }
  }

  private static Object plainValue(Type type) {
    Class<?> raw = (Class<?>) (type instanceof ParameterizedType ? ((ParameterizedType) type).getRawType() : type);
    if (raw == long.class) {
      return 1L;
    } else if (raw == int.class) {
      return 1;
    } else if (raw == double.class) {
      return 1.0;
    } else if (raw == boolean.class) {
      return false;
    } else if (raw == String.class) {
      return "contract";
    } else if (raw == Instant.class) {
      return T1;
    } else if (raw == Duration.class) {
      return Duration.ofMillis(1_234);
    } else if (raw == List.class) {
      return List.of();
    } else if (raw == Set.class) {
      return Set.of();
    } else if (raw == Map.class) {
      return Map.of();
    } else if (raw.isEnum()) {
      return raw.getEnumConstants()[0];
    } else if (raw.isRecord()) {
      return sampleRecord(raw.asSubclass(Record.class), Map.of());
    }
    return null;
  }

  private static PropertyDefinition property(String name, String hubspotType) {
    return new PropertyDefinition(name, name, hubspotType, "text", "contactinformation", false, false, false, false,
        List.of());
  }

  /** A live record with the given property name/value pairs. */
  private static CrmRecord record(long id, Instant updatedAt, String... properties) {
    return new CrmRecord(id, properties(properties), CREATED, updatedAt, false, null);
  }

  private static CrmRecord archivedRecord(long id, Instant updatedAt, Instant archivedAt, String... properties) {
    return new CrmRecord(id, properties(properties), CREATED, updatedAt, true, archivedAt);
  }

  private static Map<String, String> properties(String... pairs) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.put(pairs[i], pairs[i + 1]);
    }
    return values;
  }

  private RecordBatch batch(String type, List<ColumnMapping> columns, CrmRecord... records) {
    return batch(type, columns, SYNCED_1, RUN_1, records);
  }

  /** A batch that stays open until the test ends (closed in {@link #closeContractSink()}). */
  private RecordBatch batch(String type, List<ColumnMapping> columns, Instant syncedAt, String runId,
      CrmRecord... records) {
    RecordBatch.Builder builder = RecordBatch.builder(type, columns, allocator, syncedAt, runId);
    for (CrmRecord record : records) {
      builder.add(record);
    }
    RecordBatch batch = builder.build();
    batches.add(batch);
    return batch;
  }

  private WriteResult write(RecordBatch batch, String stream, String json) {
    return sink.write(batch, new Checkpoint(stream, json));
  }

  /** The table's rows sorted by id, after checking ids are Longs and none repeats (invariant 1). */
  private List<Map<String, Object>> rows(String type) throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>(readRows(sink, type));
    for (Map<String, Object> row : rows) {
      Object id = row.get(SystemColumns.ID);
      assertInstanceOf(Long.class, id, () -> "readRows(" + type + ") must return column 'id' as Long; row: " + row);
    }
    rows.sort(Comparator.comparingLong(r -> (Long) r.get(SystemColumns.ID)));
    List<Long> ids = ids(rows);
    assertEquals(new HashSet<>(ids).size(), ids.size(), () -> "duplicate ids in " + type + " (invariant 1): " + ids);
    return rows;
  }

  private Map<String, Object> row(String type, long id) throws Exception {
    for (Map<String, Object> row : rows(type)) {
      if (row.get(SystemColumns.ID).equals(id)) {
        return row;
      }
    }
    return fail("No row " + id + " in " + type);
  }

  private static List<Long> ids(List<Map<String, Object>> rows) {
    List<Long> ids = new ArrayList<>(rows.size());
    rows.forEach(r -> ids.add((Long) r.get(SystemColumns.ID)));
    return ids;
  }

  private static Map<String, Object> withoutArchiveFlags(Map<String, Object> row) {
    Map<String, Object> copy = new HashMap<>(row);
    copy.remove(SystemColumns.ARCHIVED);
    copy.remove(SystemColumns.ARCHIVED_AT);
    return copy;
  }

  private List<LinkRow> links(String fromType, String toType) throws Exception {
    return sorted(readLinks(sink, fromType, toType));
  }

  private static List<LinkRow> sorted(List<LinkRow> links) {
    List<LinkRow> copy = new ArrayList<>(links);
    copy.sort(Comparator.comparingLong(LinkRow::fromId).thenComparingLong(LinkRow::toId)
        .thenComparingInt(LinkRow::typeId));
    return copy;
  }

  private void assertRow(String type, Map<String, Object> row, String text, Double number, Boolean bool,
      LocalDate date, Instant dateTime) {
    assertValue(type, row, "t_text", text);
    assertValue(type, row, "t_number", number);
    assertValue(type, row, "t_bool", bool);
    assertValue(type, row, "t_date", date);
    assertValue(type, row, "t_datetime", dateTime);
  }

  /** The column is present and holds {@code expected}: same normalized type, equal (decimals by compareTo). */
  private static void assertValue(String type, Map<String, Object> row, String column, Object expected) {
    String where = "column '" + column + "' of " + type + " row " + row.get(SystemColumns.ID);
    assertTrue(row.containsKey(column), () -> where + ": readRows returned no such column; columns: " + row.keySet());
    Object actual = row.get(column);
    if (expected == null) {
      assertEquals(null, actual, where);
      return;
    }
    assertInstanceOf(expected.getClass(), actual, () -> where + ": readRows must return it as "
        + expected.getClass().getSimpleName() + " (expected " + abbreviate(expected) + ")");
    if (expected instanceof BigDecimal) {
      assertTrue(((BigDecimal) expected).compareTo((BigDecimal) actual) == 0,
          () -> where + ": expected " + expected + " but was " + actual);
    } else if (expected instanceof String && ((String) expected).length() > 200) {
      assertTrue(expected.equals(actual), () -> where + ": expected text of " + ((String) expected).length()
          + " chars " + abbreviate(expected) + " but was " + ((String) actual).length() + " chars "
          + abbreviate(actual));
    } else {
      assertEquals(expected, actual, where);
    }
  }

  private static String abbreviate(Object value) {
    String s = String.valueOf(value);
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }

  private static void assertJson(String type, Map<String, Object> row, String column, String expectedJson) {
    String where = "column '" + column + "' of " + type + " row " + row.get(SystemColumns.ID);
    assertInstanceOf(String.class, row.get(column), where + ": readRows must return JSON as String");
    assertEquals(json(expectedJson), json((String) row.get(column)), where);
  }

  private void assertCheckpoint(String stream, String expectedJson) {
    Optional<Checkpoint> stored = sink.checkpoint(stream);
    assertTrue(stored.isPresent(), () -> "checkpoint of stream " + stream + ": none stored, expected " + expectedJson);
    assertEquals(stream, stored.get().stream(), "stream of the checkpoint read for " + stream);
    assertEquals(json(expectedJson), json(stored.get().json()), "checkpoint JSON of stream " + stream);
  }

  private boolean isCheckpoint(String stream, String json) {
    return sink.checkpoint(stream).map(c -> json(c.json()).equals(json(json))).orElse(false);
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new AssertionError("Not JSON: " + text, e);
    }
  }

  private static void assertMessageNames(RuntimeException e, String name) {
    String message = String.valueOf(e.getMessage());
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      message += " / " + cause.getMessage();
    }
    String all = message;
    assertTrue(all.contains(name), () -> "the error should name '" + name + "', but says: " + all);
  }
}
