package dev.hubspotsync.ratelimit;

/** What a call counts against: search has its own per-second limit and is exempt from the burst window. */
public enum CallKind {
  /** Every endpoint but search: counts against the 10-second burst window and the daily limit. */
  STANDARD,
  /** {@code POST …/search}: counts against search's own per-second limit and the daily limit. */
  SEARCH
}
