package dev.hubspotsync.internal;

import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.AssociationLink;
import dev.hubspotsync.client.CallsOnThisThread;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.PropertyDefinition;
import dev.hubspotsync.client.SearchPage;
import dev.hubspotsync.client.SearchRequest;
import dev.hubspotsync.client.SearchRequest.Filter;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WarehouseSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One association pair ({@code from → to}), read in that direction only and stored in its link
 * table, replaced per parent. Association edits do not move either record's modified date
 * (hubspot-api.md §8), so a property poll never sees them. Two ways to catch them:
 *
 * <ul>
 *   <li><b>Full scan</b>: every parent's links, 100 parents a call, parents walked by ascending id
 *       (from the warehouse when the parent type is synced, else from the portal), resumable by
 *       the last parent id. When it completes, the pair goes incremental from the scan's start.
 *   <li><b>Incremental</b>: links re-read for parents whose modified date moved since the cursor.
 *       That catches association edits only with the <em>CDC boost</em>: a rollup property on the
 *       pair's alphabetically first type {@code a}, named or labelled
 *       {@code sync_associations_{a}_{b}_label_*}, makes every edit bump {@code a}'s modified
 *       date. Without one (always for engagements, which cannot carry rollups) incremental runs
 *       catch only parents whose properties changed, and a full scan runs every
 *       {@code associationFullScanEvery}.
 * </ul>
 *
 * A rollup appearing or disappearing starts a full scan: edits made while the pair ran the other
 * way may have been missed. Links of parents the warehouse holds as archived (deleted, merged
 * away) are removed every run.
 */
final class AssociationStreamSync {
  private static final Logger LOG = LoggerFactory.getLogger(AssociationStreamSync.class);
  private static final int PARENTS_PER_CALL = 100;
  /** Parents whose links are dropped in one sink call when the warehouse holds them as archived. */
  private static final int ARCHIVED_PARENTS_PER_WRITE = 1_000;
  /** Targets looked up in the warehouse's link table at once. */
  private static final int TARGETS_PER_LOOKUP = 1_000;
  static final Set<String> ENGAGEMENTS = Set.of("calls", "emails", "meetings", "notes", "tasks", "communications",
      "postal_mail", "0-48", "0-49", "0-47", "0-46", "0-27", "0-18", "0-116");

  private final String from;
  private final String to;
  private final String pair;
  private final JobSettings settings;
  private final HubSpotClient client;
  private final WarehouseSink sink;
  private final Clock clock;
  private final Instant syncedAt;
  private final boolean parentsInWarehouse;
  private final Function<String, List<PropertyDefinition>> properties;
  private final long startedAt;
  private final StatusChanges parentChanges;
  private final StatusChanges targetChanges;
  private boolean readEveryParent;

  private AssociationCheckpoint checkpoint;
  private String reason;
  private long parentsRead;
  private long linksWritten;
  private final Map<ApiCall, Long> calls = CallsOnThisThread.newCounts();

  /**
   * @param parentsInWarehouse whether the parent type is synced by this job, so its ids come from the sink
   * @param properties the live property definitions of a type, shared by the run's streams
   * @param parentChanges parents whose status changed this run or an earlier unfinished one
   * @param targetChanges targets whose status changed: the links pointing to them are read again
   */
  AssociationStreamSync(String from, String to, JobSettings settings, Instant syncedAt, boolean parentsInWarehouse,
      Function<String, List<PropertyDefinition>> properties, StatusChanges parentChanges, StatusChanges targetChanges) {
    this.parentChanges = parentChanges;
    this.targetChanges = targetChanges;
    this.from = from;
    this.to = to;
    this.pair = LinkBatch.pair(from, to);
    this.settings = settings;
    this.client = settings.client();
    this.sink = settings.sink();
    this.clock = settings.clock();
    this.syncedAt = syncedAt;
    this.parentsInWarehouse = parentsInWarehouse;
    this.properties = properties;
    this.startedAt = clock.millis();
  }

  SyncReport.AssociationReport run() {
    return CallsOnThisThread.count(calls, this::runPair);
  }

  private SyncReport.AssociationReport runPair() {
    long now = clock.millis();
    Boost boost = boost();
    checkpoint = load(now).orElse(null);
    if (checkpoint == null) {
      if (reason == null) {
        reason = "first run";
      }
      checkpoint = AssociationCheckpoint.scan(now, boost.on(), null);
    } else if (checkpoint.boosted() != boost.on()) {
      reason = boost.on() ? "the rollup " + boost.property() + " appeared; edits made before it are read by a full scan"
          : "the CDC-boost rollup is gone (" + boost.why() + "); association edits are read by full scans again";
      checkpoint = AssociationCheckpoint.scan(now, boost.on(), checkpoint.lastScanAt());
    } else if (!checkpoint.isScan() && !boost.on() && due(checkpoint.lastScanAt(), settings.associationFullScanEvery(), now)) {
      reason = "scheduled full scan every " + settings.associationFullScanEvery() + " (" + boost.why() + ")";
      checkpoint = AssociationCheckpoint.scan(now, false, checkpoint.lastScanAt());
    } else if (!checkpoint.isScan() && boost.on() && due(checkpoint.lastScanAt(), backstopEvery(), now)) {
      reason = "backstop full scan every " + backstopEvery() + ": the CDC boost is unverified, and a target archived "
          + "and restored between two recycle-bin passes moves no date";
      checkpoint = AssociationCheckpoint.scan(now, true, checkpoint.lastScanAt());
    } else if (!checkpoint.isScan() && (parentChanges.all() || targetChanges.all())) {
      reason = "more than " + StreamCheckpoint.RELINK_MAX + " records of " + (parentChanges.all() ? from : to)
          + " were archived, restored, merged or deleted; their links are read by a full scan";
      checkpoint = AssociationCheckpoint.scan(now, boost.on(), checkpoint.lastScanAt());
    }
    String mode;
    if (checkpoint.isScan()) {
      mode = AssociationCheckpoint.SCAN;
      if (reason == null) {
        reason = "continuing the full scan after parent " + checkpoint.lastParentId();
      }
      boolean wholeScanThisRun = checkpoint.lastParentId() == 0;
      fullScan();
      readEveryParent = wholeScanThisRun;
      if (!wholeScanThisRun) {
        relink(); // parents scanned in earlier runs may link to records that changed since
      }
    } else {
      mode = AssociationCheckpoint.INCREMENTAL;
      reason = boost.on()
          ? "CDC boost: the rollup " + boost.property() + " moves the modified date of " + from + " on every association edit"
          : "parents whose properties changed only (" + boost.why() + "); next full scan "
              + Instant.ofEpochMilli(checkpoint.lastScanAt() + settings.associationFullScanEvery().toMillis());
      incremental();
      relink();
    }
    dropLinksOfArchivedParents();
    LOG.info("Associations {}: {} ({}), {} parents read, {} links stored", pair, mode, reason, parentsRead, linksWritten);
    return new SyncReport.AssociationReport(pair, mode, reason, parentsRead, linksWritten, checkpoint.json(),
        Collections.unmodifiableMap(new EnumMap<>(calls)), Duration.ofMillis(clock.millis() - startedAt));
  }

  /**
   * Whether this run read the links of every parent, in a scan begun in this run: only then are
   * changes too many to list ({@link StatusChanges#all()}) handled.
   */
  boolean readEveryParent() {
    return readEveryParent;
  }

  /** Whether a CDC-boost rollup exists for this pair, and if not, why. */
  private Boost boost() {
    if (ENGAGEMENTS.contains(from) || ENGAGEMENTS.contains(to)) {
      return new Boost(null, "engagement objects cannot carry rollup properties");
    }
    boolean fromFirst = from.compareTo(to) <= 0;
    String a = fromFirst ? from : to;
    String b = fromFirst ? to : from;
    String prefix = "sync_associations_" + a + "_" + b + "_label_";
    Optional<String> rollup = properties.apply(a).stream()
        .filter(p -> p.name().toLowerCase(Locale.ROOT).startsWith(prefix)
            || (p.label() != null && p.label().toLowerCase(Locale.ROOT).startsWith(prefix)))
        .map(PropertyDefinition::name).findFirst();
    if (rollup.isEmpty()) {
      return new Boost(null, "no rollup property " + prefix + "* on " + a);
    }
    if (!fromFirst) {
      return new Boost(null, "the rollup " + rollup.get() + " is on " + a + " but the pair is read from " + from
          + "; add the pair as " + a + " → " + b + " to use it");
    }
    return new Boost(rollup.get(), null);
  }

  private Optional<AssociationCheckpoint> load(long now) {
    Optional<Checkpoint> stored = settings.storedCheckpoint(pair);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    AssociationCheckpoint.Result parsed = AssociationCheckpoint.parse(stored.get().json(), now);
    if (parsed.checkpoint().isEmpty()) {
      LOG.warn("The stored checkpoint of association pair {} cannot be used: {}. Starting a full scan.", pair,
          parsed.problem());
      reason = "the stored checkpoint could not be used: " + parsed.problem();
    }
    return parsed.checkpoint();
  }

  private static boolean due(Long lastScanAt, Duration every, long now) {
    return lastScanAt == null || now - lastScanAt >= every.toMillis();
  }

  /** How often a pair with the CDC boost still reads every parent: the longer of the scan and reconcile cadences. */
  private Duration backstopEvery() {
    Duration scan = settings.associationFullScanEvery();
    return scan.compareTo(settings.reconcileEvery()) >= 0 ? scan : settings.reconcileEvery();
  }

  /** Every parent above the stored position, in ascending id order, 100 a call. */
  private void fullScan() {
    long floor = checkpoint.lastParentId();
    Optional<long[]> stored = parentsInWarehouse ? warehouseIds(false) : Optional.empty();
    if (stored.isPresent()) {
      List<Long> chunk = new ArrayList<>(PARENTS_PER_CALL);
      for (long id : stored.get()) {
        if (id > floor) {
          chunk.add(id);
        }
        if (chunk.size() == PARENTS_PER_CALL) {
          readAndStore(chunk, checkpoint.scannedTo(id));
          chunk = new ArrayList<>(PARENTS_PER_CALL);
        }
      }
      readAndStore(chunk, checkpoint.scanDone());
      return;
    }
    CursorGuard guard = new CursorGuard("search " + from + " by id");
    while (true) { // parents from the portal: search by id above the floor, 200 a page
      SearchPage page = client.search(from, SearchRequest.builder()
          .addFilterGroup(Filter.of("hs_object_id", "GT", Long.toString(floor)))
          .sortAscending("hs_object_id").addProperties(List.of("hs_object_id"))
          .limit(settings.searchPageSize()).after(0).build());
      List<Long> ids = page.results().stream().map(CrmRecord::id).toList();
      for (List<Long> chunk : Chunks.of(ids, PARENTS_PER_CALL)) {
        readAndStore(chunk, checkpoint.scannedTo(chunk.get(chunk.size() - 1)));
      }
      if (page.nextAfter() < 0 || ids.isEmpty()) {
        readAndStore(List.of(), checkpoint.scanDone());
        return;
      }
      floor = guard.above(floor, ids.get(ids.size() - 1));
    }
  }

  /**
   * Parents whose modified date moved since the cursor (minus the overlap), up to now minus the
   * index lag, as the object streams read them; their links are read again and replaced.
   */
  private void incremental() {
    long upper = clock.millis() - settings.indexLag().toMillis();
    long low = checkpoint.cursor() - settings.overlap().toMillis();
    if (upper <= low) {
      return;
    }
    String modified = ObjectStreamSync.modifiedProperty(from);
    Set<Long> done = new HashSet<>();
    new ModifiedWindow(from, modified, settings.searchPageSize(),
        r -> client.search(from, r.withProperties(List.of(modified))))
        .read(low, upper, checkpoint.cursor(), (page, cursor) -> {
          // ties of the last millisecond come again on the next page; read each parent once
          List<Long> ids = page.stream().map(CrmRecord::id).filter(done::add).toList();
          if (ids.isEmpty()) {
            store(List.of(), Map.of(), checkpoint.incrementalAt(cursor));
          }
          for (int i = 0; i < ids.size(); i += PARENTS_PER_CALL) {
            boolean lastChunk = i + PARENTS_PER_CALL >= ids.size();
            readAndStore(ids.subList(i, Math.min(ids.size(), i + PARENTS_PER_CALL)),
                lastChunk ? checkpoint.incrementalAt(cursor) : checkpoint);
          }
        });
  }

  private void readAndStore(List<Long> parents, AssociationCheckpoint next) {
    Map<Long, List<AssociationLink>> links = parents.isEmpty() ? Map.of() : client.associations(from, to, parents);
    parentsRead += parents.size();
    store(parents, links, next);
  }

  private void store(List<Long> parents, Map<Long, List<AssociationLink>> links, AssociationCheckpoint next) {
    List<LinkRow> rows = new ArrayList<>();
    Set<List<Long>> keys = new HashSet<>();
    for (long parent : parents) {
      for (AssociationLink l : links.getOrDefault(parent, List.of())) {
        // a link with a label and the unlabeled default are two types; each (to, type) once
        if (keys.add(List.of(parent, l.toId(), (long) l.typeId()))) {
          rows.add(new LinkRow(parent, l.toId(), l.typeId(), l.category(), l.label()));
        }
      }
    }
    Checkpoint position = new Checkpoint(pair, next.json());
    sink.replaceAssociations(new LinkBatch(from, to, parents, rows, syncedAt), position);
    settings.saveCheckpoint(position);
    linksWritten += rows.size();
    checkpoint = next;
  }

  /**
   * Archiving, restoring, merging or deleting a record moves no date of the records linked to it, so
   * neither the incremental pass nor the CDC boost sees the links that change with it. Reads again
   * the links of parents whose status changed and of every parent linked to a changed target: those
   * the warehouse holds (links to records now gone) and those HubSpot reports (links to records live
   * again, or to a merge's survivor).
   */
  private void relink() {
    Set<Long> parents = new TreeSet<>(parentChanges.ids());
    List<Long> targets = new ArrayList<>(new TreeSet<>(targetChanges.ids()));
    for (List<Long> chunk : Chunks.of(targets, TARGETS_PER_LOOKUP)) {
      try {
        for (long parent : sink.parentsLinkedTo(from, to, chunk)) {
          parents.add(parent);
        }
      } catch (UnsupportedOperationException e) {
        LOG.warn("The sink cannot look up links by target ({}); links of {} to archived or deleted records stay "
            + "until the next full scan", e.getMessage(), pair);
        break;
      }
    }
    // HubSpot serves no links of a record in the bin or gone: ask only about targets live again
    List<Long> live = liveInWarehouse(targets);
    for (List<Long> chunk : Chunks.of(live, PARENTS_PER_CALL)) {
      client.associations(to, from, chunk).values().forEach(links -> links.forEach(l -> parents.add(l.toId())));
    }
    if (parents.isEmpty()) {
      return;
    }
    LOG.info("Associations {}: reading the links of {} parents again after records were archived, restored, merged "
        + "or deleted", pair, parents.size());
    for (List<Long> chunk : Chunks.of(new ArrayList<>(parents), PARENTS_PER_CALL)) {
      readAndStore(chunk, checkpoint);
    }
  }

  /**
   * The targets the warehouse holds as live rows, looked up by id (the archived rows of a type only
   * grow, so they are not listed); all of them when the sink cannot tell.
   */
  private List<Long> liveInWarehouse(List<Long> targets) {
    List<Long> live = new ArrayList<>();
    for (List<Long> chunk : Chunks.of(targets, TARGETS_PER_LOOKUP)) {
      try {
        Set<Long> liveRows = sink.updatedAt(to, chunk).keySet();
        chunk.stream().filter(liveRows::contains).forEach(live::add);
      } catch (UnsupportedOperationException e) {
        LOG.debug("The sink cannot tell live {} rows ({}); every changed target is looked up", to, e.getMessage());
        return targets;
      }
    }
    return live;
  }

  /** Parents the warehouse holds as archived (deleted, merged away) keep no links. */
  private void dropLinksOfArchivedParents() {
    long[] archived = parentsInWarehouse ? warehouseIds(true).orElse(new long[0]) : new long[0];
    for (int i = 0; i < archived.length; i += ARCHIVED_PARENTS_PER_WRITE) {
      List<Long> parents = new ArrayList<>();
      for (int j = i; j < Math.min(archived.length, i + ARCHIVED_PARENTS_PER_WRITE); j++) {
        parents.add(archived[j]);
      }
      store(parents, Map.of(), checkpoint);
    }
  }

  private Optional<long[]> warehouseIds(boolean archived) {
    try {
      return Optional.of(sink.ids(from, archived));
    } catch (UnsupportedOperationException e) {
      LOG.warn("The sink cannot list the ids of {} ({}); the parents of {} come from HubSpot and links of deleted "
          + "parents stay", from, e.getMessage(), pair);
      return Optional.empty();
    }
  }

  private record Boost(String property, String why) {
    boolean on() {
      return property != null;
    }
  }
}
