package dev.hubspotsync.internal;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.sink.WarehouseSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs the object streams, several at a time; see {@link SyncJob}. */
public final class DefaultSyncJob implements SyncJob {
  private final HubSpotClient client;
  private final WarehouseSink sink;
  private final List<String> objectTypes;
  private final Duration overlap;
  private final Duration indexLag;
  private final Duration archivedPassEvery;
  private final Duration reconcileEvery;
  private final int listPageSize;
  private final int searchPageSize;
  private final Clock clock;
  private final long memoryLimitBytes;
  private final int concurrency;

  public DefaultSyncJob(HubSpotClient client, WarehouseSink sink, List<String> objectTypes, Duration overlap,
      Duration indexLag, Duration archivedPassEvery, Duration reconcileEvery, int listPageSize, int searchPageSize,
      Clock clock, long memoryLimitBytes, int concurrency) {
    this.client = client;
    this.sink = sink;
    this.objectTypes = objectTypes;
    this.overlap = overlap;
    this.indexLag = indexLag;
    this.archivedPassEvery = archivedPassEvery;
    this.reconcileEvery = reconcileEvery;
    this.listPageSize = listPageSize;
    this.searchPageSize = searchPageSize;
    this.clock = clock;
    this.memoryLimitBytes = memoryLimitBytes;
    this.concurrency = concurrency;
  }

  @Override
  public SyncReport run() {
    String runId = UUID.randomUUID().toString();
    Instant started = clock.instant();
    Map<ApiCall, Long> before = client.calls();
    List<SyncReport.StreamReport> streams = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, objectTypes.size()), r -> {
      Thread t = new Thread(r, "hubspot-sync-" + runId.substring(0, 8));
      t.setDaemon(true);
      return t;
    });
    try (BatchAllocator allocator = BatchAllocator.create(memoryLimitBytes)) {
      // Streams run in parallel; the shared rate budget keeps them within the portal's limits together.
      List<Future<SyncReport.StreamReport>> futures = new ArrayList<>();
      for (String type : objectTypes) {
        futures.add(pool.submit(() -> new ObjectStreamSync(type, client, sink, allocator, overlap, indexLag,
            archivedPassEvery, reconcileEvery, listPageSize, searchPageSize, clock, runId, started).run()));
      }
      RuntimeException failure = null;
      for (Future<SyncReport.StreamReport> f : futures) {
        try {
          streams.add(f.get());
        } catch (ExecutionException e) {
          RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
              : new HubSpotSyncException(ErrorCode.UNEXPECTED_RESPONSE, "A stream failed: " + e.getCause(), false, e.getCause());
          if (failure == null) {
            failure = cause;
          } else if (failure != cause) {
            failure.addSuppressed(cause);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          pool.shutdownNow();
          throw new HubSpotSyncException(ErrorCode.INTERRUPTED, "Interrupted while the sync ran", false, e);
        }
      }
      if (failure != null) {
        throw failure; // every stream ran as far as it could; each kept its own checkpoint
      }
    } finally {
      pool.shutdownNow();
    }
    Map<ApiCall, Long> calls = new EnumMap<>(ApiCall.class);
    client.calls().forEach((k, v) -> {
      long n = v - before.getOrDefault(k, 0L);
      if (n > 0) {
        calls.put(k, n);
      }
    });
    return new SyncReport(runId, started, clock.instant(), List.copyOf(streams), Map.copyOf(calls));
  }
}
