package dev.hubspotsync.internal;

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

/** Runs each object stream in turn; see {@link SyncJob}. */
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

  public DefaultSyncJob(HubSpotClient client, WarehouseSink sink, List<String> objectTypes, Duration overlap,
      Duration indexLag, Duration archivedPassEvery, Duration reconcileEvery, int listPageSize, int searchPageSize,
      Clock clock, long memoryLimitBytes) {
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
  }

  @Override
  public SyncReport run() {
    String runId = UUID.randomUUID().toString();
    Instant started = clock.instant();
    Map<ApiCall, Long> before = client.calls();
    List<SyncReport.StreamReport> streams = new ArrayList<>();
    try (BatchAllocator allocator = BatchAllocator.create(memoryLimitBytes)) {
      for (String type : objectTypes) {
        streams.add(new ObjectStreamSync(type, client, sink, allocator, overlap, indexLag, archivedPassEvery,
            reconcileEvery, listPageSize, searchPageSize, clock, runId, started).run());
      }
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
