package dev.hubspotsync;

/**
 * How a backfill reads every record. Both have no 10,000 cap: the list API pages by cursor; search
 * is sorted by {@code hs_object_id} and steps an id floor, so no query pages past the cap.
 */
public enum BackfillMethod {
  /**
   * Search when the property names fit in a search body (it carries 200 records a call, half the
   * daily quota of the list API's 100), else the list API (no limit on the property list, and
   * faster: the burst limit allows more calls per second than search's 5).
   */
  AUTO,
  /** {@code GET /crm/v3/objects/{type}}: 100 records a call, any number of properties. */
  LIST,
  /** {@code POST …/search} by ascending id: 200 records a call; properties must fit in 3,000 characters. */
  SEARCH
}
