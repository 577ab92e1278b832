package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubspotsync.testkit.AuthKind;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every credential kind end to end: environment → CLI → client → FakeHubSpot over HTTP, the portal
 * seeing the Authorization (or grant) of that kind and nothing else; wrong secrets exit 3 naming
 * the kind and its variables, never the value; bad combinations exit 2 naming the key or variable.
 */
class CredentialsCliTest {
  private static final String SERVICE_KEY = "svc-key-na1-4b1f-secret";
  private static final String TOKEN = "pat-na1-7d3a-secret";
  private static final String CLIENT_ID = "project-app-1";
  private static final String CLIENT_SECRET = "client-secret-e29c";
  private static final String REFRESH = "refresh-token-0f4d";
  private static final List<String> SECRETS = List.of(SERVICE_KEY, TOKEN, CLIENT_SECRET, REFRESH, "wrong-5a5a-secret");
  private static final Set<String> SCOPES = Set.of("crm.objects.contacts.read", "crm.objects.companies.read",
      "crm.schemas.contacts.read", "crm.schemas.companies.read");
  private static final String CONFIG = String.join("\n",
      "portal:",
      "  baseUrl: BASE_URL",
      "CREDENTIALS",
      "objects: [contacts, companies]",
      "associations: [contacts->companies]",
      "sink: {type: duckdb, file: warehouse.duckdb}",
      "sync: {indexLag: 30s, overlap: 1m}",
      "");

  @TempDir
  Path dir;
  FakeHubSpot hubspot;
  CliHarness cli;

  @BeforeEach
  void start() {
    PortalClock clock = PortalClock.fixed(SyncCommandTest.T0);
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(300).companies(40).deals(0).tickets(0).calls(0).subscriptions(0)
        .privateAppToken(TOKEN).serviceKey(SERVICE_KEY, SCOPES).oauthApp(CLIENT_ID, CLIENT_SECRET, REFRESH)
        .clock(clock).sleeper(clock::advance).build());
    cli = new CliHarness(hubspot, dir);
    cli.env.clear();
    SharedSink sink = new SharedSink(InMemorySink.create());
    cli.sinks = s -> sink;
  }

  @AfterEach
  void stop() {
    hubspot.close();
  }

  private void env(AuthKind kind, String secret) {
    switch (kind) {
      case SERVICE_KEY -> cli.env.put("HUBSPOT_SERVICE_KEY", secret);
      case PRIVATE_APP -> cli.env.put("HUBSPOT_ACCESS_TOKEN", secret);
      case OAUTH_REFRESH_TOKEN -> cli.env.putAll(Map.of("HUBSPOT_CLIENT_ID", CLIENT_ID, "HUBSPOT_CLIENT_SECRET", CLIENT_SECRET,
          "HUBSPOT_REFRESH_TOKEN", secret));
      case CLIENT_CREDENTIALS -> cli.env.putAll(Map.of("HUBSPOT_CLIENT_ID", CLIENT_ID, "HUBSPOT_CLIENT_SECRET", secret));
    }
  }

  private static String right(AuthKind kind) {
    return switch (kind) {
      case SERVICE_KEY -> SERVICE_KEY;
      case PRIVATE_APP -> TOKEN;
      case OAUTH_REFRESH_TOKEN -> REFRESH;
      case CLIENT_CREDENTIALS -> CLIENT_SECRET;
    };
  }

  private String config(String credentials) {
    return cli.config("sync.yaml", CONFIG.replace("CREDENTIALS\n", credentials.isEmpty() ? "" : credentials + "\n"));
  }

  private static void assertNoSecret(CliHarness.Run run) {
    for (String secret : SECRETS) {
      assertThat(run.out() + run.err()).doesNotContain(secret);
    }
  }

  @ParameterizedTest
  @EnumSource(AuthKind.class)
  void eachKindSyncsAndThePortalSeesOnlyThatKind(AuthKind kind) {
    env(kind, right(kind));

    CliHarness.Run run = cli.run("sync", "--config", config(""));

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.json().get("streams").get(0).get("rowsWritten").asLong()).isEqualTo(300);
    assertThat(hubspot.calls(kind)).as("calls made with " + kind).isPositive();
    for (AuthKind other : EnumSet.complementOf(EnumSet.of(kind))) {
      assertThat(hubspot.calls(other)).as("calls made with " + other).isZero();
    }
    long tokens = hubspot.tokensIssued(AuthKind.OAUTH_REFRESH_TOKEN) + hubspot.tokensIssued(AuthKind.CLIENT_CREDENTIALS);
    assertThat(tokens).as("tokens issued").isEqualTo(kind == AuthKind.OAUTH_REFRESH_TOKEN || kind == AuthKind.CLIENT_CREDENTIALS ? 1 : 0);
    assertThat(hubspot.tokensIssued(kind)).isEqualTo(tokens);
    assertThat(hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).isPositive();
    assertNoSecret(run);
  }

  @ParameterizedTest
  @EnumSource(AuthKind.class)
  void aWrongSecretExitsThreeNamingTheKindAndVariableNotTheValue(AuthKind kind) {
    env(kind, "wrong-5a5a-secret");

    CliHarness.Run run = cli.run("sync", "--config", config(""));

    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    JsonNode error = run.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("INVALID_AUTHENTICATION");
    String expected = switch (kind) {
      case SERVICE_KEY -> "service key (HUBSPOT_SERVICE_KEY)";
      case PRIVATE_APP -> "private-app token (HUBSPOT_ACCESS_TOKEN)";
      case OAUTH_REFRESH_TOKEN -> "OAuth refresh token (HUBSPOT_CLIENT_ID + HUBSPOT_CLIENT_SECRET + HUBSPOT_REFRESH_TOKEN)";
      case CLIENT_CREDENTIALS -> "OAuth client credentials (HUBSPOT_CLIENT_ID + HUBSPOT_CLIENT_SECRET)";
    };
    assertThat(error.get("message").asText()).contains(expected);
    assertThat(run.err()).contains(expected);
    assertNoSecret(run);
  }

  @Test
  void clientCredentialsAskForTheConfiguredScopesAndMissingOnesExitThreeSayingWhereToAddThem() {
    env(AuthKind.CLIENT_CREDENTIALS, CLIENT_SECRET);
    String config = config("  credentials: {kind: client-credentials, scopes: [crm.objects.contacts.read, crm.schemas.contacts.read]}");

    CliHarness.Run run = cli.run("sync", "--config", config);

    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    JsonNode error = run.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("MISSING_SCOPES");
    assertThat(error.get("message").asText()).contains("crm.objects.companies.read")
        .contains("OAuth client credentials (HUBSPOT_CLIENT_ID + HUBSPOT_CLIENT_SECRET)").contains("reinstall");
    assertThat(hubspot.tokensIssued(AuthKind.CLIENT_CREDENTIALS)).isEqualTo(1);
    assertNoSecret(run);
  }

  @Test
  void theConfigPicksTheKindAndThePrefixWhenSeveralAreSet() {
    env(AuthKind.PRIVATE_APP, TOKEN);
    cli.env.put("HUBSPOT_EU_SERVICE_KEY", SERVICE_KEY);

    CliHarness.Run run = cli.run("sync", "--config", config("  credentials: {kind: service-key, envPrefix: HUBSPOT_EU_}"));

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(hubspot.calls(AuthKind.SERVICE_KEY)).isPositive();
    assertThat(hubspot.calls(AuthKind.PRIVATE_APP)).isZero();
    assertNoSecret(run);
  }

  @Test
  void statusShowsTheApiGenerationAndTheCredentialKindWithoutCallingHubSpot() {
    env(AuthKind.SERVICE_KEY, SERVICE_KEY);
    env(AuthKind.PRIVATE_APP, TOKEN);
    String config = config("");

    CliHarness.Run table = cli.run("status", "--config", config);
    CliHarness.Run json = cli.run("status", "--config", config, "--json");

    assertThat(table.exit()).as(table.toString()).isZero();
    assertThat(table.out()).contains("HubSpot API: 2026-09").contains("credentials: service key (HUBSPOT_SERVICE_KEY)");
    assertThat(json.json().get("apiVersion").asText()).isEqualTo("2026-09");
    assertThat(json.json().get("credentials").get("kind").asText()).isEqualTo("service-key");
    assertThat(json.json().get("credentials").get("source").asText()).isEqualTo("HUBSPOT_SERVICE_KEY");
    assertThat(hubspot.stats().totalCalls()).isZero();
    assertNoSecret(table);
    assertNoSecret(json);

    cli.env.clear();
    CliHarness.Run none = cli.run("status", "--config", config, "--json");
    assertThat(none.exit()).as(none.toString()).isZero();
    assertThat(none.json().get("credentials").get("kind").isNull()).isTrue();
    assertThat(none.json().get("credentials").get("problem").asText()).contains("HUBSPOT_SERVICE_KEY");
  }

  @Test
  void badCombinationsExitTwoNamingTheKeyOrVariable() {
    env(AuthKind.SERVICE_KEY, SERVICE_KEY);
    assertBadConfig(cli.run("sync", "--config", config("  credentials: {kind: service-key, scopes: [crm.objects.contacts.read]}")),
        "portal.credentials.scopes", "set kind: client-credentials");
    assertBadConfig(cli.run("sync", "--config", config("  credentials: {scopes: [crm.objects.contacts.read]}")),
        "portal.credentials.scopes", "the environment holds a service key (HUBSPOT_SERVICE_KEY)");
    assertBadConfig(cli.run("sync", "--config", config("  credentials: {kind: client-credentials}")),
        "OAuth client credentials", "HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET are not set");
    assertBadConfig(cli.run("sync", "--config", config("  credentials: {kind: api-key}")),
        "portal.credentials.kind", "service-key, private-app, oauth-refresh-token, client-credentials");
    assertBadConfig(cli.run("sync", "--config", config("  credentials: {serviceKey: '" + SERVICE_KEY + "'}")),
        "portal.credentials.serviceKey", "secrets are never read from the config file");
    cli.env.clear();
    cli.env.put("HUBSPOT_REFRESH_TOKEN", REFRESH);
    assertBadConfig(cli.run("sync", "--config", config("")), "HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET are not set");
    assertThat(hubspot.stats().totalCalls()).isZero();
  }

  private static void assertBadConfig(CliHarness.Run run, String... parts) {
    assertThat(run.exit()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains(parts);
    assertNoSecret(run);
  }
}
