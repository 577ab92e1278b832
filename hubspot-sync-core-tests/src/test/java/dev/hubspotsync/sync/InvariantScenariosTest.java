package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import dev.hubspotsync.testkit.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * End-to-end scenarios for the invariants that are not about windows: never older over newer (a replayed
 * page, a re-run from an older checkpoint), several object types in one job (custom object by its
 * objectTypeId) with the report's calls equal to the portal's counters, and values that stop parsing
 * after a property is retyped. Each ends with the sink equal to the portal's ground truth.
 */
class InvariantScenariosTest {

  // ---- never older over newer -------------------------------------------------------------------

  /**
   * A page read by an earlier run (here kept aside, as a retried or re-delivered batch would be) is
   * written again after newer versions of ten of its records landed: those ten keep their newer values
   * and modified dates; a naive upsert would move them back in time.
   */
  @Test
  void aPageKeptFromAnEarlierReadAndReplayedLaterNeverOverwritesNewerRows() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(150))) {
      f.run("contacts");
      List<Long> edited = f.hubspot.portal().ids("contacts").subList(0, 10);
      f.later();
      for (int i = 0; i < edited.size(); i++) {
        f.hubspot.portal().update("contacts", edited.get(i), Map.of("firstname", "Old " + i, "nps_score", "1"));
      }
      f.later();
      f.run("contacts");
      List<String> properties = f.sink.describe("contacts").stream().map(ColumnMapping::property).toList();
      List<CrmRecord> oldPage = f.client.listPage("contacts", properties, 100, null, false).results();
      assertThat(oldPage).extracting(CrmRecord::id).containsAll(edited);

      f.later();
      for (int i = 0; i < edited.size(); i++) {
        f.hubspot.portal().update("contacts", edited.get(i), Map.of("firstname", "New " + i, "nps_score", "2"));
      }
      f.later();
      f.run("contacts");
      Map<Long, Instant> newerDates = new LinkedHashMap<>();
      edited.forEach(id -> newerDates.put(id, f.sink.row("contacts", id).orElseThrow().updatedAt()));

      WriteResult replay = write(f.sink, "contacts", oldPage, f.sink.checkpoint("contacts").orElseThrow());

      assertThat(replay.skippedOlder()).as("rows kept because the stored one is newer").isEqualTo(edited.size());
      assertThat(replay.written() + replay.skippedOlder()).isEqualTo(oldPage.size());
      for (int i = 0; i < edited.size(); i++) {
        Row row = f.sink.row("contacts", edited.get(i)).orElseThrow();
        assertThat(row.get("firstname")).isEqualTo("New " + i);
        assertThat(row.get("nps_score")).isEqualTo(2.0);
        assertThat(row.updatedAt()).isEqualTo(newerDates.get(edited.get(i)));
      }
      PortalTruth.assertSinkMatchesPortal(f, "contacts");

      f.later();
      f.run("contacts");
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  /**
   * The engine itself replays an older version. The stream's checkpoint is reset (through the sink API)
   * to one stored mid-backfill, long ago. Meanwhile the portal's search index has fallen an hour behind,
   * so while the resumed backfill lists contact X's newest version, the incremental window that follows
   * finds X's previous version in search. The older version must not replace the newer row.
   */
  @Test
  void aReRunFromAnOlderCheckpointWhileSearchShowsAnOlderVersionKeepsTheNewerRow() {
    CrashingSink capture = new CrashingSink(Integer.MAX_VALUE); // never crashes; captures a checkpoint
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(300), capture.inner)) {
      AtomicReference<String> midBackfill = new AtomicReference<>();
      capture.onWrite(2, () -> midBackfill.set(capture.inner.checkpoint("contacts").orElseThrow().json()));
      // The list API serves every record's current version, whatever the search index shows.
      f.job("contacts").sink(capture).backfillMethod(BackfillMethod.LIST).build().run();
      assertThat(midBackfill.get()).as("checkpoint after the first backfill page").contains("backfill");

      List<Long> ids = f.hubspot.portal().ids("contacts");
      long x = ids.get(150); // beyond the first list page, so the resumed backfill lists it again
      f.later();
      f.hubspot.portal().update("contacts", x, Map.of("firstname", "Version 1"));
      f.later();
      f.run("contacts");
      assertThat(f.sink.row("contacts", x).orElseThrow().get("firstname")).isEqualTo("Version 1");

      f.hubspot.indexLag(Duration.ofHours(1)); // search keeps showing version 1 for an hour
      f.later();
      f.hubspot.portal().update("contacts", x, Map.of("firstname", "Version 2"));
      Instant version2 = f.hubspot.clock().now();
      f.later();
      write(f.sink, "contacts", List.of(), new Checkpoint("contacts", midBackfill.get()));

      SyncReport replay = f.job("contacts").backfillMethod(BackfillMethod.LIST).build().run();

      assertThat(replay.stream("contacts").mode()).isEqualTo("backfill");
      assertThat(replay.stream("contacts").rowsSkippedOlder()).as("search's older version of X, kept out").isEqualTo(1);
      Row row = f.sink.row("contacts", x).orElseThrow();
      assertThat(row.get("firstname")).isEqualTo("Version 2");
      assertThat(row.updatedAt()).isEqualTo(version2);
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  /** Writes records (possibly none) with a checkpoint through the sink API, as the engine would. */
  private static WriteResult write(InMemorySink sink, String type, List<CrmRecord> records, Checkpoint checkpoint) {
    try (BatchAllocator allocator = BatchAllocator.create(64L * 1024 * 1024)) {
      RecordBatch.Builder builder = RecordBatch.builder(type, sink.describe(type), allocator, Instant.now(), "replay");
      records.forEach(builder::add);
      try (RecordBatch batch = builder.build()) {
        return sink.write(batch, checkpoint);
      }
    }
  }

  // ---- several object types in one job --------------------------------------------------------------

  /**
   * Contacts, companies, deals, tickets, calls and the custom object (by its {@code 2-…} objectTypeId) in
   * one job: a backfill, then changes, creations and archives in each, then an incremental run. After each
   * run every table equals the portal, and the report's calls equal the portal's counters endpoint by
   * endpoint.
   */
  @Test
  void everyObjectTypeIncludingTheCustomObjectByIdEqualsThePortalAndTheCallsAddUp() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder())) {
      String subscriptions = f.hubspot.portal().objectTypeId("subscriptions");
      assertThat(subscriptions).startsWith("2-");
      Map<String, String> portalType = new LinkedHashMap<>();
      Map<String, String> textProperty = new LinkedHashMap<>();
      portalType.put("contacts", "contacts");
      textProperty.put("contacts", "firstname");
      portalType.put("companies", "companies");
      textProperty.put("companies", "name");
      portalType.put("deals", "deals");
      textProperty.put("deals", "dealname");
      portalType.put("tickets", "tickets");
      textProperty.put("tickets", "subject");
      portalType.put("calls", "calls");
      textProperty.put("calls", "hs_call_title");
      portalType.put(subscriptions, "subscriptions");
      textProperty.put(subscriptions, "plan_name");
      String[] types = portalType.keySet().toArray(String[]::new);

      f.hubspot.resetStats();
      SyncReport first = f.run(types);

      PortalTruth.assertReportCallsMatchPortal(first, f.hubspot.stats());
      for (String type : types) {
        assertThat(first.stream(type).mode()).isEqualTo("backfill");
        assertThat(first.stream(type).rowsRead()).isEqualTo(f.hubspot.snapshot().records().get(portalType.get(type)).size());
        PortalTruth.assertSinkMatchesPortal(f.sink, f.hubspot.snapshot(), type, portalType.get(type), Set.of());
      }
      assertThat(f.sink.tables()).containsExactlyInAnyOrder(types);

      f.later();
      Map<String, List<Long>> touched = new LinkedHashMap<>();
      for (String type : types) {
        List<Long> ids = f.hubspot.portal().ids(type);
        List<Long> changed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          long id = ids.get(i * 5 + 1);
          f.hubspot.portal().update(type, id, Map.of(textProperty.get(type), "Changed " + type + " " + i));
          changed.add(id);
        }
        changed.add(f.hubspot.portal().create(type, Map.of(textProperty.get(type), "Created " + type)));
        f.hubspot.portal().archive(type, ids.get(2));
        touched.put(type, changed);
        f.hubspot.clock().advance(Duration.ofSeconds(1));
      }
      f.later();
      f.hubspot.resetStats();

      SyncReport second = f.run(types);

      PortalTruth.assertReportCallsMatchPortal(second, f.hubspot.stats());
      System.out.println("Six types, incremental: " + PortalTruth.describeCalls(second.calls()));
      for (String type : types) {
        SyncReport.StreamReport s = second.stream(type);
        assertThat(s.mode()).as(type).isEqualTo("incremental");
        assertThat(s.archivedRows()).as(type + " archived").isEqualTo(1);
        assertThat(s.rowsRead()).as(type + " read: 4 changed or created, 1 archived").isEqualTo(5);
        for (long id : touched.get(type)) {
          assertThat((String) f.sink.row(type, id).orElseThrow().get(textProperty.get(type))).as(type + " " + id)
              .matches("(Changed|Created) .*");
        }
        PortalTruth.assertSinkMatchesPortal(f.sink, f.hubspot.snapshot(), type, portalType.get(type), Set.of());
      }
    }
  }

  // ---- values that stop parsing -------------------------------------------------------------------

  /**
   * {@code favorite_color} (a string) is retyped to number before the first sync, so its column is
   * DOUBLE: the stored words do not parse. The load does not fail; each raw text is kept in
   * {@code _hs_unparsed}. Later "abc" joins them, and a contact whose value becomes "42" gets the number
   * and loses its stale unparsed text.
   */
  @Test
  void valuesThatDoNotParseAsTheColumnsTypeAreKeptAsRawTextAndNeverFailTheLoad() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(120))) {
      f.hubspot.portal().changePropertyType("contacts", "favorite_color", "number", "number");

      SyncReport first = f.run("contacts");

      assertThat(column(f, "favorite_color").type()).isEqualTo(ColumnType.DOUBLE);
      List<RecordSnapshot> words = f.hubspot.snapshot().live("contacts").stream()
          .filter(r -> r.properties().get("favorite_color") != null && !r.properties().get("favorite_color").isEmpty())
          .toList();
      assertThat(words).as("contacts with a favorite color (precondition)").hasSizeGreaterThan(10);
      assertThat(first.stream("contacts").unparsedValues()).isGreaterThanOrEqualTo(words.size());
      for (RecordSnapshot r : words) {
        Row row = f.sink.row("contacts", r.id()).orElseThrow();
        assertThat(row.get("favorite_color")).isNull();
        assertThat(PortalTruth.unparsed(row)).containsEntry("favorite_color", r.properties().get("favorite_color"));
      }
      PortalTruth.assertSinkMatchesPortal(f, "contacts");

      long abc = words.get(0).id();
      long fortyTwo = words.get(1).id();
      f.later();
      f.hubspot.portal().update("contacts", abc, Map.of("favorite_color", "abc"));
      f.hubspot.portal().update("contacts", fortyTwo, Map.of("favorite_color", "42"));
      f.later();

      SyncReport second = f.run("contacts");

      assertThat(second.stream("contacts").unparsedValues()).isGreaterThanOrEqualTo(1);
      Row abcRow = f.sink.row("contacts", abc).orElseThrow();
      assertThat(abcRow.get("favorite_color")).isNull();
      assertThat(PortalTruth.unparsed(abcRow)).containsEntry("favorite_color", "abc");
      Row numberRow = f.sink.row("contacts", fortyTwo).orElseThrow();
      assertThat(numberRow.get("favorite_color")).isEqualTo(42.0);
      assertThat(PortalTruth.unparsed(numberRow)).as("stale unparsed text is gone").doesNotContainKey("favorite_color");
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  /**
   * The same retype after the column exists: the column stays TEXT (columns are never retyped), the drift
   * is reported, and "abc" loads as the text it is. Nothing fails and nothing is lost.
   */
  @Test
  void aStringPropertyRetypedToNumberAfterItsColumnExistsKeepsLoadingAsText() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(120))) {
      f.run("contacts");
      assertThat(column(f, "favorite_color").type()).isEqualTo(ColumnType.TEXT);
      List<Long> ids = f.hubspot.portal().ids("contacts");
      f.later();
      f.hubspot.portal().changePropertyType("contacts", "favorite_color", "number", "number");
      f.hubspot.portal().update("contacts", ids.get(3), Map.of("favorite_color", "abc"));
      f.hubspot.portal().update("contacts", ids.get(4), Map.of("favorite_color", "42"));
      f.later();

      SyncReport report = f.run("contacts");

      assertThat(String.join("\n", report.stream("contacts").drift())).contains("favorite_color");
      assertThat(column(f, "favorite_color").type()).isEqualTo(ColumnType.TEXT);
      assertThat(f.sink.row("contacts", ids.get(3)).orElseThrow().get("favorite_color")).isEqualTo("abc");
      assertThat(f.sink.row("contacts", ids.get(4)).orElseThrow().get("favorite_color")).isEqualTo("42");
      assertThat(f.sink.row("contacts", ids.get(3)).orElseThrow().get(SystemColumns.UNPARSED)).isNull();
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  private static ColumnMapping column(SyncFixture f, String property) {
    return f.sink.describe("contacts").stream().filter(m -> property.equals(m.property())).findFirst().orElseThrow();
  }
}
