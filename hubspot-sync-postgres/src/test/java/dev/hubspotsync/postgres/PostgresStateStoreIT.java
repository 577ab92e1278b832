package dev.hubspotsync.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class PostgresStateStoreIT extends SinkTestBase {

  @Test
  void savesAndLoadsCheckpoints() {
    PostgresStateStore store = PostgresStateStore.builder().dataSource(TestPostgres.dataSource()).schema(schema).build();
    assertThat(store.load("contacts")).isEmpty();
    store.save(new Checkpoint("contacts", "{\"after\":1}"));
    store.save(new Checkpoint("deals", "{\"after\":9}"));
    store.save(new Checkpoint("contacts", "{\"after\":2}"));
    assertThat(store.load("contacts")).contains(new Checkpoint("contacts", "{\"after\":2}"));
    PostgresStateStore again = PostgresStateStore.builder().jdbcUrl(TestPostgres.jdbcUrl()).schema(schema).build();
    assertThat(again.load("deals")).contains(new Checkpoint("deals", "{\"after\":9}"));
    assertThat(TestPostgres.query("SELECT stream, checkpoint FROM " + TestPostgres.quote(schema)
        + "._hubspot_sync_state ORDER BY stream")).extracting(r -> r.get("stream"), r -> r.get("checkpoint"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple("contacts", "{\"after\":2}"),
            org.assertj.core.groups.Tuple.tuple("deals", "{\"after\":9}"));
    assertThat(store.toString()).contains(schema);
  }

  @Test
  void sharesTheSinksStateTable() {
    List<ColumnMapping> columns = List.of(new ColumnMapping("email", "email", ColumnType.TEXT));
    sink.evolve("contacts", columns);
    write("contacts", columns, "from the sink", Batches.record(1, Instant.EPOCH, Map.of("email", "e")));
    PostgresStateStore store = PostgresStateStore.builder().dataSource(TestPostgres.dataSource()).schema(schema).build();
    assertThat(store.load("contacts")).contains(new Checkpoint("contacts", "from the sink"));
    store.save(new Checkpoint("companies", "from the store"));
    assertThat(sink.checkpoint("companies")).contains(new Checkpoint("companies", "from the store"));
    PostgresStateStore prefixed = PostgresStateStore.builder().dataSource(TestPostgres.dataSource()).schema(schema)
        .tablePrefix("other_").build();
    assertThat(prefixed.load("contacts")).isEmpty();
  }

  @Test
  void concurrentStreamsSaveTheirOwnCheckpoints() throws Exception {
    PostgresStateStore store = PostgresStateStore.builder().dataSource(TestPostgres.dataSource()).schema(schema).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        String stream = "stream-" + s;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 25; i++) {
            store.save(new Checkpoint(stream, Integer.toString(i)));
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int s = 0; s < 4; s++) {
      assertThat(store.load("stream-" + s)).contains(new Checkpoint("stream-" + s, "24"));
    }
  }
}
