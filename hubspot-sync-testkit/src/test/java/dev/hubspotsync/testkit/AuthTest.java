package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** hubspot-api.md §7: 401s, OAuth refresh and expiry, scopes, and secrets kept out of logs. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AuthTest {
  private static final Instant START = Instant.parse("2026-03-02T12:00:00Z");
  private static final String LIST = "/crm/v3/objects/contacts?limit=1";
  private static final String TOKEN_PATH = "/oauth/v1/token";

  private static PortalSpec.Builder small() {
    return PortalSpec.builder().contacts(20).companies(5).deals(5).tickets(2).calls(2).subscriptions(2)
        .clock(PortalClock.fixed(START));
  }

  private static String form(String clientId, String clientSecret, String refreshToken) {
    return "grant_type=refresh_token&client_id=" + enc(clientId) + "&client_secret=" + enc(clientSecret)
        + "&refresh_token=" + enc(refreshToken);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static Http.Reply refresh(FakeHubSpot hubspot) {
    PortalSpec s = hubspot.spec();
    return new Http(hubspot).postForm(TOKEN_PATH, form(s.oauthClientId(), s.oauthClientSecret(), s.oauthRefreshToken()));
  }

  private static void assertInvalidAuthentication(Http.Reply r) {
    assertThat(r.status()).isEqualTo(401);
    JsonNode body = r.json();
    assertThat(body.path("status").asText()).isEqualTo("error");
    assertThat(body.path("category").asText()).isEqualTo("INVALID_AUTHENTICATION");
    assertThat(body.path("message").asText())
        .startsWith("Authentication credentials not found.")
        .contains("OAuth 2.0");
    String correlationId = body.path("correlationId").asText();
    assertThat(UUID.fromString(correlationId).toString()).isEqualTo(correlationId);
    assertThat(r.header("X-HubSpot-Correlation-Id")).contains(correlationId);
  }

  // ---- 401 ------------------------------------------------------------------------------------------

  @Test
  void missingAuthorizationIsInvalidAuthentication() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      assertInvalidAuthentication(new Http(hubspot).withToken(null).get(LIST));
    }
  }

  @Test
  void wrongTokenIsInvalidAuthentication() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      assertInvalidAuthentication(http.withToken("pat-na1-not-the-right-one").get(LIST));
      assertInvalidAuthentication(http.withToken(hubspot.token() + "x").get(LIST));
      assertInvalidAuthentication(http.withToken("").get("/crm/v3/properties/contacts"));
      assertThat(http.get(LIST).status()).as("the real token still works").isEqualTo(200);
    }
  }

  @Test
  void unauthenticatedCallsAreNotCountedAgainstDailyUsage() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().dailyLimit(10).burstLimit(3).build())) {
      Http http = new Http(hubspot);
      for (int i = 0; i < 5; i++) {
        assertThat(http.withToken("wrong").get(LIST).status()).isEqualTo(401);
      }
      assertThat(hubspot.stats().dailyUsed()).isZero();
      assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(5);

      Http.Reply ok = http.get(LIST);
      assertThat(ok.status()).as("401s use no burst budget either").isEqualTo(200);
      assertThat(ok.header("X-HubSpot-RateLimit-Daily-Remaining")).contains("9");
      assertThat(ok.header("X-HubSpot-RateLimit-Remaining")).contains("2");
    }
  }

  // ---- OAuth ----------------------------------------------------------------------------------------

  @Test
  void refreshReturnsAThirtyMinuteAccessTokenThatWorks() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http.Reply r = refresh(hubspot);

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
      JsonNode body = r.json();
      assertThat(body.path("access_token").asText()).isNotBlank().hasSizeLessThanOrEqualTo(300);
      assertThat(body.path("refresh_token").asText()).isEqualTo(hubspot.spec().oauthRefreshToken());
      assertThat(body.path("expires_in").asLong()).isEqualTo(1800);
      assertThat(body.path("token_type").asText()).isEqualToIgnoringCase("bearer");
      assertThat(body.path("token_use").asText()).isEqualTo("access_token");
      assertThat(body.path("access_token").asText()).isNotEqualTo(hubspot.token());

      Http oauth = new Http(hubspot).withToken(body.path("access_token").asText());
      Http.Reply contacts = oauth.get(LIST);
      assertThat(contacts.status()).isEqualTo(200);
      assertThat(contacts.json().path("results").size()).isEqualTo(1);
      assertThat(hubspot.stats().calls(Endpoint.OAUTH_TOKEN)).isEqualTo(1);
    }
  }

  @Test
  void accessTokenExpiresAfterThirtyMinutesWithHubSpotsExpiredBody() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      String token = refresh(hubspot).json().path("access_token").asText();
      Http oauth = new Http(hubspot).withToken(token);

      hubspot.clock().advance(Duration.ofMinutes(30).minusMillis(1));
      assertThat(oauth.get(LIST).status()).as("valid until the last millisecond").isEqualTo(200);

      hubspot.clock().advance(Duration.ofMillis(1));
      Http.Reply expired = oauth.get(LIST);
      assertThat(expired.status()).isEqualTo(401);
      JsonNode body = expired.json();
      assertThat(body.path("status").asText()).isEqualTo("error");
      assertThat(body.path("category").asText()).isEqualTo("EXPIRED_AUTHENTICATION");
      assertThat(body.path("message").asText()).isEqualTo("The OAuth token used to make this call expired 0 second(s) ago.");
      assertThat(UUID.fromString(body.path("correlationId").asText())).isNotNull();
      JsonNode expireTime = body.path("context").path("expire time");
      assertThat(expireTime.isArray()).isTrue();
      assertThat(Instant.parse(expireTime.get(0).asText())).isEqualTo(START.plus(Duration.ofMinutes(30)));

      hubspot.clock().advance(Duration.ofSeconds(42));
      assertThat(oauth.get(LIST).json().path("message").asText())
          .isEqualTo("The OAuth token used to make this call expired 42 second(s) ago.");

      // refresh tokens do not expire: a new access token works again
      String fresh = refresh(hubspot).json().path("access_token").asText();
      assertThat(fresh).isNotEqualTo(token);
      assertThat(new Http(hubspot).withToken(fresh).get(LIST).status()).isEqualTo(200);
      assertThat(oauth.get(LIST).status()).as("the old one stays expired").isEqualTo(401);
    }
  }

  @Test
  void expireAccessTokensEndsEveryIssuedTokenNowAndARefreshWorksAgain() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      String token = refresh(hubspot).json().path("access_token").asText();
      Http oauth = new Http(hubspot).withToken(token);
      assertThat(oauth.get(LIST).status()).isEqualTo(200);

      hubspot.expireAccessTokens();

      Http.Reply expired = oauth.get(LIST);
      assertThat(expired.status()).isEqualTo(401);
      assertThat(expired.json().path("category").asText()).isEqualTo("EXPIRED_AUTHENTICATION");
      assertThat(Instant.parse(expired.json().path("context").path("expire time").get(0).asText())).isEqualTo(START);
      assertThat(new Http(hubspot).get(LIST).status()).as("private-app tokens do not expire").isEqualTo(200);
      String fresh = refresh(hubspot).json().path("access_token").asText();
      assertThat(new Http(hubspot).withToken(fresh).get(LIST).status()).isEqualTo(200);
      assertThat(oauth.get(LIST).status()).as("the expired one stays expired").isEqualTo(401);
    }
  }

  @Test
  void wrongRefreshTokenIsBadRefreshToken() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      PortalSpec s = hubspot.spec();
      Http.Reply r = new Http(hubspot).postForm(TOKEN_PATH, form(s.oauthClientId(), s.oauthClientSecret(), "nope"));

      assertThat(r.status()).isEqualTo(400);
      JsonNode body = r.json();
      assertThat(body.path("status").asText()).isEqualTo("BAD_REFRESH_TOKEN");
      assertThat(body.path("message").asText()).isNotBlank();
      assertThat(body.has("access_token")).isFalse();
    }
  }

  @Test
  void wrongClientSecretIsRejected() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      PortalSpec s = hubspot.spec();
      Http.Reply r = new Http(hubspot).postForm(TOKEN_PATH,
          form(s.oauthClientId(), "not-the-secret", s.oauthRefreshToken()));

      assertThat(r.status()).isEqualTo(400);
      JsonNode body = r.json();
      assertThat(body.path("status").asText()).isEqualTo("BAD_CLIENT_SECRET");
      assertThat(body.path("message").asText()).isNotBlank();
      assertThat(body.has("access_token")).isFalse();
    }
  }

  @Test
  void customOauthAppIsHonoured() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().oauthApp("cid-9", "secret-9", "refresh-9").build())) {
      Http http = new Http(hubspot);
      assertThat(http.postForm(TOKEN_PATH, form("cid-9", "secret-9", "refresh-9")).status()).isEqualTo(200);
      assertThat(http.postForm(TOKEN_PATH, form("local-client-id", "local-client-secret", "local-refresh-token"))
          .status()).isEqualTo(400);
    }
  }

  @Test
  void oauthCallsCarryTheOauthBurstHeadersAndNoDailyHeaders() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http oauth = new Http(hubspot).withToken(refresh(hubspot).json().path("access_token").asText());
      Http.Reply first = oauth.get(LIST);
      Http.Reply second = oauth.get(LIST);

      for (Http.Reply r : List.of(first, second)) {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("X-HubSpot-RateLimit-Max")).contains("110");
        assertThat(r.header("X-HubSpot-RateLimit-Interval-Milliseconds")).contains("10000");
        assertThat(r.header("X-HubSpot-RateLimit-Daily")).isEmpty();
        assertThat(r.header("X-HubSpot-RateLimit-Daily-Remaining")).isEmpty();
      }
      assertThat(first.header("X-HubSpot-RateLimit-Remaining")).contains("109");
      assertThat(second.header("X-HubSpot-RateLimit-Remaining")).contains("108");
      assertThat(hubspot.stats().dailyUsed()).as("OAuth calls are not private-app daily usage").isZero();

      // the private app keeps its own, tiered budget
      Http.Reply pat = new Http(hubspot).get(LIST);
      assertThat(pat.header("X-HubSpot-RateLimit-Max")).contains("190");
      assertThat(pat.header("X-HubSpot-RateLimit-Remaining")).contains("189");
      assertThat(pat.header("X-HubSpot-RateLimit-Daily")).isPresent();
    }
  }

  @Test
  void oauthBurstLimitRejectsWithTenSecondlyRolling() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().oauthBurstLimit(3).build())) {
      Http oauth = new Http(hubspot).withToken(refresh(hubspot).json().path("access_token").asText());
      for (int i = 0; i < 3; i++) {
        assertThat(oauth.get(LIST).status()).isEqualTo(200);
      }
      Http.Reply rejected = oauth.get(LIST);
      assertThat(rejected.status()).isEqualTo(429);
      assertThat(rejected.json().path("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");
      assertThat(rejected.json().path("message").asText()).isEqualTo("You have reached your ten_secondly_rolling limit.");
      assertThat(new Http(hubspot).get(LIST).status()).as("the private app is a different app").isEqualTo(200);
    }
  }

  // ---- scopes ---------------------------------------------------------------------------------------

  private static void assertMissingScope(Http.Reply r, String scope) {
    assertThat(r.status()).as(r.body()).isEqualTo(403);
    JsonNode body = r.json();
    assertThat(body.path("status").asText()).isEqualTo("error");
    assertThat(body.path("category").asText()).isEqualTo("MISSING_SCOPES");
    assertThat(body.path("message").asText()).isNotBlank();
    assertThat(UUID.fromString(body.path("correlationId").asText())).isNotNull();
    JsonNode error = body.path("errors").path(0);
    assertThat(error.path("message").asText()).isEqualTo("One or more of the following scopes are required.");
    List<String> required = new ArrayList<>();
    error.path("context").path("requiredScopes").forEach(n -> required.add(n.asText()));
    assertThat(required).contains(scope);
    assertThat(body.path("links").path("scopes").asText()).startsWith("https://");
  }

  @Test
  void tokenWithoutDealsScopeReadsContactsButNotDeals() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      hubspot.addPrivateAppToken("pat-limited", Set.of("crm.objects.contacts.read"));
      Http limited = new Http(hubspot).withToken("pat-limited");

      Http.Reply contacts = limited.get(LIST);
      assertThat(contacts.status()).isEqualTo(200);
      assertThat(contacts.json().path("results").size()).isEqualTo(1);

      assertMissingScope(limited.get("/crm/v3/objects/deals?limit=1"), "crm.objects.deals.read");
      assertMissingScope(limited.post("/crm/v3/objects/deals/search", "{\"limit\":1}"), "crm.objects.deals.read");
      assertMissingScope(limited.post("/crm/v3/objects/deals/batch/read", "{\"inputs\":[{\"id\":\"1\"}]}"),
          "crm.objects.deals.read");

      assertThat(new Http(hubspot).get("/crm/v3/objects/deals?limit=1").status())
          .as("the portal's own token has every scope").isEqualTo(200);
    }
  }

  @Test
  void associationReadNeedsTheScopesOfBothTypes() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      hubspot.addPrivateAppToken("pat-contacts", Set.of("crm.objects.contacts.read"));
      hubspot.addPrivateAppToken("pat-deals", Set.of("crm.objects.deals.read"));
      hubspot.addPrivateAppToken("pat-both", Set.of("crm.objects.contacts.read", "crm.objects.deals.read"));
      long contact = hubspot.portal().ids("contacts").get(0);
      String path = "/crm/v4/associations/contacts/deals/batch/read";
      String body = "{\"inputs\":[{\"id\":\"" + contact + "\"}]}";
      Http http = new Http(hubspot);

      Http.Reply onlyContacts = http.withToken("pat-contacts").post(path, body);
      assertMissingScope(onlyContacts, "crm.objects.deals.read");
      assertThat(onlyContacts.json().path("errors").path(0).path("context").path("requiredScopes").toString())
          .doesNotContain("crm.objects.contacts.read");

      assertMissingScope(http.withToken("pat-deals").post(path, body), "crm.objects.contacts.read");

      assertThat(http.withToken("pat-both").post(path, body).status()).isIn(200, 207);
    }
  }

  // ---- secrets --------------------------------------------------------------------------------------

  @Test
  void toStringNeverRevealsTokensOrSecrets() {
    String token = "pat-na1-11111111-2222-3333-4444-555555555555";
    String secret = "client-secret-7d1f0c";
    String refreshToken = "refresh-token-a8e2b4";
    PortalSpec spec = small().privateAppToken(token).oauthApp("client-id-1", secret, refreshToken).build();

    assertThat(spec.toString()).doesNotContain(token).doesNotContain(secret).doesNotContain(refreshToken);
    assertThat(spec.toBuilder().build().toString()).doesNotContain(token).doesNotContain(secret);
    try (FakeHubSpot hubspot = FakeHubSpot.start(spec)) {
      String text = hubspot.toString();
      assertThat(text).contains(hubspot.baseUrl());
      assertThat(text).doesNotContain(token).doesNotContain(secret).doesNotContain(refreshToken);
      hubspot.addPrivateAppToken("pat-extra-secret", Set.of("crm.objects.contacts.read"));
      assertThat(hubspot.toString()).doesNotContain("pat-extra-secret");
    }
  }
}
