package dev.hubspotsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotApiException;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.MissingScopesException;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.client.HubSpotCredentials.Kind;
import dev.hubspotsync.testkit.AuthKind;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The four credential kinds over HTTP (service key, private-app token, OAuth refresh token, OAuth
 * client credentials), typed auth errors naming the kind and its variables, and secrets kept out of
 * logs, messages and toString.
 */
class ClientAuthTest {
  private static final String SECRET = "very-secret-client-secret";
  private static final String REFRESH = "very-secret-refresh-token";
  private static final String SERVICE_KEY = "very-secret-service-key-0b7e";
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final List<String> messages = new ArrayList<>();
  private PrintStream originalErr;
  private FakeHubSpot hubspot;
  private ClientFixture fixture;

  @BeforeEach
  void start() {
    originalErr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // slf4j-simple writes here
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(30).privateAppToken("pat-na1-secret-token-1234")
        .oauthApp("client-1", SECRET, REFRESH).indexLag(Duration.ZERO)
        .clock(PortalClock.fixed(Instant.parse("2026-11-01T12:00:00Z"))).build());
    fixture = new ClientFixture(hubspot);
  }

  @AfterEach
  void stop() {
    System.setErr(originalErr);
    hubspot.close();
    String logs = captured.toString(StandardCharsets.UTF_8);
    // No secret may appear in any log line or exception message of any test here.
    for (String text : List.of(logs, String.join("\n", messages))) {
      assertThat(text).doesNotContain("pat-na1-secret-token-1234", SECRET, REFRESH, "pat-limited-secret", SERVICE_KEY,
          "wrong-secret-9d1c");
      assertThat(text).doesNotContainPattern("CN[A-Za-z0-9_-]{40,}"); // the portal's OAuth access tokens
    }
  }

  private HubSpotClient oauthClient(Clock clock) {
    return HubSpotClient.builder().baseUrl(hubspot.baseUrl()).credentials(HubSpotCredentials.oauth("client-1", SECRET, REFRESH))
        .clock(clock).sleeper(fixture.sleeper)
        .rateBudget(RateBudget.tokenBucket().clock(hubspot.clock().asClock()).sleeper(fixture.sleeper).build()).build();
  }

  @Test
  void oauthRefreshesProactivelyBeforeExpiry() {
    HubSpotClient client = oauthClient(hubspot.clock().asClock());
    client.listPage("contacts", List.of(), 10, null, false);
    assertThat(hubspot.stats().calls(Endpoint.OAUTH_TOKEN)).isEqualTo(1);

    hubspot.clock().advance(Duration.ofMinutes(20));
    client.listPage("contacts", List.of(), 10, null, false);
    assertThat(hubspot.stats().calls(Endpoint.OAUTH_TOKEN)).isEqualTo(1); // still valid

    hubspot.clock().advance(Duration.ofMinutes(6)); // within 5 minutes of the 30-minute expiry
    client.listPage("contacts", List.of(), 10, null, false);
    assertThat(hubspot.stats().calls(Endpoint.OAUTH_TOKEN)).isEqualTo(2);
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(3); // never a 401
    messages.add(client.toString());
  }

  @Test
  void expiredAuthentication401RefreshesOnceAndRetries() {
    // The client's clock lags the portal's, so it believes an expired token is still good.
    Clock stuck = Clock.fixed(Instant.parse("2026-11-01T12:00:00Z"), ZoneOffset.UTC);
    HubSpotClient client = oauthClient(stuck);
    client.listPage("contacts", List.of(), 10, null, false);
    hubspot.clock().advance(Duration.ofMinutes(31));

    ObjectPage page = client.listPage("contacts", List.of(), 10, null, false);

    assertThat(page.results()).hasSize(10);
    assertThat(hubspot.stats().calls(Endpoint.OAUTH_TOKEN)).isEqualTo(2);
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(3); // ok, 401 EXPIRED, retry ok
  }

  @Test
  void aRefusedRefreshTokenIsAnAuthenticationError() {
    HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
        .credentials(HubSpotCredentials.oauth("client-1", SECRET, "revoked-" + REFRESH)).sleeper(fixture.sleeper)
        .rateBudget(fixture.budget()).build();
    assertThatThrownBy(() -> client.listPage("contacts", List.of(), 10, null, false))
        .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
          messages.add(e.getMessage());
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_AUTHENTICATION);
          assertThat(e.getMessage()).contains("BAD_REFRESH_TOKEN").contains("refresh token");
        });
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isZero();
  }

  @Test
  void aWrongPrivateAppTokenSaysSoPlainly() {
    HubSpotClient client = fixture.builder().credentials(HubSpotCredentials.privateApp("pat-na1-wrong")).build();
    assertThatThrownBy(() -> client.listPage("contacts", List.of(), 10, null, false))
        .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
          messages.add(e.getMessage());
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_AUTHENTICATION);
          assertThat(e.status()).isEqualTo(401);
          assertThat(e.category()).isEqualTo("INVALID_AUTHENTICATION");
          assertThat(e.getMessage()).contains("access token is wrong or was rotated").contains("HUBSPOT_ACCESS_TOKEN")
              .doesNotContain("pat-na1-wrong");
        });
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(1);
  }

  @Test
  void missingScopesNamesThemAndWhereToGrantThem() {
    hubspot.addPrivateAppToken("pat-limited-secret", Set.of("crm.objects.contacts.read"));
    HubSpotClient client = fixture.builder().credentials(HubSpotCredentials.privateApp("pat-limited-secret")).build();
    assertThat(client.listPage("contacts", List.of(), 5, null, false).results()).hasSize(5);
    assertThatThrownBy(() -> client.listPage("deals", List.of(), 5, null, false))
        .isInstanceOfSatisfying(MissingScopesException.class, e -> {
          messages.add(e.getMessage());
          assertThat(e.scopes()).containsExactly("crm.objects.deals.read");
          assertThat(e.code()).isEqualTo(ErrorCode.MISSING_SCOPES);
          assertThat(e.getMessage()).contains("crm.objects.deals.read").contains("Private Apps").contains("list deals");
          assertThat(e.correlationId()).isNotBlank();
        });
  }

  @Test
  void credentialsFromEnvironmentAndTheirToString() {
    HubSpotCredentials pat = HubSpotCredentials.fromEnvironment(Map.of("HUBSPOT_ACCESS_TOKEN", "pat-na1-secret-token-1234"));
    HubSpotCredentials oauth = HubSpotCredentials.fromEnvironment(Map.of("HUBSPOT_CLIENT_ID", "client-1",
        "HUBSPOT_CLIENT_SECRET", SECRET, "HUBSPOT_REFRESH_TOKEN", REFRESH));
    assertThat(oauth.isOAuth()).isTrue();
    assertThat(pat.isOAuth()).isFalse();
    messages.add(pat.toString());
    messages.add(oauth.toString());
    messages.add(fixture.builder().credentials(oauth).build().toString());
    assertThatThrownBy(() -> HubSpotCredentials.fromEnvironment(Map.of()))
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION);
          assertThat(e.getMessage()).contains("HUBSPOT_ACCESS_TOKEN").contains("HUBSPOT_REFRESH_TOKEN");
        });
    // The private-app token really is used: a call succeeds with it.
    HubSpotClient client = fixture.builder().credentials(pat).build();
    assertThat(client.listPage("contacts", List.of(), 1, null, false).results()).hasSize(1);
  }
  @Test
  void aServiceKeyIsABearerKeyWithItsOwnScopes() {
    hubspot.addServiceKey(SERVICE_KEY, Set.of("crm.objects.contacts.read"));
    HubSpotCredentials key = HubSpotCredentials.fromEnvironment(Map.of("HUBSPOT_SERVICE_KEY", SERVICE_KEY));
    assertThat(key.kind()).isEqualTo(Kind.SERVICE_KEY);
    HubSpotClient client = fixture.builder().credentials(key).build();

    assertThat(client.listPage("contacts", List.of(), 5, null, false).results()).hasSize(5);
    assertThat(hubspot.calls(AuthKind.SERVICE_KEY)).isEqualTo(1);
    assertThat(hubspot.calls(AuthKind.PRIVATE_APP)).isZero();
    assertThatThrownBy(() -> client.listPage("deals", List.of(), 5, null, false))
        .isInstanceOfSatisfying(MissingScopesException.class, e -> {
          messages.add(e.getMessage());
          assertThat(e.getMessage()).contains("service key (HUBSPOT_SERVICE_KEY) lacks the scope(s) crm.objects.deals.read")
              .contains("Development › Keys › Service keys");
        });
    messages.add(key.toString());
    messages.add(client.toString());
  }

  @Test
  void aWrongServiceKeyNamesItsVariable() {
    HubSpotClient client = fixture.builder()
        .credentials(HubSpotCredentials.fromEnvironment(Map.of("HUBSPOT_SERVICE_KEY", SERVICE_KEY))).build();
    assertThatThrownBy(() -> client.listPage("contacts", List.of(), 1, null, false))
        .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
          messages.add(e.getMessage());
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_AUTHENTICATION);
          assertThat(e.getMessage()).contains("rejected the service key (HUBSPOT_SERVICE_KEY)")
              .contains("Development › Keys › Service keys");
        });
  }

  @Test
  void clientCredentialsGetATokenHoldingTheScopesAskedFor() {
    HubSpotCredentials cc = HubSpotCredentials.fromEnvironment(Map.of("HUBSPOT_CLIENT_ID", "client-1",
        "HUBSPOT_CLIENT_SECRET", SECRET, "HUBSPOT_SCOPES", "crm.objects.contacts.read crm.schemas.contacts.read"));
    assertThat(cc.kind()).isEqualTo(Kind.OAUTH_CLIENT_CREDENTIALS);
    assertThat(cc.scopes()).containsExactly("crm.objects.contacts.read", "crm.schemas.contacts.read");
    HubSpotClient client = fixture.builder().credentials(cc).build();

    assertThat(client.listPage("contacts", List.of(), 5, null, false).results()).hasSize(5);
    assertThat(hubspot.tokensIssued(AuthKind.CLIENT_CREDENTIALS)).isEqualTo(1);
    assertThat(hubspot.calls(AuthKind.CLIENT_CREDENTIALS)).isEqualTo(1);
    assertThatThrownBy(() -> client.listPage("deals", List.of(), 5, null, false))
        .isInstanceOfSatisfying(MissingScopesException.class, e -> {
          messages.add(e.getMessage());
          assertThat(e.getMessage()).contains("OAuth client credentials (HUBSPOT_CLIENT_ID + HUBSPOT_CLIENT_SECRET)")
              .contains("crm.objects.deals.read").contains("requiredScopes").contains("reinstall");
        });

    hubspot.clock().advance(Duration.ofMinutes(26)); // renewed ahead of the 30-minute expiry, by the same grant
    client.listPage("contacts", List.of(), 5, null, false);
    assertThat(hubspot.tokensIssued(AuthKind.CLIENT_CREDENTIALS)).isEqualTo(2);
    assertThat(hubspot.tokensIssued(AuthKind.OAUTH_REFRESH_TOKEN)).isZero();
  }

  @Test
  void aWrongClientSecretNamesTheKindAndVariablesNotTheValue() {
    for (ApiVersion version : ApiVersion.values()) {
      HubSpotClient client = fixture.builder().apiVersion(version).credentials(HubSpotCredentials.fromEnvironment(
          Map.of("HUBSPOT_CLIENT_ID", "client-1", "HUBSPOT_CLIENT_SECRET", "wrong-secret-9d1c"))).build();
      assertThatThrownBy(() -> client.listPage("contacts", List.of(), 1, null, false))
          .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
            messages.add(e.getMessage());
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_AUTHENTICATION);
            assertThat(e.getMessage()).as(version.label())
                .contains("OAuth client credentials (HUBSPOT_CLIENT_ID + HUBSPOT_CLIENT_SECRET)")
                .contains("BAD_CLIENT_SECRET").contains("HUBSPOT_REFRESH_TOKEN");
          });
    }
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isZero();
  }

  @Test
  void askingForAScopeTheAppLacksIsRefusedByTheTokenEndpoint() {
    HubSpotClient client = fixture.builder().credentials(HubSpotCredentials.clientCredentials("client-1", SECRET,
        List.of("crm.objects.contacts.read", "crm.objects.invoices.read"))).build();
    assertThatThrownBy(() -> client.listPage("contacts", List.of(), 1, null, false))
        .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
          messages.add(e.getMessage());
          assertThat(e.getMessage()).contains("BAD_SCOPES").contains("crm.objects.invoices.read");
        });
  }

  /** The leftover of the last session: a 401 EXPIRED right after a renewal is renewed once more, then ends clearly. */
  @Test
  void tokensThatExpireOnArrivalAreRenewedTwiceThenTheCallFailsSayingSo() {
    try (FakeHubSpot instant = FakeHubSpot.start(PortalSpec.builder().contacts(5).oauthApp("client-1", SECRET, REFRESH)
        .oauthTokenLifetime(Duration.ZERO).clock(PortalClock.fixed(Instant.parse("2026-11-01T12:00:00Z"))).build())) {
      HubSpotClient client = new ClientFixture(instant).builder()
          .credentials(HubSpotCredentials.clientCredentials("client-1", SECRET, List.of())).build();
      assertThatThrownBy(() -> client.listPage("contacts", List.of(), 5, null, false))
          .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
            messages.add(e.getMessage());
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_AUTHENTICATION);
            assertThat(e.category()).isEqualTo("EXPIRED_AUTHENTICATION");
            assertThat(e.getMessage()).contains("expired 3 times for list contacts")
                .contains("right after it was renewed with the OAuth client credentials");
          });
      assertThat(instant.stats().calls(Endpoint.LIST)).as("the call and two retries, each with a new token").isEqualTo(3);
      assertThat(instant.tokensIssued(AuthKind.CLIENT_CREDENTIALS)).isBetween(3L, 6L);
    }
  }

  @Test
  void environmentPrecedenceIsServiceKeyThenTokenThenRefreshTokenThenClientCredentials() {
    Map<String, String> all = Map.of("HUBSPOT_SERVICE_KEY", SERVICE_KEY, "HUBSPOT_ACCESS_TOKEN", "pat-na1-secret-token-1234",
        "HUBSPOT_CLIENT_ID", "client-1", "HUBSPOT_CLIENT_SECRET", SECRET, "HUBSPOT_REFRESH_TOKEN", REFRESH);
    HubSpotCredentials chosen = HubSpotCredentials.fromEnvironment(all);
    assertThat(chosen.kind()).isEqualTo(Kind.SERVICE_KEY);
    assertThat(chosen.describe()).isEqualTo("service key (HUBSPOT_SERVICE_KEY)");
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("HubSpot credentials: service key from HUBSPOT_SERVICE_KEY")
        .contains("also set, not used: HUBSPOT_ACCESS_TOKEN, HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET, HUBSPOT_REFRESH_TOKEN");
    Map<String, String> noKey = new java.util.HashMap<>(all);
    noKey.remove("HUBSPOT_SERVICE_KEY");
    assertThat(HubSpotCredentials.fromEnvironment(noKey).kind()).isEqualTo(Kind.PRIVATE_APP_TOKEN);
    noKey.remove("HUBSPOT_ACCESS_TOKEN");
    assertThat(HubSpotCredentials.fromEnvironment(noKey).kind()).isEqualTo(Kind.OAUTH_REFRESH_TOKEN);
    noKey.remove("HUBSPOT_REFRESH_TOKEN");
    assertThat(HubSpotCredentials.fromEnvironment(noKey).kind()).isEqualTo(Kind.OAUTH_CLIENT_CREDENTIALS);
    // a kind chosen explicitly reads only its variables
    assertThat(HubSpotCredentials.environment().kind(Kind.OAUTH_CLIENT_CREDENTIALS).read(all).kind())
        .isEqualTo(Kind.OAUTH_CLIENT_CREDENTIALS);
    // another prefix, for a second portal
    HubSpotCredentials eu = HubSpotCredentials.environment().prefix("HUBSPOT_EU_").read(Map.of("HUBSPOT_EU_SERVICE_KEY", SERVICE_KEY));
    assertThat(eu.describe()).isEqualTo("service key (HUBSPOT_EU_SERVICE_KEY)");
    messages.add(chosen.toString());
    messages.add(eu.toString());
  }

  @Test
  void incompleteOrMissingVariablesAreNamed() {
    assertThatThrownBy(() -> HubSpotCredentials.fromEnvironment(Map.of("HUBSPOT_REFRESH_TOKEN", REFRESH,
        "HUBSPOT_CLIENT_ID", "client-1")))
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> {
          messages.add(e.getMessage());
          assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION);
          assertThat(e.getMessage()).contains("OAuth refresh token").contains("HUBSPOT_CLIENT_SECRET is not set");
        });
    assertThatThrownBy(() -> HubSpotCredentials.fromEnvironment(Map.of("HUBSPOT_CLIENT_SECRET", SECRET)))
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> {
          messages.add(e.getMessage());
          assertThat(e.getMessage()).contains("OAuth client credentials").contains("HUBSPOT_CLIENT_ID is not set")
              .contains("though HUBSPOT_CLIENT_SECRET is");
        });
    assertThatThrownBy(() -> HubSpotCredentials.environment().kind(Kind.SERVICE_KEY)
        .read(Map.of("HUBSPOT_ACCESS_TOKEN", "pat-na1-secret-token-1234")))
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> {
          messages.add(e.getMessage());
          assertThat(e.getMessage()).contains("service key").contains("HUBSPOT_SERVICE_KEY is not set");
        });
    assertThatThrownBy(() -> HubSpotCredentials.fromEnvironment(Map.of()))
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> assertThat(e.getMessage())
            .contains("HUBSPOT_SERVICE_KEY", "HUBSPOT_ACCESS_TOKEN", "HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET",
                "HUBSPOT_REFRESH_TOKEN", "HUBSPOT_SCOPES"));
    assertThat(Kind.parse("client-credentials")).isEqualTo(Kind.OAUTH_CLIENT_CREDENTIALS);
    assertThatThrownBy(() -> Kind.parse("api-key")).hasMessageContaining("service-key, private-app, oauth-refresh-token, client-credentials");
  }
}
