package dev.hubspotsync.testkit.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A record and the versions the search index has not caught up with yet. List and batch read see
 * {@link #current()}; search sees {@link #indexed(long)}, the newest version whose visibility time
 * has passed (hubspot-api.md §2, "Index lag").
 */
public final class StoredRecord {
  private record Version(long visibleAt, RecordState state) {}

  final long id;
  private RecordState current;
  private final List<Version> versions = new ArrayList<>(1);

  StoredRecord(long id, RecordState initial, long visibleAt) {
    this.id = id;
    this.current = initial;
    versions.add(new Version(visibleAt, initial));
  }

  public long id() {
    return id;
  }

  RecordState current() {
    return current;
  }

  /** Called under the portal's write lock. */
  void set(RecordState state, long now, long visibleAt) {
    current = state;
    versions.add(new Version(visibleAt, state));
    // Drop versions no query at time >= now can see any more.
    while (versions.size() > 1 && versions.get(1).visibleAt() <= now) {
      versions.remove(0);
    }
  }

  /** The state the search index shows at {@code now}, or null when it has not indexed the record yet. */
  RecordState indexed(long now) {
    // Versions are in change order; after the lag is lowered a newer change can become visible
    // before an older one, so take the newest visible version rather than stopping at the first hidden one.
    RecordState seen = null;
    for (Version v : versions) {
      if (v.visibleAt() <= now) {
        seen = v.state();
      }
    }
    return seen;
  }
}
