package dev.hubspotsync.testkit.internal;

import dev.hubspotsync.testkit.PortalSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Private-app tokens and OAuth access tokens (hubspot-api.md §7). OAuth access tokens expire after
 * the configured lifetime of the portal clock; refresh tokens do not.
 */
final class Auth {
  enum Kind {
    PRIVATE_APP("private-app-api-calls"), OAUTH("oauth-app-api-calls");

    private final String groupName;

    Kind(String groupName) {
      this.groupName = groupName;
    }

    String groupName() {
      return groupName;
    }
  }

  /** An authenticated caller. OAuth calls get no daily headers and do not count toward the private-app daily limit (§6.1, §6.2). */
  record App(String name, Kind kind, Set<String> scopes) {
    boolean countsDaily() {
      return kind == Kind.PRIVATE_APP;
    }
  }

  private record Issued(App app, long expiresAt) {}

  private final PortalSpec spec;
  private final Map<String, App> privateApps = new ConcurrentHashMap<>();
  private final Map<String, Issued> accessTokens = new ConcurrentHashMap<>();
  private final App oauthApp;
  private final java.util.concurrent.atomic.AtomicInteger appNumbers = new java.util.concurrent.atomic.AtomicInteger(1);
  private final SplittableRandom random;

  Auth(PortalSpec spec) {
    this.spec = spec;
    this.random = new SplittableRandom(spec.seed() + 99);
    privateApps.put(spec.privateAppToken(), new App("private-app", Kind.PRIVATE_APP, spec.scopes()));
    this.oauthApp = new App("oauth-app", Kind.OAUTH, spec.scopes());
  }

  /** Adds a private app, or changes an existing token's scopes; each app keeps its own burst window. */
  void addPrivateApp(String token, Set<String> scopes) {
    privateApps.compute(token, (t, existing) -> new App(
        existing != null ? existing.name() : "private-app-" + appNumbers.incrementAndGet(), Kind.PRIVATE_APP,
        Set.copyOf(scopes)));
  }

  /** Checks the {@code Authorization} header; throws the 401 HubSpot would send. */
  App authenticate(String authorization, long now) {
    String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : null;
    if (token == null || token.isEmpty()) {
      throw invalid();
    }
    App app = privateApps.get(token);
    if (app != null) {
      return app;
    }
    Issued issued = accessTokens.get(token);
    if (issued == null) {
      throw invalid();
    }
    if (now >= issued.expiresAt()) {
      long ago = (now - issued.expiresAt()) / 1000;
      throw ApiError.of(401, "EXPIRED_AUTHENTICATION",
          "The OAuth token used to make this call expired " + ago + " second(s) ago.")
          .context("expire time", List.of(Values.isoMillis(issued.expiresAt())));
    }
    return issued.app();
  }

  private static ApiError invalid() {
    return ApiError.of(401, "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more "
            + "details at https://developers.hubspot.com/docs/methods/auth/oauth-overview");
  }

  /** Throws 403 MISSING_SCOPES unless the app holds one of {@code anyOf} for each group. */
  static void requireScopes(App app, List<List<String>> groups) {
    List<String> missing = new ArrayList<>();
    for (List<String> anyOf : groups) {
      if (anyOf.stream().noneMatch(app.scopes()::contains)) {
        missing.addAll(anyOf);
      }
    }
    if (!missing.isEmpty()) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("message", "One or more of the following scopes are required.");
      detail.put("context", Map.of("requiredScopes", missing));
      throw ApiError.of(403, "MISSING_SCOPES",
          "This app hasn't been granted all required scopes to make this call. Read more about required scopes "
              + "here: https://developers.hubspot.com/scopes.")
          .put("errors", List.of(detail))
          .put("links", Map.of("scopes", "https://developers.hubspot.com/scopes"));
    }
  }

  /** {@code POST /oauth/v1/token} with {@code grant_type=refresh_token} (§7). */
  Map<String, Object> refresh(Map<String, String> form, long now) {
    if (!"refresh_token".equals(form.get("grant_type"))) {
      throw oauthError("BAD_GRANT_TYPE", "grant_type must be refresh_token or authorization_code");
    }
    if (!spec.oauthClientId().equals(form.get("client_id"))) {
      throw oauthError("BAD_CLIENT_ID", "missing or unknown client id");
    }
    if (!spec.oauthClientSecret().equals(form.get("client_secret"))) {
      throw oauthError("BAD_CLIENT_SECRET", "missing or invalid client secret");
    }
    if (!spec.oauthRefreshToken().equals(form.get("refresh_token"))) {
      throw oauthError("BAD_REFRESH_TOKEN", "missing or unknown refresh token");
    }
    byte[] raw = new byte[48];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) random.nextInt(256);
    }
    String token = "CN" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    long lifetime = spec.oauthTokenLifetime().toMillis();
    accessTokens.put(token, new Issued(oauthApp, now + lifetime));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token_type", "bearer");
    body.put("refresh_token", spec.oauthRefreshToken());
    body.put("access_token", token);
    body.put("expires_in", lifetime / 1000);
    body.put("hub_id", spec.portalId());
    body.put("scopes", List.copyOf(spec.scopes()));
    body.put("token_use", "access_token");
    return body;
  }

  private static ApiError oauthError(String status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("message", message);
    return new ApiError(400, body);
  }

  /** Every OAuth access token issued so far expires at {@code now} (if not earlier); refresh tokens keep working. */
  void expireAccessTokens(long now) {
    accessTokens.replaceAll((token, issued) -> issued.expiresAt() <= now ? issued : new Issued(issued.app(), now));
  }

  /** For tests: when the token expires, or null when the portal did not issue it. */
  Instant expiresAt(String accessToken) {
    Issued i = accessTokens.get(accessToken);
    return i == null ? null : Instant.ofEpochMilli(i.expiresAt());
  }
}
