package dev.hubspotsync.internal;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotApiException;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.ObjectCatalog;
import dev.hubspotsync.client.PropertyDefinition;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.source.BuiltInSource;
import dev.hubspotsync.source.ChangeSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the object streams, several at a time; see {@link SyncJob}. */
public final class DefaultSyncJob implements SyncJob {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultSyncJob.class);
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
    // Streams run in parallel; the shared rate budget keeps them within the portal's limits together.
    Map<String, List<PropertyDefinition>> propertyCache = new ConcurrentHashMap<>();
    Function<String, List<PropertyDefinition>> liveProperties =
        type -> propertyCache.computeIfAbsent(type, t -> client.properties(t, false));
    ObjectCatalog.Selection selection = objectTypes(liveProperties);
    List<String> objectTypes = selection.objectTypes();
    List<SyncReport.StreamReport> streams = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(settings.concurrency(), objectTypes.size())), r -> {
      Thread t = new Thread(r, "hubspot-sync-" + runId.substring(0, 8));
      t.setDaemon(true);
      return t;
    });
    ChangeSource source = bind(settings.changeSource().orElse(ChangeSource.polling()));
    try (BatchAllocator allocator = BatchAllocator.create(settings.memoryLimitBytes())) {
      Outcomes<SyncReport.StreamReport> objects = new Outcomes<>();
      Map<String, ObjectStreamSync> objectStreams = new LinkedHashMap<>();
      for (String type : objectTypes) {
        ObjectStreamSync stream = new ObjectStreamSync(type, settings, source, allocator, runId, started, liveProperties);
        objectStreams.put(type, stream);
        objects.add(type, pool.submit(stream::run));
      }
      streams.addAll(objects.await(pool));
      List<String> notes = new ArrayList<>(selection.notes());
      objectStreams.values().forEach(s -> notes.addAll(s.notes()));
      for (String type : objectTypes) {
        // an object chosen by allObjectTypes() whose reads HubSpot refuses (400, 403, 404) is left out, not a failure
        RuntimeException refused = !settings.allObjectTypes() || settings.objectTypes().contains(type) ? null
            : objects.excuse(type, e -> e instanceof HubSpotApiException h && List.of(400, 403, 404).contains(h.status()));
        if (refused != null) {
          notes.add(type + " left out of this run: " + refused.getMessage());
        }
      }
      // Records whose status changed (archived, restored, merged, deleted) have their links, and the
      // links pointing to them, read again by every pair they belong to; see StatusChanges.
      Map<String, StatusChanges> changes = new LinkedHashMap<>();
      objectStreams.forEach((type, stream) -> changes.put(type, objects.failed(type) ? StatusChanges.NONE : stream.statusChanges()));
      // Associations after the objects, so a full scan walks the parents just written. A pair whose
      // parent stream failed waits for the next run: its parent ids may be incomplete.
      Outcomes<SyncReport.AssociationReport> links = new Outcomes<>();
      Map<String, AssociationStreamSync> pairStreams = new LinkedHashMap<>();
      for (JobSettings.AssociationPair p : settings.associations()) {
        if (!objects.failed(p.from())) {
          boolean parentsInWarehouse = objectTypes.contains(p.from());
          ObjectStreamSync parent = objectStreams.get(p.from());
          List<Long> edited = parent == null ? List.of() : parent.linksEdited(p.to());
          boolean served = parentsInWarehouse && source.servesLinks(p.from(), p.to());
          AssociationStreamSync pair = new AssociationStreamSync(p.from(), p.to(), settings, started, parentsInWarehouse,
              liveProperties, changes.getOrDefault(p.from(), StatusChanges.NONE), changes.getOrDefault(p.to(), StatusChanges.NONE),
              edited, served);
          pairStreams.put(LinkBatch.pair(p.from(), p.to()), pair);
          links.add(LinkBatch.pair(p.from(), p.to()), pool.submit(pair::run));
        }
      }
      List<SyncReport.AssociationReport> associations = links.await(pool);
      RuntimeException failure = objects.failure(links.failure(null));
      try {
        forgetHandledChanges(objectStreams, pairStreams, changes, objects, links);
      } catch (RuntimeException e) { // the ids stay stored; the next run reads their links again
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
      SyncReport report = report(runId, started, before, streams, associations, notes, failure);
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

  /**
   * A type's status changes are forgotten once every pair it belongs to (as parent or target) read
   * the links again; otherwise they stay in its checkpoint for the next run.
   */
  private void forgetHandledChanges(Map<String, ObjectStreamSync> streams, Map<String, AssociationStreamSync> pairs,
      Map<String, StatusChanges> changes, Outcomes<SyncReport.StreamReport> objects,
      Outcomes<SyncReport.AssociationReport> links) {
    pairs.forEach((name, pair) -> {
      ObjectStreamSync parent = streams.get(pair.from());
      if (parent != null && !links.failed(name) && !objects.failed(pair.from())) {
        parent.linksEditedHandled(pair.to(), pair.editedRead());
      }
    });
    streams.forEach((type, stream) -> {
      StatusChanges changed = changes.get(type);
      List<String> ofType = settings.associations().stream().filter(p -> p.from().equals(type) || p.to().equals(type))
          .map(p -> LinkBatch.pair(p.from(), p.to())).toList();
      boolean pairsDone = ofType.stream().allMatch(p -> pairs.containsKey(p) && !links.failed(p));
      // "too many to list" is handled only by scans that read every parent after the changes
      boolean allRead = ofType.stream().allMatch(p -> pairs.containsKey(p) && pairs.get(p).readEveryParent());
      if (!objects.failed(type) && pairsDone && !changed.isEmpty()) {
        stream.statusChangesHandled(new StatusChanges(changed.ids(), changed.all() && allRead));
      }
    });
  }

  private SyncReport report(String runId, Instant started, Map<ApiCall, Long> before, List<SyncReport.StreamReport> streams,
      List<SyncReport.AssociationReport> associations, List<String> notes, RuntimeException failure) {
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
    return new SyncReport(runId, started, settings.clock().instant(), outcome, List.copyOf(streams),
        List.copyOf(associations), Map.copyOf(calls),
        usage.usedToday(), usage.dailyCeiling(), usage.resetsAt(), notes);
  }

  /** Futures of one kind of stream, by name; collects results and the first failure (others suppressed). */
  private static final class Outcomes<T> {
    private final Map<String, Future<T>> futures = new LinkedHashMap<>();
    private final Set<String> failed = new HashSet<>();
    private final Map<String, RuntimeException> failures = new LinkedHashMap<>();

    void add(String name, Future<T> future) {
      futures.put(name, future);
    }

    /** Waits for every stream; every one runs as far as it can and keeps its own checkpoint. */
    List<T> await(ExecutorService pool) {
      List<T> results = new ArrayList<>();
      for (Map.Entry<String, Future<T>> f : futures.entrySet()) {
        try {
          results.add(f.getValue().get());
        } catch (ExecutionException e) {
          failed.add(f.getKey());
          RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
              : new HubSpotSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Stream " + f.getKey() + " failed: " + e.getCause(),
                  false, e.getCause());
          failures.put(f.getKey(), cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          pool.shutdownNow();
          throw new HubSpotSyncException(ErrorCode.INTERRUPTED, "Interrupted while the sync ran", false, e);
        }
      }
      return results;
    }

    boolean failed(String name) {
      return failed.contains(name);
    }

    /**
     * Stops counting the failure of a stream as the run's when {@code excused} says so (the stream
     * still counts as failed); returns the failure excused, or null.
     */
    RuntimeException excuse(String name, java.util.function.Predicate<RuntimeException> excused) {
      RuntimeException cause = failures.get(name);
      return cause != null && excused.test(cause) ? failures.remove(name) : null;
    }

    /** This kind's first failure, with the others and {@code other} suppressed in it (or {@code other} alone). */
    RuntimeException failure(RuntimeException other) {
      RuntimeException failure = null;
      for (RuntimeException e : failures.values()) {
        if (failure == null) {
          failure = e;
        } else if (e != failure) {
          failure.addSuppressed(e);
        }
      }
      if (failure == null) {
        return other;
      }
      if (other != null && other != failure) {
        failure.addSuppressed(other);
      }
      return failure;
    }
  }

  /** The job's change source, built-in ones bound to its settings. */
  private ChangeSource bind(ChangeSource chosen) {
    if (chosen instanceof BuiltInSource b) {
      return BuiltInSource.JOURNAL.equals(b.name()) ? new JournalChangeSource(settings, b.portalId()) : new PollingSource(settings);
    }
    return chosen;
  }

  /**
   * The configured types, or for all types the {@link ObjectCatalog#selectAll catalog's selection}
   * (the properties it reads are the streams' own, cached) plus any type named besides.
   */
  private ObjectCatalog.Selection objectTypes(Function<String, List<PropertyDefinition>> liveProperties) {
    if (!settings.allObjectTypes()) {
      return new ObjectCatalog.Selection(settings.objectTypes(), List.of());
    }
    ObjectCatalog.Selection all = ObjectCatalog.selectAll(settings.client(), liveProperties);
    List<String> types = new ArrayList<>(all.objectTypes());
    settings.objectTypes().stream().filter(t -> !types.contains(t)).forEach(types::add);
    all.notes().forEach(n -> LOG.info("All object types: {}", n));
    return new ObjectCatalog.Selection(types, all.notes());
  }
}
