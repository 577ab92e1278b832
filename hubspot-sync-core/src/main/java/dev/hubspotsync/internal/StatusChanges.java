package dev.hubspotsync.internal;

import java.util.Set;

/**
 * Records of one type whose status changed — archived, restored, merged, deleted, or found missing —
 * and whose links, and the links that point to them, must be read again. {@code all}: too many to
 * list; the type's pairs run a full scan.
 */
record StatusChanges(Set<Long> ids, boolean all) {
  static final StatusChanges NONE = new StatusChanges(Set.of(), false);

  boolean isEmpty() {
    return ids.isEmpty() && !all;
  }
}
