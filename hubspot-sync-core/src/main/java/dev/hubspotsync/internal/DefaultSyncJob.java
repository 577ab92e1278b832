package dev.hubspotsync.internal;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.HubSpotClient;
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
  private static final List<String> STANDARD_TYPES = List.of("contacts", "companies", "deals", "tickets");

  private final JobSettings settings;

  public DefaultSyncJob(JobSettings settings) {
    this.settings = settings;
  }

  @Override
  public SyncReport run() {
    String runId = UUID.randomUUID().toString();
    HubSpotClient client = settings.client();
    Instant started = settings.clock().instant();
    Map<ApiCall, Long> before = client.calls();
    List<String> objectTypes = objectTypes();
    List<SyncReport.StreamReport> streams = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(settings.concurrency(), objectTypes.size())), r -> {
      Thread t = new Thread(r, "hubspot-sync-" + runId.substring(0, 8));
      t.setDaemon(true);
      return t;
    });
    try (BatchAllocator allocator = BatchAllocator.create(settings.memoryLimitBytes())) {
      // Streams run in parallel; the shared rate budget keeps them within the portal's limits together.
      List<Future<SyncReport.StreamReport>> futures = new ArrayList<>();
      for (String type : objectTypes) {
        futures.add(pool.submit(() -> new ObjectStreamSync(type, settings, allocator, runId, started).run()));
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
      SyncReport report = report(runId, started, before, streams, failure);
      if (failure != null) {
        try {
          settings.sink().recordRun(report);
        } catch (RuntimeException e) {
          failure.addSuppressed(e);
        }
        throw failure; // every stream ran as far as it could; each kept its own checkpoint
      }
      settings.sink().recordRun(report);
      return report;
    } finally {
      pool.shutdownNow();
    }
  }

  private SyncReport report(String runId, Instant started, Map<ApiCall, Long> before, List<SyncReport.StreamReport> streams,
      RuntimeException failure) {
    HubSpotClient client = settings.client();
    Map<ApiCall, Long> calls = new EnumMap<>(ApiCall.class);
    client.calls().forEach((k, v) -> {
      long n = v - before.getOrDefault(k, 0L);
      if (n > 0) {
        calls.put(k, n);
      }
    });
    var usage = client.rateBudget().usage();
    String outcome = failure == null ? SyncReport.SUCCEEDED
        : failure instanceof HubSpotSyncException h ? h.code().name() : failure.getClass().getSimpleName();
    return new SyncReport(runId, started, settings.clock().instant(), outcome, List.copyOf(streams), Map.copyOf(calls),
        usage.usedToday(), usage.dailyCeiling(), usage.resetsAt());
  }

  /** The configured types, or every standard type plus the portal's custom objects. */
  private List<String> objectTypes() {
    if (!settings.allObjectTypes()) {
      return settings.objectTypes();
    }
    List<String> types = new ArrayList<>(STANDARD_TYPES);
    settings.client().schemas().forEach(s -> types.add(s.objectTypeId()));
    settings.objectTypes().stream().filter(t -> !types.contains(t)).forEach(types::add);
    return types;
  }
}
