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
  SLOW_DRIP
}
