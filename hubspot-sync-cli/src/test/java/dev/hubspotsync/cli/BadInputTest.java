package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input end to end: the CLI's {@code sync} against FakeHubSpot over HTTP (through a
 * {@link TamperingProxy} where HubSpot itself must misbehave) into a real DuckDB file, read back with
 * SQL. Each test names the case of docs/bad-input.md it shows: a clean load, or a clear error naming
 * what to fix, with nothing already loaded lost and no token printed.
 */
class BadInputTest {
  static final Instant T0 = SyncCommandTest.T0;
  static final String TOKEN = "pat-na1-badinput-4d2e-secret-token";

  @TempDir
  Path dir;
  FakeHubSpot hubspot;
  CliHarness cli;
  Path file;
  TamperingProxy proxy;

  @BeforeEach
  void start() {
    startWithContacts(40);
  }

  void startWithContacts(int contacts) {
    start(PortalSpec.builder().contacts(contacts).companies(0).deals(0).tickets(0).calls(0).subscriptions(0));
  }

  void start(PortalSpec.Builder spec) {
    stop();
    PortalClock clock = PortalClock.fixed(T0);
    hubspot = FakeHubSpot.start(spec.privateAppToken(TOKEN).clock(clock).sleeper(clock::advance).build());
    cli = new CliHarness(hubspot, dir);
    file = dir.resolve("warehouse.duckdb");
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
      proxy = null;
    }
    if (hubspot != null) {
      hubspot.close();
      hubspot = null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Property names

  @Test
  void sqlKeywordsAndQuotesInPropertyNamesAreColumnsNotCode() {
    Map<String, String> columns = loadProperties(List.of("select", "from", "\"; drop table contacts; --",
        "'; delete from _hubspot_sync_state; --", "it's a \"quoted\" `name`"));

    assertThat(columns).containsEntry("select", "select").containsEntry("from", "from")
        .containsEntry("\"; drop table contacts; --", "_drop_table_contacts_");
    assertThat(count("contacts")).as("the contacts table is still there, whole").isEqualTo(40);
    assertThat(query("SELECT count(*) AS n FROM _hubspot_sync_state").get(0).get("n")).isEqualTo(1L);
  }

  @Test
  void aThreeHundredCharacterNameIsCutToTheWarehousesLength() {
    String longName = "very_long_property_".repeat(16).substring(0, 297) + "end";
    String twin = "very_long_property_".repeat(16).substring(0, 297) + "fin";

    Map<String, String> columns = loadProperties(List.of(longName, twin));

    assertThat(longName).hasSize(300);
    int max = 255; // DuckDB's identifier length; PostgreSQL's 63 is ColumnNamerTest's
    assertThat(columns.get(longName)).hasSizeLessThan(300).hasSizeLessThanOrEqualTo(max)
        .startsWith("very_long_property_");
    assertThat(columns.get(twin)).hasSizeLessThanOrEqualTo(max).isNotEqualTo(columns.get(longName));
  }

  @Test
  void unicodeNamesBecomeAsciiColumns() {
    Map<String, String> columns = loadProperties(List.of("Größe", "Café Crème", "名前", "emoji 🚀"));

    assertThat(columns).containsEntry("Größe", "grosse").containsEntry("Café Crème", "cafe_creme")
        .containsEntry("名前", "_property").containsEntry("emoji 🚀", "emoji_");
  }

  @Test
  void namesCollidingAfterSanitizingGetSuffixesThatStayTheSameNextRun() {
    List<String> names = List.of("First Name", "first-name", "first name", "FIRST_NAME");

    Map<String, String> columns = loadProperties(names);

    // sorted by property name: "FIRST_NAME" < "First Name" < "first name" < "first-name"
    assertThat(columns).containsEntry("FIRST_NAME", "first_name").containsEntry("First Name", "first_name_2")
        .containsEntry("first name", "first_name_3").containsEntry("first-name", "first_name_4");
    hubspot.clock().advance(java.time.Duration.ofMinutes(5));
    CliHarness.Run again = sync(config("[contacts]", ""));
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.json().get("streams").get(0).get("drift")).as("no drift on the next run").isEmpty();
    assertThat(mapping("contacts")).containsAllEntriesOf(columns);
  }

  // ---------------------------------------------------------------------------------------------
  // Values

  @Test
  void aNulByteInTextIsStoredAndTheRowLoads() {
    Map<String, Object> row = loadValue("note", "string", "before\u0000after");

    assertThat(row.get("note")).isEqualTo("before\u0000after");
    assertThat(row.get("_hs_unparsed")).isNull();
  }

  @Test
  void aSeventyKilobyteStringLoadsWhole() {
    String big = "Zoë 名前 🚀 \"q\" 'x' ;\n".repeat(3_500);
    assertThat(big.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(70_000);

    Map<String, Object> row = loadValue("notes_huge", "string", big);

    assertThat(row.get("notes_huge")).isEqualTo(big);
  }

  @Test
  void abcInANumberIsNullWithTheRawTextKeptAndCounted() {
    Map<String, Object> row = loadValue("score", "number", "abc");

    assertThat(row.get("score")).isNull();
    assertThat(unparsed(row)).containsEntry("score", "abc");
    assertThat(lastReport.get("streams").get(0).get("unparsedValues").asLong()).isEqualTo(1);
  }

  @Test
  void anImpossibleDateIsNullWithTheRawTextKept() {
    Map<String, Object> row = loadValue("renewal", "date", "2024-02-30");

    assertThat(row.get("renewal")).isNull();
    assertThat(unparsed(row)).containsEntry("renewal", "2024-02-30");
  }

  @Test
  void epochMillisecondsInDateAndDatetimePropertiesLoadAsUtc() {
    Map<String, Object> dated = loadValue("signed_on", "date", "1705363199999"); // 2024-01-15T23:59:59.999Z
    assertThat(dated.get("signed_on_text")).isEqualTo("2024-01-15");

    Map<String, Object> stamped = loadValue("seen_at", "datetime", "1705314030123");
    assertThat(stamped.get("seen_at_ms")).isEqualTo(1_705_314_030_123L);
    assertThat(stamped.get("_hs_unparsed")).isNull();
  }

  @Test
  void theYear10000LoadsAsEpochMillisecondsAndIsKeptAsTextOtherwise() {
    long year10000 = Instant.parse("+10000-01-01T00:00:00Z").toEpochMilli();
    Map<String, Object> stamped = loadValue("far_future", "datetime", Long.toString(year10000));
    assertThat(stamped.get("far_future_ms")).isEqualTo(year10000);

    Map<String, Object> dated = loadValue("far_date", "date", "10000-01-01");
    assertThat(dated.get("far_date")).isNull();
    assertThat(unparsed(dated)).containsEntry("far_date", "10000-01-01");
  }

  // ---------------------------------------------------------------------------------------------
  // Portal contents

  @Test
  void anEmptyPortalLoadsEmptyTablesAndFinishes() {
    start(PortalSpec.builder().contacts(0).companies(0).deals(0).tickets(0).calls(0).subscriptions(0));

    CliHarness.Run run = sync(config("[contacts, companies]", ""));

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.json().get("outcome").asText()).isEqualTo("succeeded");
    assertThat(count("contacts")).isZero();
    assertThat(count("companies")).isZero();
    hubspot.clock().advance(java.time.Duration.ofMinutes(5));
    CliHarness.Run again = sync(config("[contacts, companies]", ""));
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.json().get("streams").get(0).get("mode").asText()).isEqualTo("incremental");
  }

  @Test
  void aPortalWithOnlyArchivedRecordsLoadsThemFlaggedArchived() {
    for (long id : hubspot.portal().ids("contacts")) {
      hubspot.portal().archive("contacts", id);
    }

    CliHarness.Run run = sync(config("[contacts]", ""));

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(query("SELECT count(*) AS n, count(*) FILTER (WHERE _hs_archived) AS archived FROM contacts").get(0))
        .containsEntry("n", 40L).containsEntry("archived", 40L);
  }

  // ---------------------------------------------------------------------------------------------
  // Configuration

  @Test
  void aTokenLackingAScopeNamesTheScopeAndKeepsWhatEarlierRunsLoaded() {
    start(PortalSpec.builder().contacts(40).companies(0).deals(12).tickets(0).calls(0).subscriptions(0));
    assertThat(sync(config("[contacts, deals]", "")).exit()).isZero();
    String limited = "pat-na1-limited-8b1f-secret";
    hubspot.addPrivateAppToken(limited, Set.of("crm.objects.contacts.read", "crm.schemas.contacts.read"));
    cli.env.put("HUBSPOT_ACCESS_TOKEN", limited);
    hubspot.clock().advance(java.time.Duration.ofMinutes(5));

    CliHarness.Run run = sync(config("[contacts, deals]", ""));

    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    JsonNode error = run.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("MISSING_SCOPES");
    assertThat(error.get("message").asText()).contains("crm.objects.deals.read").contains("Private Apps")
        .contains("deals");
    assertThat(run.out() + run.err()).doesNotContain(limited);
    assertThat(run.json().get("streams")).as("the stream the token can read still ran")
        .anySatisfy(stream -> assertThat(stream.get("objectType").asText()).isEqualTo("contacts"));
    assertThat(count("contacts")).isEqualTo(40);
    assertThat(count("deals")).isEqualTo(12);
  }

  @Test
  void aRotatedTokenExitsThreeNamesTheVariableAndKeepsWhatWasLoaded() {
    assertThat(sync(config("[contacts]", "")).exit()).isZero();
    cli.env.put("HUBSPOT_ACCESS_TOKEN", "pat-na1-rotated-0a9b-secret");

    CliHarness.Run run = sync(config("[contacts]", ""));

    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    assertThat(run.json().get("error").get("code").asText()).isEqualTo("INVALID_AUTHENTICATION");
    assertThat(run.json().get("error").get("message").asText()).contains("HUBSPOT_ACCESS_TOKEN");
    assertThat(run.out() + run.err()).doesNotContain("pat-na1-rotated-0a9b-secret");
    assertThat(count("contacts")).isEqualTo(40);
  }

  @Test
  void anUnreachablePortalIsATemporaryFailureThatKeepsWhatWasLoaded() {
    assertThat(sync(config("[contacts]", "")).exit()).isZero();
    String closed = "http://127.0.0.1:" + closedPort();

    CliHarness.Run run = sync(config("[contacts]", "").replace("BASE_URL", closed));

    assertThat(run.exit()).as(run.toString()).isEqualTo(69);
    JsonNode error = run.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("HUBSPOT_UNAVAILABLE");
    assertThat(error.get("retryable").asBoolean()).isTrue();
    assertThat(error.get("message").asText()).contains("the connection to " + closed + " failed")
        .contains("check the base URL (the CLI's portal.baseUrl)").contains("try again later");
    assertThat(count("contacts")).isEqualTo(40);
  }

  @Test
  void aDuckDbFileThatCannotBeWrittenIsAConfigErrorNamingThePath() throws IOException {
    Path notAFolder = Files.writeString(dir.resolve("plain.txt"), "a file, not a folder");
    Path underAFile = notAFolder.resolve("warehouse.duckdb");
    Path inMissingFolder = dir.resolve("no-such-folder").resolve("warehouse.duckdb");
    Path notADatabase = Files.writeString(dir.resolve("notes.duckdb"), "not a database ".repeat(1_000));

    for (Path bad : List.of(underAFile, inMissingFolder, notADatabase)) {
      CliHarness.Run run = cli.run("sync", "--config", cli.config("sync.yaml",
          config("[contacts]", "").replace(file.toString(), bad.toString())));
  
      assertThat(run.exit()).as(run.toString()).isEqualTo(2);
      assertThat(run.json().get("error").get("code").asText()).isEqualTo("BAD_CONFIGURATION");
      assertThat(run.err()).as(run.toString()).contains("sync.yaml").contains("sink").contains(bad.toString());
      assertNoSecret(run);
    }
    assertThat(Files.readString(notADatabase)).as("the file that is not a database is left alone")
        .startsWith("not a database");
  }

  // ---------------------------------------------------------------------------------------------
  // The server

  @Test
  void htmlWithStatus200IsAnUnexpectedResponseThatKeepsWhatWasLoaded() {
    assertAnUnreadableAnswerFailsTheRunAndKeepsWhatWasLoaded(upstream -> upstream.withBody("text/html",
        "<html><body><h1>Please sign in to the Wi-Fi</h1></body></html>".getBytes(StandardCharsets.UTF_8)),
        "Unexpected character ('<'");
  }

  @Test
  void truncatedJsonWithStatus200IsAnUnexpectedResponseThatKeepsWhatWasLoaded() {
    assertAnUnreadableAnswerFailsTheRunAndKeepsWhatWasLoaded(upstream -> upstream.withBody("application/json",
        java.util.Arrays.copyOf(upstream.body(), upstream.body().length / 2)), "Unexpected end-of-input");
  }

  /**
   * After a clean first run, every answer about contacts records becomes {@code unreadable} of
   * HubSpot's: the incremental run fails with UNEXPECTED_RESPONSE (exit 1) naming the call, and the
   * rows and the checkpoint of the first run are as they were.
   */
  private void assertAnUnreadableAnswerFailsTheRunAndKeepsWhatWasLoaded(
      java.util.function.UnaryOperator<TamperingProxy.Answer> unreadable, String parserSays) {
    assertThat(sync(config("[contacts]", "")).exit()).isZero();
    String checkpoint = checkpoint("contacts");
    proxy = TamperingProxy.to(hubspot.baseUrl());
    proxy.rule((method, path, upstream) -> path.startsWith("/crm/objects/2026-09/contacts") ? unreadable.apply(upstream)
        : upstream);
    hubspot.portal().update("contacts", hubspot.portal().ids("contacts").get(0), Map.of("firstname", "Changed"));
    hubspot.clock().advance(java.time.Duration.ofMinutes(5));

    CliHarness.Run run = sync(config("[contacts]", "").replace("BASE_URL", proxy.baseUrl()));

    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    JsonNode error = run.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("UNEXPECTED_RESPONSE");
    assertThat(error.get("message").asText()).contains("HubSpot search contacts returned a body this version cannot read, 4 times")
        .contains(parserSays).contains("check " + proxy.baseUrl() + " (the CLI's portal.baseUrl)")
        .doesNotContain("INCLUDE_SOURCE_IN_LOCATION");
    assertThat(proxy.tampered()).as("a body cut short may be transient: the call was tried 4 times").isGreaterThanOrEqualTo(4);
    assertThat(proxy.tampered()).isPositive();
    assertThat(count("contacts")).isEqualTo(40);
    assertThat(query("SELECT count(*) AS n FROM contacts WHERE firstname = 'Changed'").get(0)).containsEntry("n", 0L);
    assertThat(checkpoint("contacts")).as("the checkpoint did not move").isEqualTo(checkpoint);
  }

  /**
   * A list API that always answers the same {@code after} cursor (a HubSpot bug, or a proxy caching
   * one page). The second time the cursor comes the run stops (exit 1) naming the call and the
   * cursor, instead of reading the same page until the daily budget is gone; what was read stays,
   * once.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void endlessPagingIsDetectedAndStopsTheRunWithoutDuplicates() {
    startWithContacts(400);
    proxy = TamperingProxy.to(hubspot.baseUrl());
    proxy.rule((method, path, upstream) -> {
      if (!path.startsWith("/crm/objects/2026-09/contacts?") || path.contains("archived=true") || upstream.status() != 200) {
        return upstream;
      }
      String json = new String(upstream.body(), StandardCharsets.UTF_8);
      String stuck = json.replaceAll("\"after\"\\s*:\\s*\"[^\"]*\"", "\"after\":\"100\"");
      return stuck.equals(json) ? upstream : upstream.withBody("application/json", stuck.getBytes(StandardCharsets.UTF_8));
    });

    CliHarness.Run run = sync(listBackfillThroughProxy("budget: {dailyCeiling: 60}\n"));

    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    JsonNode error = run.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("UNEXPECTED_RESPONSE");
    assertThat(error.get("message").asText()).contains("HubSpot list contacts sent the paging cursor \"100\" a second time")
        .contains("the rows read so far are kept");
    assertThat(proxy.tampered()).as("pages with the stuck cursor read").isEqualTo(2);
    Map<String, Object> counts = query("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM contacts").get(0);
    assertThat(counts.get("n")).isEqualTo(counts.get("ids"));
    assertThat((Long) counts.get("n")).isBetween(100L, 200L);
  }

  @Test
  void serverErrorsForeverExitSixtyNineAndKeepEveryCommittedPage() {
    String config = listPagesFailAfterTwo(new TamperingProxy.Answer(500, Map.of("Content-Type", List.of("application/json")),
        "{\"status\":\"error\",\"message\":\"internal error\",\"category\":\"INTERNAL_ERROR\"}"
            .getBytes(StandardCharsets.UTF_8)), "");

    CliHarness.Run run = sync(config);

    assertThat(run.exit()).as(run.toString()).isEqualTo(69);
    JsonNode error = run.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("HUBSPOT_UNAVAILABLE");
    assertThat(error.get("message").asText()).contains("list contacts").contains("after 4 attempts")
        .contains("try again later");
    assertThat(count("contacts")).as("the two pages read before the failure").isEqualTo(200);
    assertTheNextRunLoadsEveryContactOnce(config);
  }

  @Test
  void aDaily429StopsAtACheckpointSaysWhenToResumeAndTheNextRunFinishes() {
    String config = listPagesFailAfterTwo(new TamperingProxy.Answer(429, Map.of("Content-Type", List.of("application/json")),
        ("{\"status\":\"error\",\"message\":\"You have reached your daily limit.\",\"errorType\":\"RATE_LIMIT\","
            + "\"correlationId\":\"c0ffee00-0000-4000-8000-000000000001\",\"policyName\":\"DAILY\"}")
            .getBytes(StandardCharsets.UTF_8)), "budget: {timeZone: UTC}\n");

    CliHarness.Run run = sync(config);

    assertThat(run.exit()).as(run.toString()).isEqualTo(75);
    assertThat(run.json().get("outcome").asText()).isEqualTo("RATE_BUDGET_EXHAUSTED");
    assertThat(Instant.parse(run.json().get("resumeAt").asText())).isEqualTo(Instant.parse("2026-11-03T00:00:00Z"));
    assertThat(run.err()).contains("resume at 2026-11-03T00:00:00Z");
    assertThat(count("contacts")).as("the two pages read before the 429").isEqualTo(200);
    hubspot.clock().advance(java.time.Duration.ofDays(1));
    assertTheNextRunLoadsEveryContactOnce(config);
  }

  @Test
  void burst429ForeverIsRateLimitedAndKeepsEveryCommittedPage() {
    String config = listPagesFailAfterTwo(new TamperingProxy.Answer(429, Map.of("Content-Type", List.of("application/json")),
        ("{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\","
            + "\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}").getBytes(StandardCharsets.UTF_8)),
        "");

    CliHarness.Run run = sync(config);

    assertThat(run.exit()).as(run.toString()).isEqualTo(69);
    JsonNode error = run.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("RATE_LIMITED");
    assertThat(error.get("retryable").asBoolean()).isTrue();
    assertThat(error.get("message").asText()).contains("kept throttling list contacts")
        .contains("TEN_SECONDLY_ROLLING").contains("Another integration");
    assertThat(count("contacts")).as("the two pages read before the 429s").isEqualTo(200);
    assertTheNextRunLoadsEveryContactOnce(config);
  }

  /** portal.baseUrl names a web server that is not HubSpot's API: every call gets its HTML 404 page. */
  @Test
  void aBaseUrlThatIsNotHubSpotIsRejectedQuotingTheAnswer() {
    assertThat(sync(config("[contacts]", "")).exit()).isZero();
    proxy = TamperingProxy.to(hubspot.baseUrl());
    proxy.rule((method, path, upstream) -> new TamperingProxy.Answer(404, Map.of("Content-Type", List.of("text/html")),
        "<html><head><title>404 Not Found</title></head><body>nginx</body></html>".getBytes(StandardCharsets.UTF_8)));

    CliHarness.Run run = sync(config("[contacts]", "").replace("BASE_URL", proxy.baseUrl()));

    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    JsonNode error = run.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("HUBSPOT_REJECTED");
    assertThat(error.get("message").asText()).contains("properties of contacts").contains("HTTP 404")
        .contains("non-JSON body: 404 Not Found nginx");
    assertThat(count("contacts")).isEqualTo(40);
  }

  /**
   * A portal of 400 contacts behind a proxy that answers {@code failure} to every list call after the
   * first two (pages of 100, read by the list API); returns the config that syncs through it.
   */
  private String listPagesFailAfterTwo(TamperingProxy.Answer failure, String more) {
    startWithContacts(400);
    proxy = TamperingProxy.to(hubspot.baseUrl());
    AtomicInteger pages = new AtomicInteger();
    proxy.rule((method, path, upstream) -> path.startsWith("/crm/objects/2026-09/contacts?")
        && !path.contains("archived=true") && pages.incrementAndGet() > 2 ? failure : upstream);
    return listBackfillThroughProxy(more);
  }

  private String listBackfillThroughProxy(String more) {
    return config("[contacts]", more).replace("indexLag: 30s", "indexLag: 30s, backfillMethod: list, listPageSize: 100")
        .replace("BASE_URL", proxy.baseUrl());
  }

  /** With the proxy passing everything, the next run finishes and every contact is there once. */
  private void assertTheNextRunLoadsEveryContactOnce(String config) {
    proxy.rule((method, path, upstream) -> upstream);
    CliHarness.Run next = sync(config);
    assertThat(next.exit()).as(next.toString()).isZero();
    assertThat(query("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM contacts").get(0))
        .containsEntry("n", 400L).containsEntry("ids", 400L);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private JsonNode lastReport;

  private String config(String objects, String more) {
    return String.join("\n",
        "portal: {baseUrl: BASE_URL}",
        "objects: " + objects,
        "sink: {type: duckdb, file: '" + file + "'}",
        "sync: {indexLag: 30s, overlap: 1m}",
        more);
  }

  private CliHarness.Run sync(String yaml) {
    CliHarness.Run run = cli.run("sync", "--config", cli.config("sync.yaml", yaml));
    assertNoSecret(run);
    return run;
  }

  private static void assertNoSecret(CliHarness.Run run) {
    assertThat(run.out()).doesNotContain(TOKEN);
    assertThat(run.err()).doesNotContain(TOKEN);
  }

  /** Adds string properties with these names, sets each on the first contact, syncs; returns property → column. */
  private Map<String, String> loadProperties(List<String> names) {
    long id = hubspot.portal().ids("contacts").get(0);
    Map<String, String> values = new HashMap<>();
    for (String name : names) {
      hubspot.portal().addProperty("contacts", name, name, "string", "text");
      values.put(name, "value of " + name);
    }
    hubspot.portal().update("contacts", id, values);
    hubspot.clock().advance(java.time.Duration.ofMinutes(5)); // past the search index's lag

    CliHarness.Run run = sync(config("[contacts]", ""));

    assertThat(run.exit()).as(run.toString()).isZero();
    Map<String, String> columns = mapping("contacts");
    Map<String, Object> row = query("SELECT * FROM contacts WHERE id = " + id).get(0);
    for (String name : names) {
      String column = columns.get(name);
      assertThat(column).as("column of %s", name).matches("[a-z_][a-z0-9_]*");
      assertThat(row.get(column)).as("value of %s in column %s", name, column).isEqualTo("value of " + name);
    }
    assertThat(new java.util.HashSet<>(columns.values())).as("distinct columns").hasSize(columns.size());
    return columns;
  }

  /**
   * Adds one property of {@code type}, sets {@code raw} on the first contact, syncs (a clean load,
   * every contact there) and returns that contact's row, with the value also as text ({@code <name>_text})
   * and, for datetimes, as epoch milliseconds ({@code <name>_ms}).
   */
  private Map<String, Object> loadValue(String name, String type, String raw) {
    long id = hubspot.portal().ids("contacts").get(0);
    hubspot.portal().addProperty("contacts", name, name, type, type.equals("string") ? "text" : type);
    hubspot.portal().update("contacts", id, Map.of(name, raw));
    hubspot.clock().advance(java.time.Duration.ofMinutes(5)); // past the search index's lag

    CliHarness.Run run = sync(config("[contacts]", ""));

    assertThat(run.exit()).as(run.toString()).isZero();
    lastReport = run.json();
    assertThat(count("contacts")).isEqualTo(40);
    String column = mapping("contacts").get(name);
    String q = "\"" + column + "\"";
    return query("SELECT *, CAST(" + q + " AS VARCHAR) AS " + column + "_text"
        + (type.equals("datetime") ? ", epoch_ms(" + q + ") AS " + column + "_ms" : "")
        + " FROM contacts WHERE id = " + id).get(0);
  }

  private static Map<String, String> unparsed(Map<String, Object> row) {
    Object json = row.get("_hs_unparsed");
    assertThat(json).as("_hs_unparsed").isNotNull();
    try {
      return Json.MAPPER.readValue(json.toString(),
          new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Map<String, String> mapping(String objectType) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map<String, Object> r : query("SELECT property, column_name FROM _hubspot_sync_columns WHERE object_type = '"
        + objectType + "' AND property IS NOT NULL ORDER BY ordinal")) {
      out.put((String) r.get("property"), (String) r.get("column_name"));
    }
    return out;
  }

  private long count(String table) {
    return (Long) query("SELECT count(*) AS n FROM " + table).get(0).get("n");
  }

  private String checkpoint(String stream) {
    return (String) query("SELECT checkpoint FROM _hubspot_sync_state WHERE stream = '" + stream + "'").get(0)
        .get("checkpoint");
  }

  /** Rows of a query on the DuckDB file the CLI wrote (opened read-only, after the CLI closed it). */
  private List<Map<String, Object>> query(String sql) {
    Properties props = new Properties();
    props.setProperty("duckdb.read_only", "true");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file, props);
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<Map<String, Object>> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
