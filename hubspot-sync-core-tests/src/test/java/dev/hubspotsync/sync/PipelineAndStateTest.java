package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.StateStore;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSpec;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Fetching overlaps loading through a bounded queue; checkpoints in a separate state store; the run log. */
class PipelineAndStateTest {

  /**
   * The first write holds the loader until the fetcher has read two more pages: fetching goes on
   * while the sink loads. It never gets further ahead than the pipeline's depth, so memory stays flat.
   */
  @Test
  void fetchingRunsAheadOfLoadingByAtMostTheQueueDepth() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(1_000))) {
      var sink = new ForwardingSink(InMemorySink.create()) {
        int writes;
        long mostAhead;
        boolean overlapped;

        @Override
        public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
          writes++;
          if (writes == 1) {
            overlapped = awaitListCalls(f.hubspot, 3);
          }
          if (checkpoint.json().contains("\"mode\":\"backfill\"")) { // later list calls (the reconciliation) write nothing
            mostAhead = Math.max(mostAhead, f.hubspot.stats().calls(Endpoint.LIST) - writes);
          }
          return inner.write(batch, checkpoint);
        }
      };
      f.job("contacts").sink(sink).backfillMethod(BackfillMethod.LIST).build().run();

      assertThat(sink.overlapped).as("the fetcher read pages 2 and 3 while page 1 was loading").isTrue();
      assertThat(sink.mostAhead).as("pages fetched but not yet written").isEqualTo(2);
      assertThat(sink.inner.rowCount("contacts")).isEqualTo(1_000);
    }
  }

  /** A failed write stops the stream: nothing queued behind it is written, so the checkpoint cannot skip its rows. */
  @Test
  void aFailedWriteDropsTheBatchesQueuedBehindIt() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(1_000))) {
      CrashingSink sink = new CrashingSink(3);

      assertThatThrownBy(() -> f.job("contacts").sink(sink).backfillMethod(BackfillMethod.LIST).build().run())
          .isInstanceOf(InMemorySink.SimulatedCrash.class);

      assertThat(sink.inner.rowCount("contacts")).as("pages 1 and 2 only").isEqualTo(200);
      assertThat(f.hubspot.stats().calls(Endpoint.LIST)).as("pages fetched").isLessThanOrEqualTo(5);
      f.job("contacts").sink(sink).build().run();
      f.assertSinkMatchesPortal(sink.inner, "contacts", "email");
    }
  }

  @Test
  void aStateStoreHoldsTheCheckpointsAndIsWhatTheNextRunReads() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(300))) {
      MapStateStore store = new MapStateStore();
      SyncReport first = f.job("contacts").stateStore(store).build().run();
      assertThat(store.load("contacts")).map(Checkpoint::json).contains(first.stream("contacts").checkpoint());

      f.later();
      SyncReport second = f.job("contacts").stateStore(store).build().run();
      assertThat(second.stream("contacts").mode()).isEqualTo("incremental");

      // The sink holds a checkpoint too, but the state store decides: an empty one means start over.
      SyncReport fresh = f.job("contacts").stateStore(new MapStateStore()).build().run();
      assertThat(fresh.stream("contacts").mode()).isEqualTo("backfill");
      f.assertSinkMatchesPortal("contacts", "email");
    }
  }

  /** Rows are durable before their checkpoint is saved: a store that fails re-reads one batch, which the upsert absorbs. */
  @Test
  void aStateStoreThatFailsToSaveLosesNothingAndDuplicatesNothing() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(1_000))) {
      MapStateStore store = new MapStateStore();
      store.failOnSave = 4;
      assertThatThrownBy(() -> f.job("contacts").stateStore(store).backfillMethod(BackfillMethod.LIST).build().run())
          .hasMessageContaining("state store down");
      assertThat(f.sink.rowCount("contacts")).isEqualTo(400);

      SyncReport resumed = f.job("contacts").stateStore(store).build().run();

      assertThat(resumed.stream("contacts").rowsRead()).as("batch 4 is read again, nothing before it").isEqualTo(700);
      f.assertSinkMatchesPortal("contacts", "email");
    }
  }

  @Test
  void aJobBuildsItsOwnClientFromCredentials() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(120))) {
      RateBudget budget = RateBudget.tokenBucket().clock(f.hubspot.clock().asClock())
          .sleeper(d -> f.hubspot.clock().advance(d)).build();
      SyncReport report = SyncJob.builder().credentials(HubSpotCredentials.privateApp(f.hubspot.token()))
          .baseUrl(f.hubspot.baseUrl()).rateBudget(budget).sink(f.sink).addObjectTypes("contacts")
          .clock(f.hubspot.clock().asClock()).build().run();

      assertThat(report.stream("contacts").rowsWritten()).isEqualTo(120);
      assertThat(budget.usage().usedToday()).isEqualTo(f.hubspot.stats().totalCalls());
    }
  }

  @Test
  void aClientAndCredentialsTogetherOrNeitherAreRejected() {
    InMemorySink sink = InMemorySink.create();
    assertThatThrownBy(() -> SyncJob.builder().sink(sink).addObjectTypes("contacts").build())
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION))
        .hasMessageContaining("credentials(").hasMessageContaining("client(");
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(1))) {
      assertThatThrownBy(() -> f.job("contacts").credentials(HubSpotCredentials.privateApp("pat-secret-token")).build())
          .isInstanceOf(HubSpotSyncException.class)
          .hasMessageContaining("client(…) is set together with credentials")
          .hasMessageNotContaining("pat-secret-token");
    }
  }

  @Test
  void everyRunIsRecordedInTheSinkWithItsOutcome() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(250))) {
      SyncReport ok = f.run("contacts");
      assertThat(f.sink.runs()).singleElement().satisfies(r -> {
        assertThat(r.runId()).isEqualTo(ok.runId());
        assertThat(r.succeeded()).isTrue();
      });

      CrashingSink crashing = new CrashingSink(2);
      assertThatThrownBy(() -> f.job("contacts").sink(crashing).build().run());
      assertThat(crashing.inner.runs()).singleElement().satisfies(r -> {
        assertThat(r.outcome()).isEqualTo("SimulatedCrash");
        assertThat(r.streams()).isEmpty();
      });
    }
  }

  @Test
  void valuesTheSinkCleanedAreReported() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(150))) {
      var sink = new ForwardingSink(InMemorySink.create()) {
        @Override
        public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
          WriteResult r = inner.write(batch, checkpoint);
          return new WriteResult(r.written(), r.skippedOlder(), batch.rowCount()); // one cleaned value a row
        }
      };
      SyncReport report = f.job("contacts").sink(sink).build().run();
      assertThat(report.stream("contacts").valuesCleaned()).isEqualTo(report.stream("contacts").rowsRead()).isEqualTo(150);
    }
  }

  /** Waits (at most 10 s) until the portal has answered {@code n} list calls; false if it never does. */
  private static boolean awaitListCalls(FakeHubSpot hubspot, long n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (hubspot.stats().calls(Endpoint.LIST) < n) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return true;
  }

  /** Checkpoints in a map; the Nth save can be made to fail. */
  private static final class MapStateStore implements StateStore {
    final Map<String, String> saved = new ConcurrentHashMap<>();
    int failOnSave = -1;
    int saves;

    @Override
    public Optional<Checkpoint> load(String stream) {
      return Optional.ofNullable(saved.get(stream)).map(json -> new Checkpoint(stream, json));
    }

    @Override
    public void save(Checkpoint checkpoint) {
      if (++saves == failOnSave) {
        throw new IllegalStateException("state store down");
      }
      saved.put(checkpoint.stream(), checkpoint.json());
    }
  }
}
