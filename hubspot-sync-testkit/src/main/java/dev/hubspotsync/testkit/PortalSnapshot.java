package dev.hubspotsync.testkit;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The portal's ground truth at one instant: every live and archived record (archived ones purged
 * after 90 days are gone) and every association, in both directions. Compare a warehouse with it.
 */
public record PortalSnapshot(Instant takenAt, Map<String, List<RecordSnapshot>> records,
    List<AssociationSnapshot> associations) {

  /** Live records of a type, by ascending id. */
  public List<RecordSnapshot> live(String objectType) {
    return records.getOrDefault(objectType, List.of()).stream().filter(r -> !r.archived()).toList();
  }

  /** Archived (recycle-bin) records of a type, by ascending id. */
  public List<RecordSnapshot> archived(String objectType) {
    return records.getOrDefault(objectType, List.of()).stream().filter(RecordSnapshot::archived).toList();
  }

  /** Associations from one type to another, as the v4 API reads them in that direction. */
  public List<AssociationSnapshot> associations(String fromType, String toType) {
    return associations.stream().filter(a -> a.fromType().equals(fromType) && a.toType().equals(toType)).toList();
  }
}
