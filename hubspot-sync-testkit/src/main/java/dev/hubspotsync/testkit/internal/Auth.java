package dev.hubspotsync.testkit.internal;

import dev.hubspotsync.testkit.AuthKind;
import dev.hubspotsync.testkit.PortalSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Private-app tokens, service keys and OAuth access tokens from the refresh-token and
 * client-credentials grants (hubspot-api.md §7, §10.3). OAuth access tokens expire after the
 * configured lifetime of the portal clock; refresh tokens and client secrets do not.
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

  /**
   * An authenticated caller. {@code kind} decides its limits: OAuth calls get no daily headers and
   * do not count toward the private-app daily limit (§6.1, §6.2); service keys count like private
   * apps (§10.3). {@code credential} is how it authenticated.
   */
  record App(String name, Kind kind, Set<String> scopes, AuthKind credential) {
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
  private final Map<AuthKind, LongAdder> callsBy = new EnumMap<>(AuthKind.class);
  private final Map<AuthKind, LongAdder> issued = new EnumMap<>(AuthKind.class);
  private final SplittableRandom random;

  Auth(PortalSpec spec) {
    this.spec = spec;
    this.random = new SplittableRandom(spec.seed() + 99);
    for (AuthKind k : AuthKind.values()) {
      callsBy.put(k, new LongAdder());
      issued.put(k, new LongAdder());
    }
    privateApps.put(spec.privateAppToken(), new App("private-app", Kind.PRIVATE_APP, spec.scopes(), AuthKind.PRIVATE_APP));
    spec.serviceKeys().forEach(this::addServiceKey);
    this.oauthApp = new App("oauth-app", Kind.OAUTH, spec.scopes(), AuthKind.OAUTH_REFRESH_TOKEN);
  }

  /** Adds a service key, or changes an existing key's scopes; each key keeps its own burst window. */
  void addServiceKey(String key, Set<String> scopes) {
    privateApps.compute(key, (t, existing) -> new App(
        existing != null ? existing.name() : "service-key-" + appNumbers.incrementAndGet(), Kind.PRIVATE_APP,
        Set.copyOf(scopes), AuthKind.SERVICE_KEY));
  }

  /** API calls authenticated with {@code kind} so far. */
  long calls(AuthKind kind) {
    return callsBy.get(kind).sum();
  }

  /** Access tokens issued for {@code kind} so far ({@link AuthKind#OAUTH_REFRESH_TOKEN} or {@link AuthKind#CLIENT_CREDENTIALS}). */
  long tokensIssued(AuthKind kind) {
    return issued.get(kind).sum();
  }

  /** Adds a private app, or changes an existing token's scopes; each app keeps its own burst window. */
  void addPrivateApp(String token, Set<String> scopes) {
    privateApps.compute(token, (t, existing) -> new App(
        existing != null ? existing.name() : "private-app-" + appNumbers.incrementAndGet(), Kind.PRIVATE_APP,
        Set.copyOf(scopes), AuthKind.PRIVATE_APP));
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
      callsBy.get(app.credential()).increment();
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
    callsBy.get(issued.app().credential()).increment();
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

  /**
   * {@code POST /oauth/v1/token} or {@code /oauth/2026-09/token} (§7, §10.3): {@code refresh_token}
   * for the OAuth app, {@code client_credentials} for a project app (scopes asked for in
   * {@code scope}, space-separated, must be the app's; none asked: all of them). {@code dated}: the
   * date-versioned path, whose errors add RFC 6749's {@code error} and {@code error_description}.
   */
  Map<String, Object> token(Map<String, String> form, long now, boolean dated) {
    String grant = form.get("grant_type");
    if (!"refresh_token".equals(grant) && !"client_credentials".equals(grant)) {
      throw oauthError(dated, "unsupported_grant_type", "BAD_GRANT_TYPE",
          "grant_type must be authorization_code, refresh_token or client_credentials");
    }
    if (!spec.oauthClientId().equals(form.get("client_id"))) {
      throw oauthError(dated, "invalid_client", "BAD_CLIENT_ID", "missing or unknown client id");
    }
    if (!spec.oauthClientSecret().equals(form.get("client_secret"))) {
      throw oauthError(dated, "invalid_client", "BAD_CLIENT_SECRET", "missing or invalid client secret");
    }
    boolean refresh = grant.equals("refresh_token");
    Set<String> granted = spec.scopes();
    if (refresh && !spec.oauthRefreshToken().equals(form.get("refresh_token"))) {
      throw oauthError(dated, "invalid_grant", "BAD_REFRESH_TOKEN", "missing or unknown refresh token");
    }
    String asked = form.get("scope");
    if (!refresh && asked != null && !asked.isBlank()) {
      granted = new LinkedHashSet<>(Arrays.asList(asked.trim().split("\\s+")));
      List<String> foreign = granted.stream().filter(x -> !spec.scopes().contains(x)).toList();
      if (!foreign.isEmpty()) {
        throw oauthError(dated, "invalid_scope", "BAD_SCOPES", "the app does not have the scope(s) " + foreign
            + "; add them to the app's scopes and reinstall it");
      }
    }
    byte[] raw = new byte[48];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) random.nextInt(256);
    }
    String token = "CN" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    long lifetime = spec.oauthTokenLifetime().toMillis();
    AuthKind credential = refresh ? AuthKind.OAUTH_REFRESH_TOKEN : AuthKind.CLIENT_CREDENTIALS;
    App app = refresh ? oauthApp : new App("oauth-app", Kind.OAUTH, Set.copyOf(granted), credential);
    accessTokens.put(token, new Issued(app, now + lifetime));
    issued.get(credential).increment();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token_type", "bearer");
    if (refresh) {
      body.put("refresh_token", spec.oauthRefreshToken());
    }
    body.put("access_token", token);
    body.put("expires_in", lifetime / 1000);
    body.put("hub_id", spec.portalId());
    body.put("scopes", List.copyOf(granted));
    body.put("token_use", "access_token");
    return body;
  }

  private static ApiError oauthError(boolean dated, String error, String status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (dated) {
      body.put("error", error);
      body.put("error_description", message);
    }
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
