package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sync.changeSource: journal} as a user runs it: the CLI with a project app's client
 * credentials against a portal that changes between runs (edits, a link added and one removed, a
 * hard delete, a GDPR deletion); the second run reads the journal and the warehouse follows.
 */
class JournalCliTest {
  private static final String CLIENT_ID = "project-app-1";
  private static final String CLIENT_SECRET = "client-secret-e29c";

  @TempDir
  Path dir;
  FakeHubSpot hubspot;

  @AfterEach
  void stop() {
    hubspot.close();
  }

  @Test
  void theSecondRunFollowsThePortalThroughItsJournal() {
    PortalClock clock = PortalClock.fixed(SyncCommandTest.T0);
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(200).companies(20).deals(0).tickets(0).calls(0)
        .subscriptions(0).oauthApp(CLIENT_ID, CLIENT_SECRET, "refresh-unused").clock(clock).sleeper(clock::advance).build());
    CliHarness cli = new CliHarness(hubspot, dir);
    cli.env.clear();
    cli.env.putAll(Map.of("HUBSPOT_CLIENT_ID", CLIENT_ID, "HUBSPOT_CLIENT_SECRET", CLIENT_SECRET));
    InMemorySink sink = InMemorySink.create();
    SharedSink shared = new SharedSink(sink);
    cli.sinks = s -> shared;
    String config = cli.config("sync.yaml", String.join("\n",
        "portal: {baseUrl: BASE_URL}",
        "objects: [contacts, companies]",
        "associations: [contacts->companies]",
        "sink: {type: duckdb, file: warehouse.duckdb}",
        "sync: {changeSource: journal, journalPortalId: " + hubspot.spec().portalId() + ", indexLag: 30s, overlap: 1m}",
        ""));

    CliHarness.Run first = cli.run("sync", "--config", config);
    assertThat(first.exit()).as(first.toString()).isZero();
    assertThat(sink.rows("contacts")).hasSize(200);

    List<Long> contacts = hubspot.portal().ids("contacts");
    List<Long> companies = hubspot.portal().ids("companies");
    clock.advance(Duration.ofMinutes(5));
    for (int i = 0; i < 5; i++) {
      hubspot.portal().update("contacts", contacts.get(i), Map.of("firstname", "Journal " + i));
    }
    long linked = contacts.get(10);
    hubspot.portal().associate("contacts", linked, "companies", companies.get(0));
    hubspot.portal().hardDelete("contacts", contacts.get(11));
    hubspot.portal().gdprDelete("contacts", contacts.get(12));
    clock.advance(Duration.ofMinutes(5));

    CliHarness.Run second = cli.run("sync", "--config", config);

    assertThat(second.exit()).as(second.toString()).isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(sink.row("contacts", contacts.get(i)).orElseThrow().get("firstname")).isEqualTo("Journal " + i);
    }
    assertThat(sink.links("contacts", "companies")).extracting(LinkRow::toId).as("the new link")
        .contains(companies.get(0));
    Set<Long> linkedTo = sink.links("contacts", "companies").stream().filter(l -> l.fromId() == linked)
        .map(LinkRow::toId).collect(Collectors.toSet());
    Set<Long> portalLinks = hubspot.snapshot().associations("contacts", "companies").stream()
        .filter(a -> a.fromId() == linked).map(a -> a.toId()).collect(Collectors.toSet());
    assertThat(linkedTo).as("the contact's links equal the portal's").isEqualTo(portalLinks);
    assertThat(sink.row("contacts", contacts.get(11)).orElseThrow().get("_hs_archived")).as("hard-deleted").isEqualTo(true);
    assertThat(sink.row("contacts", contacts.get(12))).as("GDPR-deleted: erased").isEmpty();
    assertThat(hubspot.journal().events()).as("the portal wrote journal events").isNotEmpty();
  }
}
