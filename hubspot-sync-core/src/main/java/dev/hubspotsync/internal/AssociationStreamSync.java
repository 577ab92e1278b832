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
 *   <li><b>Full scan</b>: every parent's links, {@code associationBatchSize} (default 1,000) parents a
 *       call, parents walked by ascending id
 *       (from the warehouse when the parent type is synced, else from the portal), resumable by
 *       the last parent id. When it completes, the pair goes incremental from the scan's start.
 *   <li><b>Incremental</b>: links re-read for parents whose modified date moved since the cursor.
 *       That catches association edits only with the <em>CDC boost</em>: a rollup property on the
 *       pair's alphabetically first type {@code a}, named or labelled
 *       {@code sync_associations_{a}_{b}_label_*}, makes every edit bump {@code a}'s modified
 *       date. Without one (always for engagements, which cannot carry rollups) incremental runs
 *       catch only parents whose properties changed, and a full scan runs every
 *       {@code associationFullScanEvery}. With one, a <em>backstop</em> full scan still runs every
 *       {@code associationBackstopEvery} and reports what it found that the incremental runs missed.
 * </ul>
 *
 * A rollup appearing or disappearing starts a full scan: edits made while the pair ran the other
 * way may have been missed. Links of parents the warehouse holds as archived (deleted, merged
 * away) are removed every run.
 */
final class AssociationStreamSync {
  private static final Logger LOG = LoggerFactory.getLogger(AssociationStreamSync.class);
  /** Parents whose links are dropped in one sink call when the warehouse holds them as archived. */
  private static final int ARCHIVED_PARENTS_PER_WRITE = 1_000;
  /**
   * Links one call should bring back: after an answer, the next call asks for as many parents as
   * hold about this many links at the average just seen, so 1,000 parents with hundreds of links
   * each do not become one answer of hundreds of MB (a parsed answer takes ~0.5 KB a link) or one
   * sink write of as many rows.
   */
  static final int LINKS_PER_CALL = 50_000;
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
  /** Whether the change source reports every link edit of the pair, so no scan has to find them. */
  private final boolean served;
  /** Parents whose links the change source saw edited (this run or an unfinished earlier one). */
  private final List<Long> edited;
  private boolean readEveryParent;

  private AssociationCheckpoint checkpoint;
  private String reason;
  private long parentsRead;
  private long linksWritten;
  private final Map<ApiCall, Long> calls = CallsOnThisThread.newCounts();
  /** The configured parents per call ({@code associationBatchSize}). */
  private final int batchSize;
  /** Parents the next call asks for: {@link #batchSize}, or fewer after an answer with many links per parent. */
  private int callSize;
  /** Whether the full scan under way compares each parent's links with the warehouse's before replacing them. */
  private boolean comparing;

  /**
   * @param parentsInWarehouse whether the parent type is synced by this job, so its ids come from the sink
   * @param properties the live property definitions of a type, shared by the run's streams
   * @param parentChanges parents whose status changed this run or an earlier unfinished one
   * @param targetChanges targets whose status changed: the links pointing to them are read again
   * @param edited parents whose links to {@code to} the change source saw edited: read again
   * @param served whether the change source reports every link edit of the pair ({@link
   *     dev.hubspotsync.source.ChangeSource#servesLinks}): no incremental search, no scheduled full
   *     scan, only the first scan and the backstop
   */
  AssociationStreamSync(String from, String to, JobSettings settings, Instant syncedAt, boolean parentsInWarehouse,
      Function<String, List<PropertyDefinition>> properties, StatusChanges parentChanges, StatusChanges targetChanges,
      List<Long> edited, boolean served) {
    this.parentChanges = parentChanges;
    this.targetChanges = targetChanges;
    this.edited = List.copyOf(edited);
    this.served = served;
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
    this.batchSize = settings.associationBatchSize();
    this.callSize = batchSize;
  }

  SyncReport.AssociationReport run() {
    return CallsOnThisThread.count(calls, this::runPair);
  }

  private SyncReport.AssociationReport runPair() {
    long now = clock.millis();
    Boost boost = served ? new Boost(null, "the change source reports link edits") : boost();
    checkpoint = load(now).orElse(null);
    if (served) {
      startServed(now);
    } else if (checkpoint == null) {
      if (reason == null) {
        reason = "first run";
      }
      checkpoint = AssociationCheckpoint.scan(now, boost.on(), null);
    } else if (checkpoint.boosted() != boost.on()) {
      reason = boost.on() ? "the rollup " + boost.property() + " appeared; edits made before it are read by a full scan"
          : "the CDC-boost rollup is gone (" + boost.why() + "); association edits are read by full scans again";
      checkpoint = AssociationCheckpoint.scan(now, boost.on(), checkpoint);
    } else if (!checkpoint.isScan() && !boost.on() && due(checkpoint.lastScanAt(), settings.associationFullScanEvery(), now)) {
      reason = "scheduled full scan every " + settings.associationFullScanEvery() + " (" + boost.why() + ")";
      checkpoint = AssociationCheckpoint.scan(now, false, checkpoint);
    } else if (!checkpoint.isScan() && boost.on() && due(checkpoint.lastScanAt(), settings.associationBackstopEvery(), now)) {
      reason = "backstop full scan every " + settings.associationBackstopEvery() + ": the CDC boost is unverified, and a "
          + "target archived and restored between two recycle-bin passes moves no date";
      checkpoint = AssociationCheckpoint.backstopScan(now, checkpoint);
    } else if (!checkpoint.isScan() && (parentChanges.all() || targetChanges.all())) {
      reason = "more than " + StreamCheckpoint.RELINK_MAX + " records of " + (parentChanges.all() ? from : to)
          + " were archived, restored, merged or deleted; their links are read by a full scan";
      checkpoint = AssociationCheckpoint.scan(now, boost.on(), checkpoint);
    }
    String mode;
    boolean backstopDone = false;
    if (checkpoint.isScan()) {
      mode = AssociationCheckpoint.SCAN;
      if (reason == null) {
        reason = "continuing the full scan after parent " + checkpoint.lastParentId();
      }
      boolean wholeScanThisRun = checkpoint.lastParentId() == 0;
      comparing = checkpoint.isBackstopScan();
      fullScan();
      backstopDone = comparing;
      comparing = false;
      readEveryParent = wholeScanThisRun;
      if (!wholeScanThisRun) {
        readEdited(); // parents scanned in earlier runs may have had links edited since
        relink(); // parents scanned in earlier runs may link to records that changed since
      }
    } else if (served) {
      mode = AssociationCheckpoint.INCREMENTAL;
      reason = "link edits reported by the change source (" + edited.size() + " parents); next backstop scan "
          + Instant.ofEpochMilli(checkpoint.lastScanAt() + settings.associationBackstopEvery().toMillis());
      readEdited();
      relink();
    } else {
      mode = AssociationCheckpoint.INCREMENTAL;
      reason = boost.on()
          ? "CDC boost: the rollup " + boost.property() + " moves the modified date of " + from + " on every association edit"
          : "parents whose properties changed only (" + boost.why() + "); next full scan "
              + Instant.ofEpochMilli(checkpoint.lastScanAt() + settings.associationFullScanEvery().toMillis());
      incremental();
      readEdited();
      relink();
    }
    dropLinksOfArchivedParents();
    LOG.info("Associations {}: {} ({}), {} parents read, {} links stored", pair, mode, reason, parentsRead, linksWritten);
    SyncReport.Backstop backstop = backstopReport(backstopDone);
    return new SyncReport.AssociationReport(pair, mode, reason, parentsRead, linksWritten, checkpoint.json(),
        Collections.unmodifiableMap(new EnumMap<>(calls)), Duration.ofMillis(clock.millis() - startedAt),
        checkpoint.lastScanAt() == null ? null : Instant.ofEpochMilli(checkpoint.lastScanAt()), backstop);
  }

  /**
   * Chooses the scan of a pair whose link edits the change source reports: a full scan the first time
   * (the backfill's links), a backstop scan every {@code associationBackstopEvery} (no delivery
   * guarantee is documented), a full scan when too many records changed to list; else none.
   */
  private void startServed(long now) {
    if (checkpoint == null) {
      if (reason == null) {
        reason = "first run; later runs read the links of parents the change source saw edited";
      }
      checkpoint = AssociationCheckpoint.scan(now, false, null);
    } else if (!checkpoint.isScan() && due(checkpoint.lastScanAt(), settings.associationBackstopEvery(), now)) {
      reason = "backstop full scan every " + settings.associationBackstopEvery() + ": the change source's delivery is "
          + "not guaranteed";
      checkpoint = AssociationCheckpoint.backstopScan(now, checkpoint);
    } else if (!checkpoint.isScan() && (parentChanges.all() || targetChanges.all())) {
      reason = "links of every record of " + (parentChanges.all() ? from : to) + " may have changed unseen (too many "
          + "status changes, or a gap in the change source); their links are read by a full scan";
      checkpoint = AssociationCheckpoint.scan(now, checkpoint.boosted(), checkpoint);
    }
  }

  /** Reads again the links of the parents the change source saw edited. */
  private void readEdited() {
    if (!edited.isEmpty()) {
      LOG.info("Associations {}: reading the links of {} parents the change source saw edited", pair, edited.size());
      inCalls(edited, chunk -> readAndStore(chunk, checkpoint));
    }
  }

  String from() {
    return from;
  }

  String to() {
    return to;
  }

  /** The edited parents this run read again (all it was given, once it finished). */
  List<Long> editedRead() {
    return edited;
  }

  /** The latest backstop scan's findings, logged when it completed in this run ({@code doneNow}). */
  private SyncReport.Backstop backstopReport(boolean doneNow) {
    AssociationCheckpoint.Backstop b = checkpoint.backstop();
    if (b == null) {
      return null;
    }
    SyncReport.Backstop report = new SyncReport.Backstop(Instant.ofEpochMilli(b.startedAt()), b.complete(), b.parents(),
        b.added(), b.removed());
    if (doneNow) {
      if (b.added() < 0) {
        LOG.info("Associations {}: backstop full scan done, {} parents read; the sink cannot read its links back, so "
            + "what the incremental runs missed is not known", pair, b.parents());
      } else if (b.added() + b.removed() > 0) {
        LOG.warn("Associations {}: the backstop full scan begun {} found {} links the incremental runs had missed and "
            + "{} they had kept after HubSpot removed them, in {} parents; the CDC-boost rollup did not move the modified "
            + "date of every parent whose links changed. The link table is now correct.", pair, report.startedAt(),
            b.added(), b.removed(), b.parents());
      } else {
        LOG.info("Associations {}: the backstop full scan begun {} found nothing the incremental runs had missed ({} "
            + "parents)", pair, report.startedAt(), b.parents());
      }
    }
    return report;
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

  /** Every parent above the stored position, in ascending id order, {@code batchSize} a call. */
  private void fullScan() {
    long floor = checkpoint.lastParentId();
    Optional<long[]> stored = parentsInWarehouse ? warehouseIds(false) : Optional.empty();
    if (stored.isPresent()) {
      List<Long> chunk = new ArrayList<>(batchSize);
      for (long id : stored.get()) {
        if (id > floor) {
          chunk.add(id);
        }
        if (chunk.size() >= callSize) {
          readAndStore(chunk, checkpoint.scannedTo(id));
          chunk = new ArrayList<>(batchSize);
        }
      }
      readAndStore(chunk, checkpoint.scanDone());
      return;
    }
    CursorGuard guard = new CursorGuard("search " + from + " by id");
    List<Long> pending = new ArrayList<>(batchSize + settings.searchPageSize());
    while (true) { // parents from the portal: search by id above the floor, a page at a time, batchSize a call
      SearchPage page = client.search(from, SearchRequest.builder()
          .addFilterGroup(Filter.of("hs_object_id", "GT", Long.toString(floor)))
          .sortAscending("hs_object_id").addProperties(List.of("hs_object_id"))
          .limit(settings.searchPageSize()).after(0).build());
      List<Long> ids = page.results().stream().map(CrmRecord::id).toList();
      pending.addAll(ids);
      boolean last = page.nextAfter() < 0 || ids.isEmpty();
      while (pending.size() >= callSize || (last && !pending.isEmpty())) {
        List<Long> chunk = new ArrayList<>(pending.subList(0, Math.min(callSize, pending.size())));
        pending.subList(0, chunk.size()).clear();
        readAndStore(chunk, checkpoint.scannedTo(chunk.get(chunk.size() - 1)));
      }
      if (last) {
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
    String modified = PollingSource.modifiedProperty(from);
    Set<Long> done = new HashSet<>();
    // Parents of several search pages share a call; the cursor moves once all of them are stored.
    List<Long> pending = new ArrayList<>();
    long[] pendingCursor = {checkpoint.cursor()};
    new ModifiedWindow(from, modified, settings.searchPageSize(),
        r -> client.search(from, r.withProperties(List.of(modified))))
        .read(low, upper, checkpoint.cursor(), (page, cursor) -> {
          // ties of the last millisecond come again on the next page; read each parent once
          page.stream().map(CrmRecord::id).filter(done::add).forEach(pending::add);
          pendingCursor[0] = cursor;
          if (pending.isEmpty()) {
            store(List.of(), Map.of(), checkpoint.incrementalAt(cursor));
          } else if (pending.size() >= callSize) {
            readPending(pending, cursor);
          }
        });
    if (!pending.isEmpty()) {
      readPending(pending, pendingCursor[0]);
    }
  }

  /** Reads and stores the links of {@code parents}, a call at a time, then moves the cursor; empties the list. */
  private void readPending(List<Long> parents, long cursor) {
    for (int i = 0; i < parents.size(); ) {
      int end = Math.min(parents.size(), i + callSize);
      readAndStore(parents.subList(i, end), end == parents.size() ? checkpoint.incrementalAt(cursor) : checkpoint);
      i = end;
    }
    parents.clear();
  }

  private void readAndStore(List<Long> parents, AssociationCheckpoint next) {
    Map<Long, List<AssociationLink>> links = parents.isEmpty() ? Map.of() : read(from, to, parents);
    parentsRead += parents.size();
    store(parents, links, next);
  }

  /** One association read, after which {@link #callSize} follows the links per parent it found. */
  private Map<Long, List<AssociationLink>> read(String fromType, String toType, List<Long> parents) {
    Map<Long, List<AssociationLink>> links = client.associations(fromType, toType, parents);
    long found = links.values().stream().mapToLong(List::size).sum();
    int next = (int) Math.max(1, Math.min(batchSize, LINKS_PER_CALL * (long) parents.size() / Math.max(1, found)));
    if (next < callSize && next < batchSize) {
      LOG.info("Associations {}: {} links for {} parents in one read; asking for {} parents a call", pair, found,
          parents.size(), next);
    }
    callSize = next;
    return links;
  }

  /** Runs {@code read} on consecutive pieces of {@code ids}, each as long as {@link #callSize} is when it starts. */
  private void inCalls(List<Long> ids, java.util.function.Consumer<List<Long>> read) {
    for (int i = 0; i < ids.size(); ) {
      int end = Math.min(ids.size(), i + callSize);
      read.accept(ids.subList(i, end));
      i = end;
    }
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
    if (comparing && !parents.isEmpty()) {
      next = compared(parents, keys, next);
    }
    Checkpoint position = new Checkpoint(pair, next.json());
    sink.replaceAssociations(new LinkBatch(from, to, parents, rows, syncedAt), position);
    settings.saveCheckpoint(position);
    linksWritten += rows.size();
    checkpoint = next;
  }

  /**
   * {@code next} with what the backstop scan found in {@code parents}: the links HubSpot sent
   * ({@code fresh}, keyed on parent, target and type) against those the warehouse holds.
   */
  private AssociationCheckpoint compared(List<Long> parents, Set<List<Long>> fresh, AssociationCheckpoint next) {
    List<LinkRow> held;
    try {
      held = sink.links(from, to, parents);
    } catch (UnsupportedOperationException e) {
      return next.found(parents.size(), -1, -1);
    }
    Set<List<Long>> stored = new HashSet<>();
    for (LinkRow l : held) {
      stored.add(List.of(l.fromId(), l.toId(), (long) l.typeId()));
    }
    long added = fresh.stream().filter(k -> !stored.contains(k)).count();
    long removed = stored.stream().filter(k -> !fresh.contains(k)).count();
    if (added + removed > 0) {
      LOG.debug("Associations {}: the backstop scan found {} links added and {} removed among parents {}–{}", pair, added,
          removed, parents.get(0), parents.get(parents.size() - 1));
    }
    return next.found(parents.size(), added, removed);
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
    inCalls(live, chunk -> read(to, from, chunk).values().forEach(links -> links.forEach(l -> parents.add(l.toId()))));
    if (parents.isEmpty()) {
      return;
    }
    LOG.info("Associations {}: reading the links of {} parents again after records were archived, restored, merged "
        + "or deleted", pair, parents.size());
    inCalls(new ArrayList<>(parents), chunk -> readAndStore(chunk, checkpoint));
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
