package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Incremental runs end to end (FakeHubSpot over HTTP → SyncJob → InMemorySink), one scenario per way a
 * naive cursor-on-the-modified-date sync loses or re-reads data (DESIGN.md invariant 4, hubspot-api.md §2):
 * index lag, equal timestamps at the cursor, the 10,000 search cap, a crash mid-window, quiet re-runs,
 * and records changing while a window is paged. Every scenario ends with the sink equal to the portal's
 * ground truth. Time is the portal's virtual clock only.
 */
class IncrementalScenariosTest {
  private static final Duration PORTAL_LAG = Duration.ofSeconds(20);
  private static final int ROUNDS = 4;
  private static final int CHANGES_PER_ROUND = 5;

  // ---- index lag ------------------------------------------------------------------------------

  @Test
  void withTheJobsIndexLagAtLeastThePortalsNothingIsMissedAcrossRuns() {
    // indexLag alone (no overlap) must be enough: each window ends where the index has caught up.
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(300).indexLag(PORTAL_LAG))) {
      Map<Long, String> changed = changeJustBeforeEachRun(f,
          () -> f.job("contacts").indexLag(Duration.ofSeconds(30)).overlap(Duration.ZERO).build());

      assertThat(missed(f, changed)).as("changes the sink never received").isEmpty();
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  @Test
  void anOverlapAtLeastThePortalsLagAlsoCatchesChangesTheIndexShowedLate() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(300).indexLag(PORTAL_LAG))) {
      Map<Long, String> changed = changeJustBeforeEachRun(f,
          () -> f.job("contacts").indexLag(Duration.ZERO).overlap(Duration.ofMinutes(1)).build());

      assertThat(missed(f, changed)).as("changes the sink never received").isEmpty();
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  /**
   * The naive implementation: the next window starts exactly where the last one ended, at "now". A change
   * made seconds before a run is not in the search index yet, and by the next run it lies before the
   * window: lost for good. This is why {@code indexLag} and {@code overlap} exist.
   */
  @Test
  void aJobWithoutIndexLagOrOverlapMissesChangesTheIndexShowedLate() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(300).indexLag(PORTAL_LAG))) {
      Map<Long, String> changed = changeJustBeforeEachRun(f,
          () -> f.job("contacts").indexLag(Duration.ZERO).overlap(Duration.ZERO).build());

      assertThat(missed(f, changed)).as("every change made just before a run is lost")
          .containsExactlyInAnyOrderElementsOf(changed.keySet());
      assertThatThrownBy(() -> PortalTruth.assertSinkMatchesPortal(f, "contacts"))
          .isInstanceOf(AssertionError.class).hasMessageContaining("differ from the portal");
    }
  }

  /**
   * The same lag at the start: a contact changed and one created 5 s before the backfill begins, while the
   * index still lags 20 s. Whatever the backfill reads them through (the list API shows them at once; search
   * does not yet), the job's {@code indexLag} alone (no overlap) must bring them in by the next run.
   */
  @ParameterizedTest
  @EnumSource(value = BackfillMethod.class, names = {"LIST", "SEARCH"})
  void changesMadeJustBeforeTheBackfillTheIndexHasNotShownArriveWithTheNextRun(BackfillMethod method) {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(300).indexLag(PORTAL_LAG))) {
      Supplier<SyncJob> job = () -> f.job("contacts").indexLag(Duration.ofSeconds(30)).overlap(Duration.ZERO)
          .backfillMethod(method).build();
      long changed = f.hubspot.portal().ids("contacts").get(10);
      f.hubspot.portal().update("contacts", changed, Map.of("firstname", "Just before the backfill"));
      long created = f.hubspot.portal().create("contacts", Map.of("firstname", "Created before the backfill"));
      f.hubspot.clock().advance(Duration.ofSeconds(5));

      assertThat(job.get().run().stream("contacts").mode()).isEqualTo("backfill");
      f.later();
      job.get().run();
      f.later();
      job.get().run();

      assertThat(f.sink.row("contacts", changed).orElseThrow().get("firstname")).isEqualTo("Just before the backfill");
      assertThat(f.sink.row("contacts", created)).as("the contact created before the backfill").isPresent();
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  /**
   * {@value #ROUNDS} rounds: a few contacts change, 5 s later (inside the portal's 20 s index lag) a run
   * starts. Right after each run that round's changes are not in the sink yet, whatever the settings (the
   * job either waits for the lag or the index does not show them). Then one last run two minutes later.
   */
  private static Map<Long, String> changeJustBeforeEachRun(SyncFixture f, Supplier<SyncJob> job) {
    job.get().run(); // backfill
    List<Long> ids = f.hubspot.portal().ids("contacts");
    Map<Long, String> changed = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      f.hubspot.clock().advance(Duration.ofMinutes(3));
      Map<Long, String> thisRound = new LinkedHashMap<>();
      for (int i = 0; i < CHANGES_PER_ROUND; i++) {
        long id = ids.get(round * 50 + i * 7);
        String name = "Round " + round + " change " + i;
        f.hubspot.portal().update("contacts", id, Map.of("firstname", name));
        thisRound.put(id, name);
      }
      f.hubspot.clock().advance(Duration.ofSeconds(5));
      SyncReport report = job.get().run();
      assertThat(report.stream("contacts").mode()).isEqualTo("incremental");
      assertThat(missed(f, thisRound)).as("round %d: changes made 5 s before the run are not loaded yet", round)
          .containsExactlyInAnyOrderElementsOf(thisRound.keySet());
      changed.putAll(thisRound);
    }
    f.later();
    job.get().run();
    return changed;
  }

  /** Ids whose row does not hold the value they were changed to. */
  private static List<Long> missed(SyncFixture f, Map<Long, String> changed) {
    return changed.entrySet().stream()
        .filter(e -> !e.getValue().equals(f.sink.row("contacts", e.getKey()).orElseThrow().get("firstname")))
        .map(Map.Entry::getKey).toList();
  }

  // ---- equal timestamps at the cursor (GTE, not GT) --------------------------------------------------

  /**
   * A bulk import stamps 300 contacts with the very millisecond the previous run's window ended on (the
   * run read the index at that millisecond, before the import committed). With no overlap and no lag,
   * only {@code GTE} on the cursor brings them in; {@code GT} would skip all 300 for good.
   */
  @Test
  void recordsStampedWithTheCursorsMillisecondAreAllReadByTheNextRun() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(600).indexLag(Duration.ZERO))) {
      Supplier<SyncJob> job = () -> f.job("contacts").indexLag(Duration.ZERO).overlap(Duration.ZERO).build();
      job.get().run();
      List<Long> ids = f.hubspot.portal().ids("contacts");
      f.later();
      f.hubspot.portal().update("contacts", ids.get(0), Map.of("firstname", "Before the cursor"));
      f.hubspot.clock().advance(Duration.ofSeconds(1));
      job.get().run();
      long cursor = PortalTruth.cursor(f.sink, "contacts");
      assertThat(f.sink.row("contacts", ids.get(0)).orElseThrow().get("firstname")).isEqualTo("Before the cursor");
      assertThat(cursor).as("the window ended now (precondition)").isEqualTo(f.hubspot.clock().millis());

      List<Long> tied = ids.subList(100, 400);
      long ms = f.hubspot.portal().bulkUpdate("contacts", tied, Map.of("firstname", "Imported at the cursor"));
      assertThat(ms).as("the import's millisecond is the stored cursor").isEqualTo(cursor);
      f.later();
      SyncReport next = job.get().run();

      assertThat(tied).allSatisfy(id ->
          assertThat(f.sink.row("contacts", id).orElseThrow().get("firstname")).isEqualTo("Imported at the cursor"));
      assertThat(next.stream("contacts").rowsRead()).as("rows read (each tied contact at most twice)")
          .isBetween((long) tied.size(), 2L * tied.size());
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  // ---- the 10,000 cap with distinct timestamps ------------------------------------------------------

  /**
   * 12,000 contacts change over three milliseconds (4,000 each): one window holds more than the search can
   * page. Every record must arrive, none may be read more than twice (the millisecond the cap cut through is
   * re-read by id), and the search calls stay close to 12,000 / 200.
   */
  @Test
  void twelveThousandChangesOverThreeMillisecondsAreAllReadWithBoundedSearches() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(12_000))) {
      DeliveryCountingSink counting = new DeliveryCountingSink(f.sink);
      f.run("contacts");
      List<Long> ids = f.hubspot.portal().ids("contacts");
      assertThat(ids).hasSize(12_000);
      f.later();
      Map<Long, String> wave = new HashMap<>();
      for (int w = 0; w < 3; w++) {
        int k = w;
        // Interleaved ids, so no millisecond is a contiguous id range.
        List<Long> part = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
          if (i % 3 == k) {
            part.add(ids.get(i));
            wave.put(ids.get(i), "Wave " + k);
          }
        }
        f.hubspot.portal().bulkUpdate("contacts", part, Map.of("firstname", "Wave " + k));
        f.hubspot.clock().advance(Duration.ofMillis(1));
      }
      f.later();
      f.hubspot.resetStats();

      SyncReport report = f.job("contacts").sink(counting).build().run();

      long searches = f.hubspot.stats().calls(Endpoint.SEARCH);
      System.out.printf("10k cap, 12,000 changes over 3 ms: %d search calls, %d rows read, %d ids delivered twice%n",
          searches, report.stream("contacts").rowsRead(),
          counting.deliveries.values().stream().filter(n -> n > 1).count());
      assertThat(wave).allSatisfy((id, value) ->
          assertThat(f.sink.row("contacts", id).orElseThrow().get("firstname")).as("contact " + id).isEqualTo(value));
      assertThat(counting.deliveries.keySet()).as("every changed contact delivered").containsAll(wave.keySet());
      assertThat(counting.deliveries.values()).as("deliveries per contact").allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
      assertThat(report.stream("contacts").rowsRead()).as("rows read")
          .isGreaterThanOrEqualTo(12_000).isLessThanOrEqualTo(12_000 + 4_000);
      assertThat(searches).as("search calls").isGreaterThanOrEqualTo(60).isLessThanOrEqualTo(90);
      assertThat(f.hubspot.stats().calls(Endpoint.BATCH_READ)).as("batch reads").isZero();
      PortalTruth.assertReportCallsMatchPortal(report, f.hubspot.stats());
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  // ---- a crash in the incremental phase -----------------------------------------------------------

  /**
   * 500 contacts change one second apart; the incremental run commits its first search page (200) and dies
   * writing the second. The re-run resumes from the committed cursor (minus the overlap), not from the old
   * one, and the sink ends equal to the portal with one row per contact.
   */
  @Test
  void aCrashMidIncrementalResumesFromTheCommittedCursorWithoutDuplicates() {
    CrashingSink crashing = new CrashingSink(2); // the second incremental write dies before it commits
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(1_000), crashing.inner)) {
      f.run("contacts"); // the backfill writes straight to the sink (not counted by CrashingSink)
      long before = PortalTruth.cursor(f.sink, "contacts");
      List<Long> ids = f.hubspot.portal().ids("contacts");
      f.later();
      List<Long> changed = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        f.hubspot.clock().advance(Duration.ofSeconds(1));
        long id = ids.get((i * 7) % ids.size());
        f.hubspot.portal().update("contacts", id, Map.of("firstname", "Changed " + i));
        changed.add(id);
      }
      f.later();

      assertThatThrownBy(() -> f.job("contacts").sink(crashing).pageSizes(100, 200).build().run())
          .isInstanceOf(InMemorySink.SimulatedCrash.class);
      assertThat(countChanged(f)).as("the first page is committed, the second is not").isEqualTo(200);
      long committed = PortalTruth.cursor(f.sink, "contacts");
      assertThat(committed).as("the checkpoint moved with the committed page").isGreaterThan(before);

      SyncReport rerun = f.job("contacts").sink(crashing).pageSizes(100, 200).build().run();

      assertThat(countChanged(f)).isEqualTo(500);
      // 300 never read, plus the minute of overlap before the committed cursor (one change a second: 61),
      // plus a few re-read ties at page boundaries at most; a restart would read 500
      assertThat(rerun.stream("contacts").rowsRead()).as("resumed, not restarted").isBetween(300L, 300L + 61 + 3);
      assertThat(f.sink.rowCount("contacts")).isEqualTo(1_000);
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  /**
   * The same crash, inside one millisecond shared by 500 contacts, with no overlap at all: the committed
   * cursor is that millisecond, and only {@code GTE} brings back the 300 the crash left unread.
   */
  @Test
  void aCrashInsideAMillisecondSharedBy500ContactsLosesNoneOfThem() {
    CrashingSink crashing = new CrashingSink(2);
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(800).indexLag(Duration.ZERO), crashing.inner)) {
      Supplier<SyncJob.Builder> job = () -> f.job("contacts").indexLag(Duration.ZERO).overlap(Duration.ZERO);
      job.get().build().run();
      List<Long> ids = f.hubspot.portal().ids("contacts");
      f.later();
      List<Long> tied = ids.subList(150, 650);
      long ms = f.hubspot.portal().bulkUpdate("contacts", tied, Map.of("firstname", "Imported"));
      f.later();

      assertThatThrownBy(() -> job.get().sink(crashing).pageSizes(100, 200).build().run())
          .isInstanceOf(InMemorySink.SimulatedCrash.class);
      assertThat(tied.stream().filter(id -> "Imported".equals(f.sink.row("contacts", id).orElseThrow().get("firstname"))))
          .hasSize(200);
      assertThat(PortalTruth.cursor(f.sink, "contacts")).as("committed cursor").isEqualTo(ms);

      job.get().sink(crashing).pageSizes(100, 200).build().run();

      assertThat(tied).allSatisfy(id ->
          assertThat(f.sink.row("contacts", id).orElseThrow().get("firstname")).isEqualTo("Imported"));
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  private static long countChanged(SyncFixture f) {
    return f.sink.rows("contacts").stream()
        .filter(r -> r.get("firstname") instanceof String s && s.startsWith("Changed ")).count();
  }

  // ---- quiet re-runs ------------------------------------------------------------------------------

  /**
   * With nothing changing in the portal, the next run re-reads only the records inside the overlap (and
   * rewrites them unchanged), the one after reads nothing, and each costs a fixed handful of calls per
   * object type: properties, one search, one archived-list page (the fixture runs that pass every time).
   */
  @Test
  void reRunsWithoutChangesWriteNothingNewAndCostAFewCallsPerType() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(300).companies(60))) {
      f.run("contacts", "companies");
      List<Long> contacts = f.hubspot.portal().ids("contacts");
      List<Long> companies = f.hubspot.portal().ids("companies");
      f.later();
      for (int i = 0; i < 5; i++) {
        f.hubspot.portal().update("contacts", contacts.get(i * 30), Map.of("firstname", "Early " + i));
      }
      f.hubspot.clock().advance(Duration.ofSeconds(75));
      // Changed 45 s before the run: inside the window (lag 30 s) and, next time, inside the 1-minute overlap.
      for (int i = 0; i < 3; i++) {
        f.hubspot.portal().update("contacts", contacts.get(i * 30 + 7), Map.of("firstname", "Late " + i));
      }
      f.hubspot.portal().update("companies", companies.get(3), Map.of("name", "Late company"));
      f.hubspot.clock().advance(Duration.ofSeconds(45));
      SyncReport changes = f.run("contacts", "companies");
      assertThat(changes.stream("contacts").rowsWritten()).isEqualTo(8);
      assertThat(changes.stream("companies").rowsWritten()).isEqualTo(1);

      Map<String, Long> cursors = Map.of("contacts", PortalTruth.cursor(f.sink, "contacts"),
          "companies", PortalTruth.cursor(f.sink, "companies"));
      Map<String, Map<Long, Map<String, Object>>> before = content(f, "contacts", "companies");
      f.later();
      f.hubspot.resetStats();
      SyncReport quiet = f.run("contacts", "companies");

      for (String type : List.of("contacts", "companies")) {
        long inOverlap = f.hubspot.snapshot().records().get(type).stream()
            .filter(r -> r.updatedAt().toEpochMilli() >= cursors.get(type) - Duration.ofMinutes(1).toMillis())
            .count();
        assertThat(quiet.stream(type).rowsRead()).as(type + ": only the overlap is re-read").isEqualTo(inOverlap);
        assertThat(quiet.stream(type).rowsWritten()).as(type + ": rows rewritten").isEqualTo(inOverlap);
        assertThat(quiet.stream(type).rowsSkippedOlder()).isZero();
      }
      assertThat(quiet.stream("contacts").rowsRead()).isEqualTo(3);
      assertThat(quiet.stream("companies").rowsRead()).isEqualTo(1);
      assertThat(content(f, "contacts", "companies")).as("rows other than their sync stamps").isEqualTo(before);
      assertCallsPerType(quiet, f, 2, 3);

      f.later();
      f.hubspot.resetStats();
      SyncReport silent = f.run("contacts", "companies");

      for (String type : List.of("contacts", "companies")) {
        assertThat(silent.stream(type).rowsRead()).as(type + " read").isZero();
        assertThat(silent.stream(type).rowsWritten()).as(type + " written").isZero();
      }
      assertThat(content(f, "contacts", "companies")).isEqualTo(before);
      assertCallsPerType(silent, f, 2, 3);

      // With the default hourly archived pass (not due again yet), a quiet run is two calls a type.
      f.later();
      f.hubspot.resetStats();
      SyncReport hourly = f.job("contacts", "companies").archivedPassEvery(Duration.ofHours(1)).build().run();
      assertCallsPerType(hourly, f, 2, 2);
      assertThat(hourly.calls()).containsOnlyKeys(ApiCall.PROPERTIES, ApiCall.SEARCH);

      PortalTruth.assertSinkMatchesPortal(f, "contacts");
      PortalTruth.assertSinkMatchesPortal(f, "companies");
    }
  }

  private static void assertCallsPerType(SyncReport report, SyncFixture f, int types, int perType) {
    System.out.println("Quiet run calls: " + PortalTruth.describeCalls(report.calls()));
    PortalTruth.assertReportCallsMatchPortal(report, f.hubspot.stats());
    assertThat(f.hubspot.stats().totalCalls()).as("calls of a quiet run (" + PortalTruth.describeCalls(report.calls()) + ")")
        .isLessThanOrEqualTo((long) types * perType);
    assertThat(report.calls().getOrDefault(ApiCall.SEARCH, 0L)).as("one search per type").isEqualTo(types);
  }

  /** Each row's columns except {@code _synced_at} and {@code _sync_run_id}, by table and id. */
  private static Map<String, Map<Long, Map<String, Object>>> content(SyncFixture f, String... tables) {
    Map<String, Map<Long, Map<String, Object>>> out = new LinkedHashMap<>();
    for (String table : tables) {
      Map<Long, Map<String, Object>> rows = new LinkedHashMap<>();
      for (Row row : f.sink.rows(table)) {
        Map<String, Object> values = new HashMap<>(row.values());
        values.remove(SystemColumns.SYNCED_AT);
        values.remove(SystemColumns.RUN_ID);
        rows.put(row.id(), values);
      }
      out.put(table, rows);
    }
    return out;
  }

  // ---- records changing while a window is paged -----------------------------------------------------

  /**
   * Search's {@code after} is an offset into a result set HubSpot recomputes on every call (§2). 450
   * contacts changed over 15 minutes form one window of three pages. While the run writes its first page,
   * a user edits a contact from that page: its new modified date is past the window, so it drops out, and
   * every later record moves one place forward. Offset 200 then starts one record too late; the skipped
   * record's date lies ~8 minutes before the window's end, far outside the next run's overlap, so a sync
   * that pages by offset never reads it. Nothing may be missed.
   */
  @Test
  void aRecordEditedWhileAWindowIsPagedDoesNotPushAnotherOutOfTheWindow() {
    CrashingSink events = new CrashingSink(Integer.MAX_VALUE); // never crashes; scripts the edit
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(1_000), events.inner)) {
      f.run("contacts");
      List<Long> ids = f.hubspot.portal().ids("contacts");
      f.later();
      List<Long> changed = new ArrayList<>();
      for (int i = 0; i < 450; i++) {
        f.hubspot.clock().advance(Duration.ofSeconds(2));
        long id = ids.get(i * 2);
        f.hubspot.portal().update("contacts", id, Map.of("firstname", "Edited " + i));
        changed.add(id);
      }
      f.later();
      long editedMidRun = changed.get(5);
      events.onWrite(1, () -> { // the first page has been read; the second has not
        f.hubspot.portal().update("contacts", editedMidRun, Map.of("firstname", "Edited during the run"));
        f.hubspot.clock().advance(Duration.ofSeconds(5)); // the index shows the edit before the next page
      });

      f.job("contacts").sink(events).pageSizes(100, 200).build().run();
      f.later();
      f.run("contacts");
      f.later();
      f.run("contacts");

      List<String> stale = new ArrayList<>();
      for (int i = 0; i < changed.size(); i++) {
        long id = changed.get(i);
        Object firstname = f.sink.row("contacts", id).orElseThrow().get("firstname");
        if (id != editedMidRun && !("Edited " + i).equals(firstname)) {
          stale.add("change #" + i + " (contact " + id + ") still reads " + firstname);
        }
      }
      assertThat(stale).as("contacts whose change never reached the sink").isEmpty();
      assertThat(f.sink.row("contacts", editedMidRun).orElseThrow().get("firstname")).isEqualTo("Edited during the run");
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  /** The in-memory sink, counting how often each id is handed to it. */
  static final class DeliveryCountingSink extends ForwardingSink {
    final Map<Long, Integer> deliveries = new ConcurrentHashMap<>();

    DeliveryCountingSink(InMemorySink inner) {
      super(inner);
    }

    @Override
    public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
      WriteResult result = inner.write(batch, checkpoint);
      for (int row = 0; row < batch.rowCount(); row++) {
        deliveries.merge(batch.id(row), 1, Integer::sum);
      }
      return result;
    }
  }
}
