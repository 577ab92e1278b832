package dev.hubspotsync.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An object stream's stored checkpoint: one JSON object holding the change source's position (its
 * own keys, opaque here) and the engine's {@code relink} and {@code relinkAll}.
 *
 * <p>{@code relink} holds the ids of records whose status changed (archived, restored, merged,
 * deleted, found missing) whose links, and the links pointing to them, the association pairs have
 * not re-read yet; it is stored with the write that changed them, so a crash in between loses none.
 * Past {@link #RELINK_MAX} ids only {@code relinkAll} is kept: the pairs of the type then run a full
 * scan.
 *
 * <p>{@code linksEdited} holds, per target type, the records of this type whose links to it a change
 * source saw edited ({@link dev.hubspotsync.source.ChangeBatch#linksEdited}) and the pair has not re-read
 * yet; stored the same way.
 *
 * @param position the source's position (a JSON object without the engine's keys), or null before its first
 */
record StreamCheckpoint(String position, List<Long> relink, Boolean relinkAll, Map<String, List<Long>> edited) {
  /** Ids kept in {@code relink} before a full association scan is cheaper than the list. */
  static final int RELINK_MAX = 10_000;
  static final StreamCheckpoint NONE = new StreamCheckpoint(null, null, null, null);
  private static final String RELINK = "relink";
  private static final String RELINK_ALL = "relinkAll";
  private static final String EDITED = "linksEdited";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** This checkpoint with the source's position moved to {@code next}, a JSON object. */
  StreamCheckpoint at(String next) {
    return next.equals(position) ? this : new StreamCheckpoint(next, relink, relinkAll, edited);
  }

  /** This position with {@code parents} added to the records whose links to {@code toType} were edited. */
  StreamCheckpoint withEdited(Map<String, Set<Long>> parents) {
    Map<String, List<Long>> all = new TreeMap<>(editedIds());
    boolean changed = false;
    for (Map.Entry<String, Set<Long>> e : parents.entrySet()) {
      Set<Long> ids = new TreeSet<>(all.getOrDefault(e.getKey(), List.of()));
      if (ids.addAll(e.getValue())) {
        all.put(e.getKey(), List.copyOf(ids));
        changed = true;
      }
    }
    return changed ? new StreamCheckpoint(position, relink, relinkAll, Map.copyOf(all)) : this;
  }

  /** This position without the edited parents of {@code toType} a pair has read again. */
  StreamCheckpoint withoutEdited(String toType, Collection<Long> handled) {
    List<Long> had = editedIds().get(toType);
    if (had == null || handled.isEmpty()) {
      return this;
    }
    Map<String, List<Long>> all = new TreeMap<>(editedIds());
    Set<Long> left = new TreeSet<>(had);
    left.removeAll(handled);
    if (left.isEmpty()) {
      all.remove(toType);
    } else {
      all.put(toType, List.copyOf(left));
    }
    return new StreamCheckpoint(position, relink, relinkAll, all.isEmpty() ? null : Map.copyOf(all));
  }

  /** Per target type, the records whose links to it were edited and are not re-read yet; empty when none. */
  Map<String, List<Long>> editedIds() {
    return edited == null ? Map.of() : edited;
  }

  /** This position with {@code ids} added to the records whose links must be read again. */
  StreamCheckpoint withRelink(Collection<Long> ids) {
    if (ids.isEmpty() || Boolean.TRUE.equals(relinkAll)) {
      return this;
    }
    Set<Long> all = new TreeSet<>(relinkIds());
    if (!all.addAll(ids)) {
      return this;
    }
    return all.size() > RELINK_MAX ? withRelink(null, true) : withRelink(List.copyOf(all), null);
  }

  /** This position without the relink ids (and flag) the association pairs have handled. */
  StreamCheckpoint withoutRelink(Collection<Long> handled, boolean handledAll) {
    boolean all = Boolean.TRUE.equals(relinkAll) && !handledAll;
    Set<Long> left = new TreeSet<>(relinkIds());
    left.removeAll(handled);
    return withRelink(left.isEmpty() ? null : List.copyOf(left), all ? true : null);
  }

  /** This position with every record's links due to be read again (the pairs of the type run a full scan). */
  StreamCheckpoint withRelinkAll() {
    return withRelink(null, true);
  }

  private StreamCheckpoint withRelink(List<Long> ids, Boolean all) {
    return new StreamCheckpoint(position, ids, all, edited);
  }

  /** The ids whose links must be read again, ascending; empty when none (or when {@link #relinkAll}). */
  List<Long> relinkIds() {
    return relink == null ? List.of() : relink;
  }

  /** The stored form: the source's keys (none before its first position), then {@code relink} and {@code relinkAll} when set. */
  String json() {
    ObjectNode node = object(position == null ? "{}" : position);
    if (relink != null) {
      ArrayNode ids = node.putArray(RELINK);
      relink.forEach(ids::add);
    }
    if (relinkAll != null) {
      node.put(RELINK_ALL, relinkAll);
    }
    if (edited != null && !edited.isEmpty()) {
      ObjectNode byType = node.putObject(EDITED);
      new TreeMap<>(edited).forEach((toType, ids) -> ids.forEach(byType.putArray(toType)::add));
    }
    return node.toString();
  }

  /**
   * Checks a position a change source handed over: a JSON object that leaves the engine's keys alone.
   *
   * @throws IllegalArgumentException naming the stream and what is wrong
   */
  static void checkPosition(String stream, String position) {
    ObjectNode node;
    try {
      node = object(position);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("The change source of stream '" + stream + "' handed over a checkpoint that is "
          + "not a JSON object: " + position);
    }
    if (node.has(RELINK) || node.has(RELINK_ALL) || node.has(EDITED)) {
      throw new IllegalArgumentException("The change source of stream '" + stream + "' handed over a checkpoint with the "
          + "engine's keys " + RELINK + "/" + RELINK_ALL + "/" + EDITED + ": " + position + ". Rename them.");
    }
  }

  static StreamCheckpoint parse(String stream, String json) {
    ObjectNode node;
    try {
      node = object(json);
    } catch (IllegalArgumentException e) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "The stored checkpoint of stream '" + stream
          + "' cannot be read (" + e.getMessage() + "): " + json + ". Delete it to backfill the stream again.");
    }
    JsonNode ids = node.remove(RELINK);
    JsonNode all = node.remove(RELINK_ALL);
    JsonNode editedNode = node.remove(EDITED);
    Map<String, List<Long>> edited = null;
    if (editedNode != null && editedNode.isObject()) {
      Map<String, List<Long>> byType = new TreeMap<>();
      editedNode.fields().forEachRemaining(e -> {
        List<Long> parents = new ArrayList<>();
        e.getValue().forEach(id -> parents.add(id.asLong()));
        byType.put(e.getKey(), List.copyOf(parents));
      });
      edited = byType.isEmpty() ? null : Map.copyOf(byType);
    }
    List<Long> relink = null;
    if (ids != null && ids.isArray()) {
      relink = new ArrayList<>();
      for (JsonNode id : ids) {
        relink.add(id.asLong());
      }
      relink = List.copyOf(relink);
    }
    return new StreamCheckpoint(node.toString(), relink, all != null && all.isBoolean() ? all.booleanValue() : null, edited);
  }

  private static ObjectNode object(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node instanceof ObjectNode o) {
        return o;
      }
      throw new IllegalArgumentException("not a JSON object");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage(), e);
    }
  }
}
