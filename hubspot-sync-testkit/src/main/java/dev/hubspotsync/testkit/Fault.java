package dev.hubspotsync.testkit;

/** One kind of misbehaviour the portal can inject into a response. */
public enum Fault {
  /** A 5xx with HubSpot's JSON error body. */
  SERVER_ERROR_JSON,
  /** A 5xx with an HTML body, as a load balancer sends (hubspot-api.md §7). */
  SERVER_ERROR_HTML,
  /** 504 Gateway Timeout (HTML body). */
  GATEWAY_TIMEOUT,
  /**
   * 429 with HubSpot's rate-limit body ({@code errorType RATE_LIMIT}): policy {@code SECONDLY} on
   * search, {@code TEN_SECONDLY_ROLLING} elsewhere, and {@code Retry-After: 1}; as when another
   * integration spends the app's limit.
   */
  RATE_LIMITED,
  /** Headers and part of the body are sent, then the connection is closed. */
  CONNECTION_RESET,
  /** The body arrives in small chunks with a pause between them. */
  SLOW_DRIP,
  /**
   * A batch read or association batch read answers with its first result moved into {@code errors}
   * as {@code INTERNAL_ERROR} (207 on the legacy paths, 200 on 2026-09): an item HubSpot failed to
   * read, which is neither found nor "not found". Other endpoints answer normally. Scripted only
   * ({@link Faults.Rules#failNext}).
   */
  PARTIAL_ERROR
}
