package dev.hubspotsync.testkit.internal;

import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The journal's data: subscriptions, the events a change writes for them, and the published files
 * (hubspot-api.md §10.4, hubspot-journal.md §2–3). One file per portal change. Its own monitor guards
 * it; portal changes call it under the portal's write lock (portal lock first, then this one).
 *
 * <p>Event shapes follow the community code checked against the live API (hubspot-journal.md §2.3);
 * association events carry the field set of the journal guide as quoted there. Where no source says
 * what HubSpot emits, the choices are ours and listed in docs/fake-hubspot.md.
 */
final class JournalState implements PortalJournal {
  static final long RETENTION_MILLIS = RETENTION.toMillis();
  /** The action enum of {@code SubscriptionUpsertRequest} (hubspot-journal.md §1). */
  static final Set<String> ACTIONS = Set.of("CREATE", "UPDATE", "DELETE", "MERGE", "RESTORE", "ASSOCIATION_ADDED",
      "ASSOCIATION_REMOVED", "SNAPSHOT", "APP_INSTALL", "APP_UNINSTALL", "ADDED_TO_LIST", "REMOVED_FROM_LIST", "GDPR_DELETE");
  /** What each modeled subscription type may subscribe to. */
  static final Map<String, Set<String>> ACTIONS_BY_TYPE = Map.of(
      "OBJECT", Set.of("CREATE", "UPDATE", "DELETE", "MERGE", "RESTORE", "SNAPSHOT"),
      "ASSOCIATION", Set.of("ASSOCIATION_ADDED", "ASSOCIATION_REMOVED"),
      "GDPR_PRIVACY_DELETION", Set.of("GDPR_DELETE"));

  record Subscription(long id, String type, String objectTypeId, Set<String> actions, List<String> properties,
      Set<Long> objectIds, List<String> associatedObjectTypeIds, long createdAt, long updatedAt) {

    boolean wants(String objectTypeId, String action, long objectId) {
      return this.objectTypeId.equals(objectTypeId) && actions.contains(action)
          && (objectIds.isEmpty() || objectIds.contains(objectId));
    }

    Map<String, Object> json(long portalId) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", Long.toString(id));
      m.put("subscriptionType", type);
      m.put("portalId", portalId);
      m.put("objectTypeId", objectTypeId);
      m.put("actions", List.copyOf(actions));
      if (type.equals("OBJECT")) {
        m.put("properties", properties);
      }
      if (type.equals("ASSOCIATION")) {
        m.put("associatedObjectTypeIds", associatedObjectTypeIds);
      }
      m.put("objectIds", List.copyOf(objectIds));
      m.put("createdAt", Values.isoMillis(createdAt));
      m.put("updatedAt", Values.isoMillis(updatedAt));
      return m;
    }
  }

  /** One published file: its offset, when it was published, and its events. */
  record Entry(String offset, long publishedAt, List<Map<String, Object>> events) {
    byte[] file() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("offset", offset);
      m.put("journalEvents", events);
      m.put("publishedAt", Values.isoMillis(publishedAt));
      return Api.json(m);
    }
  }

  private final long portalId;
  private final PortalClock clock;
  private final SplittableRandom random;
  private final Map<Long, Subscription> subscriptions = new LinkedHashMap<>();
  private final List<Entry> entries = new ArrayList<>();
  private final List<Map<String, Object>> pending = new ArrayList<>();
  private final String signingKey;
  private List<Map<String, Object>> lastPublished = List.of();
  private long nextSubscriptionId;
  private long sequence;
  private boolean duplicates;
  private boolean unknownFields;
  private long urlLifetimeMillis = Duration.ofMinutes(15).toMillis();

  JournalState(long portalId, PortalClock clock, long seed) {
    this.portalId = portalId;
    this.clock = clock;
    this.random = new SplittableRandom(seed * 17 + 5);
    this.signingKey = Long.toHexString(random.nextLong());
    this.nextSubscriptionId = 3_000_000L + random.nextInt(1_000_000);
  }

  // ---- switches (PortalJournal) ----------------------------------------------------------------------

  @Override
  public synchronized void duplicates(boolean on) {
    this.duplicates = on;
  }

  @Override
  public synchronized void urlLifetime(Duration lifetime) {
    if (lifetime == null || lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("journal urlLifetime must be positive, was " + lifetime);
    }
    this.urlLifetimeMillis = lifetime.toMillis();
  }

  synchronized long urlLifetimeMillis() {
    return urlLifetimeMillis;
  }

  @Override
  public synchronized void unknownFields(boolean on) {
    this.unknownFields = on;
  }

  @Override
  public synchronized String publishRaw(List<Map<String, Object>> events) {
    List<Map<String, Object>> copy = new ArrayList<>();
    events.forEach(e -> copy.add(new LinkedHashMap<>(e)));
    Entry e = new Entry(nextOffset(clock.millis()), clock.millis(), List.copyOf(copy));
    entries.add(e);
    return e.offset();
  }

  @Override
  public synchronized void deleteSubscriptions() {
    subscriptions.clear();
  }

  @Override
  public synchronized List<Map<String, Object>> subscriptions() {
    List<Map<String, Object>> out = new ArrayList<>();
    subscriptions.values().forEach(s -> out.add(s.json(portalId)));
    return out;
  }

  @Override
  public synchronized List<Map<String, Object>> events() {
    prune(clock.millis());
    List<Map<String, Object>> out = new ArrayList<>();
    entries.forEach(e -> e.events().forEach(event -> out.add(new LinkedHashMap<>(event)))); // copies: callers may edit
    return out;
  }

  @Override
  public synchronized List<String> offsets() {
    prune(clock.millis());
    return entries.stream().map(Entry::offset).toList();
  }

  // ---- subscriptions ---------------------------------------------------------------------------------

  /** Creates or replaces the subscription of (type, objectTypeId): HubSpot keeps one per pair and answers with its id. */
  synchronized Subscription upsert(String type, String objectTypeId, Set<String> actions, List<String> properties,
      Set<Long> objectIds, List<String> associated) {
    long now = clock.millis();
    Subscription old = subscriptions.values().stream()
        .filter(s -> s.type().equals(type) && s.objectTypeId().equals(objectTypeId)).findFirst().orElse(null);
    long id = old != null ? old.id() : nextSubscriptionId++;
    Subscription s = new Subscription(id, type, objectTypeId, Set.copyOf(new LinkedHashSet<>(actions)), List.copyOf(properties),
        Set.copyOf(objectIds), List.copyOf(associated), old != null ? old.createdAt() : now, now);
    subscriptions.put(id, s);
    return s;
  }

  synchronized Subscription subscription(long id) {
    return subscriptions.get(id);
  }

  synchronized boolean deleteSubscription(long id) {
    return subscriptions.remove(id) != null;
  }

  // ---- events (called under the portal's write lock) ---------------------------------------------------

  /** A CREATE or UPDATE: {@code changed} maps every property that changed to its new value. */
  synchronized void objectChanged(String action, ObjectTypeDef t, long id, Supplier<Map<String, String>> changes,
      long now) {
    Map<String, String> changed = null;
    for (Subscription s : subscriptions.values()) {
      if (!s.type().equals("OBJECT") || !s.wants(t.objectTypeId, action, id)) {
        continue;
      }
      changed = changed != null ? changed : changes.get(); // computed only when someone subscribed
      Map<String, String> subscribed = new LinkedHashMap<>();
      for (String p : s.properties()) {
        if (changed.containsKey(p)) { // a cleared value is a change to null
          subscribed.put(p, changed.get(p));
        }
      }
      if (action.equals("UPDATE") && !s.properties().isEmpty() && subscribed.isEmpty()) {
        continue; // none of the subscribed properties moved
      }
      Map<String, Object> e = objectEvent("crmObject", action, t.objectTypeId, id, now);
      e.put("propertyChanges", subscribed);
      pending.add(e);
    }
  }

  /** DELETE, RESTORE: an event without property changes. */
  synchronized void objectEvent(String action, ObjectTypeDef t, long id, long now) {
    for (Subscription s : subscriptions.values()) {
      if (s.type().equals("OBJECT") && s.wants(t.objectTypeId, action, id)) {
        pending.add(objectEvent("crmObject", action, t.objectTypeId, id, now));
      }
    }
  }

  /** MERGE: {@code objectId} is the survivor, {@code mergedObjectIds} the ids it absorbed now. */
  synchronized void merged(ObjectTypeDef t, long survivor, Collection<Long> absorbed, long now) {
    for (Subscription s : subscriptions.values()) {
      if (s.type().equals("OBJECT") && s.wants(t.objectTypeId, "MERGE", survivor)) {
        Map<String, Object> e = objectEvent("crmObject", "MERGE", t.objectTypeId, survivor, now);
        e.put("mergedObjectIds", List.copyOf(absorbed));
        pending.add(e);
      }
    }
  }

  synchronized void gdprDeleted(ObjectTypeDef t, long id, long now) {
    for (Subscription s : subscriptions.values()) {
      if (s.type().equals("GDPR_PRIVACY_DELETION") && s.wants(t.objectTypeId, "GDPR_DELETE", id)) {
        pending.add(objectEvent("gdprPrivacyDeletion", "GDPR_DELETE", t.objectTypeId, id, now));
      }
    }
  }

  /**
   * A link of one association type added or removed, written for a subscription on either side:
   * {@code at} is the type seen from {@code a}, {@code inverse} the same link seen from {@code b}.
   */
  synchronized void association(String action, ObjectTypeDef a, long aId, ObjectTypeDef b, long bId, AssociationType at,
      AssociationType inverse, long now) {
    associationSide(action, a, aId, b, bId, at, now);
    associationSide(action, b, bId, a, aId, inverse, now);
  }

  private void associationSide(String action, ObjectTypeDef from, long fromId, ObjectTypeDef to, long toId,
      AssociationType at, long now) {
    for (Subscription s : subscriptions.values()) {
      if (!s.type().equals("ASSOCIATION") || !s.wants(from.objectTypeId, action, fromId)
          || !s.associatedObjectTypeIds().contains(to.objectTypeId)) {
        continue;
      }
      Map<String, Object> e = objectEvent("association", action, from.objectTypeId, fromId, now);
      e.put("fromObjectTypeId", from.objectTypeId);
      e.put("fromObjectId", fromId);
      e.put("toObjectTypeId", to.objectTypeId);
      e.put("toObjectId", toId);
      e.put("associationTypeId", at.typeId());
      e.put("associationCategory", at.category());
      e.put("isPrimary", "Primary".equals(at.label()));
      pending.add(e);
    }
  }

  private Map<String, Object> objectEvent(String type, String action, String objectTypeId, long id, long now) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("type", type);
    e.put("portalId", portalId);
    e.put("occurredAt", Values.isoMillis(now));
    e.put("objectTypeId", objectTypeId);
    e.put("objectId", id);
    e.put("action", action);
    if (unknownFields) {
      e.put("sourceLabel", "simulated");
      e.put("eventContext", Map.of("origin", "CRM_UI", "tags", List.of("a", "b")));
    }
    return e;
  }

  /** Publishes the events a change wrote as one file (none: no file). */
  synchronized void publish(long now) {
    if (pending.isEmpty()) {
      return;
    }
    List<Map<String, Object>> events = new ArrayList<>(pending);
    pending.clear();
    List<Map<String, Object>> own = List.copyOf(events);
    if (duplicates) {
      events.addAll(lastPublished); // redelivered after the new ones
    }
    lastPublished = own;
    entries.add(new Entry(nextOffset(now), now, List.copyOf(events)));
  }

  /** Drops what a failed change wrote. */
  synchronized void discard() {
    pending.clear();
  }

  // ---- reads ----------------------------------------------------------------------------------------

  synchronized Entry earliest(long now) {
    prune(now);
    return entries.isEmpty() ? null : entries.get(0);
  }

  synchronized Entry latest(long now) {
    prune(now);
    return entries.isEmpty() ? null : entries.get(entries.size() - 1);
  }

  synchronized List<Entry> firstN(long now, int count) {
    prune(now);
    return List.copyOf(entries.subList(0, Math.min(count, entries.size())));
  }

  synchronized List<Entry> lastN(long now, int count) {
    prune(now);
    return List.copyOf(entries.subList(Math.max(0, entries.size() - count), entries.size()));
  }

  /** Up to {@code count} entries after {@code offset}; null when the offset is unknown or past retention. */
  synchronized List<Entry> after(String offset, int count, long now) {
    prune(now);
    int at = indexOf(offset);
    if (at < 0) {
      return null;
    }
    return List.copyOf(entries.subList(at + 1, Math.min(entries.size(), at + 1 + count)));
  }

  synchronized Entry entry(String offset, long now) {
    prune(now);
    int at = indexOf(offset);
    return at < 0 ? null : entries.get(at);
  }

  private int indexOf(String offset) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (entries.get(i).offset().equals(offset)) {
        return i;
      }
    }
    return -1;
  }

  private void prune(long now) {
    entries.removeIf(e -> e.publishedAt() + RETENTION_MILLIS <= now);
  }

  // ---- offsets and pre-signed URLs ---------------------------------------------------------------------

  /** Time-ordered, UUIDv7-shaped offsets, as live ones look (hubspot-journal.md §2.4); opaque to clients. */
  private String nextOffset(long now) {
    long seq = ++sequence;
    String hex = String.format("%012x", now & 0xFFFF_FFFF_FFFFL);
    return hex.substring(0, 8) + "-" + hex.substring(8) + "-7" + String.format("%03x", seq & 0xFFF) + "-"
        + String.format("%04x", 0x8000 | (seq >> 12 & 0x3FFF)) + "-" + String.format("%012x", random.nextLong() & 0xFFFF_FFFF_FFFFL);
  }

  /** The signature of a file URL: anything else (a changed expiry, another offset) is refused. */
  String signature(String offset, long expiresAt) {
    long h = 1125899906842597L;
    for (char c : (signingKey + "|" + offset + "|" + expiresAt).toCharArray()) {
      h = 31 * h + c;
    }
    return Long.toHexString(h ^ (h >>> 29)) + Integer.toHexString(Arrays.hashCode(offset.toCharArray()));
  }
}
