package dev.hubspotsync.testkit;

import static dev.hubspotsync.batch.ColumnType.BOOLEAN;
import static dev.hubspotsync.batch.ColumnType.DATE;
import static dev.hubspotsync.batch.ColumnType.DECIMAL;
import static dev.hubspotsync.batch.ColumnType.TEXT;
import static dev.hubspotsync.batch.ColumnType.TIMESTAMP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemorySinkTest {
  private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2026-03-01T11:00:00Z");
  private static final Instant SYNCED_AT = Instant.parse("2026-03-02T08:00:00Z");
  private static final List<ColumnMapping> CONTACT_COLUMNS = List.of(
      new ColumnMapping("email", "email", TEXT),
      new ColumnMapping("amount", "amount", DECIMAL),
      new ColumnMapping("vip", "vip", BOOLEAN),
      new ColumnMapping("birthday", "birthday", DATE),
      new ColumnMapping("Last Seen", "last_seen", TIMESTAMP));
  private static final List<ColumnMapping> EMAIL = List.of(new ColumnMapping("email", "email", TEXT));

  private final BatchAllocator allocator = BatchAllocator.create(64L << 20);
  private final InMemorySink sink = InMemorySink.create();

  @AfterEach
  void close() {
    sink.close();
    allocator.close();
  }

  @Test
  void createThenWriteThenDescribe() {
    assertThat(sink.describe("contacts")).isEmpty();
    assertThat(sink.tables()).isEmpty();

    sink.evolve("contacts", CONTACT_COLUMNS);
    WriteResult result = write(sink, "contacts", CONTACT_COLUMNS, checkpoint("contacts", "{\"after\":2}"),
        contact(2, T1, "email", "b@example.com"),
        contact(1, T1, "email", "a@example.com", "amount", "12.50", "vip", "true", "birthday", "1990-04-01",
            "Last Seen", "2026-02-28T23:30:00+01:00"));

    assertThat(result).isEqualTo(new WriteResult(2, 0));
    assertThat(sink.describe("contacts")).isEqualTo(CONTACT_COLUMNS);
    assertThat(sink.tables()).containsExactly("contacts");
    assertThat(sink.rows("contacts")).extracting(Row::id).containsExactly(1L, 2L);
    Row row = sink.row("contacts", 1).orElseThrow();
    assertThat(row.values().keySet()).containsExactly("id", "_hs_created_at", "_hs_updated_at", "_hs_archived",
        "_hs_archived_at", "_hs_unparsed", "_synced_at", "_sync_run_id", "email", "amount", "vip", "birthday",
        "last_seen");
    assertThat(row.get("id")).isEqualTo(1L);
    assertThat(row.get("email")).isEqualTo("a@example.com");
    assertThat((BigDecimal) row.get("amount")).isEqualByComparingTo("12.5");
    assertThat(row.get("vip")).isEqualTo(Boolean.TRUE);
    assertThat(row.get("birthday")).isEqualTo(LocalDate.of(1990, 4, 1));
    assertThat(row.get("last_seen")).isEqualTo(Instant.parse("2026-02-28T22:30:00Z"));
    assertThat(row.updatedAt()).isEqualTo(T1);
    assertThat(row.archived()).isFalse();
    assertThat(row.get(SystemColumns.SYNCED_AT)).isEqualTo(SYNCED_AT);
    assertThat(row.get(SystemColumns.RUN_ID)).isEqualTo("run-1");
    assertThat(sink.row("contacts", 2).orElseThrow().get("amount")).isNull();
    assertThat(sink.row("contacts", 3)).isEmpty();
    assertThat(sink.rowCount("contacts")).isEqualTo(2);
    assertThat(sink.checkpoint("contacts")).contains(checkpoint("contacts", "{\"after\":2}"));
    assertThat(sink.writeCount("contacts")).isEqualTo(1);
  }

  @Test
  void rewritingTheSameBatchAddsNoDuplicates() {
    sink.evolve("contacts", EMAIL);
    CrmRecord[] records = {contact(1, T1, "email", "a@example.com"), contact(2, T1, "email", "b@example.com")};

    write(sink, "contacts", EMAIL, checkpoint("contacts", "1"), records);
    WriteResult again = write(sink, "contacts", EMAIL, checkpoint("contacts", "1"), records);

    assertThat(again).isEqualTo(new WriteResult(2, 0));
    assertThat(sink.rowCount("contacts")).isEqualTo(2);
    assertThat(sink.ids("contacts")).containsExactly(1, 2);
    assertThat(sink.rows("contacts")).extracting(r -> r.get("email")).containsExactly("a@example.com", "b@example.com");
    assertThat(sink.writeCount("contacts")).isEqualTo(2);
  }

  @Test
  void anOlderVersionIsSkippedAndCountedButTheCheckpointAdvances() {
    sink.evolve("contacts", EMAIL);
    write(sink, "contacts", EMAIL, checkpoint("contacts", "new"), contact(1, T2, "email", "new@example.com"));

    WriteResult replay = write(sink, "contacts", EMAIL, checkpoint("contacts", "replayed"),
        contact(1, T1, "email", "old@example.com"), contact(2, T1, "email", "b@example.com"));

    assertThat(replay).isEqualTo(new WriteResult(1, 1));
    Row row = sink.row("contacts", 1).orElseThrow();
    assertThat(row.get("email")).isEqualTo("new@example.com");
    assertThat(row.updatedAt()).isEqualTo(T2);
    assertThat(sink.rowCount("contacts")).isEqualTo(2);
    assertThat(sink.checkpoint("contacts")).contains(checkpoint("contacts", "replayed"));
  }

  @Test
  void anEqualUpdatedAtReplaces() {
    sink.evolve("contacts", EMAIL);
    write(sink, "contacts", EMAIL, checkpoint("contacts", "1"), contact(1, T1, "email", "first@example.com"));

    WriteResult result = write(sink, "contacts", EMAIL, checkpoint("contacts", "2"),
        contact(1, T1, "email", "second@example.com"));

    assertThat(result).isEqualTo(new WriteResult(1, 0));
    assertThat(sink.row("contacts", 1).orElseThrow().get("email")).isEqualTo("second@example.com");
  }

  @Test
  void evolveAddsColumnsButNeverDropsOrRetypes() {
    sink.evolve("contacts", EMAIL);
    write(sink, "contacts", EMAIL, checkpoint("contacts", "1"), contact(1, T1, "email", "a@example.com"));

    sink.evolve("contacts", List.of(
        new ColumnMapping("amount", "amount", DECIMAL),
        new ColumnMapping("email", "email", DECIMAL),
        new ColumnMapping("vip", "vip", BOOLEAN)));
    sink.evolve("contacts", List.of());
    sink.evolve("contacts", List.of(new ColumnMapping("vip", "vip", TEXT)));

    assertThat(sink.describe("contacts")).containsExactly(
        new ColumnMapping("email", "email", TEXT),
        new ColumnMapping("amount", "amount", DECIMAL),
        new ColumnMapping("vip", "vip", BOOLEAN));
    Row row = sink.row("contacts", 1).orElseThrow();
    assertThat(row.get("email")).isEqualTo("a@example.com");
    assertThat(row.values()).containsEntry("amount", null).containsEntry("vip", null);

    List<ColumnMapping> retyped = List.of(new ColumnMapping("email", "email", DECIMAL));
    assertThatThrownBy(() -> write(sink, "contacts", retyped, checkpoint("contacts", "2"), contact(1, T2, "email", "5")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'email'")
        .hasMessageContaining("is DECIMAL but table 'contacts' stores it as TEXT");
    assertThatThrownBy(() -> sink.evolve("contacts", List.of(new ColumnMapping("x", SystemColumns.UPDATED_AT, TEXT))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'_hs_updated_at'")
        .hasMessageContaining("system column");
  }

  @Test
  void aColumnTheTableLacksFailsClearlyAndStoresNothing() {
    sink.evolve("contacts", EMAIL);
    List<ColumnMapping> withPhone = List.of(EMAIL.get(0), new ColumnMapping("phone", "phone", TEXT));

    assertThatThrownBy(() -> write(sink, "contacts", withPhone, checkpoint("contacts", "1"),
        contact(1, T1, "email", "a@example.com", "phone", "555")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Column 'phone' (property 'phone')")
        .hasMessageContaining("evolve() must run first");
    assertThat(sink.rowCount("contacts")).isZero();
    assertThat(sink.checkpoint("contacts")).isEmpty();
    assertThat(sink.writeCount("contacts")).isZero();

    assertThatThrownBy(() -> write(sink, "deals", List.of(), checkpoint("deals", "1"), contact(1, T1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Table 'deals' does not exist")
        .hasMessageContaining("evolve() must run first");
    assertThat(sink.tables()).containsExactly("contacts");
  }

  @Test
  void aReplacedRowKeepsTheColumnsTheBatchDoesNotCarry() {
    List<ColumnMapping> emailAndPhone = List.of(EMAIL.get(0), new ColumnMapping("phone", "phone", TEXT));
    sink.evolve("contacts", emailAndPhone);
    write(sink, "contacts", emailAndPhone, checkpoint("contacts", "1"),
        contact(1, T1, "email", "a@example.com", "phone", "555"));

    write(sink, "contacts", EMAIL, checkpoint("contacts", "2"), contact(1, T2, "email", "new@example.com"));

    Row row = sink.row("contacts", 1).orElseThrow();
    assertThat(row.get("email")).isEqualTo("new@example.com");
    assertThat(row.get("phone")).isEqualTo("555");
    assertThat(row.updatedAt()).isEqualTo(T2);
  }

  @Test
  void aBatchWithTwoRowsForOneIdIsRejected() {
    sink.evolve("contacts", List.of());
    write(sink, "contacts", List.of(), checkpoint("contacts", "1"), contact(7, T1));

    assertThatThrownBy(() -> sink.write(new SyntheticSource("contacts", 3, row -> row == 0 ? 100 : 7, T2),
        checkpoint("contacts", "2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than one row for id 7")
        .hasMessageContaining("de-duplicated");
    assertThat(sink.ids("contacts")).containsExactly(7);
    assertThat(sink.row("contacts", 7).orElseThrow().updatedAt()).isEqualTo(T1);
    assertThat(sink.checkpoint("contacts")).contains(checkpoint("contacts", "1"));
  }

  @Test
  void failNextWriteLeavesRowsAndCheckpointUnchangedAndTheNextWriteWorks() {
    sink.evolve("contacts", EMAIL);
    write(sink, "contacts", EMAIL, checkpoint("contacts", "1"), contact(1, T1, "email", "a@example.com"));
    List<Row> before = sink.rows("contacts");
    CrmRecord[] next = {contact(1, T2, "email", "changed@example.com"), contact(2, T2, "email", "b@example.com")};
    sink.failNextWrite("companies");
    sink.failNextWrite("contacts");

    assertThatThrownBy(() -> write(sink, "contacts", EMAIL, checkpoint("contacts", "2"), next))
        .isInstanceOfSatisfying(InMemorySink.SimulatedCrash.class, e -> assertThat(e.objectType()).isEqualTo("contacts"))
        .hasMessageContaining("Simulated crash")
        .hasMessageContaining("neither the rows nor the checkpoint of stream 'contacts' were committed");
    assertThat(sink.rows("contacts")).isEqualTo(before);
    assertThat(sink.checkpoint("contacts")).contains(checkpoint("contacts", "1"));
    assertThat(sink.writeCount("contacts")).isEqualTo(1);

    assertThat(write(sink, "contacts", EMAIL, checkpoint("contacts", "2"), next)).isEqualTo(new WriteResult(2, 0));
    assertThat(sink.rows("contacts")).extracting(r -> r.get("email"))
        .containsExactly("changed@example.com", "b@example.com");
    assertThat(sink.checkpoint("contacts")).contains(checkpoint("contacts", "2"));
    assertThat(sink.writeCount("contacts")).isEqualTo(2);
  }

  @Test
  void concurrentWritersOnFourObjectTypesAllLand() throws Exception {
    List<String> types = List.of("contacts", "companies", "deals", "tickets");
    List<ColumnMapping> name = List.of(new ColumnMapping("name", "name", TEXT));
    int batches = 25;
    int rowsPerBatch = 40;
    Map<String, List<RecordBatch>> prepared = new HashMap<>();
    for (String type : types) {
      sink.evolve(type, name);
      List<RecordBatch> list = new ArrayList<>();
      for (int b = 0; b < batches; b++) {
        RecordBatch.Builder builder = RecordBatch.builder(type, name, allocator, SYNCED_AT, "run-1");
        for (int r = 0; r < rowsPerBatch; r++) {
          long id = b * rowsPerBatch + r + 1;
          builder.add(contact(id, T1, "name", type + "-" + id));
        }
        list.add(builder.build());
      }
      prepared.put(type, list);
    }
    ExecutorService pool = Executors.newFixedThreadPool(types.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (String type : types) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int b = 0; b < batches; b++) {
            sink.write(prepared.get(type).get(b), checkpoint(type, "{\"batch\":" + b + "}"));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      prepared.values().forEach(list -> list.forEach(RecordBatch::close));
    }

    for (String type : types) {
      assertThat(sink.rowCount(type)).as(type).isEqualTo(batches * rowsPerBatch);
      assertThat(sink.writeCount(type)).as(type).isEqualTo(batches);
      assertThat(sink.checkpoint(type)).as(type).contains(checkpoint(type, "{\"batch\":" + (batches - 1) + "}"));
      assertThat(sink.rows(type)).as(type).allSatisfy(r -> assertThat(r.get("name")).isEqualTo(type + "-" + r.id()));
    }
    assertThat(sink.tables()).containsExactlyInAnyOrderElementsOf(types);
  }

  @Test
  void countingModeHoldsAMillionIdsInLittleHeapAndRefusesRows() {
    InMemorySink counting = InMemorySink.counting();
    counting.evolve("contacts", EMAIL);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = usedHeapAfterGc(memory);

    int perBatch = 10_000;
    for (int b = 0; b < 100; b++) {
      long first = (long) b * perBatch + 1;
      counting.write(new SyntheticSource("contacts", perBatch, row -> first + row, T2), checkpoint("contacts", "" + b));
    }
    long retained = usedHeapAfterGc(memory) - before;

    assertThat(counting.rowCount("contacts")).isEqualTo(1_000_000);
    // Measured ~42 MB (two long[2^21]); a HashSet<Long> of the ids alone retains ~68 MB, a HashMap<Long, Long> ~93 MB.
    assertThat(retained).as("heap retained by 1,000,000 ids").isLessThan(56L << 20);
    assertThat(counting.contains("contacts", 1)).isTrue();
    assertThat(counting.contains("contacts", 1_000_000)).isTrue();
    assertThat(counting.contains("contacts", 1_000_001)).isFalse();
    long[] ids = counting.ids("contacts");
    assertThat(ids).hasSize(1_000_000);
    assertThat(ids[0]).isEqualTo(1);
    assertThat(ids[999_999]).isEqualTo(1_000_000);
    assertThat(counting.checkpoint("contacts")).contains(checkpoint("contacts", "99"));

    WriteResult replay = counting.write(new SyntheticSource("contacts", perBatch, row -> row + 1, T1),
        checkpoint("contacts", "replay"));
    assertThat(replay).isEqualTo(new WriteResult(0, perBatch));
    assertThat(counting.rowCount("contacts")).isEqualTo(1_000_000);
    assertThatThrownBy(() -> counting.rows("contacts"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("counting mode")
        .hasMessageContaining("'contacts'")
        .hasMessageContaining("InMemorySink.create()");
    assertThatThrownBy(() -> counting.row("contacts", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void countingModeUpsertsRealBatches() {
    InMemorySink counting = InMemorySink.counting();
    counting.evolve("contacts", EMAIL);

    WriteResult first = write(counting, "contacts", EMAIL, checkpoint("contacts", "1"),
        contact(0, T2, "email", "zero@example.com"), contact(5, T2, "email", "a@example.com"));
    WriteResult second = write(counting, "contacts", EMAIL, checkpoint("contacts", "2"),
        contact(0, T2, "email", "zero@example.com"), contact(5, T1, "email", "old@example.com"),
        contact(6, T1, "email", "b@example.com"));

    assertThat(first).isEqualTo(new WriteResult(2, 0));
    assertThat(second).isEqualTo(new WriteResult(2, 1));
    assertThat(counting.ids("contacts")).containsExactly(0, 5, 6);
    assertThat(counting.rowCount("contacts")).isEqualTo(3);
    assertThat(counting.writeCount("contacts")).isEqualTo(2);
    assertThat(counting.checkpoints()).containsExactly(Map.entry("contacts", "2"));
    assertThatThrownBy(() -> write(counting, "contacts", List.of(new ColumnMapping("phone", "phone", TEXT)),
        checkpoint("contacts", "3"), contact(7, T1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("evolve() must run first");
  }

  @Test
  void checkpointsAreStoredPerStream() {
    sink.evolve("contacts", EMAIL);
    sink.evolve("companies", List.of());
    write(sink, "contacts", EMAIL, checkpoint("contacts", "{\"after\":1}"), contact(1, T1));
    write(sink, "contacts", EMAIL, checkpoint("contacts.archived", "{\"page\":1}"), contact(2, T1));
    write(sink, "companies", List.of(), checkpoint("companies", "{\"after\":9}"), contact(9, T1));
    write(sink, "contacts", EMAIL, checkpoint("contacts", "{\"after\":3}"), contact(3, T1));

    assertThat(sink.checkpoints()).containsExactly(
        Map.entry("companies", "{\"after\":9}"),
        Map.entry("contacts", "{\"after\":3}"),
        Map.entry("contacts.archived", "{\"page\":1}"));
    assertThat(sink.checkpoint("contacts")).contains(checkpoint("contacts", "{\"after\":3}"));
    assertThat(sink.checkpoint("deals")).isEmpty();
    assertThatThrownBy(() -> sink.checkpoints().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rowsAreImmutableSnapshots() {
    sink.evolve("contacts", EMAIL);
    write(sink, "contacts", EMAIL, checkpoint("contacts", "1"), contact(1, T1, "email", "a@example.com"));
    List<Row> snapshot = sink.rows("contacts");
    Row row = snapshot.get(0);

    write(sink, "contacts", EMAIL, checkpoint("contacts", "2"), contact(1, T2, "email", "b@example.com"),
        contact(2, T2));

    assertThat(snapshot).hasSize(1);
    assertThat(row.get("email")).isEqualTo("a@example.com");
    assertThatThrownBy(() -> snapshot.add(row)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> row.values().put("email", "x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> row.get("emial"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no column 'emial'");
    assertThat(sink.rows("deals")).isEmpty();
  }

  @Test
  void closeIsIdempotentRefusesWritesAndKeepsDataReadable() {
    sink.evolve("contacts", EMAIL);
    write(sink, "contacts", EMAIL, checkpoint("contacts", "1"), contact(1, T1, "email", "a@example.com"));

    sink.close();
    sink.close();

    assertThatThrownBy(() -> write(sink, "contacts", EMAIL, checkpoint("contacts", "2"), contact(2, T1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("InMemorySink is closed; cannot write to contacts");
    assertThatThrownBy(() -> sink.evolve("contacts", List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(sink.ids("contacts")).containsExactly(1);
    assertThat(sink.checkpoint("contacts")).contains(checkpoint("contacts", "1"));
  }

  private WriteResult write(InMemorySink target, String type, List<ColumnMapping> columns, Checkpoint checkpoint,
      CrmRecord... records) {
    RecordBatch.Builder builder = RecordBatch.builder(type, columns, allocator, SYNCED_AT, "run-1");
    Stream.of(records).forEach(builder::add);
    try (RecordBatch batch = builder.build()) {
      return target.write(batch, checkpoint);
    }
  }

  /** A record with the given property name/value pairs. */
  private static CrmRecord contact(long id, Instant updatedAt, String... properties) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < properties.length; i += 2) {
      values.put(properties[i], properties[i + 1]);
    }
    return new CrmRecord(id, values, T1.minusSeconds(86_400), updatedAt, false, null);
  }

  private static Checkpoint checkpoint(String stream, String json) {
    return new Checkpoint(stream, json);
  }

  private static long usedHeapAfterGc(MemoryMXBean memory) {
    System.gc();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** Rows with only system columns, without Arrow: for batches no RecordBatch could hold or would take long to build. */
  private record SyntheticSource(String objectType, int rowCount, LongUnaryOperator idOf, Instant updatedAt)
      implements InMemorySink.Source {
    @Override
    public List<Column> columns() {
      return SystemColumns.ALL;
    }

    @Override
    public long id(int row) {
      return idOf.applyAsLong(row);
    }

    @Override
    public Instant updatedAt(int row) {
      return updatedAt;
    }

    @Override
    public Object value(int row, int column) {
      switch (SystemColumns.ALL.get(column).name()) {
        case SystemColumns.ID: return id(row);
        case SystemColumns.UPDATED_AT: return updatedAt;
        case SystemColumns.ARCHIVED: return Boolean.FALSE;
        default: return null;
      }
    }
  }
}
