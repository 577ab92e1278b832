package dev.hubspotsync.internal;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.SearchPage;
import dev.hubspotsync.client.SearchRequest;
import dev.hubspotsync.client.SearchRequest.Filter;
import dev.hubspotsync.source.ChangeBatch;
import dev.hubspotsync.source.ChangeSource;
import dev.hubspotsync.source.ObjectStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code polling} change source, the default: per object type a backfill (list API, or search
 * by id; resumable, no 10,000 cap), then incremental windows of search on the modified date, plus
 * the recycle-bin pass (archives and restores, which move no date) and the reconciliation of ids
 * (deletions for good), each on its own cadence. Its position is a {@link PollingCheckpoint}.
 * Stateless between streams: each {@link #readObjects} call keeps its own state.
 */
final class PollingSource implements ChangeSource {
  private static final Logger LOG = LoggerFactory.getLogger(PollingSource.class);
  /** Search bodies over 3,000 characters are rejected (§2); leave room for filters and sorts. */
  private static final int MAX_SEARCH_PROPERTY_CHARS = 2_200;
  private static final int BATCH_READ_MAX = 100;

  private final JobSettings settings;

  PollingSource(JobSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "polling";
  }

  /** Contacts poll {@code lastmodifieddate}; every other type {@code hs_lastmodifieddate} (§2). */
  static String modifiedProperty(String type) {
    return Set.of("contacts", "contact", "0-1").contains(type) ? "lastmodifieddate" : "hs_lastmodifieddate";
  }

  @Override
  public void readObjects(ObjectStream stream) {
    new ObjectRead(stream).run();
  }

  /**
   * For the journal source: only the reconciliation of ids, when due ({@code reconcileEvery}); the
   * stream's checkpoint must be incremental.
   */
  void reconcileIfDue(ObjectStream stream) {
    new ObjectRead(stream).reconcileIfDue();
  }

  /** One object type's read in one run. */
  private final class ObjectRead {
    private final ObjectStream stream;
    private final String type;
    private final HubSpotClient client;
    private final Clock clock;
    private final String modifiedProperty;
    private final List<String> properties;
    /** Whether the property names fit in a search body (§2: 3,000 characters). */
    private final boolean propertiesFitSearch;
    private PollingCheckpoint checkpoint;

    ObjectRead(ObjectStream stream) {
      this.stream = stream;
      this.type = stream.objectType();
      this.client = stream.client();
      this.clock = stream.clock();
      this.modifiedProperty = modifiedProperty(type);
      this.properties = stream.properties();
      this.propertiesFitSearch = properties.stream().mapToInt(p -> p.length() + 3).sum() <= MAX_SEARCH_PROPERTY_CHARS;
      this.checkpoint = stream.checkpoint().map(json -> PollingCheckpoint.parse(type, json)).orElse(null);
    }

    void run() {
      stream.mode(checkpoint == null || checkpoint.isBackfill() ? PollingCheckpoint.BACKFILL : PollingCheckpoint.INCREMENTAL);
      if (checkpoint == null || checkpoint.isBackfill()) {
        backfill();
      }
      incremental();
      long now = clock.millis();
      if (due(checkpoint.archivedPassAt(), settings.archivedPassEvery(), now)) {
        archivedPass(now);
      }
      if (due(checkpoint.reconciledAt(), settings.reconcileEvery(), now)) {
        reconcile(now);
      }
    }

    void reconcileIfDue() {
      long now = clock.millis();
      if (checkpoint != null && !checkpoint.isBackfill() && due(checkpoint.reconciledAt(), settings.reconcileEvery(), now)) {
        reconcile(now);
      }
    }

    /** Hands {@code records} over with the position {@code next}, which the source stands at from now. */
    private void write(List<CrmRecord> records, PollingCheckpoint next) {
      checkpoint = next;
      stream.apply(ChangeBatch.of(records, next.json()));
    }

    /**
     * Reads every live record, with no 10,000 cap, one checkpoint per page: through the list API, or
     * through search sorted by id above a floor (200 a call). The start time is kept, so the first
     * incremental window covers changes made while it ran.
     */
    private void backfill() {
      if (checkpoint == null) {
        checkpoint = PollingCheckpoint.start(clock.millis());
      }
      boolean resumed = checkpoint.after() != null || checkpoint.idFloor() != null;
      boolean search = checkpoint.idFloor() != null
          || (checkpoint.after() == null && (settings.backfillMethod() == BackfillMethod.SEARCH
              || settings.backfillMethod() == BackfillMethod.AUTO && propertiesFitSearch));
      LOG.info("Backfilling {} through {}{}", type, search ? "search" : "the list API", resumed ? " from the stored position" : "");
      if (search) {
        backfillBySearch();
      } else {
        backfillByList();
      }
    }

    private void backfillByList() {
      stream.phase("backfill", estimateTotal());
      String after = checkpoint.after();
      CursorGuard guard = new CursorGuard("list " + type);
      guard.next(after);
      while (true) {
        var page = client.listPage(type, properties, settings.listPageSize(), after, false);
        after = guard.next(page.nextAfter());
        PollingCheckpoint next = after != null ? checkpoint.backfillAt(after)
            : checkpoint.incrementalAt(checkpoint.backfillStartedAt());
        write(page.results(), next);
        if (after == null) {
          return;
        }
      }
    }

    private void backfillBySearch() {
      stream.phase("backfill", -1);
      long floor = checkpoint.idFloor() != null ? checkpoint.idFloor() : 0;
      CursorGuard guard = new CursorGuard("search " + type + " by id");
      boolean first = true;
      while (true) {
        SearchPage page = search(SearchRequest.builder()
            .addFilterGroup(Filter.of("hs_object_id", "GT", Long.toString(floor)))
            .sortAscending("hs_object_id").limit(settings.searchPageSize()).after(0).build());
        if (first) {
          stream.expect(page.total());
          first = false;
        }
        List<CrmRecord> records = withProperties(page.results());
        boolean done = page.nextAfter() < 0 || page.results().isEmpty();
        if (!done) {
          floor = guard.above(floor, page.results().get(page.results().size() - 1).id());
        }
        // Search showed the index as of the lag before the start: the first window must begin there.
        long indexedFrom = checkpoint.backfillStartedAt() - settings.indexLag().toMillis();
        write(records, done ? checkpoint.incrementalAt(indexedFrom) : checkpoint.backfillAbove(floor));
        if (done) {
          return;
        }
      }
    }

    /**
     * Reads records modified since the cursor (minus the overlap) up to now minus the index lag,
     * oldest first, by {@link ModifiedWindow}: no skip, no loop, past the 10,000 cap.
     */
    private void incremental() {
      long upper = clock.millis() - settings.indexLag().toMillis();
      long low = checkpoint.cursor() - settings.overlap().toMillis();
      if (upper <= low) {
        return; // nothing new can be indexed yet
      }
      stream.phase("incremental", -1);
      new ModifiedWindow(type, modifiedProperty, settings.searchPageSize(), this::search)
          .read(low, upper, checkpoint.cursor(), (page, cursor) -> write(withProperties(page), checkpoint.incrementalAt(cursor)));
    }

    private boolean due(Long last, Duration every, long now) {
      return last == null || now - last >= every.toMillis();
    }


    /**
     * Archived records (the recycle bin) are written with {@code _hs_archived = true}; rows are never
     * removed. Rows the sink holds as archived that are no longer in the bin were restored (read them
     * again) or are gone for good (they stay archived). Archiving and restoring never bump the
     * modified date, so only this pass sees them (hubspot-api.md §8).
     */
    private void archivedPass(long now) {
      stream.phase("archived", -1);
      long[] known = storedIds(true);
      Set<Long> archivedBefore = new HashSet<>();
      for (long id : known == null ? new long[0] : known) {
        archivedBefore.add(id);
      }
      Set<Long> inBin = new HashSet<>();
      CursorGuard guard = new CursorGuard("list archived " + type);
      String after = null;
      do {
        var page = client.listPage(type, properties, settings.listPageSize(), after, true);
        List<Long> newlyArchived = new ArrayList<>();
        for (CrmRecord r : page.results()) {
          inBin.add(r.id());
          if (known != null && !archivedBefore.contains(r.id())) {
            newlyArchived.add(r.id()); // links pointing to it must go
          }
        }
        after = guard.next(page.nextAfter());
        checkpoint = after == null ? checkpoint.archivedPassDone(now) : checkpoint;
        stream.apply(ChangeBatch.builder().upsert(page.results()).linksChanged(newlyArchived).checkpoint(checkpoint.json())
            .build());
      } while (after != null);
      // the rows just read are in the sink before its archived ids are compared (storedIds waits for them)
      long[] stored = known == null ? new long[0] : storedIds(true);
      List<Long> maybeRestored = new ArrayList<>();
      for (long id : stored) {
        if (!inBin.contains(id)) {
          maybeRestored.add(id);
        }
      }
      readLiveAgain(maybeRestored, "records came back from the recycle bin");
    }

    /**
     * Reads the records of {@code ids} that are live, 100 a call, and writes them with their links due
     * to be read again. A merged-away id resolves to its survivor: only records found under the id asked
     * count.
     */
    private void readLiveAgain(List<Long> ids, String what) {
      for (List<Long> chunk : Chunks.of(ids, BATCH_READ_MAX)) {
        Set<Long> asked = new HashSet<>(chunk);
        List<CrmRecord> found = client.batchRead(type, chunk, properties, false).found().stream()
            .filter(r -> asked.contains(r.id())).toList();
        if (!found.isEmpty()) {
          LOG.info("{} {} {}", found.size(), type, what);
          stream.apply(ChangeBatch.builder().restored(found).checkpoint(checkpoint.json()).build());
        }
      }
    }

    /**
     * Compares the portal's live ids with the sink's. Live rows the portal no longer lists were deleted
     * for good (GDPR deletes, or purged from the recycle bin) and are marked archived; live records the
     * sink lacks, holds archived, or holds with an older modified date (restored from the bin before a
     * bin pass saw them there, archived while the backfill passed them, or updated and archived while
     * an incremental window passed them) are read again. Costs one list call per 100 records, so it runs
     * after a backfill and then on its own cadence.
     */
    private void reconcile(long now) {
      stream.phase("reconcile", -1);
      long[] liveRows = storedIds(false); // compares with every row read so far
      if (liveRows == null) {
        write(List.of(), checkpoint.reconciled(now)); // nothing to compare with: the sink cannot list its rows
        return;
      }
      Set<Long> stored = new HashSet<>();
      for (long id : liveRows) {
        stored.add(id);
      }
      Set<Long> live = new HashSet<>();
      List<Long> missing = new ArrayList<>();
      CursorGuard guard = new CursorGuard("list " + type + " ids");
      boolean compareDates = true;
      String after = null;
      do {
        var page = client.listPage(type, List.of("hs_object_id"), settings.listPageSize(), after, false);
        Map<Long, Instant> storedDates = Map.of();
        if (compareDates) {
          try {
            storedDates = stream.storedUpdatedAt( page.results().stream().map(CrmRecord::id).toList());
          } catch (UnsupportedOperationException e) {
            LOG.warn("The sink cannot read its rows' modified dates ({}); {} rows that missed an update while archived "
                + "are not found", e.getMessage(), type);
            compareDates = false;
          }
        }
        for (CrmRecord r : page.results()) {
          live.add(r.id());
          Instant storedAt = storedDates.get(r.id());
          boolean behind = compareDates && r.updatedAt() != null && (storedAt == null || storedAt.isBefore(r.updatedAt()));
          if (!stored.contains(r.id()) || behind) {
            missing.add(r.id()); // absent, archived, or older than the portal's (updated, archived, restored unseen)
          }
        }
        after = guard.next(page.nextAfter());
      } while (after != null);
      List<Long> gone = stored.stream().filter(id -> !live.contains(id)).sorted().toList();
      if (!gone.isEmpty()) {
        LOG.info("{} {} records no longer exist in HubSpot", gone.size(), type);
        stream.apply(ChangeBatch.builder().archived(gone, Instant.ofEpochMilli(now)).checkpoint(checkpoint.json()).build());
      }
      readLiveAgain(missing, "records were live in HubSpot but missing, archived or older in the warehouse; read them");
      write(List.of(), checkpoint.reconciled(now));
    }

    /** The sink's ids of live or archived rows, or null (logged) when it cannot list them. */
    private long[] storedIds(boolean archivedRows) {
      try {
        return stream.storedIds(archivedRows);
      } catch (UnsupportedOperationException e) {
        LOG.warn("The sink cannot list its rows' ids ({}); restores and deletions of {} are not detected", e.getMessage(), type);
        return null;
      }
    }


    private SearchPage search(SearchRequest request) {
      List<String> props = propertiesFitSearch ? properties : List.of(modifiedProperty);
      return client.search(type, request.withProperties(props));
    }


    /**
     * Search results carry every property when the names fit in a search body; otherwise they carry
     * ids only and the records are read by batch read (100 a call, no length limit).
     */
    private List<CrmRecord> withProperties(List<CrmRecord> found) {
      if (propertiesFitSearch || found.isEmpty()) {
        return found;
      }
      Map<Long, CrmRecord> byId = new LinkedHashMap<>();
      for (List<CrmRecord> chunk : Chunks.of(found, BATCH_READ_MAX)) {
        List<Long> ids = chunk.stream().map(CrmRecord::id).toList();
        client.batchRead(type, ids, properties, false).found().forEach(r -> byId.put(r.id(), r));
      }
      return new ArrayList<>(byId.values());
    }


    /** How many live records a backfill will read: one search call that returns only the total. */
    private long estimateTotal() {
      try {
        return client.search(type, SearchRequest.builder().addProperties(List.of("hs_object_id")).limit(1).build()).total();
      } catch (RuntimeException e) {
        LOG.debug("No record count for {} ({}); progress will show no ETA", type, e.getMessage());
        return -1;
      }
    }
  }
}
