package dev.hubspotsync.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One change from HubSpot's change journal, as far as this version understands it (hubspot-api.md
 * §10.4; the live format is partly unconfirmed, so every field but {@code action}, {@code objectTypeId}
 * and {@code objectId} may be missing: null, or empty for collections).
 *
 * @param action what happened
 * @param type HubSpot's event type ({@code crmObject}, {@code association}, …) as sent
 * @param portalId the portal, or 0 when the event does not say
 * @param objectTypeId the object type id ({@code 0-1}, {@code 2-…}); for links, the {@code from} side
 * @param objectId the record; for a MERGE the survivor, for links the {@code from} record
 * @param occurredAt when it happened, or null when the event's time could not be read
 * @param offset the offset of the journal file it came in
 * @param propertyChanges new values of the subscribed properties that changed (null values: cleared);
 *     never a full row: read the record to get it
 * @param mergedObjectIds for a MERGE, the ids absorbed into {@code objectId}
 * @param association for ASSOCIATION_ADDED and ASSOCIATION_REMOVED, the link; else null
 */
public record JournalEvent(Action action, String type, long portalId, String objectTypeId, long objectId, Instant occurredAt,
    String offset, Map<String, String> propertyChanges, List<Long> mergedObjectIds, Association association) {

  public JournalEvent {
    propertyChanges = propertyChanges == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(propertyChanges));
    mergedObjectIds = mergedObjectIds == null ? List.of() : List.copyOf(mergedObjectIds);
  }

  /** The journal's actions this version acts on; others are skipped when a file is read. */
  public enum Action {
    CREATE, UPDATE, DELETE, MERGE, RESTORE, ASSOCIATION_ADDED, ASSOCIATION_REMOVED, SNAPSHOT, GDPR_DELETE;

    /** Whether the action is a link change. */
    public boolean isAssociation() {
      return this == ASSOCIATION_ADDED || this == ASSOCIATION_REMOVED;
    }
  }

  /**
   * A link added or removed: from one record to another, with the association type id (null when the
   * event does not say) and category, as HubSpot keys links (never on labels).
   */
  public record Association(String fromObjectTypeId, long fromObjectId, String toObjectTypeId, long toObjectId,
      Integer associationTypeId, String associationCategory) {}

  /** What makes two deliveries the same event: everything but the file it came in. */
  public record Key(Action action, String objectTypeId, long objectId, Instant occurredAt, Map<String, String> propertyChanges,
      List<Long> mergedObjectIds, Association association) {}

  public Key key() {
    return new Key(action, objectTypeId, objectId, occurredAt, propertyChanges, mergedObjectIds, association);
  }
}
