package dev.hubspotsync.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads journal files leniently (hubspot-journal.md §2, §9: the live format is partly unconfirmed):
 * unknown fields are ignored, events with an unknown action or without the record they are about are
 * skipped, and both are logged once per file by name and count, never with values (they hold CRM
 * data). Only a file that is not a JSON object at all fails.
 */
final class JournalFiles {
  private static final Logger LOG = LoggerFactory.getLogger(HubSpotClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Fields this version reads or knowingly ignores; others are reported as unknown. */
  private static final Set<String> KNOWN = Set.of("type", "portalId", "occurredAt", "objectTypeId", "objectId", "action",
      "propertyChanges", "mergedObjectIds", "fromObjectTypeId", "fromObjectId", "toObjectTypeId", "toObjectId",
      "associationTypeId", "associationCategory", "isPrimary", "associatedObjectId", "associatedObjectTypeId",
      "associationType", "eventTypeId", "properties");

  private JournalFiles() {}

  /** Parses a file; {@code offset} stands in when the file names none. */
  static JournalFile parse(byte[] body, String offset) throws IOException {
    JsonNode root = JSON.readTree(body);
    if (root == null || !root.isObject()) {
      throw new IOException("a journal file is a JSON object with journalEvents; this is not one");
    }
    String fileOffset = root.path("offset").isTextual() ? root.path("offset").asText() : offset;
    Map<String, Integer> unknownActions = new TreeMap<>();
    Set<String> unknownFields = new TreeSet<>();
    int malformed = 0;
    List<JournalEvent> events = new ArrayList<>();
    for (JsonNode e : root.path("journalEvents")) {
      e.fieldNames().forEachRemaining(f -> {
        if (!KNOWN.contains(f)) {
          unknownFields.add(f);
        }
      });
      JournalEvent.Action action = action(e.path("action").asText(""));
      if (action == null) {
        unknownActions.merge(e.path("action").asText("(none)"), 1, Integer::sum);
        continue;
      }
      JournalEvent event = event(e, action, fileOffset);
      if (event == null) {
        malformed++;
      } else {
        events.add(event);
      }
    }
    if (!root.path("journalEvents").isArray()) {
      LOG.warn("Journal file {} has no journalEvents array; read as empty", fileOffset);
    }
    if (!unknownActions.isEmpty()) {
      LOG.warn("Journal file {}: skipped events with actions this version does not handle: {}", fileOffset, unknownActions);
    }
    if (malformed > 0) {
      LOG.warn("Journal file {}: skipped {} event(s) that name no readable object type and id (or link target)", fileOffset,
          malformed);
    }
    if (!unknownFields.isEmpty()) {
      LOG.info("Journal file {}: events carry fields this version ignores: {}", fileOffset, unknownFields);
    }
    int skipped = malformed + unknownActions.values().stream().mapToInt(Integer::intValue).sum();
    return new JournalFile(fileOffset, instant(root.path("publishedAt")), events, skipped);
  }

  private static JournalEvent.Action action(String text) {
    try {
      return JournalEvent.Action.valueOf(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static JournalEvent event(JsonNode e, JournalEvent.Action action, String offset) {
    String objectTypeId = text(e.path("objectTypeId"));
    Long objectId = id(e.path("objectId"));
    JournalEvent.Association link = null;
    if (action.isAssociation()) {
      String fromType = text(e.path("fromObjectTypeId"));
      Long fromId = id(e.path("fromObjectId"));
      fromType = fromType != null ? fromType : objectTypeId;
      fromId = fromId != null ? fromId : objectId;
      // the journal guide's names first, then the older beta's (hubspot-journal.md §2.3, CONFLICT)
      String toType = text(e.has("toObjectTypeId") ? e.path("toObjectTypeId") : e.path("associatedObjectTypeId"));
      Long toId = id(e.has("toObjectId") ? e.path("toObjectId") : e.path("associatedObjectId"));
      if (fromType == null || fromId == null || toType == null || toId == null) {
        return null;
      }
      Long typeId = id(e.has("associationTypeId") ? e.path("associationTypeId") : e.path("associationType"));
      link = new JournalEvent.Association(fromType, fromId, toType, toId, typeId == null ? null : typeId.intValue(),
          text(e.path("associationCategory")));
      objectTypeId = fromType;
      objectId = fromId;
    }
    if (objectTypeId == null || objectId == null) {
      return null;
    }
    Map<String, String> changes = new LinkedHashMap<>();
    JsonNode pc = e.path("propertyChanges");
    if (pc.isObject()) {
      pc.properties().forEach(f -> changes.put(f.getKey(), value(f.getValue())));
    } else if (pc.isArray()) { // the older list shape, just in case
      for (JsonNode c : pc) {
        String name = text(c.has("propertyName") ? c.path("propertyName") : c.path("name"));
        if (name != null) {
          changes.put(name, value(c.has("propertyValue") ? c.path("propertyValue") : c.path("value")));
        }
      }
    }
    List<Long> merged = new ArrayList<>();
    for (JsonNode m : e.path("mergedObjectIds")) {
      Long id = id(m);
      if (id != null) {
        merged.add(id);
      }
    }
    return new JournalEvent(action, text(e.path("type")), e.path("portalId").asLong(0), objectTypeId, objectId,
        instant(e.path("occurredAt")), offset, changes, merged, link);
  }

  private static String text(JsonNode n) {
    return n.isValueNode() && !n.isNull() && !n.asText().isEmpty() ? n.asText() : null;
  }

  private static String value(JsonNode n) {
    return n.isNull() || n.isMissingNode() ? null : n.isValueNode() ? n.asText() : n.toString();
  }

  /** An id sent as a JSON number or a numeric string. */
  private static Long id(JsonNode n) {
    if (n.isIntegralNumber()) {
      return n.asLong();
    }
    String t = text(n);
    if (t != null && t.chars().allMatch(Character::isDigit) && t.length() < 19) {
      return Long.parseLong(t);
    }
    return null;
  }

  /** ISO-8601, or epoch milliseconds as a number or digits (the push webhooks' form); null when neither. */
  static Instant instant(JsonNode n) {
    if (n.isIntegralNumber()) {
      return Instant.ofEpochMilli(n.asLong());
    }
    String t = text(n);
    if (t == null) {
      return null;
    }
    try {
      return DefaultHubSpotClient.instant(t);
    } catch (DateTimeParseException | NumberFormatException e) {
      return null;
    }
  }
}
