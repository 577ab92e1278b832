package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.snowflake.standin.SnowflakeStandIn;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sink.type: snowflake}: the CLI syncs FakeHubSpot into the local Snowflake stand-in, the password from the environment. */
class SnowflakeCliTest {
  @TempDir
  Path dir;
  private FakeHubSpot hubspot;
  private SnowflakeStandIn standIn;
  private CliHarness cli;

  @BeforeEach
  void start() {
    PortalClock clock = PortalClock.fixed(SyncCommandTest.T0);
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(60).companies(5).deals(10).tickets(0).calls(0)
        .subscriptions(0).privateAppToken(SyncCommandTest.TOKEN).clock(clock).sleeper(clock::advance).build());
    standIn = SnowflakeStandIn.start();
    standIn.requirePassword("s3cret-from-env");
    cli = new CliHarness(hubspot, dir);
    cli.env.put("SNOWFLAKE_PASSWORD", "s3cret-from-env");
  }

  @AfterEach
  void stop() {
    hubspot.close();
    standIn.close();
  }

  @Test
  void theExampleConfigLoadsWithTheKeyPairAndThePassphraseFromTheEnvironment() {
    SyncConfig config = SyncConfig.load(Path.of("..", "examples", "snowflake", "sync.yaml"),
        Map.of("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", "from-env"));

    SyncConfig.Sink sink = config.sink();
    assertThat(sink.type()).isEqualTo("snowflake");
    assertThat(sink.user()).isEqualTo("HUBSPOT_SYNC");
    assertThat(sink.password()).isNull();
    assertThat(sink.schema()).isEqualTo("HUBSPOT");
    assertThat(sink.snowflake()).isEqualTo(new SyncConfig.Snowflake("myorg-myaccount", null, "HUBSPOT_LOADING",
        "ANALYTICS", "HUBSPOT_LOADER", Path.of("/secrets/hubspot_sync_rsa_key.p8"), "from-env"));
    assertThat(sink.toString() + sink.snowflake()).doesNotContain("from-env");
  }

  @Test
  void syncIntoSnowflakeWithThePasswordFromTheEnvironment() {
    String config = cli.config("snowflake.yaml", String.join("\n",
        "portal: {baseUrl: BASE_URL}",
        "objects: [contacts]",
        "sink:",
        "  type: snowflake",
        "  endpoint: " + standIn.endpoint(),
        "  account: standin",
        "  user: HUBSPOT_SYNC",
        "  warehouse: LOADING",
        "  database: ANALYTICS",
        "  schema: HUBSPOT",
        "sync: {indexLag: 30s, overlap: 1m}",
        ""));

    CliHarness.Run run = cli.run("sync", "--config", config);

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out() + run.err()).doesNotContain("s3cret-from-env");
    assertThat(standIn.query("SELECT count(*) AS n FROM \"HUBSPOT\".\"contacts\"")).containsExactly(
        Map.of("n", (long) hubspot.portal().ids("contacts").size()));
    assertThat(standIn.logins()).allSatisfy(login -> assertThat(login.path("data").path("CLIENT_ENVIRONMENT")
        .path("PLATFORM").toString()).isEqualTo("[\"disabled\"]"));
  }
}
