package dev.hubspotsync.client;

/** The HubSpot endpoints the client calls; {@link HubSpotClient#calls()} counts HTTP requests per endpoint. */
public enum ApiCall {
  LIST, SEARCH, BATCH_READ, PROPERTIES, SCHEMAS, ASSOCIATIONS_BATCH_READ, ASSOCIATION_LABELS, DAILY_USAGE, OAUTH_TOKEN,
  /** {@code GET /crm/object-library/2026-03/enablement} */
  OBJECT_LIBRARY_ENABLEMENT,
  /** The change journal's reads: earliest, latest, next, batch (counted toward no rate limit). */
  JOURNAL,
  /** The change journal's subscriptions API (counted toward no rate limit). */
  JOURNAL_SUBSCRIPTIONS,
  /** A journal file fetched by its pre-signed URL: not a HubSpot API call. */
  JOURNAL_FILE
}
