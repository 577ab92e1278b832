package dev.hubspotsync.ratelimit;

/**
 * What a call counts against. HubSpot's spec exempts search and the association batch read from the
 * 10-second burst limit ({@code x-hubspot-rate-limit-exemptions: ten-secondly}); every call counts
 * toward the daily limit except the change journal's ({@link #EXEMPT}).
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
  BURST_EXEMPT,
  /**
   * Calls HubSpot counts toward no limit of the portal: the change journal, its subscriptions and its
   * file downloads ({@code x-hubspot-rate-limit-exemptions: daily, ten-secondly}, hubspot-api.md
   * §10.4). The client sends them without asking the budget; a budget asked anyway need not count them.
   */
  EXEMPT
}
