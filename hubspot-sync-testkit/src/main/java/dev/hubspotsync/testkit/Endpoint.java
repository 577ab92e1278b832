package dev.hubspotsync.testkit;

/** The HubSpot endpoints the simulated portal serves; calls, faults and limits are counted per endpoint. */
public enum Endpoint {
  /** {@code GET /crm/objects/2026-09/{type}} (and {@code /crm/v3/objects/{type}}) */
  LIST,
  /** {@code GET /crm/objects/2026-09/{type}/{id}} (and v3) */
  GET_OBJECT,
  /** {@code POST /crm/objects/2026-09/{type}/search} (and v3) */
  SEARCH,
  /** {@code POST /crm/objects/2026-09/{type}/batch/read} (and v3, which answers 207 where 2026-09 answers 200) */
  BATCH_READ,
  /** {@code GET /crm/properties/2026-09/{type}} (and v3) */
  PROPERTIES,
  /** {@code GET /crm-object-schemas/2026-09/schemas}, {@code /crm-object-schemas/v3/schemas} and {@code /crm/v3/schemas} */
  SCHEMAS,
  /** {@code POST /crm/associations/2026-09/{from}/{to}/batch/read} (and v4) */
  ASSOCIATIONS_BATCH_READ,
  /** {@code GET /crm/associations/2026-09/{from}/{to}/labels} (and v4) */
  ASSOCIATION_LABELS,
  /** {@code POST /oauth/2026-09/token} (and v1) */
  OAUTH_TOKEN,
  /** {@code GET /account-info/2026-09/api-usage/daily/private-apps} (and v3) */
  DAILY_USAGE,
  /** {@code GET /crm/limits/2026-09/records} (also 2026-03 and {@code /crm/v3/limits/records}): records per object type */
  RECORD_LIMITS,
  /** {@code GET /crm/object-library/2026-03/enablement} */
  OBJECT_LIBRARY_ENABLEMENT,
  /**
   * The change journal's reads (2026-03): {@code GET /webhooks-journal/journal/2026-03/earliest},
   * {@code /latest}, {@code /offset/{offset}/next}, {@code /batch/earliest/{count}}, {@code /batch/latest/{count}},
   * {@code /batch/{offset}/next/{count}}, {@code POST …/batch/read}, and the same under {@code journal-local}.
   * Exempt from every rate limit.
   */
  JOURNAL,
  /** {@code GET}/{@code POST /webhooks-journal/subscriptions/2026-03}, {@code GET}/{@code DELETE …/{id}}, {@code DELETE …/portals/{portalId}} */
  JOURNAL_SUBSCRIPTIONS,
  /** The download of a journal file by its pre-signed URL: no Authorization header, no rate limit. */
  JOURNAL_FILE,
  /** Anything else: answered 404. */
  UNKNOWN
}
