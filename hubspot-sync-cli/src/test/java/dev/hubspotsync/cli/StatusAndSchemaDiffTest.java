package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status} and {@code schema-diff}: read the warehouse and the portal, change nothing. */
class StatusAndSchemaDiffTest {
  @TempDir
  Path dir;
  FakeHubSpot hubspot;
  CliHarness cli;
  InMemorySink warehouse;
  String config;

  @BeforeEach
  void start() {
    start(spec -> {});
  }

  void start(java.util.function.Consumer<PortalSpec.Builder> change) {
    if (hubspot != null) {
      hubspot.close();
    }
    PortalClock clock = PortalClock.fixed(SyncCommandTest.T0);
    PortalSpec.Builder spec = PortalSpec.builder().contacts(300).companies(40).deals(60).tickets(0).calls(0)
        .subscriptions(0).clock(clock).sleeper(clock::advance);
    change.accept(spec);
    hubspot = FakeHubSpot.start(spec.build());
    cli = new CliHarness(hubspot, dir);
    warehouse = InMemorySink.create();
    SharedSink sink = new SharedSink(warehouse);
    cli.sinks = s -> sink;
    config = cli.config("sync.yaml", SyncCommandTest.CONFIG);
  }

  @AfterEach
  void stop() {
    hubspot.close();
  }

  @Test
  void beforeAnyRunEveryStreamIsNeverRun() {
    CliHarness.Run run = cli.run("status", "--config", config);

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).containsPattern("(?m)^contacts +never run")
        .containsPattern("(?m)^deals_to_contacts +never run").contains("last run: none recorded");
    assertThat(hubspot.stats().totalCalls()).as("status alone asks HubSpot nothing").isZero();
  }

  @Test
  void afterASyncStatusShowsIncrementalModeAndTheLastRun() {
    CliHarness.Run sync = cli.run("sync", "--config", config);
    assertThat(sync.exit()).as(sync.toString()).isZero();
    String runId = sync.json().get("runId").asText();

    CliHarness.Run table = cli.run("status", "--config", config);
    assertThat(table.exit()).as(table.toString()).isZero();
    assertThat(table.out()).containsPattern("(?m)^contacts +incremental +modified since 2026-11-0")
        .containsPattern("(?m)^contacts_to_companies +incremental")
        .contains("last run: " + runId).contains("succeeded").contains("budget used today");

    CliHarness.Run json = cli.run("status", "--config", config, "--json", "--live");
    assertThat(json.exit()).as(json.toString()).isZero();
    JsonNode status = json.json();
    assertThat(status.get("streams")).hasSize(5);
    assertThat(status.get("streams").get(0).get("mode").asText()).isEqualTo("incremental");
    assertThat(status.get("streams").get(0).get("checkpoint").get("cursor").asLong()).isPositive();
    assertThat(status.get("lastRun").get("runId").asText()).isEqualTo(runId);
    assertThat(status.get("lastRun").get("rowsWritten").asLong()).isEqualTo(300 + 40 + 60);
    JsonNode pair = status.get("lastRun").get("associations").get(0);
    assertThat(pair.get("pair").asText()).isEqualTo("contacts_to_companies");
    assertThat(pair.get("lastFullScanAt").asText()).as("when the first scan began").startsWith("2026-11-0");
    assertThat(pair.get("backstop").isNull()).as("no backstop scan yet").isTrue();
    assertThat(status.get("budget").get("usedToday").asLong()).isEqualTo(sync.json().get("budgetUsedToday").asLong());
    assertThat(status.get("live").get("usedToday").asLong()).isPositive();
    assertThat(status.get("live").get("dailyLimit").asLong()).isEqualTo(625_000);
  }

  @Test
  void aBackfillStoppedByTheBudgetShowsAsInProgress() {
    start(spec -> spec.contacts(2_000).dailyLimit(8)); // a budget of 4 calls: properties, a count, a page or two
    config = cli.config("contacts.yaml", "portal: {baseUrl: BASE_URL}\nobjects: [contacts]\n");
    CliHarness.Run sync = cli.run("sync", "--config", config);
    assertThat(sync.exit()).as(sync.toString()).isEqualTo(75);

    CliHarness.Run run = cli.run("status", "--config", config);

    assertThat(run.out()).containsPattern("(?m)^contacts +backfill in progress +ids above \\d+")
        .contains("RATE_BUDGET_EXHAUSTED");
  }

  @Test
  void schemaDiffShowsANewPortalPropertyAndChangesNothing() {
    assertThat(cli.run("sync", "--config", config).exit()).isZero();
    hubspot.portal().addProperty("contacts", "favorite_snack", "Favorite snack", "string", "text");
    hubspot.portal().archiveProperty("contacts", "favorite_color");
    List<ColumnMapping> before = warehouse.describe("contacts");

    CliHarness.Run text = cli.run("schema-diff", "--config", config);
    CliHarness.Run json = cli.run("schema-diff", "--config", config, "--json");

    assertThat(text.exit()).as(text.toString()).isZero();
    assertThat(text.out()).contains("contacts: added favorite_snack (TEXT)")
        .contains("contacts: removed favorite_color (column kept)")
        .contains("    add column favorite_snack TEXT to contacts")
        .contains("companies: no schema changes")
        .contains("2 schema change(s). Nothing was changed");
    assertThat(warehouse.describe("contacts")).isEqualTo(before);
    JsonNode contacts = json.json().get("objectTypes").get(0);
    assertThat(contacts.get("added").get(0).get("property").asText()).isEqualTo("favorite_snack");
    assertThat(contacts.get("statements")).hasSize(1);
    assertThat(json.json().get("changes").asInt()).isEqualTo(2);
  }

  @Test
  void schemaDiffOnAnEmptyWarehouseSaysEachTableIsNew() {
    CliHarness.Run run = cli.run("schema-diff", "--config", config);

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).containsPattern("contacts: no table yet; the next sync creates it with \\d+ property columns")
        .contains("create table for contacts");
    assertThat(warehouse.tables()).isEmpty();
  }

  @Test
  void withARealDuckDbFileStatusAndSchemaDiffReadWithoutCreatingAnything() {
    cli.sinks = Sinks::open;
    Path file = dir.resolve("warehouse.duckdb");

    assertThat(cli.run("status", "--config", config).out()).containsPattern("(?m)^contacts +never run");
    assertThat(cli.run("schema-diff", "--config", config).out()).contains("contacts: no table yet");
    assertThat(file).doesNotExist();

    CliHarness.Run sync = cli.run("sync", "--config", config);
    assertThat(sync.exit()).as(sync.toString()).isZero();
    hubspot.portal().addProperty("deals", "renewal_owner", "Renewal owner", "string", "text");
    List<ColumnMapping> before = describe(file, "deals");

    CliHarness.Run diff = cli.run("schema-diff", "--config", config);

    assertThat(diff.out()).contains("deals: added renewal_owner (TEXT)").contains("ADD COLUMN \"renewal_owner\"");
    assertThat(describe(file, "deals")).isEqualTo(before).noneMatch(c -> c.property().equals("renewal_owner"));
    assertThat(cli.run("status", "--config", config).out()).containsPattern("(?m)^deals +incremental")
        .contains("last run: " + sync.json().get("runId").asText());
  }

  @Test
  void schemaDiffListsTheConversionOfALegacyDecimalColumnAndTheSyncMakesIt() {
    cli.sinks = Sinks::open;
    Path file = dir.resolve("warehouse.duckdb");
    List<ColumnMapping> legacy = List.of(new ColumnMapping("amount", "amount", ColumnType.DECIMAL));
    try (var sink = dev.hubspotsync.duckdb.DuckDbSink.builder().file(file).build()) {
      sink.evolve("deals", legacy); // as an earlier version made number columns
    }

    CliHarness.Run diff = cli.run("schema-diff", "--config", config);

    assertThat(diff.exit()).as(diff.toString()).isZero();
    assertThat(diff.out()).contains("deals: amount converted from DECIMAL to DOUBLE")
        .contains("ALTER COLUMN \"amount\" TYPE DOUBLE");
    assertThat(describe(file, "deals")).isEqualTo(legacy);

    CliHarness.Run sync = cli.run("sync", "--config", config);

    assertThat(sync.exit()).as(sync.toString()).isZero();
    assertThat(describe(file, "deals")).startsWith(new ColumnMapping("amount", "amount", ColumnType.DOUBLE));
    assertThat(cli.run("schema-diff", "--config", config).out()).doesNotContain("converted");
  }

  private static List<ColumnMapping> describe(Path file, String type) {
    try (var sink = dev.hubspotsync.duckdb.DuckDbSink.builder().file(file).build()) {
      return sink.describe(type);
    }
  }
}
