package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.PortalSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** End-to-end: FakeHubSpot over HTTP → SyncJob → InMemorySink, compared with the portal's ground truth. */
class SyncJobTest {

  @Test
  void backfillThenIncrementalKeepTheSinkEqualToThePortal() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(450).companies(40).deals(30))) {
      SyncReport first = f.run("contacts", "companies", "deals");
      assertThat(first.stream("contacts").mode()).isEqualTo("backfill");
      f.assertSinkMatchesPortal("contacts", "email", "firstname", "lifecyclestage");
      f.assertSinkMatchesPortal("companies", "name", "domain");

      List<Long> ids = f.hubspot.portal().ids("contacts");
      f.later();
      for (int i = 0; i < 10; i++) {
        f.hubspot.portal().update("contacts", ids.get(i * 40), Map.of("firstname", "Changed " + i));
      }
      long created = f.hubspot.portal().create("contacts", Map.of("email", "new@example.com"));
      f.hubspot.portal().archive("contacts", ids.get(5));
      f.later();
      f.hubspot.resetStats();

      SyncReport second = f.run("contacts", "companies", "deals");

      assertThat(second.stream("contacts").mode()).isEqualTo("incremental");
      f.assertSinkMatchesPortal("contacts", "email", "firstname", "lifecyclestage");
      assertThat(f.sink.row("contacts", created)).isPresent();
      assertThat(second.stream("contacts").archivedRows()).isEqualTo(1);
      assertThat(f.sink.row("contacts", ids.get(5)).orElseThrow().get(SystemColumns.ARCHIVED)).isEqualTo(true);
      // 11 changed records arrive in one search page per object type
      assertThat(f.hubspot.stats().calls(Endpoint.SEARCH)).isEqualTo(3);
      assertThat(second.stream("contacts").rowsRead()).isLessThan(20);
      // the report's counts are the portal's
      assertThat(second.calls().get(ApiCall.SEARCH)).isEqualTo(f.hubspot.stats().calls(Endpoint.SEARCH));
      assertThat(second.calls().get(ApiCall.LIST)).isEqualTo(f.hubspot.stats().calls(Endpoint.LIST));
      assertThat(second.calls().get(ApiCall.PROPERTIES)).isEqualTo(f.hubspot.stats().calls(Endpoint.PROPERTIES));
      // and each call is attributed to the stream that made it
      assertThat(second.stream("contacts").calls()).containsEntry(ApiCall.SEARCH, 1L).containsEntry(ApiCall.PROPERTIES, 1L);
      Map<ApiCall, Long> summed = new java.util.EnumMap<>(ApiCall.class);
      second.streams().forEach(s -> s.calls().forEach((k, v) -> summed.merge(k, v, Long::sum)));
      assertThat(summed).isEqualTo(second.calls());
    }
  }

  @Test
  void moreThanTenThousandChangesInOneMillisecondAreAllReadOnceWithoutLooping() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(10_500).companies(1).deals(1).tickets(1)
        .calls(1).subscriptions(1))) {
      f.run("contacts");
      f.later();
      long ms = f.hubspot.portal().bulkUpdate("contacts", f.hubspot.portal().ids("contacts"),
          Map.of("firstname", "Imported"));
      f.later();
      f.hubspot.resetStats();

      SyncReport report = f.run("contacts");

      f.assertSinkMatchesPortal("contacts", "firstname");
      assertThat(f.sink.rows("contacts")).allSatisfy(r -> assertThat(r.get("firstname")).isEqualTo("Imported"));
      assertThat(f.hubspot.stats().calls(Endpoint.SEARCH)).as("search calls").isLessThan(120);
      assertThat(report.stream("contacts").rowsRead()).isGreaterThanOrEqualTo(10_500).isLessThan(21_000);
      assertThat(ms).isPositive();
    }
  }

  @ParameterizedTest
  @EnumSource(value = BackfillMethod.class, names = {"LIST", "SEARCH"})
  void aCrashBetweenLoadAndCheckpointLosesNothingAndDuplicatesNothing(BackfillMethod method) {
    CrashingSink sink = new CrashingSink(3); // the third write of contacts fails before it commits
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(420), sink.inner)) {
      assertThatThrownBy(() -> f.job("contacts").backfillMethod(method).sink(sink).build().run())
          .isInstanceOf(RuntimeException.class);
      int page = method == BackfillMethod.LIST ? 100 : 200;
      assertThat(f.sink.rowCount("contacts")).isEqualTo(2 * page); // two pages committed with their checkpoints

      SyncReport rerun = f.job("contacts").backfillMethod(method).sink(sink).build().run();

      f.assertSinkMatchesPortal("contacts", "email");
      assertThat(rerun.stream("contacts").rowsRead()).isLessThan(420 - 2 * page + 20); // resumed, not restarted
    }
  }

  @Test
  void aSearchBackfillCostsHalfTheCallsOfAListBackfill() {
    try (SyncFixture list = new SyncFixture(PortalSpec.builder().contacts(1_000));
        SyncFixture search = new SyncFixture(PortalSpec.builder().contacts(1_000))) {
      SyncReport byList = list.job("contacts").backfillMethod(BackfillMethod.LIST).build().run();
      SyncReport bySearch = search.job("contacts").build().run(); // AUTO: the properties fit a search body

      list.assertSinkMatchesPortal("contacts", "email");
      search.assertSinkMatchesPortal("contacts", "email");
      // 10 pages of 100, + the recycle bin, + the reconciliation that follows a backfill (ids, 100 a page)
      assertThat(byList.calls().get(ApiCall.LIST)).isEqualTo(10 + 1 + 10);
      assertThat(bySearch.calls().get(ApiCall.SEARCH)).isEqualTo(5 + 1); // 5 pages of 200, + the incremental window
      assertThat(bySearch.calls().get(ApiCall.LIST)).isEqualTo(1 + 10); // the recycle bin, the reconciliation
    }
  }

  /**
   * A change to a page the backfill already read: the reconciliation that follows the backfill sees
   * the newer modified date and reads it in the same run; the next run's window (from the backfill's
   * start) would read it too.
   */
  @Test
  void changesMadeWhileTheBackfillRunsArriveInTheSameRun() {
    CrashingSink sink = new CrashingSink(Integer.MAX_VALUE);
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(350), sink.inner)) {
      long early = f.hubspot.portal().ids("contacts").get(0); // on the first page
      sink.onWrite(2, () -> {
        f.hubspot.clock().advance(Duration.ofSeconds(1));
        f.hubspot.portal().update("contacts", early, Map.of("firstname", "Changed during backfill"));
      });
      SyncReport first = f.job("contacts").sink(sink).build().run();
      assertThat(f.sink.row("contacts", early).orElseThrow().get("firstname")).isEqualTo("Changed during backfill");
      assertThat(first.calls().get(ApiCall.BATCH_READ)).as("the one record read again").isEqualTo(1);

      f.later();
      f.job("contacts").sink(sink).build().run();

      assertThat(f.sink.row("contacts", early).orElseThrow().get("firstname")).isEqualTo("Changed during backfill");
      f.assertSinkMatchesPortal("contacts", "firstname");
    }
  }

  @Test
  void propertiesAddedRetypedAndRemovedBetweenRunsNeverBreakTheLoad() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(120))) {
      f.run("contacts");
      long id = f.hubspot.portal().ids("contacts").get(0);
      f.later();
      f.hubspot.portal().addProperty("contacts", "favorite_food", "Favorite food", "string", "text");
      f.hubspot.portal().changePropertyType("contacts", "nps_score", "string", "text");
      f.hubspot.portal().archiveProperty("contacts", "notes_long");
      f.hubspot.portal().update("contacts", id, Map.of("favorite_food", "ramen", "nps_score", "n/a"));
      f.later();

      SyncReport report = f.run("contacts");

      assertThat(f.sink.describe("contacts")).extracting(m -> m.property()).contains("favorite_food", "notes_long");
      assertThat(f.sink.row("contacts", id).orElseThrow().get("favorite_food")).isEqualTo("ramen");
      assertThat(f.sink.row("contacts", id).orElseThrow().get("nps_score")).isNull(); // kept DOUBLE; "n/a" goes to _hs_unparsed
      assertThat((String) f.sink.row("contacts", id).orElseThrow().get(SystemColumns.UNPARSED)).contains("n/a");
      assertThat(report.stream("contacts").unparsedValues()).isGreaterThanOrEqualTo(1);
      assertThat(String.join("\n", report.stream("contacts").drift())).contains("favorite_food").contains("notes_long")
          .contains("nps_score");
    }
  }

  @Test
  void archiveRestoreMergeAndHardDeleteAllReachTheSink() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(150).companies(20))) {
      f.run("contacts");
      List<Long> ids = f.hubspot.portal().ids("contacts");
      f.later();
      f.hubspot.portal().archive("contacts", ids.get(1));
      f.hubspot.portal().archive("contacts", ids.get(2));
      f.run("contacts");
      assertThat(f.sink.row("contacts", ids.get(2)).orElseThrow().get(SystemColumns.ARCHIVED)).isEqualTo(true);

      f.later();
      f.hubspot.portal().restore("contacts", ids.get(2));   // does not bump the modified date
      f.hubspot.portal().merge("contacts", ids.get(3), ids.get(4));
      f.hubspot.portal().hardDelete("contacts", ids.get(5)); // a GDPR delete: gone everywhere
      f.later();
      f.job("contacts").reconcileEvery(Duration.ZERO).build().run();

      assertThat(f.sink.row("contacts", ids.get(1)).orElseThrow().get(SystemColumns.ARCHIVED)).isEqualTo(true);
      assertThat(f.sink.row("contacts", ids.get(2)).orElseThrow().get(SystemColumns.ARCHIVED)).as("restored").isEqualTo(false);
      assertThat(f.sink.row("contacts", ids.get(4)).orElseThrow().get(SystemColumns.ARCHIVED)).as("merged away").isEqualTo(true);
      assertThat(f.sink.row("contacts", ids.get(5)).orElseThrow().get(SystemColumns.ARCHIVED)).as("deleted for good").isEqualTo(true);
      assertThat(f.sink.row("contacts", ids.get(3)).orElseThrow().get("hs_merged_object_ids")).isEqualTo(Long.toString(ids.get(4)));
      // Every row the portal still has matches it; the merged and deleted ones are kept as archived rows.
      var truth = f.hubspot.snapshot().records().get("contacts");
      for (var r : truth) {
        var row = f.sink.row("contacts", r.id()).orElseThrow();
        assertThat(row.get(SystemColumns.ARCHIVED)).as("archived " + r.id()).isEqualTo(r.archived());
        assertThat(row.get(SystemColumns.UPDATED_AT)).as("modified " + r.id()).isEqualTo(r.updatedAt());
      }
      assertThat(f.sink.rowCount("contacts")).isEqualTo(truth.size() + 2);
    }
  }

  @Test
  void allObjectTypesPropertySelectionAndListeners() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(60).companies(10).deals(10).tickets(5)
        .subscriptions(7))) {
      List<dev.hubspotsync.SyncProgress> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<dev.hubspotsync.schema.SchemaDrift> drifts = new java.util.concurrent.CopyOnWriteArrayList<>();
      SyncJob job = f.job().allObjectTypes().properties("contacts", List.of("email", "firstname"))
          .onProgress(progress::add).onDrift(drifts::add).build();

      SyncReport report = job.run();

      String custom = f.hubspot.portal().objectTypeId("subscriptions");
      assertThat(report.streams()).extracting(SyncReport.StreamReport::objectType)
          .containsExactlyInAnyOrder("contacts", "companies", "deals", "tickets", "calls", custom);
      assertThat(f.sink.describe("contacts")).extracting(m -> m.property()).containsExactlyInAnyOrder("email", "firstname");
      assertThat(f.sink.rowCount(custom)).isEqualTo(7);
      assertThat(progress).anySatisfy(p -> {
        assertThat(p.phase()).isEqualTo("backfill");
        assertThat(p.objectType()).isEqualTo("contacts");
        assertThat(p.total()).isEqualTo(60);
      });
      assertThat(drifts).isEmpty(); // a new table is not drift

      f.hubspot.portal().addProperty("companies", "tier_2", "Tier 2", "string", "text");
      f.later();
      job.run();
      assertThat(drifts).singleElement().satisfies(d -> assertThat(d.added()).extracting(m -> m.property()).containsExactly("tier_2"));
      assertThat(report.budgetDailyCeiling()).isEqualTo(f.hubspot.spec().dailyLimit() / 2);
    }
  }

  @Test
  void aBadSettingIsNamed() {
    assertThatThrownBy(() -> SyncJob.builder().build())
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION))
        .hasMessageContaining("client");
  }
}
