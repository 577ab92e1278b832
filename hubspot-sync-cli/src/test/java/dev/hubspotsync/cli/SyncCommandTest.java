package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sync} against FakeHubSpot over HTTP: each exit code produced for real, and stdout is one JSON line. */
class SyncCommandTest {
  static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  static final String TOKEN = "pat-na1-0c5e7a1d-secret-token";
  static final String CONFIG = String.join("\n",
      "portal:",
      "  baseUrl: BASE_URL",
      "objects: [contacts, companies, deals]",
      "associations: [contacts->companies, {from: deals, to: contacts}]",
      "sink:",
      "  type: duckdb",
      "  file: warehouse.duckdb",
      "sync:",
      "  indexLag: 30s",
      "  overlap: 1m",
      "");

  @TempDir
  Path dir;
  FakeHubSpot hubspot;
  CliHarness cli;
  SharedSink sink;

  @BeforeEach
  void start() {
    start(PortalSpec.builder().contacts(400).companies(50).deals(80).tickets(0).calls(0).subscriptions(0));
  }

  void start(PortalSpec.Builder spec) {
    if (hubspot != null) {
      hubspot.close();
    }
    PortalClock clock = PortalClock.fixed(T0);
    hubspot = FakeHubSpot.start(spec.privateAppToken(TOKEN).clock(clock).sleeper(clock::advance).build());
    cli = new CliHarness(hubspot, dir);
    sink = new SharedSink(InMemorySink.create());
    cli.sinks = s -> sink;
  }

  @AfterEach
  void stop() {
    hubspot.close();
  }

  @Test
  void aSuccessfulRunExitsZeroAndPrintsItsReportAsOneJsonLine() {
    CliHarness.Run run = cli.run("sync", "--config", cli.config("sync.yaml", CONFIG));

    assertThat(run.exit()).as(run.toString()).isZero();
    JsonNode report = run.json();
    PortalSnapshot truth = hubspot.snapshot();
    assertThat(report.get("exitCode").asInt()).isZero();
    assertThat(report.get("outcome").asText()).isEqualTo("succeeded");
    assertThat(report.has("resumeAt")).isFalse();
    assertThat(Instant.parse(report.get("startedAt").asText())).isEqualTo(T0);
    for (JsonNode stream : report.get("streams")) {
      String type = stream.get("objectType").asText();
      assertThat(stream.get("mode").asText()).isEqualTo("backfill");
      assertThat(stream.get("rowsWritten").asLong()).as(type).isEqualTo(truth.live(type).size());
    }
    assertThat(report.get("streams")).hasSize(3);
    JsonNode pair = report.get("associations").get(0);
    assertThat(pair.get("pair").asText()).isEqualTo("contacts_to_companies");
    assertThat(pair.get("linksStored").asLong()).isEqualTo(truth.associations("contacts", "companies").size());
    assertThat(Instant.parse(pair.get("lastFullScanAt").asText())).as("the first run's scan completed")
        .isBetween(T0, Instant.parse(report.get("finishedAt").asText()));
    assertThat(pair.get("backstop").isNull()).as("no backstop scan yet").isTrue();
    assertThat(report.get("calls").get("SEARCH").asLong()).isPositive();
    assertThat(run.err()).contains("run " + report.get("runId").asText() + " succeeded")
        .contains("contacts_to_companies");
    assertNoSecret(run);
  }

  @Test
  void theDefaultRunSpeaksOnly2026_09AndApiVersionLegacySpeaksV3AndV4() {
    hubspot.resetStats();
    assertThat(cli.run("sync", "--config", cli.config("sync.yaml", CONFIG)).exit()).isZero();
    assertThat(hubspot.stats().versions().keySet()).isEqualTo(Set.of("2026-09"));

    hubspot.resetStats();
    SharedSink fresh = new SharedSink(InMemorySink.create()); // a backfill again, association scans included
    cli.sinks = s -> fresh;
    CliHarness.Run legacy = cli.run("sync", "--config", cli.config("legacy.yaml",
        CONFIG.replace("  baseUrl: BASE_URL", "  baseUrl: BASE_URL\n  apiVersion: legacy")));

    assertThat(legacy.exit()).as(legacy.toString()).isZero();
    assertThat(hubspot.stats().versions().keySet()).isEqualTo(Set.of("v3", "v4"));
  }

  @Test
  void theSecondRunIsIncrementalAndReadsOnlyWhatChanged() {
    String config = cli.config("sync.yaml", CONFIG);
    assertThat(cli.run("sync", "--config", config).exit()).isZero();
    long id = hubspot.portal().ids("contacts").get(7);
    hubspot.portal().update("contacts", id, java.util.Map.of("firstname", "Ada"));
    hubspot.clock().advance(java.time.Duration.ofMinutes(5));

    CliHarness.Run run = cli.run("sync", "--config", config);

    assertThat(run.exit()).as(run.toString()).isZero();
    JsonNode contacts = run.json().get("streams").get(0);
    assertThat(contacts.get("mode").asText()).isEqualTo("incremental");
    assertThat(contacts.get("rowsRead").asLong()).isEqualTo(1);
  }

  @Test
  void aRejectedTokenExitsThreeWithoutShowingIt() {
    cli.env.put("HUBSPOT_ACCESS_TOKEN", "pat-na1-wrong-9f8e7d6c-secret");

    CliHarness.Run run = cli.run("sync", "--config", cli.config("sync.yaml", CONFIG));

    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    assertThat(run.json().get("exitCode").asInt()).isEqualTo(3);
    assertThat(run.json().get("error").get("code").asText()).isEqualTo("INVALID_AUTHENTICATION");
    assertThat(run.err()).contains("authentication failed");
    assertThat(run.out() + run.err()).doesNotContain("pat-na1-wrong-9f8e7d6c-secret");
  }

  @Test
  void missingScopesExitThree() {
    hubspot.addPrivateAppToken("pat-na1-limited-secret", Set.of("crm.objects.companies.read", "crm.schemas.companies.read"));
    cli.env.put("HUBSPOT_ACCESS_TOKEN", "pat-na1-limited-secret");

    CliHarness.Run run = cli.run("sync", "--config", cli.config("sync.yaml", CONFIG));

    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    assertThat(run.json().get("error").get("code").asText()).isEqualTo("MISSING_SCOPES");
    assertThat(run.json().get("error").get("message").asText()).contains("crm.objects.contacts.read");
    assertThat(run.out() + run.err()).doesNotContain("pat-na1-limited-secret");
  }

  @Test
  void hubSpotServerErrorsExitSixtyNineAsRetryable() {
    hubspot.faults().everywhere().serverErrors(1.0);

    CliHarness.Run run = cli.run("sync", "--config", cli.config("sync.yaml", CONFIG));

    assertThat(run.exit()).as(run.toString()).isEqualTo(69);
    JsonNode json = run.json();
    assertThat(json.get("error").get("code").asText()).isEqualTo("HUBSPOT_UNAVAILABLE");
    assertThat(json.get("error").get("retryable").asBoolean()).isTrue();
    assertThat(run.err()).contains("temporary failure, retry later");
    assertNoSecret(run);
  }

  @Test
  void theDailyBudgetStopsTheRunWithSeventyFiveAndSaysWhenToResume() {
    start(PortalSpec.builder().contacts(6_000).companies(0).deals(0).tickets(0).calls(0).subscriptions(0).dailyLimit(40));
    String config = cli.config("sync.yaml", CONFIG.replace("[contacts, companies, deals]", "[contacts]")
        .replace("associations: [contacts->companies, {from: deals, to: contacts}]\n", ""));

    CliHarness.Run run = cli.run("sync", "--config", config);

    assertThat(run.exit()).as(run.toString()).isEqualTo(75);
    JsonNode json = run.json();
    Instant resumeAt = Instant.parse(json.get("resumeAt").asText());
    assertThat(resumeAt).isEqualTo(Instant.parse("2026-11-03T00:00:00Z")); // the portal's midnight (UTC)
    assertThat(json.get("outcome").asText()).isEqualTo("RATE_BUDGET_EXHAUSTED");
    assertThat(run.err()).contains("resume at " + resumeAt);
    // What was read before the stop is kept: the next run resumes from the checkpoint.
    assertThat(sink.checkpoint("contacts")).isPresent();
  }

  @Test
  void aWarehouseFailureExitsOneWhenItWouldFailAgainAndSixtyNineWhenTransient() {
    String config = cli.config("sync.yaml", CONFIG);
    sink.failWrites(new WarehouseException("The warehouse rejected a row of table contacts", "22001", false, null));
    CliHarness.Run permanent = cli.run("sync", "--config", config);
    assertThat(permanent.exit()).as(permanent.toString()).isEqualTo(1);
    assertThat(permanent.json().get("error").get("code").asText()).isEqualTo("WAREHOUSE_FAILED");

    sink.failWrites(new WarehouseException("Deadlock writing table contacts", "40P01", true, null));
    CliHarness.Run transient_ = cli.run("sync", "--config", config);
    assertThat(transient_.exit()).as(transient_.toString()).isEqualTo(69);
    assertThat(transient_.json().get("outcome").asText()).isEqualTo("WAREHOUSE_FAILED");
  }

  @Test
  void progressLinesGoToStderrWithRateCallsAndBudget() {
    String config = cli.config("sync.yaml", CONFIG.replace("  overlap: 1m", "  overlap: 1m\n  progressEvery: 0s"));

    CliHarness.Run run = cli.run("sync", "--config", config);

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.err()).containsPattern("(?m)^progress: .*contacts backfill [0-9,]+/400 \\d+% [0-9,]+/s")
        .contains(" calls").contains("budget left");
    assertThat(run.outLines()).hasSize(1);
  }

  @Test
  void onATerminalProgressIsOneBarRedrawnInPlace() {
    cli.terminal = true;
    hubspot.faults().everywhere().latency(java.time.Duration.ofMillis(300)); // virtual: the redraw interval passes

    CliHarness.Run run = cli.run("sync", "--config", cli.config("sync.yaml", CONFIG));

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.err()).contains("\r[").contains("\u001b[K").doesNotContain("progress: ");
  }

  private static void assertNoSecret(CliHarness.Run run) {
    assertThat(run.out()).doesNotContain(TOKEN);
    assertThat(run.err()).doesNotContain(TOKEN);
  }
}
