package dev.hubspotsync.client;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.util.Map;
import java.util.Objects;

/**
 * How to authenticate to a portal: a private app's access token, or an OAuth app's client id,
 * client secret and refresh token. Immutable. {@link #toString()} never shows a secret.
 */
public final class HubSpotCredentials {
  /** Environment variable holding a private app's access token. */
  public static final String ENV_ACCESS_TOKEN = "HUBSPOT_ACCESS_TOKEN";
  public static final String ENV_CLIENT_ID = "HUBSPOT_CLIENT_ID";
  public static final String ENV_CLIENT_SECRET = "HUBSPOT_CLIENT_SECRET";
  public static final String ENV_REFRESH_TOKEN = "HUBSPOT_REFRESH_TOKEN";

  private final String accessToken;
  private final String clientId;
  private final String clientSecret;
  private final String refreshToken;

  private HubSpotCredentials(String accessToken, String clientId, String clientSecret, String refreshToken) {
    this.accessToken = accessToken;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.refreshToken = refreshToken;
  }

  /** A private app's static access token ({@code pat-…}). */
  public static HubSpotCredentials privateApp(String accessToken) {
    return new HubSpotCredentials(required(accessToken, "privateApp access token"), null, null, null);
  }

  /** An OAuth app: access tokens are obtained (and refreshed before they expire) from the refresh token. */
  public static HubSpotCredentials oauth(String clientId, String clientSecret, String refreshToken) {
    return new HubSpotCredentials(null, required(clientId, "oauth clientId"), required(clientSecret, "oauth clientSecret"),
        required(refreshToken, "oauth refreshToken"));
  }

  /** From {@code HUBSPOT_ACCESS_TOKEN}, or else {@code HUBSPOT_CLIENT_ID} + {@code _SECRET} + {@code HUBSPOT_REFRESH_TOKEN}. */
  public static HubSpotCredentials fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** As {@link #fromEnvironment()}, reading the given variables. */
  public static HubSpotCredentials fromEnvironment(Map<String, String> env) {
    String token = env.get(ENV_ACCESS_TOKEN);
    if (token != null && !token.isBlank()) {
      return privateApp(token.trim());
    }
    String id = env.get(ENV_CLIENT_ID);
    String secret = env.get(ENV_CLIENT_SECRET);
    String refresh = env.get(ENV_REFRESH_TOKEN);
    if (id != null && secret != null && refresh != null) {
      return oauth(id.trim(), secret.trim(), refresh.trim());
    }
    throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "No HubSpot credentials in the environment: set "
        + ENV_ACCESS_TOKEN + " to a private app's access token, or " + ENV_CLIENT_ID + ", " + ENV_CLIENT_SECRET
        + " and " + ENV_REFRESH_TOKEN + " for an OAuth app.");
  }

  public boolean isOAuth() {
    return refreshToken != null;
  }

  String accessToken() {
    return accessToken;
  }

  String clientId() {
    return clientId;
  }

  String clientSecret() {
    return clientSecret;
  }

  String refreshToken() {
    return refreshToken;
  }

  private static String required(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "HubSpot credentials: " + name + " is empty.");
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HubSpotCredentials c && Objects.equals(accessToken, c.accessToken)
        && Objects.equals(clientId, c.clientId) && Objects.equals(clientSecret, c.clientSecret)
        && Objects.equals(refreshToken, c.refreshToken);
  }

  @Override
  public int hashCode() {
    return Objects.hash(accessToken, clientId, clientSecret, refreshToken);
  }

  @Override
  public String toString() {
    return isOAuth() ? "HubSpotCredentials[oauth, clientId=" + clientId + ", secret and refresh token hidden]"
        : "HubSpotCredentials[private app, token hidden]";
  }
}
