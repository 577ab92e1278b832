package dev.hubspotsync.internal;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.util.HashSet;
import java.util.Set;

/**
 * Stops a paged read whose position does not move. A cursor HubSpot (or a caching proxy) sends a
 * second time would have the read fetch the same pages until the daily budget is gone; the rows
 * read before are kept, and the run fails saying so. Not thread-safe: one per loop.
 */
final class CursorGuard {
  private final String what;
  private final Set<String> seen = new HashSet<>();

  /** @param what the read, as messages name it ("list contacts") */
  CursorGuard(String what) {
    this.what = what;
  }

  /** The next list cursor, checked: {@code null} (the end) passes; a cursor already seen fails. */
  String next(String after) {
    if (after != null && !seen.add(after)) {
      throw stuck("the paging cursor \"" + after + "\" a second time");
    }
    return after;
  }

  /** The next id floor of a read by ascending id, checked: it must be above the last one. */
  long above(long floor, long next) {
    if (next <= floor) {
      throw stuck("a page whose last id " + next + " is not above the previous page's " + floor);
    }
    return next;
  }

  private HubSpotSyncException stuck(String what) {
    return new HubSpotSyncException(ErrorCode.UNEXPECTED_RESPONSE, "HubSpot " + this.what + " sent " + what
        + "; stopped instead of reading the same pages again (the rows read so far are kept). A proxy that caches "
        + "answers, or a fault at HubSpot, can cause this: run again later, and check proxies if it persists.",
        false, null);
  }
}
