package dev.hubspotsync.testkit.internal;

import dev.hubspotsync.testkit.AssociationSnapshot;
import dev.hubspotsync.testkit.Portal;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The portal's data: object types, records, associations, and the mutations tests make. Readers
 * (the HTTP endpoints) hold the read lock while they serialize; mutations take the write lock.
 */
public final class PortalState implements Portal {
  /** Archived records stay restorable for 90 days, then vanish from the API (hubspot-api.md §8). */
  static final long RECYCLE_BIN_MILLIS = Duration.ofDays(90).toMillis();

  final PortalSpec spec;
  final PortalClock clock;
  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  final Map<String, ObjectTypeDef> types = new LinkedHashMap<>();
  private final Map<String, ObjectTypeDef> aliases = new HashMap<>();
  final AssociationStore associations;
  final JournalState journal;
  private final SplittableRandom idRandom;
  private volatile long indexLagMillis;
  private volatile long searchOutOfOrderMillis;

  public PortalState(PortalSpec spec) {
    this.spec = spec;
    this.clock = spec.clock();
    this.indexLagMillis = spec.indexLag().toMillis();
    this.searchOutOfOrderMillis = spec.searchOutOfOrderWithin().toMillis();
    long now = clock.millis();
    for (ObjectTypeDef t : Catalog.objectTypes(spec.portalId(), now - Duration.ofDays(900).toMillis())) {
      types.put(t.name, t);
      aliases.put(t.name, t);
      aliases.put(t.singular, t);
      aliases.put(t.objectTypeId, t);
      if (t.fullyQualifiedName != null) {
        aliases.put(t.fullyQualifiedName.toLowerCase(Locale.ROOT), t);
      }
    }
    this.associations = new AssociationStore(Catalog.associationTypes(types.get("subscriptions").objectTypeId));
    this.idRandom = new SplittableRandom(spec.seed() * 31 + 7);
    this.journal = new JournalState(spec.portalId(), clock, spec.seed());
    new DataGenerator(this, spec.seed()).generate(now);
  }

  // ---- lookups -------------------------------------------------------------------------------

  /** Resolves a path segment (plural, singular, objectTypeId, or p<portal>_<name>), or null. */
  public ObjectTypeDef findType(String segment) {
    return segment == null ? null : aliases.get(segment.toLowerCase(Locale.ROOT));
  }

  ObjectTypeDef type(String objectType) {
    ObjectTypeDef t = findType(objectType);
    if (t == null) {
      throw new IllegalArgumentException("Unknown object type '" + objectType + "'; the portal has " + types.keySet());
    }
    return t;
  }

  public Collection<ObjectTypeDef> types() {
    return types.values();
  }

  long now() {
    return clock.millis();
  }

  long indexLagMillis() {
    return indexLagMillis;
  }

  long searchOutOfOrderMillis() {
    return searchOutOfOrderMillis;
  }

  /** Changes how close to now search returns records out of order (zero: never). */
  public void searchOutOfOrderWithin(Duration window) {
    this.searchOutOfOrderMillis = window.toMillis();
  }

  /** Changes the search-index lag for changes made from now on. */
  public void indexLag(Duration lag) {
    this.indexLagMillis = lag.toMillis();
  }

  /** True when the record is gone for good because it sat in the recycle bin for 90 days. */
  static boolean purged(RecordState s, long now) {
    return s.archived() && s.archivedAt < now - RECYCLE_BIN_MILLIS;
  }

  <T> T read(Supplier<T> body) {
    lock.readLock().lock();
    try {
      return body.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Runs a change; the journal events it wrote are published as one file when it succeeds. */
  private <T> T write(Supplier<T> body) {
    lock.writeLock().lock();
    try {
      T result = body.get();
      journal.publish(now());
      return result;
    } catch (RuntimeException e) {
      journal.discard();
      throw e;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The journal's switches and contents. */
  public dev.hubspotsync.testkit.PortalJournal journal() {
    return journal;
  }

  /** Properties whose served value differs between two versions of a record (before null: every one set). */
  private static Map<String, String> changes(ObjectTypeDef t, long id, RecordState before, RecordState after) {
    Map<String, String> out = new LinkedHashMap<>();
    for (PropertyDef def : t.liveProperties()) {
      String was = before == null ? null : t.value(id, before, def);
      String is = t.value(id, after, def);
      if (!java.util.Objects.equals(was, is)) {
        out.put(def.name(), is);
      }
    }
    return out;
  }

  private void journalChange(String action, ObjectTypeDef t, long id, RecordState before, RecordState after, long now) {
    journal.objectChanged(action, t, id, () -> changes(t, id, before, after), now);
  }

  /** Association events for the type ids of one link, seen from {@code from}. */
  private void journalLinks(String action, ObjectTypeDef from, long fromId, ObjectTypeDef to, long toId, int[] typeIds,
      long now) {
    for (int typeId : typeIds) {
      AssociationType at = associations.type(from.name, to.name, typeId);
      journal.association(action, from, fromId, to, toId, at, associations.type(to.name, from.name, at.inverseTypeId()), now);
    }
  }

  /** Every link of a record, per target type (a copy). */
  private Map<ObjectTypeDef, TreeMap<Long, int[]>> linksOf(ObjectTypeDef t, long id) {
    Map<ObjectTypeDef, TreeMap<Long, int[]>> out = new LinkedHashMap<>();
    for (String to : associations.targetTypes(t.name)) {
      TreeMap<Long, int[]> targets = associations.targets(t.name, id, to);
      if (!targets.isEmpty()) {
        out.put(type(to), new TreeMap<>(targets));
      }
    }
    return out;
  }

  private void journalAllLinks(String action, ObjectTypeDef t, long id, Map<ObjectTypeDef, TreeMap<Long, int[]>> links,
      long now) {
    links.forEach((to, targets) -> targets.forEach((toId, typeIds) -> journalLinks(action, t, id, to, toId, typeIds, now)));
  }

  private void writeVoid(Runnable body) {
    write(() -> {
      body.run();
      return null;
    });
  }

  // ---- generation support ----------------------------------------------------------------------

  long nextId(ObjectTypeDef t) {
    long last = t.records.isEmpty() ? DataGenerator.idBase(t.name) : t.records.lastKey();
    return last + 1 + idRandom.nextInt(DataGenerator.idGap(t.name));
  }

  /** Inserts a record visible to search from {@code visibleAt}; caller holds the write lock or is the constructor. */
  void insert(ObjectTypeDef t, long id, RecordState state, long visibleAt) {
    t.records.put(id, new StoredRecord(id, state, visibleAt));
    index(t, id, null, state);
  }

  private void index(ObjectTypeDef t, long id, RecordState before, RecordState after) {
    for (Map.Entry<String, Map<String, Long>> e : t.uniqueIndex.entrySet()) {
      int slot = t.properties.get(e.getKey()).slot();
      if (before != null && before.value(slot) != null) {
        e.getValue().remove(before.value(slot).toLowerCase(Locale.ROOT), id);
      }
      if (after != null && after.value(slot) != null && !after.archived()) {
        e.getValue().put(after.value(slot).toLowerCase(Locale.ROOT), id);
      }
    }
  }

  private void set(ObjectTypeDef t, StoredRecord r, RecordState state, long now) {
    RecordState before = r.current();
    r.set(state, now, now + indexLagMillis);
    index(t, r.id, before, state);
  }

  // ---- Portal: mutations -------------------------------------------------------------------------

  @Override
  public long create(String objectType, Map<String, String> properties) {
    return write(() -> {
      ObjectTypeDef t = type(objectType);
      long now = now();
      String[] values = new String[t.nextSlot];
      values = apply(t, values, properties);
      long id = nextId(t);
      RecordState state = new RecordState(now, now, 0, values);
      insert(t, id, state, now + indexLagMillis);
      journalChange("CREATE", t, id, null, state, now);
      return id;
    });
  }

  @Override
  public void update(String objectType, long id, Map<String, String> properties) {
    writeVoid(() -> {
      ObjectTypeDef t = type(objectType);
      StoredRecord r = live(t, id);
      long now = now();
      RecordState before = r.current();
      set(t, r, before.withValues(apply(t, before.values, properties), now), now);
      journalChange("UPDATE", t, id, before, r.current(), now);
    });
  }

  @Override
  public long bulkUpdate(String objectType, Collection<Long> ids, Map<String, String> properties) {
    return write(() -> {
      ObjectTypeDef t = type(objectType);
      long now = now();
      List<StoredRecord> targets = new ArrayList<>(ids.size());
      for (long id : ids) {
        targets.add(live(t, id)); // validate all before changing any
      }
      for (StoredRecord r : targets) {
        RecordState before = r.current();
        set(t, r, before.withValues(apply(t, before.values, properties), now), now);
        journalChange("UPDATE", t, r.id, before, r.current(), now);
      }
      return now;
    });
  }

  @Override
  public void archive(String objectType, long id) {
    writeVoid(() -> {
      ObjectTypeDef t = type(objectType);
      StoredRecord r = live(t, id);
      long now = now();
      // Archiving never bumps the modified date (hubspot-api.md §8, "archivedAt semantics").
      set(t, r, r.current().archived(now), now);
      journal.objectEvent("DELETE", t, id, now);
    });
  }

  @Override
  public void restore(String objectType, long id) {
    writeVoid(() -> {
      ObjectTypeDef t = type(objectType);
      StoredRecord r = t.records.get(id);
      long now = now();
      if (r == null || !r.current().archived() || purged(r.current(), now)) {
        throw new IllegalArgumentException(t.name + " " + id + " is not in the recycle bin");
      }
      set(t, r, r.current().restored(), now);
      journal.objectEvent("RESTORE", t, id, now);
    });
  }

  @Override
  public void merge(String objectType, long primaryId, long mergedId) {
    writeVoid(() -> {
      ObjectTypeDef t = type(objectType);
      if (primaryId == mergedId) {
        throw new IllegalArgumentException("Cannot merge " + t.name + " " + primaryId + " into itself");
      }
      PropertyDef mergedProp = t.live("hs_merged_object_ids");
      if (mergedProp == null) {
        throw new IllegalArgumentException(t.name + " records cannot be merged");
      }
      StoredRecord primary = live(t, primaryId);
      StoredRecord merged = live(t, mergedId);
      long now = now();
      List<String> ids = new ArrayList<>();
      for (StoredRecord r : List.of(primary, merged)) {
        String v = r.current().value(mergedProp.slot());
        if (v != null && !v.isEmpty()) {
          ids.addAll(Arrays.asList(v.split(";")));
        }
      }
      ids.add(Long.toString(mergedId));
      RecordState before = primary.current();
      set(t, primary, before.withValue(mergedProp.slot(), String.join(";", ids), now), now);
      index(t, mergedId, merged.current(), null);
      t.records.remove(mergedId);
      List<Long> absorbed = new ArrayList<>(List.of(mergedId));
      t.mergedInto.forEach((from, to) -> {
        if (to == mergedId) {
          absorbed.add(from);
        }
      });
      t.mergedInto.replaceAll((from, to) -> to == mergedId ? primaryId : to);
      t.mergedInto.put(mergedId, primaryId);
      Map<ObjectTypeDef, TreeMap<Long, int[]>> movedLinks = linksOf(t, mergedId);
      Map<ObjectTypeDef, TreeMap<Long, int[]>> survivorLinks = linksOf(t, primaryId);
      associations.moveAll(t.name, mergedId, primaryId);
      journal.merged(t, primaryId, absorbed, now);
      journalChange("UPDATE", t, primaryId, before, primary.current(), now);
      journalAllLinks("ASSOCIATION_REMOVED", t, mergedId, movedLinks, now);
      movedLinks.forEach((to, targets) -> targets.forEach((toId, typeIds) -> {
        int[] had = survivorLinks.getOrDefault(to, new TreeMap<>()).getOrDefault(toId, new int[0]);
        int[] added = Arrays.stream(typeIds).filter(x -> Arrays.stream(had).noneMatch(y -> y == x)).toArray();
        journalLinks("ASSOCIATION_ADDED", t, primaryId, to, toId, added, now);
      }));
    });
  }

  @Override
  public void hardDelete(String objectType, long id) {
    writeVoid(() -> remove(type(objectType), id, false));
  }

  @Override
  public void gdprDelete(String objectType, long id) {
    writeVoid(() -> remove(type(objectType), id, true));
  }

  /** Removes a record for good with its links; the journal gets DELETE (and GDPR_DELETE) and the links' removals. */
  private void remove(ObjectTypeDef t, long id, boolean gdpr) {
    StoredRecord r = t.records.get(id);
    if (r == null) {
      throw new IllegalArgumentException("No " + t.name + " record with id " + id);
    }
    long now = now();
    Map<ObjectTypeDef, TreeMap<Long, int[]>> links = linksOf(t, id);
    t.records.remove(id);
    index(t, id, r.current(), null);
    associations.removeAll(t.name, id);
    journal.objectEvent("DELETE", t, id, now);
    if (gdpr) {
      journal.gdprDeleted(t, id, now);
    }
    journalAllLinks("ASSOCIATION_REMOVED", t, id, links, now);
  }

  @Override
  public void associate(String fromType, long fromId, String toType, long toId) {
    writeVoid(() -> {
      ObjectTypeDef from = type(fromType);
      ObjectTypeDef to = type(toType);
      link(from, fromId, to, toId, associations.defaultType(from.name, to.name).typeId());
    });
  }

  @Override
  public void associate(String fromType, long fromId, String toType, long toId, int associationTypeId) {
    writeVoid(() -> link(type(fromType), fromId, type(toType), toId, associationTypeId));
  }

  private void link(ObjectTypeDef from, long fromId, ObjectTypeDef to, long toId, int typeId) {
    checkPair(from, to);
    if (associations.type(from.name, to.name, typeId) == null) {
      throw new IllegalArgumentException("Association type " + typeId + " does not exist from " + from.name + " to "
          + to.name + "; known: " + associations.types(from.name, to.name));
    }
    live(from, fromId);
    live(to, toId);
    int[] had = associations.targets(from.name, fromId, to.name).getOrDefault(toId, new int[0]).clone();
    if (associations.add(from.name, fromId, to.name, toId, typeId)) {
      int[] has = associations.targets(from.name, fromId, to.name).get(toId);
      int[] added = Arrays.stream(has).filter(x -> Arrays.stream(had).noneMatch(y -> y == x)).toArray();
      journalLinks("ASSOCIATION_ADDED", from, fromId, to, toId, added, now());
      boost(from, fromId, to, toId);
    }
  }

  @Override
  public void dissociate(String fromType, long fromId, String toType, long toId) {
    writeVoid(() -> {
      ObjectTypeDef from = type(fromType);
      ObjectTypeDef to = type(toType);
      checkPair(from, to);
      int[] had = associations.targets(from.name, fromId, to.name).getOrDefault(toId, new int[0]).clone();
      if (associations.remove(from.name, fromId, to.name, toId)) {
        journalLinks("ASSOCIATION_REMOVED", from, fromId, to, toId, had, now());
        boost(from, fromId, to, toId);
      }
    });
  }

  private void checkPair(ObjectTypeDef from, ObjectTypeDef to) {
    if (!associations.knows(from.name, to.name)) {
      throw new IllegalArgumentException("The portal has no association types between " + from.name + " and " + to.name);
    }
  }

  /**
   * The CDC boost: association edits move a record's modified date only when a rollup over the pair
   * exists on the alphabetically first type {@code a}, named or labelled
   * {@code sync_associations_{a}_{b}_label_*}. The rollup's value becomes the count of linked records.
   */
  private void boost(ObjectTypeDef x, long xId, ObjectTypeDef y, long yId) {
    boolean xFirst = x.name.compareTo(y.name) <= 0;
    ObjectTypeDef a = xFirst ? x : y;
    ObjectTypeDef b = xFirst ? y : x;
    long aId = xFirst ? xId : yId;
    PropertyDef rollup = rollup(a, b);
    StoredRecord r = a.records.get(aId);
    if (rollup == null || r == null || r.current().archived()) {
      return;
    }
    long now = now();
    String count = Integer.toString(associations.targets(a.name, aId, b.name).size());
    RecordState before = r.current();
    set(a, r, before.withValue(rollup.slot(), count, now), now);
    journalChange("UPDATE", a, aId, before, r.current(), now);
  }

  static PropertyDef rollup(ObjectTypeDef a, ObjectTypeDef b) {
    String prefix = Catalog.ROLLUP_PREFIX + a.name + "_" + b.name + "_label_";
    for (PropertyDef def : a.liveProperties()) {
      if (def.source() == PropertyDef.Source.STORED
          && (def.name().toLowerCase(Locale.ROOT).startsWith(prefix) || def.label().toLowerCase(Locale.ROOT).startsWith(prefix))) {
        return def;
      }
    }
    return null;
  }

  @Override
  public void addProperty(String objectType, String name, String label, String type, String fieldType,
      String... options) {
    writeVoid(() -> {
      ObjectTypeDef t = type(objectType);
      if (t.properties.containsKey(name)) {
        throw new IllegalArgumentException("Property '" + name + "' already exists on " + t.name);
      }
      if (!List.of("string", "number", "date", "datetime", "enumeration", "bool", "phone_number").contains(type)) {
        throw new IllegalArgumentException("Unknown property type '" + type + "' for " + t.name + "." + name);
      }
      t.add(PropertyDef.Source.STORED, name, label == null ? name : label, type, fieldType, "custom",
          Catalog.options(options), false, false, false, false, now());
    });
  }

  @Override
  public void archiveProperty(String objectType, String name) {
    writeVoid(() -> {
      ObjectTypeDef t = type(objectType);
      PropertyDef def = liveProperty(t, name);
      if (def.hubspotDefined()) {
        throw new IllegalArgumentException(t.name + "." + name + " is HubSpot-defined and cannot be archived");
      }
      t.replace(def.archivedAt(now()));
    });
  }

  @Override
  public void changePropertyType(String objectType, String name, String type, String fieldType) {
    writeVoid(() -> {
      ObjectTypeDef t = type(objectType);
      PropertyDef def = liveProperty(t, name);
      t.replace(def.retyped(type, fieldType, now()));
    });
  }

  @Override
  public List<Long> ids(String objectType) {
    return read(() -> {
      ObjectTypeDef t = type(objectType);
      List<Long> out = new ArrayList<>();
      for (StoredRecord r : t.records.values()) {
        if (!r.current().archived()) {
          out.add(r.id);
        }
      }
      return out;
    });
  }

  @Override
  public String objectTypeId(String objectType) {
    return type(objectType).objectTypeId;
  }

  private static PropertyDef liveProperty(ObjectTypeDef t, String name) {
    PropertyDef def = t.live(name);
    if (def == null) {
      throw new IllegalArgumentException("No live property '" + name + "' on " + t.name);
    }
    return def;
  }

  private StoredRecord live(ObjectTypeDef t, long id) {
    StoredRecord r = t.records.get(id);
    if (r == null || r.current().archived()) {
      throw new IllegalArgumentException("No live " + t.name + " record with id " + id);
    }
    return r;
  }

  private static String[] apply(ObjectTypeDef t, String[] values, Map<String, String> properties) {
    String[] out = Arrays.copyOf(values, Math.max(values.length, t.nextSlot));
    for (Map.Entry<String, String> e : properties.entrySet()) {
      PropertyDef def = t.live(e.getKey());
      if (def == null) {
        throw new IllegalArgumentException("Property '" + e.getKey() + "' does not exist on " + t.name);
      }
      if (def.source() != PropertyDef.Source.STORED) {
        throw new IllegalArgumentException("Property '" + e.getKey() + "' of " + t.name + " is read-only");
      }
      out[def.slot()] = e.getValue();
    }
    return out;
  }

  // ---- snapshot ----------------------------------------------------------------------------------

  public PortalSnapshot snapshot() {
    return read(() -> {
      long now = now();
      Map<String, List<RecordSnapshot>> records = new LinkedHashMap<>();
      for (ObjectTypeDef t : types.values()) {
        List<RecordSnapshot> list = new ArrayList<>(t.records.size());
        List<PropertyDef> props = new ArrayList<>(t.liveProperties());
        for (StoredRecord r : t.records.values()) {
          RecordState s = r.current();
          if (purged(s, now)) {
            continue;
          }
          Map<String, String> values = new LinkedHashMap<>();
          for (PropertyDef def : props) {
            String v = t.value(r.id, s, def);
            if (v != null) {
              values.put(def.name(), v);
            }
          }
          list.add(new RecordSnapshot(t.name, r.id, values, Instant.ofEpochMilli(s.createdAt),
              Instant.ofEpochMilli(s.updatedAt), s.archived(), s.archived() ? Instant.ofEpochMilli(s.archivedAt) : null));
        }
        records.put(t.name, List.copyOf(list));
      }
      List<AssociationSnapshot> links = new ArrayList<>();
      for (Map.Entry<String, Map<Long, TreeMap<Long, int[]>>> dir : associations.all().entrySet()) {
        String[] ft = dir.getKey().split(">");
        for (Map.Entry<Long, TreeMap<Long, int[]>> from : new TreeMap<>(dir.getValue()).entrySet()) {
          for (Map.Entry<Long, int[]> to : from.getValue().entrySet()) {
            for (int typeId : to.getValue()) {
              AssociationType at = associations.type(ft[0], ft[1], typeId);
              links.add(new AssociationSnapshot(ft[0], from.getKey(), ft[1], to.getKey(), typeId, at.category(),
                  at.label()));
            }
          }
        }
      }
      return new PortalSnapshot(Instant.ofEpochMilli(now), Collections.unmodifiableMap(records), List.copyOf(links));
    });
  }
}
