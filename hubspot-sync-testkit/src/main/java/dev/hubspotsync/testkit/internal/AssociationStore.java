package dev.hubspotsync.testkit.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Associations in both directions. A link between two records holds one or more directed type ids;
 * adding a link adds its inverse on the other side. Mutated only under the portal's write lock.
 */
final class AssociationStore {
  private final Map<String, List<AssociationType>> typesByDirection = new HashMap<>();
  private final Map<String, Map<Integer, AssociationType>> typeById = new HashMap<>();
  /** direction key → from id → (to id → type ids, sorted). */
  private final Map<String, Map<Long, TreeMap<Long, int[]>>> links = new HashMap<>();

  AssociationStore(List<AssociationType> types) {
    for (AssociationType t : types) {
      String key = key(t.fromType(), t.toType());
      typesByDirection.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
      typeById.computeIfAbsent(key, k -> new HashMap<>()).put(t.typeId(), t);
    }
  }

  static String key(String from, String to) {
    return from + ">" + to;
  }

  boolean knows(String from, String to) {
    return typesByDirection.containsKey(key(from, to));
  }

  List<AssociationType> types(String from, String to) {
    return typesByDirection.getOrDefault(key(from, to), List.of());
  }

  AssociationType type(String from, String to, int typeId) {
    Map<Integer, AssociationType> m = typeById.get(key(from, to));
    return m == null ? null : m.get(typeId);
  }

  /** The unlabeled default type of a direction (the one every link carries). */
  AssociationType defaultType(String from, String to) {
    for (AssociationType t : types(from, to)) {
      if (t.label() == null) {
        return t;
      }
    }
    throw new IllegalArgumentException("No association type from " + from + " to " + to);
  }

  /** Adds the link with {@code typeId} and the direction's unlabeled type; returns false if nothing changed. */
  boolean add(String from, long fromId, String to, long toId, int typeId) {
    AssociationType t = type(from, to, typeId);
    if (t == null) {
      throw new IllegalArgumentException("Association type " + typeId + " does not exist from " + from + " to "
          + to + "; known: " + types(from, to));
    }
    AssociationType unlabeled = defaultType(from, to);
    boolean changed = put(from, fromId, to, toId, unlabeled.typeId());
    changed |= put(from, fromId, to, toId, typeId);
    put(to, toId, from, fromId, unlabeled.inverseTypeId());
    put(to, toId, from, fromId, t.inverseTypeId());
    return changed;
  }

  private boolean put(String from, long fromId, String to, long toId, int typeId) {
    TreeMap<Long, int[]> targets = links.computeIfAbsent(key(from, to), k -> new HashMap<>())
        .computeIfAbsent(fromId, k -> new TreeMap<>());
    int[] ids = targets.get(toId);
    if (ids == null) {
      targets.put(toId, new int[] {typeId});
      return true;
    }
    for (int id : ids) {
      if (id == typeId) {
        return false;
      }
    }
    int[] more = Arrays.copyOf(ids, ids.length + 1);
    more[ids.length] = typeId;
    Arrays.sort(more);
    targets.put(toId, more);
    return true;
  }

  /** Removes every type of the link in both directions; returns false if there was none. */
  boolean remove(String from, long fromId, String to, long toId) {
    boolean removed = drop(from, fromId, to, toId);
    drop(to, toId, from, fromId);
    return removed;
  }

  private boolean drop(String from, long fromId, String to, long toId) {
    Map<Long, TreeMap<Long, int[]>> dir = links.get(key(from, to));
    if (dir == null) {
      return false;
    }
    TreeMap<Long, int[]> targets = dir.get(fromId);
    if (targets == null || targets.remove(toId) == null) {
      return false;
    }
    if (targets.isEmpty()) {
      dir.remove(fromId);
    }
    return true;
  }

  /** Targets of one record in one direction (live view; callers hold the portal lock). */
  TreeMap<Long, int[]> targets(String from, long fromId, String to) {
    Map<Long, TreeMap<Long, int[]>> dir = links.get(key(from, to));
    TreeMap<Long, int[]> t = dir == null ? null : dir.get(fromId);
    return t == null ? new TreeMap<>() : t;
  }

  /** Directions that start at {@code type}. */
  List<String> targetTypes(String type) {
    List<String> out = new ArrayList<>();
    for (List<AssociationType> ts : typesByDirection.values()) {
      if (ts.get(0).fromType().equals(type) && !out.contains(ts.get(0).toType())) {
        out.add(ts.get(0).toType());
      }
    }
    return out;
  }

  /** Removes every link of a record (hard delete). */
  void removeAll(String type, long id) {
    for (String to : targetTypes(type)) {
      for (Long toId : new ArrayList<>(targets(type, id, to).keySet())) {
        remove(type, id, to, toId);
      }
    }
  }

  /** Moves every link of {@code oldId} to {@code newId} (merge), keeping type ids. */
  void moveAll(String type, long oldId, long newId) {
    for (String to : targetTypes(type)) {
      for (Map.Entry<Long, int[]> e : new ArrayList<>(targets(type, oldId, to).entrySet())) {
        long toId = e.getKey();
        remove(type, oldId, to, toId);
        for (int typeId : e.getValue()) {
          AssociationType t = type(type, to, typeId);
          put(type, newId, to, toId, typeId);
          put(to, toId, type, newId, t.inverseTypeId());
        }
      }
    }
  }

  /** Every link in every direction, for snapshots. */
  Map<String, Map<Long, TreeMap<Long, int[]>>> all() {
    return links;
  }
}
