package dev.hubspotsync.examples;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.postgres.PostgresSink;

/** The sample of docs/quick-start.md: contacts, companies and deals, with their links, into PostgreSQL. */
public final class QuickStart {
  public static void main(String[] args) {
    try (PostgresSink sink = PostgresSink.builder()
        .jdbcUrl("jdbc:postgresql://localhost:5432/warehouse", "hubspot_loader", System.getenv("PGPASSWORD"))
        .schema("hubspot")
        .build()) {
      SyncReport report = SyncJob.builder()
          .credentials(HubSpotCredentials.fromEnvironment())   // HUBSPOT_SERVICE_KEY
          .sink(sink)
          .addObjectTypes("contacts", "companies", "deals")
          .addAssociation("contacts", "companies")              // link table contacts_to_companies
          .build()
          .run();                                               // first run: backfill; later runs: incremental
      report.streams().forEach(s -> System.out.println(s.objectType() + ": " + s.rowsWritten() + " rows written"));
    }
  }
}
