package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.SearchRequest;
import dev.hubspotsync.client.SearchRequest.Filter;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * HubSpot's search can return records out of order close to "now" (hubspot-api.md §10.2, estuary
 * connectors commit 392b8c98). With the simulated portal told to do it, over HTTP: the incremental
 * sync skips nothing — every record modified before its stored checkpoint is in the sink as the
 * portal has it — and the checkpoint never passes now − index lag. Issue 13.
 */
class OutOfOrderSearchTest {
  private static final Duration JOB_LAG = Duration.ofSeconds(30); // SyncFixture's index lag
  private static final Duration DISORDER = Duration.ofMinutes(3); // wider than the job's lag

  /** The switch itself: sorted by modified date, records near now come last, newest first. */
  @Test
  void thePortalReturnsRecordsNearNowOutOfOrder() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(50))) {
      List<Long> ids = f.hubspot.portal().ids("contacts");
      for (int i = 0; i < 5; i++) {
        f.hubspot.portal().update("contacts", ids.get(i), Map.of("firstname", "Recent " + i));
        f.hubspot.clock().advance(Duration.ofSeconds(10));
      }
      SearchRequest oldestFirst = SearchRequest.builder().sortAscending("lastmodifieddate").limit(100).build();

      List<CrmRecord> ordered = f.client.search("contacts", oldestFirst).results();
      f.hubspot.searchOutOfOrderWithin(DISORDER);
      List<CrmRecord> disordered = f.client.search("contacts", oldestFirst).results();

      assertThat(ordered).extracting(CrmRecord::updatedAt).isSorted();
      assertThat(disordered).extracting(CrmRecord::id).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(disordered.subList(45, 50)).extracting(CrmRecord::id)
          .as("the five recent records, newest first").containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0));
      assertThat(disordered.subList(0, 45)).extracting(CrmRecord::updatedAt).as("older records keep their order").isSorted();
    }
  }

  /**
   * Recent edits spread over the disorder window, read 10 a page so page boundaries fall inside it:
   * each run's checkpoint stays at or before now − lag and covers only what the sink holds; once the
   * index settles the sink equals the portal.
   */
  @Test
  void incrementalSyncSkipsNothingAndNeverCheckpointsPastNowMinusLag() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(300))) {
      SyncJob job = f.job("contacts").pageSizes(100, 10).build();
      job.run(); // backfill, in order
      f.later();
      f.hubspot.searchOutOfOrderWithin(DISORDER);
      List<Long> ids = f.hubspot.portal().ids("contacts");
      long previousCursor = PortalTruth.cursor(f.sink, "contacts");

      for (int run = 0; run < 4; run++) {
        for (int i = 0; i < 12; i++) {
          f.hubspot.portal().update("contacts", ids.get((run * 12 + i) * 5), Map.of("firstname", "Run " + run + " edit " + i));
          f.hubspot.clock().advance(Duration.ofSeconds(4));
        }
        f.hubspot.clock().advance(Duration.ofSeconds(40)); // past the job's lag, inside the disorder
        job.run();

        long cursor = PortalTruth.cursor(f.sink, "contacts");
        assertThat(Instant.ofEpochMilli(cursor)).as("checkpoint of run " + run)
            .isBeforeOrEqualTo(f.hubspot.clock().now().minus(JOB_LAG));
        assertThat(cursor).as("checkpoint of run " + run + " never moves back").isGreaterThanOrEqualTo(previousCursor);
        assertThat(behind(f, cursor)).as("records modified before the checkpoint of run " + run + " that the sink lacks")
            .isEmpty();
        previousCursor = cursor;
      }

      f.hubspot.clock().advance(DISORDER.plusMinutes(1)); // the index settles
      job.run();
      assertThat(behind(f, PortalTruth.cursor(f.sink, "contacts"))).isEmpty();
      assertThat(PortalTruth.cursor(f.sink, "contacts")).as("the checkpoint catches up once search is in order")
          .isEqualTo(f.hubspot.clock().millis() - JOB_LAG.toMillis());
      f.assertSinkMatchesPortal("contacts", "firstname");
    }
  }

  /** Portal records modified before {@code cursor} whose row is missing or holds an older modified date. */
  private static List<String> behind(SyncFixture f, long cursor) {
    List<String> out = new ArrayList<>();
    for (RecordSnapshot r : f.hubspot.snapshot().records().get("contacts")) {
      if (r.updatedAt().toEpochMilli() >= cursor) {
        continue;
      }
      Instant stored = f.sink.row("contacts", r.id()).map(row -> (Instant) row.get(SystemColumns.UPDATED_AT)).orElse(null);
      if (!r.updatedAt().equals(stored)) {
        out.add(r.id() + " modified " + r.updatedAt() + ", sink has " + stored);
      }
    }
    return out;
  }
}
