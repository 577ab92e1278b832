package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad config exits 2 with a message naming the file and the key; a good one maps to the builders. */
class ConfigErrorsTest {
  @TempDir
  Path dir;
  FakeHubSpot hubspot;
  CliHarness cli;

  @BeforeEach
  void start() {
    PortalClock clock = PortalClock.fixed(SyncCommandTest.T0);
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(50).companies(5).deals(5).tickets(0).calls(0)
        .subscriptions(3).clock(clock).sleeper(clock::advance).build());
    cli = new CliHarness(hubspot, dir);
    SharedSink sink = new SharedSink(InMemorySink.create());
    cli.sinks = s -> sink;
  }

  @AfterEach
  void stop() {
    hubspot.close();
  }

  private CliHarness.Run sync(String yaml) {
    return cli.run("sync", "--config", cli.config("bad.yaml", "portal: {baseUrl: BASE_URL}\n" + yaml));
  }

  private static void assertConfigError(CliHarness.Run run, String... fragments) {
    assertThat(run.exit()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).as(run.toString()).contains("bad.yaml").contains(fragments);
    assertThat(run.json().get("exitCode").asInt()).isEqualTo(2);
    assertThat(run.json().get("error").get("code").asText()).isEqualTo("BAD_CONFIGURATION");
  }

  @Test
  void anUnknownKeySuggestsTheClosestOne() {
    assertConfigError(sync("objects: [contacts]\nsync: {overlapp: 5m}\n"),
        "sync.overlapp: unknown key; did you mean 'sync.overlap'?", "allowed here: overlap, indexLag");
    assertConfigError(sync("objects: [contacts]\nbudgett: {dailyShare: 0.5}\n"), "budgett: unknown key; did you mean 'budget'?");
  }

  @Test
  void aValueOfTheWrongTypeNamesKeyAndWhatIsAllowed() {
    assertConfigError(sync("objects: [contacts]\nbudget: {dailyShare: lots}\n"),
        "budget.dailyShare: expected a number in (0, 1], got \"lots\"");
    assertConfigError(sync("objects: [contacts]\nbudget: {dailyShare: 1.5}\n"), "budget.dailyShare: must be a number in (0, 1]");
    assertConfigError(sync("objects: [contacts]\nsync: {concurrency: [4]}\n"), "sync.concurrency: expected a text value, got a list");
    assertConfigError(sync("objects: {contacts: yes}\n"), "objects: expected a list, got a map");
    assertConfigError(sync("objects: [contacts]\nsync: {backfillMethod: fastest}\n"),
        "sync.backfillMethod: expected auto, search or list, got \"fastest\"");
    assertConfigError(sync("objects: [contacts]\nbudget: {timeZone: Mars/Olympus}\n"), "budget.timeZone: unknown time zone");
  }

  @Test
  void anUnknownApiVersionNamesTheOnesSpoken() {
    CliHarness.Run run = cli.run("sync", "--config", cli.config("bad.yaml",
        "portal: {baseUrl: BASE_URL, apiVersion: v4}\nobjects: [contacts]\n"));

    assertConfigError(run, "portal.apiVersion", "\"v4\" is not one this version speaks; use 2026-09", "or legacy");
  }

  @Test
  void aBadDurationShowsTheAcceptedForms() {
    assertConfigError(sync("objects: [contacts]\nsync: {overlap: five minutes}\n"),
        "sync.overlap: expected a duration such as 90s, 5m, 1h, 1d, 1h30m or ISO-8601 PT5M, got \"five minutes\"");
  }

  @Test
  void aMissingEnvironmentVariableIsNamedWithItsKey() {
    assertConfigError(sync("objects: [contacts]\nsink: {type: postgres, url: 'jdbc:postgresql://127.0.0.1/db', password: '${PG_SECRET}'}\n"),
        "sink.password: the environment variable PG_SECRET named by ${PG_SECRET} is not set");
  }

  @Test
  void missingCredentialsNameTheVariablesToSet() {
    cli.env.remove("HUBSPOT_ACCESS_TOKEN");
    CliHarness.Run run = sync("objects: [contacts]\n");
    assertConfigError(run, "HUBSPOT_ACCESS_TOKEN", "HUBSPOT_CLIENT_ID");
  }

  @Test
  void anUnknownObjectTypeIsCaughtBeforeTheRunWithTheClosestName() {
    CliHarness.Run run = sync("objects: [contacts, subscriptionz]\n");
    assertConfigError(run, "objects[1]: unknown object type \"subscriptionz\"; did you mean subscriptions?");
    assertThat(hubspot.stats().calls(dev.hubspotsync.testkit.Endpoint.LIST)
        + hubspot.stats().calls(dev.hubspotsync.testkit.Endpoint.SEARCH)).as("no records read").isZero();
  }

  @Test
  void aCustomObjectThePortalHasPasses() {
    CliHarness.Run run = sync("objects: [subscriptions]\n");
    assertThat(run.exit()).as(run.toString()).isZero();
  }

  @Test
  void anUnknownSinkTypeOrBigQueryWithoutProjectOrDataset() {
    assertConfigError(sync("objects: [contacts]\nsink: {type: bigquery}\n"),
        "sink.project: missing; type bigquery needs project:");
    assertConfigError(sync("objects: [contacts]\nsink: {type: bigquery, project: p}\n"),
        "sink.dataset: missing; type bigquery needs dataset:");
    assertConfigError(sync("objects: [contacts]\nsink: {type: bigquery, project: p, dataset: d, url: x}\n"),
        "sink.url: is not a bigquery setting");
    assertConfigError(sync("objects: [contacts]\nsink: {type: duckdb, coalesceRows: 5}\n"),
        "sink.coalesceRows: is for types bigquery and snowflake");
    assertConfigError(sync("objects: [contacts]\nsink: {type: duckbd}\n"), "sink.type: unknown sink type \"duckbd\"; did you mean duckdb?");
  }

  @Test
  void aSnowflakeSinkTakesNoSecretFromTheFileAndNamesWhatIsMissing() {
    assertConfigError(sync("objects: [contacts]\nsink: {type: snowflake, account: xy12345, user: U, database: D, "
        + "password: hunter2}\n"), "sink.password: secrets are never read from the config file; set the environment "
        + "variable SNOWFLAKE_PASSWORD");
    assertConfigError(sync("objects: [contacts]\nsink: {type: snowflake, user: U, database: D}\n"),
        "sink.account: missing; type snowflake needs account:");
    assertConfigError(sync("objects: [contacts]\nsink: {type: snowflake, account: xy12345, user: U, database: D}\n"),
        "sink.privateKeyFile: missing, and SNOWFLAKE_PASSWORD is not set");
    assertConfigError(sync("objects: [contacts]\nsink: {type: duckdb, warehouse: W}\n"),
        "sink.warehouse: is for type snowflake");
  }

  @Test
  void aKeyOfTheOtherSinkTypeIsRefused() {
    assertConfigError(sync("objects: [contacts]\nsink: {type: duckdb, url: 'jdbc:postgresql://x/y'}\n"),
        "sink.url: is for type postgres");
  }

  @Test
  void aMissingFileIsNamed() {
    CliHarness.Run run = cli.run("sync", "--config", dir.resolve("nowhere.yaml").toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("nowhere.yaml").contains("file: the config file does not exist");
  }

  @Test
  void unreadableYamlNamesLineAndColumn() {
    assertConfigError(sync("objects: [contacts\nsink: {type: duckdb}\n"), "bad.yaml: line ", "not valid YAML");
  }

  @Test
  void aBadCommandLineExitsTwo() {
    CliHarness.Run run = cli.run("sync", "--config", "x.yaml", "--verbose");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--verbose'");
    assertThat(cli.run("sync").err()).contains("Missing required option: '--config=FILE'");
    assertThat(cli.run("frobnicate").exit()).isEqualTo(2);
    assertThat(cli.run().exit()).isEqualTo(2);
    assertThat(cli.run("--help").exit()).isZero();
  }

  @Test
  void everyKeyOfAFullConfigReachesItsSetting() {
    cli.env.put("PGPASSWORD", "s3cret-pg-password");
    String yaml = String.join("\n",
        "portal: {baseUrl: 'https://api.hubapi.com/'}",
        "objects: [contacts, companies, deals]",
        "properties: { contacts: [email, firstname] }",
        "associations: [contacts->companies, 'deals -> contacts', {from: companies, to: deals}]",
        "sink:",
        "  type: postgres",
        "  url: jdbc:postgresql://127.0.0.1:5432/warehouse",
        "  user: loader",
        "  password: ${PGPASSWORD}",
        "  schema: hubspot",
        "  tablePrefix: hs_",
        "budget: { dailyShare: 0.5, dailyCeiling: 200000, burstLimit: 150, burstHeadroom: 10, searchPerSecond: 4, timeZone: America/New_York }",
        "sync: { overlap: 5m, indexLag: 1m, archivedPassEvery: 1h, reconcileEvery: P7D, associationFullScanEvery: 1d,",
        "  associationBackstopEvery: 14d, associationBatchSize: 500,",
        "  concurrency: 4, backfillMethod: search, progressEvery: 10s, listPageSize: 100, searchPageSize: 200, memoryLimitMb: 256 }",
        "");
    SyncConfig yamlConfig = SyncConfig.load(Path.of(cli.config("full.yaml", yaml)), cli.env);
    SyncConfig c = SyncConfig.load(Path.of(cli.config("full.json", toJson(yaml))), cli.env);

    assertThat(c.baseUrl()).isEqualTo("https://api.hubapi.com/");
    assertThat(c.objects()).containsExactly("contacts", "companies", "deals");
    assertThat(c.properties()).isEqualTo(Map.of("contacts", List.of("email", "firstname")));
    assertThat(c.associations()).containsExactly(new SyncConfig.Pair("contacts", "companies"),
        new SyncConfig.Pair("deals", "contacts"), new SyncConfig.Pair("companies", "deals"));
    assertThat(c.sink()).isEqualTo(new SyncConfig.Sink("postgres", null, "jdbc:postgresql://127.0.0.1:5432/warehouse",
        "loader", "s3cret-pg-password", "hubspot", "hs_"));
    assertThat(c.sink().toString()).doesNotContain("s3cret");
    assertThat(c.budget()).isEqualTo(new SyncConfig.Budget(0.5, 200_000L, 150, 10, 4, ZoneId.of("America/New_York"), null,
        null, null, null, null));
    assertThat(c.sync()).isEqualTo(new SyncConfig.Tuning(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofHours(1),
        Duration.ofDays(7), Duration.ofDays(1), Duration.ofDays(14), 500, 4, BackfillMethod.SEARCH, Duration.ofSeconds(10), 100, 200, 256L << 20, null));
    assertThat(yamlConfig.sink()).isEqualTo(c.sink());
    assertThat(yamlConfig.budget()).isEqualTo(c.budget());
    assertThat(yamlConfig.sync()).isEqualTo(c.sync());
    assertThat(yamlConfig.associations()).isEqualTo(c.associations());
  }

  @Test
  void durationsTakeShortFormsAndIso() {
    assertThat(ConfigNode.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(ConfigNode.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(ConfigNode.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(ConfigNode.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(ConfigNode.parseDuration("PT5M")).isEqualTo(Duration.ofMinutes(5));
    assertThat(ConfigNode.parseDuration("P1D")).isEqualTo(Duration.ofDays(1));
    assertThat(ConfigNode.parseDuration("5 m")).isNull();
    assertThat(ConfigNode.parseDuration("-PT5M")).isNull();
    assertThat(ConfigNode.parseDuration("m")).isNull();
  }

  private static String toJson(String yaml) {
    try {
      return Json.MAPPER.writeValueAsString(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(yaml));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theJournalChangeSourceNeedsItsPortalId() {
    assertConfigError(sync("objects: [contacts]\nsync: {changeSource: journal}\n"),
        "sync.journalPortalId: is required with changeSource: journal");
    assertConfigError(sync("objects: [contacts]\nsync: {changeSource: webhooks}\n"),
        "sync.changeSource: expected polling or journal, got \"webhooks\"");
    assertConfigError(sync("objects: [contacts]\nsync: {journalPortalId: 42}\n"),
        "sync.journalPortalId: is set, but changeSource is not journal");
    SyncConfig c = SyncConfig.load(Path.of(cli.config("journal.yaml",
        "objects: [contacts]\nsink: {type: duckdb}\nsync: {changeSource: journal, journalPortalId: 4242}\n")), cli.env);
    assertThat(c.sync().changeSource()).isInstanceOfSatisfying(dev.hubspotsync.source.BuiltInSource.class, s -> {
      assertThat(s.name()).isEqualTo("journal");
      assertThat(s.portalId()).isEqualTo(4242);
    });
  }
}
