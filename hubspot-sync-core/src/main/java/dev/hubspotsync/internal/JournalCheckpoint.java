package dev.hubspotsync.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;

/**
 * The journal source's position in an object stream: the journal offset the next read follows (null
 * while the journal held no entry: then {@code emptySince} says since when, and the read starts at the
 * earliest entry), whether a polling catch-up (first backfill, or recovery from a gap) is under way
 * before the journal is read from that offset, and the polling source's own position (its backfill,
 * its modified-date cursor, its reconciliation time), kept as that source stores it.
 *
 * @param polling the polling position (a JSON object), or null before the first backfill
 */
record JournalCheckpoint(String offset, Long emptySince, boolean catchingUp, String polling) {
  static final String SOURCE = "journal";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether a stored position is the journal source's (else it is polling's, from before a switch). */
  static boolean isJournal(String json) {
    return SOURCE.equals(object(json).path("source").asText(null));
  }

  /** A position the journal source took over from the polling source (or none): a catch-up comes first. */
  static JournalCheckpoint fromPolling(String pollingJson) {
    return new JournalCheckpoint(null, null, false, pollingJson);
  }

  /** Whether the journal has a place to read from (an offset, or "from the earliest entry"). */
  boolean placed() {
    return offset != null || emptySince != null;
  }

  /** Polling catches up first, then the journal is read after {@code latest} (null: it was empty at {@code now}). */
  JournalCheckpoint catchUpFrom(String latest, long now, String pollingPosition) {
    return new JournalCheckpoint(latest, latest == null ? now : null, true, pollingPosition);
  }

  JournalCheckpoint caughtUp() {
    return new JournalCheckpoint(offset, emptySince, false, polling);
  }

  JournalCheckpoint at(String nextOffset) {
    return new JournalCheckpoint(nextOffset, null, catchingUp, polling);
  }

  JournalCheckpoint withPolling(String pollingPosition) {
    return new JournalCheckpoint(offset, emptySince, catchingUp, pollingPosition);
  }

  String json() {
    ObjectNode node = JSON.createObjectNode().put("source", SOURCE);
    if (offset != null) {
      node.put("offset", offset);
    }
    if (emptySince != null) {
      node.put("emptySince", emptySince);
    }
    if (catchingUp) {
      node.put("catchingUp", true);
    }
    if (polling != null) {
      node.set("polling", object(polling));
    }
    return node.toString();
  }

  static JournalCheckpoint parse(String stream, String json) {
    ObjectNode node = object(json);
    JsonNode polling = node.get("polling");
    if (polling != null && !polling.isObject()) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "The stored checkpoint of stream '" + stream
          + "' has a polling position that is not a JSON object: " + json + ". Delete it to backfill the stream again.");
    }
    return new JournalCheckpoint(node.path("offset").asText(null),
        node.hasNonNull("emptySince") ? node.get("emptySince").asLong() : null, node.path("catchingUp").asBoolean(false),
        polling == null ? null : polling.toString());
  }

  private static ObjectNode object(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node instanceof ObjectNode o) {
        return o;
      }
    } catch (JsonProcessingException e) {
      // reported below
    }
    throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "A stored journal checkpoint is not a JSON object: " + json
        + ". Delete it to backfill the stream again.");
  }
}
