package dev.hubspotsync.examples;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.duckdb.DuckDbSink;
import dev.hubspotsync.ratelimit.RateBudget;
import java.nio.file.Path;

/** The code sample of the project's README: three object types and a link table into a DuckDB file. */
public final class ReadmeSample {
  private ReadmeSample() {}

  public static void main(String[] args) {
    try (DuckDbSink sink = DuckDbSink.builder().file(Path.of("hubspot.duckdb")).build()) {
      SyncReport report = SyncJob.builder()
          .credentials(HubSpotCredentials.fromEnvironment())          // HUBSPOT_SERVICE_KEY (or another kind)
          .rateBudget(RateBudget.tokenBucket().dailyShare(0.5).build()) // leave half the daily quota to others
          .sink(sink)
          .addObjectTypes("contacts", "companies", "deals")
          .addAssociation("contacts", "deals")                        // link table contacts_to_deals
          .build()
          .run();                                                     // backfill first, incremental after
      System.out.println(report.outcome() + ": " + report.streams().size() + " streams, "
          + report.calls().values().stream().mapToLong(Long::longValue).sum() + " HubSpot calls");
    }
  }
}
