package dev.hubspotsync.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrentWritersIT extends SinkTestBase {
  private static final List<ColumnMapping> COLUMNS = List.of(new ColumnMapping("name", "name", ColumnType.TEXT),
      new ColumnMapping("n", "n", ColumnType.DECIMAL));
  private static final int BATCHES = 15;
  private static final int ROWS = 400;

  @Test
  void writersOfDifferentTypesAndOfOneTypeRunTogether() throws Exception {
    List<String> types = List.of("contacts", "companies", "deals", "tickets");
    types.forEach(t -> sink.evolve(t, COLUMNS));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<long[]>> futures = new ArrayList<>();
      for (String type : types) {
        futures.add(pool.submit(writer(start, type, 0, type)));
      }
      // Two writers of one table with overlapping ids: the table lock keeps every count exact.
      futures.add(pool.submit(writer(start, "contacts", ROWS / 2, "contacts-b")));
      futures.add(pool.submit(writer(start, "contacts", ROWS / 4, "contacts-c")));
      start.countDown();
      long written = 0;
      long skipped = 0;
      for (Future<long[]> f : futures) {
        long[] counts = f.get(120, TimeUnit.SECONDS);
        written += counts[0];
        skipped += counts[1];
      }
      assertThat(written + skipped).isEqualTo(6L * BATCHES * ROWS);
    } finally {
      pool.shutdownNow();
    }
    for (String type : types) {
      long expected = type.equals("contacts") ? (long) BATCHES * ROWS + ROWS / 2 : (long) BATCHES * ROWS;
      assertThat(TestPostgres.query("SELECT count(*) AS n, count(DISTINCT id) AS d FROM " + TestPostgres.quote(schema)
          + "." + type).get(0)).containsEntry("n", expected).containsEntry("d", expected);
      assertThat(sink.checkpoint(type)).contains(new Checkpoint(type, "batch " + (BATCHES - 1)));
    }
    assertThat(sink.checkpoint("contacts-b")).contains(new Checkpoint("contacts-b", "batch " + (BATCHES - 1)));
  }

  /** Writes BATCHES batches of ROWS consecutive ids starting at offset, each at a newer time than the last. */
  private Callable<long[]> writer(CountDownLatch start, String type, long offset, String stream) {
    return () -> {
      start.await();
      long written = 0;
      long skipped = 0;
      for (int b = 0; b < BATCHES; b++) {
        List<CrmRecord> records = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
          long id = offset + (long) b * ROWS + i + 1;
          records.add(Batches.record(id, Instant.parse("2026-01-01T00:00:00Z").plusSeconds(b),
              Map.of("name", stream + " " + id, "n", Long.toString(id))));
        }
        try (RecordBatch batch = Batches.batch(allocator, type, COLUMNS, records)) {
          WriteResult result = sink.write(batch, new Checkpoint(stream, "batch " + b));
          written += result.written();
          skipped += result.skippedOlder();
        }
      }
      return new long[] {written, skipped};
    };
  }
}
