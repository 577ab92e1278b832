package dev.hubspotsync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.postgres.PostgresSink;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example's own job, pointed at FakeHubSpot instead of api.hubapi.com and at a real
 * PostgreSQL: embedded (started once for this class), or the server of
 * {@code HUBSPOT_SYNC_TEST_POSTGRES_URL} (a JDBC URL with user and password) when that is set.
 */
class EmbeddedPostgresSyncIT {
  private static EmbeddedPostgres embedded;
  private static String jdbcUrl;

  @BeforeAll
  static void startPostgres() throws IOException {
    String external = System.getenv("HUBSPOT_SYNC_TEST_POSTGRES_URL");
    if (external != null && !external.isBlank()) {
      jdbcUrl = external;
    } else {
      embedded = EmbeddedPostgres.builder().start();
      jdbcUrl = embedded.getJdbcUrl("postgres", "postgres");
    }
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    if (embedded != null) {
      embedded.close();
    }
  }

  @Test
  void theExamplesJobFillsTheTablesAndItsReportPrintsAsJson() throws Exception {
    String schema = "example_" + UUID.randomUUID().toString().substring(0, 8);
    PortalSpec spec = PortalSpec.builder().contacts(250).companies(40).deals(60).build();
    try (FakeHubSpot hubspot = FakeHubSpot.start(spec);
        PostgresSink sink = PostgresSink.builder().jdbcUrl(jdbcUrl).schema(schema).build()) {
      RateBudget budget = RateBudget.tokenBucket().dailyShare(0.25).build();

      SyncReport report = EmbeddedPostgresSync.job(HubSpotCredentials.privateApp(hubspot.token()), hubspot.baseUrl(),
          budget, sink).run();

      assertThat(report.succeeded()).as("outcome %s", report.outcome()).isTrue();
      assertThat(report.stream("contacts").mode()).isEqualTo("backfill");
      long contacts = hubspot.snapshot().live("contacts").size();
      assertThat(count(schema, sink.tableName("contacts").orElseThrow(), "NOT _hs_archived")).isEqualTo(contacts);
      assertThat(count(schema, sink.tableName("deals").orElseThrow(), "NOT _hs_archived"))
          .isEqualTo(hubspot.snapshot().live("deals").size());
      assertThat(count(schema, sink.linkTableName("contacts", "companies").orElseThrow(), "TRUE"))
          .isEqualTo(hubspot.snapshot().associations("contacts", "companies").size())
          .isPositive();
      // properties("contacts", …) keeps the contacts table to the five chosen columns
      assertThat(sink.describe("contacts")).extracting(c -> c.property())
          .containsExactlyInAnyOrder("email", "firstname", "lastname", "lifecyclestage", "hs_lead_status");

      JsonNode printed = EmbeddedPostgresSync.json().readTree(EmbeddedPostgresSync.json().writeValueAsString(report));
      assertThat(printed.get("outcome").asText()).isEqualTo("succeeded");
      assertThat(printed.get("startedAt").asText()).isEqualTo(report.startedAt().toString());
    } finally {
      execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }
  }

  private static long count(String schema, String table, String where) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + schema + "\".\"" + table + "\" WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
