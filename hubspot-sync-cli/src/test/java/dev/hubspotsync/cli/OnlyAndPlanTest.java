package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plan} and {@code sync --only}: a config run in parts, as Airflow's mapped tasks run it; and {@code budget.workers}. */
class OnlyAndPlanTest {
  private static final String CONFIG = String.join("\n",
      "portal:",
      "  baseUrl: BASE_URL",
      "objects: [contacts, companies, deals]",
      "associations: [contacts->companies, {from: deals, to: contacts}]",
      "sink:",
      "  type: duckdb",
      "  file: warehouse.duckdb",
      "");

  @TempDir
  Path dir;
  FakeHubSpot hubspot;
  CliHarness cli;
  SharedSink sink;

  @BeforeEach
  void start() {
    PortalClock clock = PortalClock.fixed(Instant.parse("2026-11-02T09:00:00Z"));
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(120).companies(30).deals(40).tickets(0).calls(0)
        .subscriptions(0).clock(clock).sleeper(clock::advance).build());
    cli = new CliHarness(hubspot, dir);
    sink = new SharedSink(InMemorySink.create());
    cli.sinks = s -> sink;
  }

  @AfterEach
  void stop() {
    hubspot.close();
  }

  @Test
  void planPrintsTheStreamsAndTheArgumentsOfEachTask() {
    String config = cli.config("sync.yaml", CONFIG);
    CliHarness.Run run = cli.run("plan", "--config", config);

    assertThat(run.exit()).as(run.toString()).isZero();
    JsonNode plan = run.json();
    List<String> streams = new ArrayList<>();
    plan.get("streams").forEach(s -> streams.add(s.asText()));
    assertThat(streams).containsExactly("contacts", "companies", "deals", "contacts->companies", "deals->contacts");
    JsonNode pairTask = plan.get("tasks").get(3);
    assertThat(pairTask.get("kind").asText()).isEqualTo("association");
    assertThat(pairTask.get("args").toString())
        .isEqualTo("[\"sync\",\"--config\",\"" + config + "\",\"--only\",\"contacts->companies\"]");
    assertThat(hubspot.stats().totalCalls()).as("plan asks HubSpot nothing").isZero();
  }

  @Test
  void onlyRunsTheNamedStreamsAndAPairCanRunAlone() {
    String config = cli.config("sync.yaml", CONFIG);
    CliHarness.Run objects = cli.run("sync", "--config", config, "--only", "companies,deals");
    assertThat(objects.exit()).as(objects.toString()).isZero();
    List<String> synced = new ArrayList<>();
    objects.json().get("streams").forEach(s -> synced.add(s.get("objectType").asText()));
    assertThat(synced).containsExactly("companies", "deals");
    assertThat(objects.json().get("associations")).isEmpty();
    assertThat(objects.json().get("budgetShare").get("mode").asText()).isEqualTo("single");

    CliHarness.Run pair = cli.run("sync", "--config", config, "--only", "contacts->companies");
    assertThat(pair.exit()).as(pair.toString()).isZero();
    assertThat(pair.json().get("streams")).isEmpty();
    assertThat(pair.json().get("associations").get(0).get("linksStored").asLong())
        .isEqualTo(hubspot.snapshot().associations("contacts", "companies").size());
  }

  @Test
  void aStreamTheConfigDoesNotHaveIsABadCommandLine() {
    CliHarness.Run run = cli.run("sync", "--config", cli.config("sync.yaml", CONFIG), "--only", "contact,companies->deals");

    assertThat(run.exit()).isEqualTo(ExitCode.BAD_CONFIGURATION.code());
    assertThat(run.json().get("error").get("message").asText()).contains("--only")
        .contains("\"contact\" is not a stream of this config; did you mean contacts?")
        .contains("contacts, companies, deals, contacts->companies, deals->contacts");
    assertThat(hubspot.stats().totalCalls()).isZero();
  }

  @Test
  void workersSplitsTheBudgetStatically() {
    CliHarness.Run run = cli.run("sync", "--config", cli.config("sync.yaml", CONFIG + "budget:\n  workers: 4\n"),
        "--only", "contacts");

    assertThat(run.exit()).as(run.toString()).isZero();
    JsonNode share = run.json().get("budgetShare");
    assertThat(share.get("mode").asText()).isEqualTo("workers");
    assertThat(share.get("workers").asInt()).isEqualTo(4);
    assertThat(share.get("burstSlice").asInt()).as("a quarter of the portal's 190 less the headroom").isEqualTo(47);
    assertThat(run.err()).contains("budget split 4 ways: this process 47 burst calls per 10 s");
  }

  @Test
  void sharedNeedsAPostgresStoreAndExcludesWorkers() {
    CliHarness.Run both = cli.run("sync", "--config",
        cli.config("both.yaml", CONFIG + "budget:\n  shared: sink\n  workers: 2\n"));
    assertThat(both.exit()).isEqualTo(ExitCode.BAD_CONFIGURATION.code());
    assertThat(both.json().get("error").get("message").asText()).contains("budget.workers").contains("Keep one of the two");

    CliHarness.Run duck = cli.run("sync", "--config", cli.config("duck.yaml", CONFIG + "budget:\n  shared: sink\n"));
    assertThat(duck.exit()).isEqualTo(ExitCode.BAD_CONFIGURATION.code());
    assertThat(duck.json().get("error").get("message").asText()).contains("budget.shared")
        .contains("the sink is duckdb, not PostgreSQL");

    CliHarness.Run lonely = cli.run("sync", "--config", cli.config("ttl.yaml", CONFIG + "budget:\n  leaseTtl: 30s\n"));
    assertThat(lonely.exit()).isEqualTo(ExitCode.BAD_CONFIGURATION.code());
    assertThat(lonely.json().get("error").get("message").asText()).contains("budget.leaseTtl")
        .contains("applies to a shared budget only");
  }
}
