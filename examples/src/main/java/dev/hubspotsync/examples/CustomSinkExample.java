package dev.hubspotsync.examples;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.HubSpotCredentials;
import java.nio.file.Path;

/**
 * A sync into a sink of your own: {@link JsonLinesSink} writes newline-delimited JSON files, one
 * per object type, into the directory given as the first argument (default {@code hubspot-export}).
 * {@code CustomSinkContractTest} shows how such a sink proves it keeps the invariants.
 */
public final class CustomSinkExample {
  private CustomSinkExample() {}

  public static void main(String[] args) {
    Path directory = Path.of(args.length > 0 ? args[0] : "hubspot-export");
    try (JsonLinesSink sink = JsonLinesSink.open(directory)) {
      SyncReport report = SyncJob.builder()
          .credentials(HubSpotCredentials.fromEnvironment())
          .sink(sink)
          .addObjectTypes("contacts", "companies")
          .addAssociation("companies", "contacts")
          .build()
          .run();
      report.streams().forEach(s -> System.out.println(directory.resolve(s.objectType() + ".jsonl") + ": "
          + s.rowsWritten() + " rows written, " + s.rowsSkippedOlder() + " kept (newer)"));
    }
  }
}
