package dev.hubspotsync.testkit;

/** The HubSpot endpoints the simulated portal serves; calls, faults and limits are counted per endpoint. */
public enum Endpoint {
  /** {@code GET /crm/v3/objects/{type}} */
  LIST,
  /** {@code GET /crm/v3/objects/{type}/{id}} */
  GET_OBJECT,
  /** {@code POST /crm/v3/objects/{type}/search} */
  SEARCH,
  /** {@code POST /crm/v3/objects/{type}/batch/read} */
  BATCH_READ,
  /** {@code GET /crm/v3/properties/{type}} */
  PROPERTIES,
  /** {@code GET /crm/v3/schemas} and {@code GET /crm-object-schemas/v3/schemas} */
  SCHEMAS,
  /** {@code POST /crm/v4/associations/{from}/{to}/batch/read} */
  ASSOCIATIONS_BATCH_READ,
  /** {@code GET /crm/v4/associations/{from}/{to}/labels} */
  ASSOCIATION_LABELS,
  /** {@code POST /oauth/v1/token} */
  OAUTH_TOKEN,
  /** {@code GET /account-info/v3/api-usage/daily/private-apps} */
  DAILY_USAGE,
  /** {@code GET /crm/object-library/2026-03/enablement} */
  OBJECT_LIBRARY_ENABLEMENT,
  /** Anything else: answered 404. */
  UNKNOWN
}
