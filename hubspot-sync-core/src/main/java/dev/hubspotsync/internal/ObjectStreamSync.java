package dev.hubspotsync.internal;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncProgress;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.CallsOnThisThread;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.PropertyDefinition;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.schema.ColumnNamer;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.source.ChangeBatch;
import dev.hubspotsync.source.ChangeSource;
import dev.hubspotsync.source.ObjectStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One object type's run: schema drift, then the job's {@link ChangeSource} reads what changed
 * (polling: backfill or incremental, the archived pass, the reconciliation) and hands it over here as
 * {@link ChangeBatch}es. Every batch is written together with the checkpoint that covers it, so the
 * checkpoint never runs ahead of the data (invariant 3).
 */
final class ObjectStreamSync implements ObjectStream {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectStreamSync.class);
  private static final String MERGED_IDS = "hs_merged_object_ids";
  /** Batches fetched ahead of the sink: one loading, one waiting; the fetcher blocks on the next. */
  static final int PIPELINE_DEPTH = 2;

  private final String type;
  private final JobSettings settings;
  private final HubSpotClient client;
  private final WarehouseSink sink;
  private final ChangeSource source;
  private final BatchAllocator allocator;
  private final Clock clock;
  private final String runId;
  private final Instant syncedAt;
  private final long streamStartedAt;
  /** The live property definitions of a type, read once per run and shared with the association streams. */
  private final Function<String, List<PropertyDefinition>> liveProperties;

  private List<ColumnMapping> columns;
  private List<String> properties;
  /** Where the source stands, with the engine's relink ids; the sink's copy moves only as batches become durable. */
  private StreamCheckpoint checkpoint = StreamCheckpoint.NONE;
  private String mode;
  private long read;
  private long written;
  private long skipped;
  private long archived;
  private long unparsed;
  private long cleaned;
  private final Map<ApiCall, Long> calls = CallsOnThisThread.newCounts();
  private final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private WritePipeline pipeline;
  private String phase;
  private long phaseStartedAt;
  private long phaseRead;
  private volatile long phaseTotal = -1; // set by the fetcher, read by the loader's progress reports
  private long lastProgressAt;

  ObjectStreamSync(String type, JobSettings settings, ChangeSource source, BatchAllocator allocator, String runId,
      Instant syncedAt, Function<String, List<PropertyDefinition>> liveProperties) {
    this.type = type;
    this.source = source;
    this.liveProperties = liveProperties;
    this.settings = settings;
    this.client = settings.client();
    this.sink = settings.sink();
    this.allocator = allocator;
    this.clock = settings.clock();
    this.runId = runId;
    this.syncedAt = syncedAt;
    this.streamStartedAt = clock.millis();
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
    mode = source.name();
    source.readObjects(this);
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
    properties = List.copyOf(properties);
    return drift;
  }

  @Override
  public String objectType() {
    return type;
  }

  @Override
  public List<String> properties() {
    return properties;
  }

  @Override
  public List<String> linkedTypes() {
    return settings.associations().stream().filter(p -> p.from().equals(type)).map(JobSettings.AssociationPair::to).toList();
  }

  @Override
  public void note(String line) {
    notes.add(type + ": " + line);
  }

  /** The source's notes of this run, for the report. */
  List<String> notes() {
    return List.copyOf(notes);
  }

  @Override
  public Optional<String> checkpoint() {
    return Optional.ofNullable(checkpoint.position());
  }

  @Override
  public HubSpotClient client() {
    return client;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public long[] storedIds(boolean archivedRows) {
    pipeline.flush();
    return sink.ids(type, archivedRows);
  }

  @Override
  public Map<Long, Instant> storedUpdatedAt(Collection<Long> ids) {
    pipeline.flush();
    return sink.updatedAt(type, ids);
  }

  @Override
  public void phase(String name, long expectedRecords) {
    startPhase(name, expectedRecords);
  }

  @Override
  public void expect(long records) {
    phaseTotal = records;
  }

  @Override
  public void mode(String mode) {
    this.mode = mode;
  }

  /**
   * Writes the batch's records with its position; removals (archived, merged away, GDPR-deleted)
   * first write the records with the position before them and the ids to relink, then, once that is
   * durable, mark or erase the rows, and only then store the new position: a crash in between leaves
   * the removal to be read again.
   */
  @Override
  public void apply(ChangeBatch batch) {
    batch.checkpoint().ifPresent(json -> StreamCheckpoint.checkPosition(type, json));
    String next = batch.checkpoint().orElse(checkpoint.position());
    archived += batch.records().stream().filter(CrmRecord::archived).count();
    if (batch.allLinksChanged()) {
      checkpoint = checkpoint.withRelinkAll();
    }
    checkpoint = checkpoint.withEdited(batch.linksEdited()); // written with the batch's records below
    if (!batch.removes()) {
      write(batch.records(), next, batch.linksChanged());
      return;
    }
    String before = checkpoint.position();
    write(batch.records(), before, batch.linksChanged());
    pipeline.flush();
    for (ChangeBatch.Removal r : batch.archived()) {
      int marked = markArchived(r.ids(), r.at());
      LOG.info("{} {} records deleted or merged away in HubSpot; {} marked archived", r.ids().size(), type, marked);
    }
    for (ChangeBatch.Removal r : batch.gdprDeleted()) {
      erase(r.ids(), r.at());
    }
    if (next != null && !next.equals(before)) {
      write(List.of(), next, List.of());
    }
  }

  /** Erases the personal data of GDPR-deleted records as the job's {@code gdprMode} says; a sink that cannot fails the stream. */
  private void erase(List<Long> ids, Instant at) {
    try {
      int erased = sink.erase(type, ids, settings.gdprMode(), at);
      LOG.info("{} {} records GDPR-deleted in HubSpot; {} rows erased ({})", ids.size(), type, erased, settings.gdprMode());
    } catch (UnsupportedOperationException e) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "HubSpot GDPR-deleted " + ids.size() + " " + type
          + " records, but the sink " + sink.getClass().getSimpleName() + " cannot erase personal data (" + e.getMessage()
          + "). Implement WarehouseSink.erase, or use a sink that does; the stream's checkpoint stays before the deletions, "
          + "so the next run tries again.", false, e);
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

  /**
   * Builds the batch here and hands it to the loader with the checkpoint that covers it (the
   * source's {@code position}, and {@code relink} added to the ids whose links must be read again);
   * the source goes on to its next page meanwhile.
   */
  private void write(List<CrmRecord> records, String sourcePosition, Collection<Long> relink) {
    RecordBatch.Builder builder = RecordBatch.builder(type, columns, allocator, syncedAt, runId);
    records.forEach(builder::add);
    RecordBatch batch = builder.build();
    StreamCheckpoint moved = sourcePosition == null ? checkpoint : checkpoint.at(sourcePosition);
    StreamCheckpoint position = moved.withRelink(relink).withRelink(mergeRelink(records));
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
    return settings.storedCheckpoint(type).map(c -> StreamCheckpoint.parse(type, c.json())).orElse(StreamCheckpoint.NONE);
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
    forget(checkpoint.withoutRelink(handled.ids(), handled.all()));
  }

  /** The parents whose links to {@code toType} a change source saw edited and no pair has read again yet. */
  List<Long> linksEdited(String toType) {
    return checkpoint.editedIds().getOrDefault(toType, List.of());
  }

  /** Forgets the edited parents of {@code toType} the pair has read again; only after the stream finished without failure. */
  void linksEditedHandled(String toType, Collection<Long> handled) {
    forget(checkpoint.withoutEdited(toType, handled));
  }

  private void forget(StreamCheckpoint next) {
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
