package dev.hubspotsync.client;

import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A subscription of the change journal for one portal: which events of one object type HubSpot writes
 * to the journal. HubSpot keeps one per (portal, {@code type}, {@code objectTypeId}) and replaces it on
 * every create, so {@link HubSpotClient#ensureJournalSubscriptions} merges what is wanted into what
 * exists. Sets are sorted; an empty {@code objectIds} means every record.
 *
 * @param id HubSpot's id (null for one not created yet)
 * @param type {@code OBJECT}, {@code ASSOCIATION} or {@code GDPR_PRIVACY_DELETION} (others are listed as sent)
 */
public record JournalSubscription(String id, String type, String objectTypeId, Set<String> actions, Set<String> properties,
    Set<String> associatedObjectTypeIds, Set<Long> objectIds) {
  public static final String OBJECT = "OBJECT";
  public static final String ASSOCIATION = "ASSOCIATION";
  public static final String GDPR_PRIVACY_DELETION = "GDPR_PRIVACY_DELETION";

  public JournalSubscription {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(objectTypeId, "objectTypeId");
    actions = sorted(actions);
    properties = sorted(properties);
    associatedObjectTypeIds = sorted(associatedObjectTypeIds);
    objectIds = objectIds == null ? Set.of() : java.util.Collections.unmodifiableSet(new TreeSet<>(objectIds));
  }

  /** Creates, updates, deletes, merges and restores of every record of a type, with these properties' changes. */
  public static JournalSubscription objects(String objectTypeId, Collection<String> properties) {
    return new JournalSubscription(null, OBJECT, objectTypeId, Set.of("CREATE", "UPDATE", "DELETE", "MERGE", "RESTORE"),
        Set.copyOf(properties), Set.of(), Set.of());
  }

  /** Links added and removed between every record of a type and records of the other types (engagements too). */
  public static JournalSubscription associations(String objectTypeId, Collection<String> toObjectTypeIds) {
    return new JournalSubscription(null, ASSOCIATION, objectTypeId, Set.of("ASSOCIATION_ADDED", "ASSOCIATION_REMOVED"),
        Set.of(), Set.copyOf(toObjectTypeIds), Set.of());
  }

  /** GDPR deletions of records of a type. */
  public static JournalSubscription gdprDeletions(String objectTypeId) {
    return new JournalSubscription(null, GDPR_PRIVACY_DELETION, objectTypeId, Set.of("GDPR_DELETE"), Set.of(), Set.of(),
        Set.of());
  }

  /** Whether this subscription already delivers everything {@code wanted} asks for. */
  public boolean covers(JournalSubscription wanted) {
    return type.equals(wanted.type) && objectTypeId.equals(wanted.objectTypeId) && actions.containsAll(wanted.actions)
        && properties.containsAll(wanted.properties) && associatedObjectTypeIds.containsAll(wanted.associatedObjectTypeIds)
        && (objectIds.isEmpty() || !wanted.objectIds.isEmpty() && objectIds.containsAll(wanted.objectIds));
  }

  /** This subscription widened by {@code other} of the same type and object type (keeps this id). */
  public JournalSubscription union(JournalSubscription other) {
    if (!type.equals(other.type) || !objectTypeId.equals(other.objectTypeId)) {
      throw new IllegalArgumentException("Cannot merge a " + other.type + " subscription of " + other.objectTypeId
          + " into a " + type + " subscription of " + objectTypeId);
    }
    Set<Long> ids = objectIds.isEmpty() || other.objectIds.isEmpty() ? Set.of() : plus(objectIds, other.objectIds);
    return new JournalSubscription(id != null ? id : other.id, type, objectTypeId, plus(actions, other.actions),
        plus(properties, other.properties), plus(associatedObjectTypeIds, other.associatedObjectTypeIds), ids);
  }

  private static <T extends Comparable<T>> Set<T> plus(Set<T> a, Set<T> b) {
    TreeSet<T> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

  private static Set<String> sorted(Collection<String> values) {
    return values == null ? Set.of() : java.util.Collections.unmodifiableSet(new TreeSet<>(values));
  }
}
