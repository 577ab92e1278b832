package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code objects: all} and a merge chain through the CLI into a real DuckDB file, against FakeHubSpot
 * over HTTP: the activatable object switched off is a note in the report (stdout JSON and stderr),
 * not a failure; A merged into B and B into C ends with A and B archived and their links on C.
 * Issue 13.
 */
class ObjectsAllAndMergeChainTest {
  /** {@link SyncCommandTest}'s config (DuckDB file, 30 s lag, 1 min overlap) with every object type. */
  private static final String CONFIG = SyncCommandTest.CONFIG
      .replace("objects: [contacts, companies, deals]", "objects: all")
      .replace("associations: [contacts->companies, {from: deals, to: contacts}]", "associations: [contacts->deals]");

  @TempDir
  Path dir;

  @Test
  void allNotesTheSwitchedOffObjectAndAMergeChainEndsOnTheSurvivor() {
    PortalClock clock = PortalClock.fixed(Instant.parse("2026-11-02T09:00:00Z"));
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(50).companies(5).deals(10).tickets(3)
        .calls(3).subscriptions(2).count("services", 4).unlimited().clock(clock).sleeper(clock::advance).build())) {
      CliHarness cli = new CliHarness(hubspot, dir);
      String config = cli.config("sync.yaml", CONFIG);
      assertThat(CONFIG).contains("objects: all", "associations: [contacts->deals]");
      List<Long> contacts = hubspot.portal().ids("contacts");
      List<Long> deals = hubspot.portal().ids("deals");
      long a = contacts.get(2);
      long b = contacts.get(5);
      long c = contacts.get(9);
      hubspot.portal().associate("contacts", a, "deals", deals.get(1));
      hubspot.portal().associate("contacts", b, "deals", deals.get(3));

      CliHarness.Run first = cli.run("sync", "--config", config);

      assertThat(first.exit()).as(first.toString()).isZero();
      JsonNode report = first.json();
      List<String> streams = new ArrayList<>();
      report.get("streams").forEach(s -> streams.add(s.get("objectType").asText()));
      assertThat(streams).contains("contacts", "calls", hubspot.portal().objectTypeId("subscriptions")).doesNotContain("services");
      List<String> notes = new ArrayList<>();
      report.get("notes").forEach(n -> notes.add(n.asText()));
      assertThat(notes).anySatisfy(n -> assertThat(n).startsWith("services (0-162) skipped: switched off"));
      assertThat(first.err()).contains("note: services (0-162) skipped: switched off");

      hubspot.clock().advance(Duration.ofMinutes(2));
      hubspot.portal().merge("contacts", b, a);
      hubspot.clock().advance(Duration.ofMinutes(2));
      assertThat(cli.run("sync", "--config", config).exit()).isZero();
      hubspot.portal().merge("contacts", c, b);
      hubspot.clock().advance(Duration.ofMinutes(2));
      CliHarness.Run third = cli.run("sync", "--config", config);
      assertThat(third.exit()).as(third.toString()).isZero();

      Path file = dir.resolve("warehouse.duckdb");
      assertThat(query(file, "SELECT id FROM contacts WHERE _hs_archived ORDER BY id")).containsExactly(Math.min(a, b), Math.max(a, b));
      assertThat(query(file, "SELECT hs_merged_object_ids FROM contacts WHERE id = " + c)).containsExactly(a + ";" + b);
      assertThat(query(file, "SELECT to_id FROM contacts_to_deals WHERE from_id = " + c)).contains(deals.get(1), deals.get(3));
      assertThat(query(file, "SELECT count(*) FROM contacts_to_deals WHERE from_id IN (" + a + ", " + b + ")")).containsExactly(0L);
    }
  }

  /** The first column of every row of a query on the DuckDB file the CLI wrote (opened read-only). */
  private static List<Object> query(Path file, String sql) {
    Properties props = new Properties();
    props.setProperty("duckdb.read_only", "true");
    try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + file, props);
        Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<Object> out = new ArrayList<>();
      while (rs.next()) {
        Object v = rs.getObject(1);
        out.add(v instanceof Number n && !(v instanceof Double) ? (Object) n.longValue() : v);
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
