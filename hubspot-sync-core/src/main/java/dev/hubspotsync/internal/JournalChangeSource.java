package dev.hubspotsync.internal;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotApiException;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.JournalEntries;
import dev.hubspotsync.client.JournalEvent;
import dev.hubspotsync.client.JournalEvent.Action;
import dev.hubspotsync.client.JournalFile;
import dev.hubspotsync.client.JournalPointer;
import dev.hubspotsync.client.JournalSubscription;
import dev.hubspotsync.client.ObjectCatalog;
import dev.hubspotsync.source.ChangeBatch;
import dev.hubspotsync.source.ChangeSource;
import dev.hubspotsync.source.ObjectStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code journal} change source: HubSpot's change journal (Webhooks Journal 2026-03,
 * hubspot-api.md §10.4) as the feed of every change, read at no rate-limit cost; only the records and
 * links it names are read, by id. Per object stream:
 *
 * <ol>
 *   <li>ensures the portal's subscriptions: the type's objects with its mapped properties, its GDPR
 *       deletions, and its links to every type the job's pairs link it to (engagements too);
 *   <li>first run (or after a switch from polling): takes the journal's latest offset, then lets the
 *       {@link PollingSource} backfill (or catch up), then reads the journal after that offset, so
 *       changes made during the backfill are replayed;
 *   <li>reads the journal after its stored offset, up to 100 files a call; per call, de-duplicates the
 *       events (delivery is at least once), re-reads the records they name (100 a call; never trusting
 *       {@code propertyChanges} as a row), and hands over deletions, merges, GDPR erasures and the
 *       parents whose links were edited, with the last file's offset as the checkpoint;
 *   <li>a gap (the offset is past the journal's 3-day retention, a file expired unread, or the
 *       subscriptions were lost) is reported in the run's notes and recovered by polling: the missed
 *       window, the recycle-bin pass, the reconciliation, and a full scan of the type's pairs; then the
 *       journal again from its latest entry;
 *   <li>reconciles ids by polling every {@code reconcileEvery}.
 * </ol>
 *
 * Thread-safe: each {@link #readObjects} call keeps its own state.
 */
final class JournalChangeSource implements ChangeSource {
  private static final Logger LOG = LoggerFactory.getLogger(JournalChangeSource.class);
  private static final int ENTRIES_PER_CALL = 100;
  /** Journal files whose events are applied as one batch (each holds up to 10,000 events). */
  private static final int FILES_PER_BATCH = 200;
  private static final int BATCH_READ_MAX = 100;
  /** Event keys remembered to drop redeliveries across calls of one run. */
  private static final int SEEN_MAX = 200_000;
  private static final Duration RETENTION = Duration.ofDays(3);
  private static final Pattern CUSTOM_ID = Pattern.compile("2-\\d+");

  private final JobSettings settings;
  private final long portalId;
  private final PollingSource polling;

  JournalChangeSource(JobSettings settings, long portalId) {
    this.settings = settings;
    this.portalId = portalId;
    this.polling = new PollingSource(settings);
  }

  @Override
  public String name() {
    return "journal";
  }

  /** Every configured pair: its parent type's stream subscribes to its link edits and reports them. */
  @Override
  public boolean servesLinks(String fromType, String toType) {
    return true;
  }

  @Override
  public void readObjects(ObjectStream stream) {
    new JournalRead(stream).run();
  }

  /** The objectTypeId the journal names a type by: a standard object's {@code 0-…}, or a custom object's {@code 2-…}. */
  static String objectTypeId(String type) {
    Optional<ObjectCatalog.StandardObject> standard = ObjectCatalog.find(type);
    if (standard.isPresent()) {
      return standard.get().objectTypeId();
    }
    if (CUSTOM_ID.matcher(type).matches()) {
      return type;
    }
    throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "The journal change source cannot tell the objectTypeId "
        + "of object type '" + type + "': name a custom object by its objectTypeId (2-…) in the job's object types and "
        + "association pairs, or use the polling change source.");
  }

  /** One object type's read in one run. */
  private final class JournalRead {
    private final ObjectStream stream;
    private final String type;
    private final String typeId;
    private final HubSpotClient client;
    private final Clock clock;
    /** The pairs' target types by objectTypeId. */
    private final Map<String, String> linkedTypes = new LinkedHashMap<>();
    private final Set<JournalEvent.Key> seen = new LinkedHashSet<>();
    private JournalCheckpoint checkpoint;
    private String mode = "journal";
    private long files;
    private long skippedEvents;

    JournalRead(ObjectStream stream) {
      this.stream = stream;
      this.type = stream.objectType();
      this.typeId = objectTypeId(type);
      this.client = stream.client();
      this.clock = stream.clock();
      stream.linkedTypes().forEach(t -> linkedTypes.put(objectTypeId(t), t));
      this.checkpoint = stream.checkpoint()
          .map(json -> JournalCheckpoint.isJournal(json) ? JournalCheckpoint.parse(type, json) : JournalCheckpoint.fromPolling(json))
          .orElse(JournalCheckpoint.fromPolling(null));
    }

    void run() {
      boolean lost = subscribe();
      if (!checkpoint.placed()) {
        mode = checkpoint.polling() == null ? PollingCheckpoint.BACKFILL : "catch-up";
        startCatchUp(checkpoint.polling());
      } else if (lost && !checkpoint.catchingUp()) {
        gap("its journal subscriptions were missing (the app was uninstalled, or they were deleted), so HubSpot wrote "
            + "no events of " + type + " for a while");
      }
      if (checkpoint.catchingUp()) {
        catchUp();
      }
      readJournal();
      polling.reconcileIfDue(new Nested());
      stream.mode(mode);
      LOG.info("{}: {} journal files read, {} events skipped as unknown or malformed", type, files, skippedEvents);
    }

    /**
     * Makes the portal's subscriptions deliver what this stream needs; returns whether one it relied
     * on was missing (events were lost meanwhile).
     */
    private boolean subscribe() {
      List<JournalSubscription> wanted = new ArrayList<>();
      wanted.add(JournalSubscription.objects(typeId, stream.properties()));
      wanted.add(JournalSubscription.gdprDeletions(typeId));
      if (!linkedTypes.isEmpty()) {
        wanted.add(JournalSubscription.associations(typeId, linkedTypes.keySet()));
      }
      List<JournalSubscription> existing = client.journalSubscriptions(portalId);
      boolean missing = wanted.stream().anyMatch(w -> existing.stream()
          .noneMatch(e -> e.type().equals(w.type()) && e.objectTypeId().equals(w.objectTypeId())));
      client.ensureJournalSubscriptions(portalId, wanted);
      return missing;
    }

    /** Takes the journal's latest offset, then has polling catch up from {@code pollingPosition} before reading after it. */
    private void startCatchUp(String pollingPosition) {
      Optional<JournalPointer> latest = client.journalLatest(portalId);
      checkpoint = checkpoint.catchUpFrom(latest.map(JournalPointer::offset).orElse(null), clock.millis(), pollingPosition);
      stream.apply(ChangeBatch.builder().checkpoint(checkpoint.json()).build());
    }

    /** Polling's backfill or incremental window (and its passes, when due) through the nested position. */
    private void catchUp() {
      polling.readObjects(new Nested());
      checkpoint = checkpoint.caughtUp();
      stream.apply(ChangeBatch.builder().checkpoint(checkpoint.json()).build());
    }

    /**
     * Recovers from a gap: noted in the report, then the journal's latest offset, the type's pairs
     * marked for a full scan, and polling from its cursor (where the journal was last caught up) with
     * the recycle-bin pass and the reconciliation due at once.
     */
    private void gap(String why) {
      PollingCheckpoint position = checkpoint.polling() == null ? null : PollingCheckpoint.parse(type, checkpoint.polling());
      String from = position == null || position.isBackfill() ? "its backfill" : Instant.ofEpochMilli(position.cursor()) + "";
      String note = "journal gap: " + why + "; caught up by polling from " + from + " (with the recycle-bin pass, the "
          + "reconciliation of ids and a full scan of its association pairs), then the journal again from its latest entry";
      LOG.warn("{}: {}", type, note);
      stream.note(note);
      mode = "catch-up";
      Optional<JournalPointer> latest = client.journalLatest(portalId);
      checkpoint = checkpoint.catchUpFrom(latest.map(JournalPointer::offset).orElse(null), clock.millis(),
          position == null ? null : position.passesDue().json());
      stream.apply(ChangeBatch.builder().allLinksChanged().checkpoint(checkpoint.json()).build());
      catchUp();
    }

    /**
     * Follows the journal to its end, collecting the entries of several calls (up to {@link
     * #FILES_PER_BATCH}) into one batch, so their records are read together; on reaching the end, the
     * polling cursor moves to when the read began.
     */
    private void readJournal() {
      long startedAt = clock.millis();
      List<JournalPointer> pending = new ArrayList<>();
      String cursor = checkpoint.offset();
      while (true) {
        List<JournalPointer> entries;
        if (cursor == null) {
          if (startedAt - checkpoint.emptySince() >= RETENTION.toMillis()) {
            gap("the journal was empty when it was last read, more than 3 days ago, so entries may have expired unread");
            cursor = checkpoint.offset();
            continue;
          }
          entries = client.journalEarliest(portalId).map(List::of).orElse(List.of());
        } else {
          JournalEntries next = client.journalNext(portalId, cursor, ENTRIES_PER_CALL);
          if (next.offsetGone()) {
            pending.clear(); // the catch-up covers them
            gap("HubSpot no longer knows the offset " + cursor + " (older than the journal's 3-day retention)");
            cursor = checkpoint.offset();
            continue;
          }
          entries = next.entries();
        }
        pending.addAll(entries);
        if (!entries.isEmpty()) {
          cursor = entries.get(entries.size() - 1).offset();
        }
        if (entries.isEmpty() || pending.size() >= FILES_PER_BATCH) {
          boolean applied = pending.isEmpty() || apply(pending);
          pending.clear();
          if (!applied) {
            cursor = checkpoint.offset(); // a file expired unread: recovered by a gap
            continue;
          }
          if (entries.isEmpty()) {
            break;
          }
        }
      }
      caughtUpAt(startedAt);
    }

    /** Everything before {@code at} is applied: a later gap has polling catch up from there. */
    private void caughtUpAt(long at) {
      if (checkpoint.polling() == null) {
        return;
      }
      PollingCheckpoint position = PollingCheckpoint.parse(type, checkpoint.polling());
      if (!position.isBackfill() && position.cursor() < at) {
        checkpoint = checkpoint.withPolling(position.incrementalAt(at).json());
        stream.apply(ChangeBatch.builder().checkpoint(checkpoint.json()).build());
      }
    }

    /** Downloads the files and hands their changes over as one batch; false when a file was gone (a gap followed). */
    private boolean apply(List<JournalPointer> entries) {
      List<JournalEvent> events = new ArrayList<>();
      for (JournalPointer p : entries) {
        JournalFile file;
        try {
          file = client.downloadJournalFile(portalId, p);
        } catch (HubSpotApiException e) {
          if (e.status() != 404) {
            throw e;
          }
          gap("the journal file at offset " + p.offset() + " expired before it was read");
          return false;
        }
        files++;
        skippedEvents += file.skipped();
        for (JournalEvent e : file.events()) {
          if (seen.add(e.key())) {
            events.add(e);
          }
        }
        if (seen.size() > SEEN_MAX) {
          seen.clear(); // a redelivery after this costs a re-read, never a wrong row
        }
      }
      checkpoint = checkpoint.at(entries.get(entries.size() - 1).offset());
      stream.apply(changes(events).checkpoint(checkpoint.json()).build());
      return true;
    }

    /**
     * What the events of this type say, in one batch: each record's latest event decides what it is
     * (live: read again by id; deleted: archived, unless a read finds it live; GDPR-deleted: erased),
     * merges mark the absorbed ids, and link edits name the parents of the pairs.
     */
    private ChangeBatch.Builder changes(List<JournalEvent> events) {
      Map<Long, JournalEvent> last = new LinkedHashMap<>();
      Map<Long, Instant> gdpr = new TreeMap<>();
      List<JournalEvent> merges = new ArrayList<>();
      Map<String, Set<Long>> edited = new LinkedHashMap<>();
      for (JournalEvent e : events) {
        if (e.action().isAssociation()) {
          linkEdit(e, edited);
          continue;
        }
        if (!typeId.equals(e.objectTypeId())) {
          continue;
        }
        switch (e.action()) {
          case GDPR_DELETE -> gdpr.put(e.objectId(), at(e));
          case MERGE -> {
            merges.add(e);
            later(last, e.objectId(), e);
            e.mergedObjectIds().forEach(id -> later(last, id, e));
          }
          default -> later(last, e.objectId(), e);
        }
      }
      gdpr.keySet().forEach(last::remove);
      Set<Long> absorbed = new HashSet<>();
      merges.forEach(m -> absorbed.addAll(m.mergedObjectIds()));
      List<Long> toRead = last.entrySet().stream()
          .filter(en -> !(en.getValue().action() == Action.MERGE && en.getKey() != en.getValue().objectId()))
          .map(Map.Entry::getKey).toList();
      Map<Long, CrmRecord> live = read(toRead, false);
      // deleted records still in the recycle bin are written with their last values, as the bin pass does
      Map<Long, CrmRecord> binned = read(last.entrySet().stream()
          .filter(en -> en.getValue().action() == Action.DELETE && !live.containsKey(en.getKey())).map(Map.Entry::getKey)
          .toList(), true);

      ChangeBatch.Builder batch = ChangeBatch.builder();
      List<CrmRecord> restored = new ArrayList<>();
      List<CrmRecord> upserts = new ArrayList<>();
      List<CrmRecord> inBin = new ArrayList<>();
      Map<Instant, List<Long>> deleted = new TreeMap<>();
      for (Map.Entry<Long, JournalEvent> en : last.entrySet()) {
        long id = en.getKey();
        JournalEvent e = en.getValue();
        CrmRecord found = live.get(id);
        if (found != null) {
          (e.action() == Action.RESTORE || e.action() == Action.DELETE ? restored : upserts).add(found);
        } else if (binned.containsKey(id)) {
          inBin.add(binned.get(id));
        } else if (e.action() == Action.DELETE) {
          deleted.computeIfAbsent(at(e), t -> new ArrayList<>()).add(id); // deleted for good
        }
        // a create or update of a record no longer live: the event that removed it follows
      }
      batch.upsert(upserts).restored(restored).upsert(inBin).linksChanged(inBin.stream().map(CrmRecord::id).toList());
      for (JournalEvent m : merges) {
        List<Long> gone = m.mergedObjectIds().stream().filter(id -> !gdpr.containsKey(id) && !live.containsKey(id)).toList();
        batch.merged(m.objectId(), gone, at(m));
      }
      deleted.forEach((at, ids) -> batch.archived(ids, at));
      Map<Instant, List<Long>> erased = new TreeMap<>();
      gdpr.forEach((id, at) -> erased.computeIfAbsent(at, t -> new ArrayList<>()).add(id));
      erased.forEach((at, ids) -> batch.gdprDeleted(ids, at));
      edited.forEach(batch::linksEdited);
      return batch;
    }

    /** The parent of a link edit, under the pair's target type, when the link is one of this type's pairs. */
    private void linkEdit(JournalEvent e, Map<String, Set<Long>> edited) {
      JournalEvent.Association a = e.association();
      if (a == null) {
        return;
      }
      if (typeId.equals(a.fromObjectTypeId()) && linkedTypes.containsKey(a.toObjectTypeId())) {
        edited.computeIfAbsent(linkedTypes.get(a.toObjectTypeId()), t -> new LinkedHashSet<>()).add(a.fromObjectId());
      } else if (typeId.equals(a.toObjectTypeId()) && linkedTypes.containsKey(a.fromObjectTypeId())) {
        edited.computeIfAbsent(linkedTypes.get(a.fromObjectTypeId()), t -> new LinkedHashSet<>()).add(a.toObjectId());
      }
    }

    /** Keeps {@code e} as the record's latest event unless one stored happened later (redeliveries come late). */
    private void later(Map<Long, JournalEvent> last, long id, JournalEvent e) {
      JournalEvent had = last.get(id);
      if (had == null || had.occurredAt() == null || e.occurredAt() == null || !e.occurredAt().isBefore(had.occurredAt())) {
        last.remove(id); // re-inserted: the map keeps the order of the latest events
        last.put(id, e);
      }
    }

    private Instant at(JournalEvent e) {
      return e.occurredAt() != null ? e.occurredAt() : clock.instant();
    }

    /**
     * The live (or archived) records among {@code ids}, found under the id asked (a merged-away id
     * answers with its survivor), 100 a call.
     */
    private Map<Long, CrmRecord> read(Collection<Long> ids, boolean archived) {
      Map<Long, CrmRecord> found = new LinkedHashMap<>();
      for (List<Long> chunk : Chunks.of(new ArrayList<>(ids), BATCH_READ_MAX)) {
        Set<Long> asked = new HashSet<>(chunk);
        client.batchRead(type, chunk, stream.properties(), archived).found().stream()
            .filter(r -> asked.contains(r.id())).forEach(r -> found.put(r.id(), r));
      }
      return found;
    }

    /**
     * The stream as the polling source sees it: its position is the nested one; every batch goes on
     * with the journal position around it.
     */
    private final class Nested implements ObjectStream {
      @Override
      public String objectType() {
        return type;
      }

      @Override
      public List<String> properties() {
        return stream.properties();
      }

      @Override
      public List<String> linkedTypes() {
        return stream.linkedTypes();
      }

      @Override
      public Optional<String> checkpoint() {
        return Optional.ofNullable(checkpoint.polling());
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
      public long[] storedIds(boolean archived) {
        return stream.storedIds(archived);
      }

      @Override
      public Map<Long, Instant> storedUpdatedAt(Collection<Long> ids) {
        return stream.storedUpdatedAt(ids);
      }

      @Override
      public void apply(ChangeBatch batch) {
        checkpoint = checkpoint.withPolling(batch.checkpoint().orElse(checkpoint.polling()));
        stream.apply(batch.withCheckpoint(checkpoint.json()));
      }

      @Override
      public void phase(String name, long expectedRecords) {
        stream.phase(name, expectedRecords);
      }

      @Override
      public void expect(long records) {
        stream.expect(records);
      }

      @Override
      public void mode(String pollingMode) {
        if (PollingCheckpoint.BACKFILL.equals(pollingMode)) {
          mode = PollingCheckpoint.BACKFILL;
        }
      }

      @Override
      public void note(String line) {
        stream.note(line);
      }
    }
  }
}
