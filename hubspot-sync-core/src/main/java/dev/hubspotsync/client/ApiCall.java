package dev.hubspotsync.client;

/** The HubSpot endpoints the client calls; {@link HubSpotClient#calls()} counts HTTP requests per endpoint. */
public enum ApiCall {
  LIST, SEARCH, BATCH_READ, PROPERTIES, SCHEMAS, ASSOCIATIONS_BATCH_READ, ASSOCIATION_LABELS, DAILY_USAGE, OAUTH_TOKEN,
  /** {@code GET /crm/object-library/2026-03/enablement} */
  OBJECT_LIBRARY_ENABLEMENT
}
