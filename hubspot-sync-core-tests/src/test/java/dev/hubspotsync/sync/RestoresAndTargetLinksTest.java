package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.Fault;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.Row;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Records archived and restored (the recycle bin keeps them 90 days; neither moves the modified
 * date), merged and deleted, in every order against the backfill and the bin pass, over HTTP: each
 * ends in the warehouse with its row and its links, and links that point to such a record — which
 * moves no date of the parent — are corrected without a full scan. Issue 12, "restored records
 * disappear" and "links go stale on the target side".
 */
class RestoresAndTargetLinksTest {
  private static final String ROLLUP = "sync_associations_contacts_deals_label_count";

  /** Archived before the first run, restored after it: the bin pass brings the row back, the pair its links. */
  @Test
  void archivedBeforeTheBackfillAndRestoredLaterComesBackWithItsLinks() {
    try (SyncFixture f = fixture()) {
      long contact = contactWithLinks(f);
      f.hubspot.portal().archive("contacts", contact);
      run(f);
      assertThat(row(f.sink, contact).get(SystemColumns.ARCHIVED)).isEqualTo(true);
      assertThat(parents(f.sink)).doesNotContain(contact);

      f.later();
      f.hubspot.portal().restore("contacts", contact);
      run(f);

      assertThat(row(f.sink, contact).get(SystemColumns.ARCHIVED)).as("restored contact").isEqualTo(false);
      assertThat(parents(f.sink)).as("parents with links after the restore").contains(contact);
      f.assertSinkMatchesPortal("contacts", "firstname", "email");
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
    }
  }

  /**
   * Archived while the backfill ran, before it reached the record, and restored before the bin pass:
   * neither pass sees it and its modified date never moves. The reconciliation that follows a backfill
   * finds it, with its links, in the same run.
   */
  @Test
  void archivedWhileTheBackfillRanAndRestoredBeforeTheBinPassIsFoundByTheReconciliation() {
    ArchiveDuringBackfill sink = new ArchiveDuringBackfill();
    // 2,000 contacts: ten search pages, so the last one is far ahead of the fetcher when page 1 is written
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(2_000).companies(10).deals(60), sink.inner)) {
      long last = f.hubspot.portal().ids("contacts").get(f.hubspot.portal().ids("contacts").size() - 1);
      f.hubspot.portal().associate("contacts", last, "deals", f.hubspot.portal().ids("deals").get(0));
      sink.arm(f, last);

      SyncReport report = f.job("contacts", "deals").sink(sink).addAssociation("contacts", "deals")
          .associationFullScanEvery(Duration.ofDays(1)).build().run();

      assertThat(sink.restored).as("the hook archived and restored contact " + last + " during the backfill").isTrue();
      assertThat(report.stream("contacts").checkpoint()).as("the backfill's end is followed by a reconciliation")
          .contains("\"reconciledAt\"");
      assertThat(report.stream("contacts").mode()).isEqualTo("backfill");
      assertThat(sink.inner.rows("contacts")).extracting(Row::id).as("contacts in the warehouse").contains(last);
      assertThat(row(sink.inner, last).get(SystemColumns.ARCHIVED)).isEqualTo(false);
      f.assertSinkMatchesPortal(sink.inner, "contacts", "firstname", "email");
      f.assertLinksMatchPortal(sink.inner, "contacts", "deals");
    }
  }

  /** Archived and restored between two runs, before any bin pass saw it: the row and links never went. */
  @Test
  void archivedAndRestoredBetweenRunsLosesNothing() {
    try (SyncFixture f = fixture()) {
      run(f);
      long contact = contactWithLinks(f);
      f.later();
      f.hubspot.portal().archive("contacts", contact);
      f.hubspot.portal().restore("contacts", contact);
      run(f);
      assertThat(row(f.sink, contact).get(SystemColumns.ARCHIVED)).isEqualTo(false);
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
    }
  }

  /**
   * The restore is written, then the run fails before the pair read the restored parent's links: the
   * pending re-read is kept with the row's checkpoint, so the next run reads them.
   */
  @Test
  void aCrashBetweenTheRestoreAndItsLinksLosesNoLink() {
    try (SyncFixture f = fixture()) {
      run(f);
      long contact = contactWithLinks(f);
      f.later();
      f.hubspot.portal().archive("contacts", contact);
      run(f);
      assertThat(parents(f.sink)).doesNotContain(contact);
      f.later();
      f.hubspot.portal().restore("contacts", contact);
      f.hubspot.faults().on(Endpoint.ASSOCIATIONS_BATCH_READ).failNext(20, Fault.SERVER_ERROR_JSON);

      assertThatThrownBy(() -> run(f)).isInstanceOf(HubSpotSyncException.class);
      assertThat(row(f.sink, contact).get(SystemColumns.ARCHIVED)).as("the restore was written").isEqualTo(false);
      assertThat(parents(f.sink)).as("links not read yet").doesNotContain(contact);
      assertThat(f.sink.checkpoint("contacts").orElseThrow().json()).contains("\"relink\":[" + contact + "]");

      f.hubspot.faults().clear();
      run(f);

      assertThat(parents(f.sink)).contains(contact);
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      assertThat(f.sink.checkpoint("contacts").orElseThrow().json()).as("handled re-reads are forgotten")
          .doesNotContain("relink");
    }
  }

  /**
   * With the CDC boost the pair never rescans, and archiving, merging, deleting or restoring a deal
   * moves no contact's date: the links pointing to those deals are corrected all the same, each for a
   * few calls.
   */
  @Test
  void linksToArchivedMergedDeletedAndRestoredTargetsAreCorrectedWithoutAFullScan() {
    try (SyncFixture f = fixture()) {
      f.hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
      run(f);
      assertThat(run(f).association("contacts", "deals").mode()).isEqualTo("incremental");
      List<Long> targets = f.sink.links("contacts", "deals").stream().map(LinkRow::toId).distinct().sorted().toList();
      assertThat(targets).hasSizeGreaterThan(6);
      f.later();
      f.hubspot.portal().archive("deals", targets.get(0));
      f.hubspot.portal().merge("deals", targets.get(1), targets.get(2));
      f.hubspot.portal().hardDelete("deals", targets.get(3));
      f.hubspot.portal().archive("deals", targets.get(4));

      f.hubspot.resetStats();
      SyncReport changed = run(f);

      assertThat(changed.association("contacts", "deals").mode()).isEqualTo("incremental");
      assertThat(Set.copyOf(f.sink.links("contacts", "deals").stream().map(LinkRow::toId).toList()))
          .as("targets after archive, merge and delete")
          .doesNotContain(targets.get(0), targets.get(2), targets.get(3), targets.get(4)).contains(targets.get(1));
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      // one reverse read for the survivor (archived and deleted targets are looked up in the warehouse
      // only), one read of the affected parents
      assertThat(f.hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).isEqualTo(2);

      f.later();
      f.hubspot.portal().restore("deals", targets.get(0));
      f.hubspot.portal().restore("deals", targets.get(4));
      f.hubspot.resetStats();
      SyncReport restored = run(f);

      assertThat(restored.association("contacts", "deals").mode()).isEqualTo("incremental");
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      assertThat(f.sink.links("contacts", "deals").stream().map(LinkRow::toId)).contains(targets.get(0), targets.get(4));
      // one reverse read for the two restored deals, one read of their parents; nothing else
      assertThat(f.hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).isEqualTo(2);
      assertThat(f.sink.checkpoint("deals").orElseThrow().json()).doesNotContain("relink");
    }
  }

  /**
   * A deal archived and restored between two recycle-bin passes, while its contact's links were read
   * again: the link goes (HubSpot hid it) and nothing that moves a date brings it back. With the
   * CDC boost the pair still rescans every parent as a backstop, at the longer of the full-scan and
   * reconcile cadences, and the link returns there.
   */
  @Test
  void aTargetArchivedAndRestoredBetweenBinPassesReturnsAtTheBackstopScan() {
    try (SyncFixture f = fixture()) {
      f.hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
      SyncJob.Builder job = f.job("contacts", "deals").addAssociation("contacts", "deals")
          .archivedPassEvery(Duration.ofHours(1)).associationFullScanEvery(Duration.ofDays(1))
          .reconcileEvery(Duration.ofDays(7));
      job.build().run();
      var link = f.hubspot.snapshot().associations("contacts", "deals").get(0);
      f.later();
      f.hubspot.portal().archive("deals", link.toId());
      f.hubspot.portal().update("contacts", link.fromId(), Map.of("firstname", "Read while the deal is in the bin"));
      f.later();
      job.build().run();
      f.hubspot.portal().restore("deals", link.toId());
      f.later();
      SyncReport before = job.build().run();
      assertThat(before.association("contacts", "deals").mode()).isEqualTo("incremental");
      assertThat(f.sink.links("contacts", "deals")).as("nothing moved a date: the link is still missing")
          .noneMatch(l -> l.fromId() == link.fromId() && l.toId() == link.toId());

      f.hubspot.clock().advance(Duration.ofDays(7));
      SyncReport backstop = job.build().run();

      assertThat(backstop.association("contacts", "deals").mode()).isEqualTo("full-scan");
      assertThat(backstop.association("contacts", "deals").reason()).contains("backstop full scan every PT168H");
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      SyncReport.Backstop found = backstop.association("contacts", "deals").backstop();
      assertThat(found.complete()).isTrue();
      long rows = f.sink.links("contacts", "deals").stream()
          .filter(l -> l.fromId() == link.fromId() && l.toId() == link.toId()).count();
      assertThat(found.linksAdded()).as("the link the incremental runs missed, a row per association type")
          .isEqualTo(rows).isPositive();
      assertThat(found.linksRemoved()).isZero();
      assertThat(found.parentsCompared()).isEqualTo(f.sink.ids("contacts", false).length);
      assertThat(found.startedAt()).isBetween(backstop.startedAt(), backstop.finishedAt());
      assertThat(backstop.association("contacts", "deals").lastFullScanAt()).isEqualTo(found.startedAt());
      f.later();
      SyncReport after = job.build().run();
      assertThat(after.association("contacts", "deals").backstop()).as("later runs still tell what it found")
          .isEqualTo(found);
    }
  }

  /**
   * Updated and archived before a run (its search skips archived records), restored before a
   * recycle-bin pass saw it: the row keeps the old values and the restore moves no date. The
   * reconciliation compares modified dates and reads it again.
   */
  @Test
  void anUpdateMadeJustBeforeAnArchiveAndRestoreIsReadByTheReconciliation() {
    try (SyncFixture f = fixture()) {
      SyncJob.Builder job = f.job("contacts", "deals").archivedPassEvery(Duration.ofHours(1))
          .reconcileEvery(Duration.ofDays(7));
      job.build().run();
      long contact = f.hubspot.portal().ids("contacts").get(5);
      f.later();
      f.hubspot.portal().update("contacts", contact, Map.of("firstname", "Edited, then deleted by mistake"));
      f.hubspot.portal().archive("contacts", contact);
      f.later();
      job.build().run();
      f.hubspot.portal().restore("contacts", contact);
      f.later();
      job.build().run();
      assertThat(row(f.sink, contact).get("firstname")).as("no run saw the edit yet").isNotEqualTo(
          "Edited, then deleted by mistake");

      f.hubspot.clock().advance(Duration.ofDays(7));
      job.build().run();

      assertThat(row(f.sink, contact).get("firstname")).isEqualTo("Edited, then deleted by mistake");
      f.assertSinkMatchesPortal("contacts", "firstname", "email");
    }
  }

  /** A sink that cannot list its ids (here the counting sink) gets no reconciliation, not a re-read of everything. */
  @Test
  void aSinkThatCannotListItsIdsIsNotReadAgainInFull() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(1_000), InMemorySink.counting())) {
      SyncReport report = f.job("contacts").build().run();
      assertThat(report.calls().get(ApiCall.LIST)).as("the recycle bin only; no id listing").isEqualTo(1);
      assertThat(report.calls()).doesNotContainKey(ApiCall.BATCH_READ);
      assertThat(f.sink.checkpoint("contacts").orElseThrow().json()).doesNotContain("relink");
    }
  }

  private static PortalSpec.Builder spec() {
    return PortalSpec.builder().contacts(300).companies(10).deals(60);
  }

  private static SyncFixture fixture() {
    return new SyncFixture(spec());
  }

  /** Every pass each run (bin pass and reconciliation included); full scans only on the first run. */
  private static SyncReport run(SyncFixture f) {
    f.later();
    return f.job("contacts", "deals").addAssociation("contacts", "deals").reconcileEvery(Duration.ZERO)
        .associationFullScanEvery(Duration.ofDays(30)).build().run();
  }

  private static long contactWithLinks(SyncFixture f) {
    return f.hubspot.snapshot().associations("contacts", "deals").get(0).fromId();
  }

  private static Row row(InMemorySink sink, long id) {
    return sink.rows("contacts").stream().filter(r -> r.id() == id).findFirst().orElseThrow(
        () -> new AssertionError("no row for contact " + id));
  }

  private static Set<Long> parents(InMemorySink sink) {
    return sink.links("contacts", "deals").stream().map(LinkRow::fromId).collect(Collectors.toSet());
  }

  /**
   * Archives a contact the backfill has not reached when the first page is written, and restores it
   * when the backfill's last page is written, before the bin pass.
   */
  private static final class ArchiveDuringBackfill extends ForwardingSink {
    private SyncFixture f;
    private long target;
    private boolean archived;
    volatile boolean restored;

    ArchiveDuringBackfill() {
      super(InMemorySink.create());
    }

    void arm(SyncFixture fixture, long id) {
      this.f = fixture;
      this.target = id;
    }

    @Override
    public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
      WriteResult result = inner.write(batch, checkpoint);
      if (f != null && batch.objectType().equals("contacts")) {
        if (!archived) {
          archived = true;
          f.hubspot.portal().archive("contacts", target);
        } else if (!restored && checkpoint.json().contains("\"incremental\"")) {
          restored = true;
          f.hubspot.portal().restore("contacts", target);
        }
      }
      return result;
    }
  }
}
