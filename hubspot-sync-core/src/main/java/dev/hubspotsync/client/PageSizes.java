package dev.hubspotsync.client;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many records or inputs each endpoint and object type may ask for, learnt from HubSpot's
 * gateway timeouts (504) and our own request timeouts during one client's life. A timeout halves
 * the size (down to one); the smaller size is kept for every later call of the same endpoint and
 * type, so the next page does not meet the same timeout. After {@link #PROBE_AFTER} clean calls at
 * that size one call asks for more: the midpoint to the last size that failed, or double after a
 * probe passed; so one slow minute does not shrink a whole backfill, and a size halved below the
 * gateway's real limit climbs back close to it. Each probe that fails doubles the clean calls
 * before the next, up to {@link #MAX_PROBE_AFTER}; when a call gets all it asked for the endpoint
 * and type are forgotten. Thread-safe.
 */
final class PageSizes {
  private static final Logger LOG = LoggerFactory.getLogger(HubSpotClient.class);
  static final int PROBE_AFTER = 10;
  static final int MAX_PROBE_AFTER = 640;

  /** What is known about one endpoint and type: only kept once it timed out. */
  private static final class Limit {
    int size;
    /** The smallest size that timed out since the size last grew past it. */
    int failedAt;
    int clean;
    int probeAfter = PROBE_AFTER;
  }

  private final Map<String, Limit> limits = new HashMap<>();

  /** The size to ask for when the caller wants {@code wanted}: the learnt size, or a probe above it. */
  synchronized int size(ApiCall api, String type, int wanted) {
    Limit l = limits.get(key(api, type));
    if (l == null || wanted <= l.size) {
      return wanted;
    }
    if (l.clean >= l.probeAfter) {
      int probe = l.failedAt == Integer.MAX_VALUE ? l.size * 2 : (l.size + l.failedAt + 1) / 2;
      return Math.min(wanted, Math.max(l.size + 1, probe));
    }
    return l.size;
  }

  /** A call of {@code used} items, of the {@code wanted} the caller asked for, was answered. */
  synchronized void answered(ApiCall api, String type, int used, int wanted) {
    String key = key(api, type);
    Limit l = limits.get(key);
    if (l == null || used < l.size) {
      return; // a short last chunk says nothing about the limit
    }
    if (used == l.size) {
      l.clean++;
      return;
    }
    if (used >= wanted && (l.failedAt == Integer.MAX_VALUE || used >= l.failedAt)) { // not a clamped probe
      LOG.info("HubSpot answered {} {} with all {} items asked for again (it had timed out above {})", api, type, used, l.size);
      limits.remove(key);
      return;
    }
    LOG.info("HubSpot answered {} {} with {} items again (it had timed out above {}); asking for up to {} from now on",
        api, type, used, l.size, used);
    l.size = used;
    l.clean = 0;
    l.failedAt = Integer.MAX_VALUE; // the timeout may have passed: the next probe doubles
  }

  /**
   * A call of {@code used} items (more than one) timed out; returns the size to try next, which is
   * smaller.
   */
  synchronized int timedOut(ApiCall api, String type, int used, String reason) {
    Limit l = limits.computeIfAbsent(key(api, type), k -> {
      Limit fresh = new Limit();
      fresh.size = Integer.MAX_VALUE;
      fresh.failedAt = Integer.MAX_VALUE;
      return fresh;
    });
    l.clean = 0;
    l.failedAt = Math.min(l.failedAt, used);
    if (used > l.size) { // a probe that failed: back to the size that works, probe later
      l.probeAfter = Math.min(MAX_PROBE_AFTER, l.probeAfter * 2);
      LOG.info("HubSpot {} on {} {} with {} items; staying at {} for at least {} more calls", reason, api, type, used,
          l.size, l.probeAfter);
      return l.size;
    }
    l.size = Math.max(1, used / 2);
    LOG.info("HubSpot {} on {} {} with {} items; asking for {} from now on", reason, api, type, used, l.size);
    return l.size;
  }

  /** The size each endpoint and type that timed out asks for at most now, by "endpoint type" (e.g. {@code SEARCH contacts}). */
  synchronized Map<String, Integer> lowered() {
    Map<String, Integer> out = new TreeMap<>();
    limits.forEach((k, l) -> out.put(k, l.size));
    return out;
  }

  private static String key(ApiCall api, String type) {
    return api + " " + type;
  }
}
