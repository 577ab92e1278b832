package dev.hubspotsync.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hubspotsync.RateBudgetExhaustedException;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.postgres.PostgresSink;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.sink.WarehouseSink;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * hubspot-sync embedded in your own program: a scheduled job of yours calls {@code main} (or
 * {@link #job}), which syncs contacts, companies and deals, and the links of contacts to
 * companies, into PostgreSQL, and prints the run's report as JSON.
 *
 * <p>Environment: {@code HUBSPOT_SERVICE_KEY} (a service key; or the variables of another kind, see
 * {@link HubSpotCredentials#fromEnvironment()}), {@code PGPASSWORD}, and optionally
 * {@code WAREHOUSE_JDBC_URL} and {@code WAREHOUSE_USER}. The JVM needs
 * {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (record batches are Apache Arrow vectors).
 *
 * <p>Run it as often as you like, but never twice at once for the same sink: each run continues
 * from the checkpoints the previous one stored.
 */
public final class EmbeddedPostgresSync {
  private static final String HUBSPOT = "https://api.hubapi.com";

  private EmbeddedPostgresSync() {}

  public static void main(String[] args) throws JsonProcessingException {
    String url = System.getenv().getOrDefault("WAREHOUSE_JDBC_URL", "jdbc:postgresql://localhost:5432/warehouse");
    String user = System.getenv().getOrDefault("WAREHOUSE_USER", "hubspot_loader");
    // A quarter of the portal's daily API limit: other integrations of the portal keep the rest.
    // One budget per portal per JVM; share it if several jobs of this JVM talk to the same portal.
    RateBudget budget = RateBudget.tokenBucket()
        .dailyShare(0.25)
        .timeZone(ZoneId.of("Europe/Berlin"))   // the portal's time zone: when HubSpot's daily count resets
        .build();
    try (PostgresSink sink = PostgresSink.builder()
        .jdbcUrl(url, user, System.getenv("PGPASSWORD"))
        .schema("hubspot")
        .build()) {
      SyncReport report = job(HubSpotCredentials.fromEnvironment(), HUBSPOT, budget, sink).run();
      System.out.println(json().writeValueAsString(report));
    } catch (RateBudgetExhaustedException e) {
      // Not a failure of the data: every stream stopped at a checkpoint. Schedule the next run after resumeAt.
      System.err.println("Today's share of the HubSpot API is spent; run again after " + e.resumeAt());
      System.exit(75);
    }
  }

  /**
   * The job, apart from where HubSpot and the warehouse are, so a test can run it against
   * FakeHubSpot (see {@code EmbeddedPostgresSyncIT}).
   *
   * @param baseUrl {@code https://api.hubapi.com}, or a FakeHubSpot's {@code baseUrl()} in tests
   */
  public static SyncJob job(HubSpotCredentials credentials, String baseUrl, RateBudget budget, WarehouseSink sink) {
    return SyncJob.builder()
        .credentials(credentials)
        .baseUrl(baseUrl)
        .rateBudget(budget)
        .sink(sink)
        .addObjectTypes("contacts", "companies", "deals")
        .properties("contacts", List.of("email", "firstname", "lastname", "lifecyclestage", "hs_lead_status"))
        .addAssociation("contacts", "companies")       // link table contacts_to_companies
        .associationFullScanEvery(Duration.ofDays(1))  // without a CDC-boost rollup: re-read every link daily
        .archivedPassEvery(Duration.ofHours(1))        // deletes: read the recycle bin hourly (the default)
        .onDrift(drift -> System.err.println(drift.describe()))
        .build();
  }

  /** A mapper for {@link SyncReport}: instants and durations as ISO-8601 text, as the CLI prints them. */
  static ObjectMapper json() {
    return new ObjectMapper().registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
  }
}
