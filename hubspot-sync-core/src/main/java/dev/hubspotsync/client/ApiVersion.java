package dev.hubspotsync.client;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which generation of HubSpot's API paths the client speaks; the one place that knows a path.
 *
 * <p>{@link #V2026_09} is the default: HubSpot's date-versioned API (GA 2026-09-08, supported for
 * 18 months). {@link #LEGACY} keeps the v3/v4 paths (and OAuth v1) for proxies and portals that
 * need them; HubSpot stops supporting v4 on 2027-03-30 and v1–v3 in September 2027. Shapes are the
 * same in both except that 2026-09 batch reads answer 200 with {@code errors} in the body where the
 * legacy ones answer 207; the client reads both. See {@code docs/hubspot-api-versions.md}.
 */
public enum ApiVersion {
  V2026_09("2026-09"),
  LEGACY("legacy");

  private final String label;

  ApiVersion(String label) {
    this.label = label;
  }

  /** How configuration writes it: {@code 2026-09} or {@code legacy}. */
  public String label() {
    return label;
  }

  /**
   * Reads a configured value ({@code 2026-09} or {@code legacy}, case-insensitive).
   *
   * @throws HubSpotSyncException {@code BAD_CONFIGURATION} naming the accepted values
   */
  public static ApiVersion parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(a -> a.label.equals(v)).findFirst()
        .orElseThrow(() -> new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "apiVersion \"" + value
            + "\" is not one this version speaks; use 2026-09 (the default, HubSpot's date-versioned API) or legacy "
            + "(the v3/v4 paths, unsupported by HubSpot from 2027-03-30 for associations and 2027-09 for the rest)."));
  }

  /** {@code /crm/objects/2026-09/{type}} or {@code /crm/v3/objects/{type}}; list, get, batch read and search hang below. */
  String objects(String encodedType) {
    return this == LEGACY ? "/crm/v3/objects/" + encodedType : "/crm/objects/" + label + "/" + encodedType;
  }

  String properties(String encodedType) {
    return this == LEGACY ? "/crm/v3/properties/" + encodedType : "/crm/properties/" + label + "/" + encodedType;
  }

  String schemas() {
    return this == LEGACY ? "/crm/v3/schemas" : "/crm-object-schemas/" + label + "/schemas";
  }

  /** The pair's association path; {@code /batch/read} and {@code /labels} hang below. */
  String associations(String encodedFrom, String encodedTo) {
    return (this == LEGACY ? "/crm/v4/associations/" : "/crm/associations/" + label + "/") + encodedFrom + "/" + encodedTo;
  }

  String dailyUsage() {
    return (this == LEGACY ? "/account-info/v3" : "/account-info/" + label) + "/api-usage/daily/private-apps";
  }

  String oauthToken() {
    return this == LEGACY ? "/oauth/v1/token" : "/oauth/" + label + "/token";
  }

  /** Which activatable objects are on; HubSpot serves it only as a 2026-03 path, in either generation. */
  String objectLibraryEnablement() {
    return "/crm/object-library/2026-03/enablement";
  }

  /**
   * The change journal of one portal ({@code journal-local}, so each portal has its own offsets):
   * {@code rest} is {@code /latest}, {@code /offset/{o}/next}, {@code /batch/read}, …. HubSpot serves the
   * journal only as 2026-03 (hubspot-api.md §10.4), in either generation.
   */
  String journal(long portalId, String rest) {
    return "/webhooks-journal/journal-local/2026-03" + rest + "?installPortalId=" + portalId;
  }

  /** The journal's subscriptions API; 2026-03 in either generation. */
  String journalSubscriptions() {
    return "/webhooks-journal/subscriptions/2026-03";
  }

  @Override
  public String toString() {
    return label;
  }
}
