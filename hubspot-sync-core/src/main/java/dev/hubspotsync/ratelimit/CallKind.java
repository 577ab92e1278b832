package dev.hubspotsync.ratelimit;

/**
 * What a call counts against. HubSpot's spec exempts search and the association batch read from the
 * 10-second burst limit ({@code x-hubspot-rate-limit-exemptions: ten-secondly}); every call counts
 * toward the daily limit.
 */
public enum CallKind {
  /** Every endpoint not named below: counts against the 10-second burst window and the daily limit. */
  STANDARD,
  /** {@code POST …/search}: counts against search's own per-second limit and the daily limit. */
  SEARCH,
  /**
   * The association reads, {@code POST …/associations/…/batch/read} and {@code GET …/labels} (2026-09
   * and v4; the 2026-09 spec exempts every associations operation): exempt from the burst window,
   * with no limit of its own; count toward the daily limit only.
   */
  BURST_EXEMPT
}
