package dev.hubspotsync.internal;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.SyncProgress;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.CallsOnThisThread;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.PropertyDefinition;
import dev.hubspotsync.client.SearchPage;
import dev.hubspotsync.client.SearchRequest;
import dev.hubspotsync.client.SearchRequest.Filter;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.schema.ColumnNamer;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.sink.WriteResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One object type's run: schema drift, then backfill (list API, resumable) or incremental (search
 * on the modified date), then the archived pass. Every batch is written together with the
 * checkpoint that covers it, so the checkpoint never runs ahead of the data (invariant 3).
 */
final class ObjectStreamSync {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectStreamSync.class);
  /** Search bodies over 3,000 characters are rejected (§2); leave room for filters and sorts. */
  private static final int MAX_SEARCH_PROPERTY_CHARS = 2_200;
  private static final int BATCH_READ_MAX = 100;
  private static final String MERGED_IDS = "hs_merged_object_ids";
  /** Batches fetched ahead of the sink: one loading, one waiting; the fetcher blocks on the next. */
  static final int PIPELINE_DEPTH = 2;

  private final String type;
  private final JobSettings settings;
  private final HubSpotClient client;
  private final WarehouseSink sink;
  private final BatchAllocator allocator;
  private final Clock clock;
  private final String runId;
  private final Instant syncedAt;
  private final String modifiedProperty;
  private final long streamStartedAt;
  /** The live property definitions of a type, read once per run and shared with the association streams. */
  private final Function<String, List<PropertyDefinition>> liveProperties;

  private List<ColumnMapping> columns;
  private List<String> properties;
  /** Whether the property names fit in a search body (§2: 3,000 characters), fixed once the columns are known. */
  private boolean propertiesFitSearch;
  private StreamCheckpoint checkpoint;
  private String mode;
  private long read;
  private long written;
  private long skipped;
  private long archived;
  private long unparsed;
  private long cleaned;
  private final Map<ApiCall, Long> calls = CallsOnThisThread.newCounts();
  private WritePipeline pipeline;
  private String phase;
  private long phaseStartedAt;
  private long phaseRead;
  private volatile long phaseTotal = -1; // set by the fetcher, read by the loader's progress reports
  private long lastProgressAt;

  ObjectStreamSync(String type, JobSettings settings, BatchAllocator allocator, String runId, Instant syncedAt,
      Function<String, List<PropertyDefinition>> liveProperties) {
    this.type = type;
    this.liveProperties = liveProperties;
    this.settings = settings;
    this.client = settings.client();
    this.sink = settings.sink();
    this.allocator = allocator;
    this.clock = settings.clock();
    this.runId = runId;
    this.syncedAt = syncedAt;
    this.modifiedProperty = modifiedProperty(type);
    this.streamStartedAt = clock.millis();
  }

  /** Contacts poll {@code lastmodifieddate}; every other type {@code hs_lastmodifieddate} (§2). */
  static String modifiedProperty(String type) {
    return Set.of("contacts", "contact", "0-1").contains(type) ? "lastmodifieddate" : "hs_lastmodifieddate";
  }

  SyncReport.StreamReport run() {
    try (WritePipeline p = new WritePipeline("hubspot-sync-load-" + type, PIPELINE_DEPTH)) {
      pipeline = p;
      return CallsOnThisThread.count(calls, this::runStream); // the loader thread sends none
    }
  }

  private SyncReport.StreamReport runStream() {
    SchemaDrift drift = applyDrift();
    checkpoint = loadCheckpoint();
    mode = checkpoint == null || checkpoint.isBackfill() ? StreamCheckpoint.BACKFILL : StreamCheckpoint.INCREMENTAL;
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
    pipeline.flush();
    List<String> driftLines = drift.isEmpty() ? List.of() : drift.describe().lines().toList();
    return new SyncReport.StreamReport(type, mode, read, written, skipped, archived, unparsed, cleaned, driftLines,
        checkpoint.json(), Collections.unmodifiableMap(new EnumMap<>(calls)), Duration.ofMillis(clock.millis() - streamStartedAt));
  }

  private SchemaDrift applyDrift() {
    List<PropertyDefinition> live = liveProperties.apply(type);
    boolean mergeable = live.stream().anyMatch(p -> p.name().equals(MERGED_IDS));
    List<String> selected = settings.propertySelection().get(type);
    if (selected != null) {
      live = live.stream().filter(p -> selected.contains(p.name())).toList();
    }
    List<ColumnMapping> stored = sink.describe(type);
    SchemaDrift drift = SchemaDrift.analyze(type, live, stored, ColumnNamer.forDialect(sink.maxIdentifierBytes()));
    if (!drift.isEmpty()) {
      LOG.info("Schema drift: {}", drift.describe());
      if (!stored.isEmpty()) {
        settings.onDrift().accept(drift);
      }
    }
    if (stored.isEmpty() || !drift.evolveColumns().isEmpty()) {
      sink.evolve(type, drift.evolveColumns()); // legacy DECIMAL number columns become DOUBLE here
    }
    columns = drift.columnsAfter();
    properties = columns.stream().map(ColumnMapping::property).toList();
    if (mergeable && !properties.contains(MERGED_IDS)) {
      // merges are seen only through the survivor's list of absorbed ids: read it even when no column keeps it
      properties = new ArrayList<>(properties);
      properties.add(MERGED_IDS);
    }
    propertiesFitSearch = properties.stream().mapToInt(p -> p.length() + 3).sum() <= MAX_SEARCH_PROPERTY_CHARS;
    return drift;
  }

  /**
   * Reads every live record, with no 10,000 cap, one checkpoint per page: through the list API, or
   * through search sorted by id above a floor (200 a call). The start time is kept, so the first
   * incremental window covers changes made while it ran.
   */
  private void backfill() {
    if (checkpoint == null) {
      checkpoint = StreamCheckpoint.start(clock.millis());
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
    startPhase("backfill", estimateTotal());
    String after = checkpoint.after();
    CursorGuard guard = new CursorGuard("list " + type);
    guard.next(after);
    while (true) {
      var page = client.listPage(type, properties, settings.listPageSize(), after, false);
      after = guard.next(page.nextAfter());
      StreamCheckpoint next = after != null ? checkpoint.backfillAt(after)
          : checkpoint.incrementalAt(checkpoint.backfillStartedAt());
      write(page.results(), next);
      if (after == null) {
        return;
      }
    }
  }

  private void backfillBySearch() {
    startPhase("backfill", -1);
    long floor = checkpoint.idFloor() != null ? checkpoint.idFloor() : 0;
    CursorGuard guard = new CursorGuard("search " + type + " by id");
    while (true) {
      SearchPage page = search(SearchRequest.builder()
          .addFilterGroup(Filter.of("hs_object_id", "GT", Long.toString(floor)))
          .sortAscending("hs_object_id").limit(settings.searchPageSize()).after(0).build());
      if (phaseTotal < 0) {
        phaseTotal = page.total();
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
    startPhase("incremental", -1);
    new ModifiedWindow(type, modifiedProperty, settings.searchPageSize(), this::search)
        .read(low, upper, checkpoint.cursor(), (page, cursor) -> write(withProperties(page), checkpoint.incrementalAt(cursor)));
  }

  private static boolean due(Long last, Duration every, long now) {
    return last == null || now - last >= every.toMillis();
  }

  /**
   * Archived records (the recycle bin) are written with {@code _hs_archived = true}; rows are never
   * removed. Rows the sink holds as archived that are no longer in the bin were restored (read them
   * again) or are gone for good (they stay archived). Archiving and restoring never bump the
   * modified date, so only this pass sees them (hubspot-api.md §8).
   */
  private void archivedPass(long now) {
    startPhase("archived", -1);
    long[] known = sinkIds(true);
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
      archived += page.results().size();
      after = guard.next(page.nextAfter());
      write(page.results(), (after == null ? checkpoint.archivedPassDone(now) : checkpoint).withRelink(newlyArchived));
    } while (after != null);
    pipeline.flush(); // the rows just read must be in the sink before its archived ids are compared
    long[] stored = known == null ? new long[0] : sinkIds(true);
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
        write(found, checkpoint.withRelink(found.stream().map(CrmRecord::id).toList()));
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
    startPhase("reconcile", -1);
    pipeline.flush(); // compare with every row read so far
    long[] liveRows = sinkIds(false);
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
          storedDates = sink.updatedAt(type, page.results().stream().map(CrmRecord::id).toList());
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
      write(List.of(), checkpoint.withRelink(gone)); // first: the links to them are re-read even after a crash
      pipeline.flush();
      int marked = markArchived(gone, Instant.ofEpochMilli(now));
      LOG.info("{} {} records no longer exist in HubSpot; marked archived", marked, type);
    }
    readLiveAgain(missing, "records were live in HubSpot but missing, archived or older in the warehouse; read them");
    write(List.of(), checkpoint.reconciled(now));
  }

  /** The sink's ids of live or archived rows, or null (logged) when it cannot list them. */
  private long[] sinkIds(boolean archivedRows) {
    try {
      return sink.ids(type, archivedRows);
    } catch (UnsupportedOperationException e) {
      LOG.warn("The sink cannot list its rows' ids ({}); restores and deletions of {} are not detected", e.getMessage(), type);
      return null;
    }
  }

  private int markArchived(List<Long> ids, Instant at) {
    if (ids.isEmpty()) {
      return 0;
    }
    try {
      return sink.markArchived(type, ids, at);
    } catch (UnsupportedOperationException e) {
      LOG.warn("The sink cannot mark rows archived ({}); {} merged or deleted {} records stay live", e.getMessage(),
          ids.size(), type);
      return 0;
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

  /**
   * Builds the batch here and hands it to the loader with the checkpoint that covers it; the
   * fetcher goes on to the next page meanwhile. {@link #checkpoint} is where the fetcher stands; the
   * sink's (or state store's) copy moves only as batches become durable.
   */
  private void write(List<CrmRecord> records, StreamCheckpoint next) {
    RecordBatch.Builder builder = RecordBatch.builder(type, columns, allocator, syncedAt, runId);
    records.forEach(builder::add);
    RecordBatch batch = builder.build();
    StreamCheckpoint position = next.withRelink(mergeRelink(records));
    checkpoint = position;
    pipeline.submit(new WritePipeline.Job() {
      @Override
      public void run() {
        Checkpoint stored = new Checkpoint(type, position.json());
        WriteResult result = sink.write(batch, stored);
        settings.saveCheckpoint(stored);
        read += records.size();
        phaseRead += records.size();
        written += result.written();
        skipped += result.skippedOlder();
        cleaned += result.valuesCleaned();
        unparsed += batch.unparsedCount();
        markMergedAway(records);
        progress(false);
      }

      @Override
      public void release() {
        batch.close();
      }
    });
  }

  private StreamCheckpoint loadCheckpoint() {
    return settings.storedCheckpoint(type).map(c -> StreamCheckpoint.parse(type, c.json())).orElse(null);
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

  private void startPhase(String name, long total) {
    pipeline.flush(); // the loader reports on the phase of the batches it writes
    if (phase != null) {
      progress(true);
    }
    phase = name;
    phaseStartedAt = clock.millis();
    phaseRead = 0;
    phaseTotal = total;
    lastProgressAt = phaseStartedAt;
  }

  /** Tells listeners every page, and logs every {@code progressEvery} (rate, and ETA when the total is known). */
  private void progress(boolean ending) {
    long now = clock.millis();
    Duration elapsed = Duration.ofMillis(now - phaseStartedAt);
    double rate = elapsed.toMillis() > 0 ? phaseRead * 1000.0 / elapsed.toMillis() : 0;
    Duration eta = phaseTotal > 0 && rate > 0 ? Duration.ofMillis((long) (Math.max(0, phaseTotal - phaseRead) / rate * 1000)) : null;
    SyncProgress p = new SyncProgress(type, phase, phaseRead, phaseTotal, elapsed, rate, eta);
    settings.onProgress().accept(p);
    if (!ending && now - lastProgressAt >= settings.progressEvery().toMillis()) {
      lastProgressAt = now;
      LOG.info("{} {}: {} records{} in {} s, {} records/s{}", type, phase, phaseRead,
          phaseTotal >= 0 ? " of " + phaseTotal : "", elapsed.toSeconds(), Math.round(rate),
          eta == null ? "" : ", about " + eta.toSeconds() + " s to go");
    }
  }

  /**
   * A survivor of a merge lists the absorbed ids in {@code hs_merged_object_ids} (§8); HubSpot no
   * longer serves them, so their rows are marked archived as of the merge.
   */
  private void markMergedAway(List<CrmRecord> records) {
    for (CrmRecord r : records) {
      List<Long> ids = mergedIds(r);
      if (!ids.isEmpty()) {
        markArchived(ids, r.updatedAt() != null ? r.updatedAt() : syncedAt);
      }
    }
  }

  /** The ids a live record absorbed by merges (none for an archived one). */
  private static List<Long> mergedIds(CrmRecord r) {
    String merged = r.properties().get(MERGED_IDS);
    if (merged == null || merged.isBlank() || r.archived()) {
      return List.of();
    }
    List<Long> ids = new ArrayList<>();
    for (String part : merged.split(";")) {
      String id = part.trim();
      if (!id.isEmpty() && id.length() < 19 && id.chars().allMatch(Character::isDigit) && Long.parseLong(id) != r.id()) {
        ids.add(Long.parseLong(id));
      }
    }
    return ids;
  }

  /**
   * A merge moves the absorbed records' links to the survivor and moves no date of the records
   * linked to them: survivor and absorbed ids have their links, and the links pointing to them, read
   * again. Outside a merge the list is empty.
   */
  private static List<Long> mergeRelink(List<CrmRecord> records) {
    List<Long> ids = new ArrayList<>();
    for (CrmRecord r : records) {
      List<Long> merged = mergedIds(r);
      if (!merged.isEmpty()) {
        ids.add(r.id());
        ids.addAll(merged);
      }
    }
    return ids;
  }

  /** The ids (or all, past the limit) whose links the association pairs must read again. */
  StatusChanges statusChanges() {
    return new StatusChanges(Set.copyOf(checkpoint.relinkIds()), Boolean.TRUE.equals(checkpoint.relinkAll()));
  }

  /**
   * Forgets the status changes the association pairs have handled: an empty write with the position
   * without them. Only after the stream (and its pipeline) finished without failure.
   */
  void statusChangesHandled(StatusChanges handled) {
    StreamCheckpoint next = checkpoint.withoutRelink(handled.ids(), handled.all());
    if (next.equals(checkpoint)) {
      return;
    }
    try (RecordBatch empty = RecordBatch.builder(type, columns, allocator, syncedAt, runId).build()) {
      Checkpoint position = new Checkpoint(type, next.json());
      sink.write(empty, position);
      settings.saveCheckpoint(position);
    }
    checkpoint = next;
  }
}
