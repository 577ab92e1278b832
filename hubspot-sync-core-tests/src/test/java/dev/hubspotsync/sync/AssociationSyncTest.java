package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Association pairs end to end: FakeHubSpot over HTTP → SyncJob → link tables in InMemorySink,
 * compared after every run with the links the portal serves.
 */
class AssociationSyncTest {
  private static final String ROLLUP = "sync_associations_contacts_deals_label_count";

  @Test
  void aFullScanStoresEveryLinkAndLaterScansCatchAddsAndRemovals() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(350).companies(40).deals(120))) {
      SyncReport first = run(f, Duration.ZERO);
      assertThat(first.association("contacts", "deals").mode()).isEqualTo("full-scan");
      assertThat(first.association("contacts", "deals").reason()).contains("first run");
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      assertThat(f.sink.links("contacts", "deals")).hasSizeGreaterThan(100);

      editLinks(f);
      SyncReport second = run(f, Duration.ZERO); // no rollup: a full scan every run here

      assertThat(second.association("contacts", "deals").reason()).contains("scheduled full scan")
          .contains("no rollup property sync_associations_contacts_deals_label_*");
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
    }
  }

  /** Without a rollup, runs between scans re-read only parents whose properties changed: edits wait for the scan. */
  @Test
  void withoutARollupIncrementalRunsReReadOnlyParentsWhoseModifiedDateMoved() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(200).companies(10).deals(60))) {
      run(f, Duration.ofDays(1));
      List<Long> contacts = f.hubspot.portal().ids("contacts");
      List<Long> deals = f.hubspot.portal().ids("deals");
      f.later();
      f.hubspot.portal().associate("contacts", contacts.get(0), "deals", deals.get(0));
      f.hubspot.portal().associate("contacts", contacts.get(1), "deals", deals.get(1));
      f.hubspot.portal().update("contacts", contacts.get(1), Map.of("firstname", "Moved"));
      f.later();

      SyncReport second = run(f, Duration.ofDays(1));

      SyncReport.AssociationReport pair = second.association("contacts", "deals");
      assertThat(pair.mode()).isEqualTo("incremental");
      assertThat(pair.reason()).contains("parents whose properties changed only");
      assertThat(pair.parentsRead()).isEqualTo(1);
      assertThat(linked(f.sink, contacts.get(1), deals.get(1))).as("the changed parent's new link").isTrue();
      assertThat(linked(f.sink, contacts.get(0), deals.get(0))).as("waits for the daily scan").isFalse();

      f.hubspot.clock().advance(Duration.ofDays(1));
      SyncReport third = run(f, Duration.ofDays(1));
      assertThat(third.association("contacts", "deals").mode()).isEqualTo("full-scan");
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
    }
  }

  @Test
  void withTheCdcBoostAnIncrementalPassCatchesEveryEditForASearchAndOneBatchRead() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(600).companies(30).deals(200))) {
      f.hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
      run(f, Duration.ofDays(1));
      SyncReport settle = run(f, Duration.ofDays(1));
      assertThat(settle.association("contacts", "deals").mode()).isEqualTo("incremental");

      editLinks(f);
      f.hubspot.resetStats();
      SyncReport report = run(f, Duration.ofDays(1));

      SyncReport.AssociationReport pair = report.association("contacts", "deals");
      assertThat(pair.mode()).isEqualTo("incremental");
      assertThat(pair.reason()).contains("CDC boost").contains(ROLLUP);
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      assertThat(f.hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).isEqualTo(1);
      assertThat(pair.calls()).isEqualTo(Map.of(ApiCall.SEARCH, 1L, ApiCall.ASSOCIATIONS_BATCH_READ, 1L));
      // one search each for the contacts and deals streams, one for the pair
      assertThat(f.hubspot.stats().calls(Endpoint.SEARCH)).isEqualTo(3);
    }
  }

  @Test
  void aPairSwitchesToIncrementalWhenTheRollupAppearsAndBackWhenItIsArchived() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(150).companies(10).deals(50))) {
      assertThat(run(f, Duration.ofDays(1)).association("contacts", "deals").mode()).isEqualTo("full-scan");
      assertThat(run(f, Duration.ofDays(1)).association("contacts", "deals").reason()).contains("properties changed only");

      f.hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
      SyncReport appeared = run(f, Duration.ofDays(1));
      assertThat(appeared.association("contacts", "deals").mode()).isEqualTo("full-scan");
      assertThat(appeared.association("contacts", "deals").reason()).contains("appeared");
      editLinks(f);
      SyncReport boosted = run(f, Duration.ofDays(1));
      assertThat(boosted.association("contacts", "deals").mode()).isEqualTo("incremental");
      assertThat(boosted.association("contacts", "deals").reason()).contains("CDC boost");
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");

      f.hubspot.portal().archiveProperty("contacts", ROLLUP);
      SyncReport gone = run(f, Duration.ofDays(1));
      assertThat(gone.association("contacts", "deals").mode()).isEqualTo("full-scan");
      assertThat(gone.association("contacts", "deals").reason()).contains("rollup is gone");
    }
  }

  /** The rollup lives on the alphabetically first type; read from the other side, the pair cannot use it and says so. */
  @Test
  void aRollupOnTheOtherSideOfThePairIsReportedNotMisused() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(50).companies(5).deals(20))) {
      f.hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
      f.job("contacts", "deals").addAssociation("deals", "contacts").build().run();
      SyncReport second = f.job("contacts", "deals").addAssociation("deals", "contacts").build().run();
      assertThat(second.association("deals", "contacts").reason())
          .contains("the rollup " + ROLLUP + " is on contacts but the pair is read from deals");
    }
  }

  @Test
  void engagementPairsNeverUseTheBoost() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(40).companies(5).deals(5).calls(30))) {
      SyncReport first = f.job("calls").addAssociation("calls", "contacts").associationFullScanEvery(Duration.ofDays(1))
          .build().run();
      f.assertLinksMatchPortal(f.sink, "calls", "contacts");
      f.later();
      SyncReport second = f.job("calls").addAssociation("calls", "contacts").associationFullScanEvery(Duration.ofDays(1))
          .build().run();
      assertThat(first.association("calls", "contacts").mode()).isEqualTo("full-scan");
      assertThat(second.association("calls", "contacts").reason()).contains("engagement objects cannot carry rollup");
    }
  }

  @Test
  void aParentWithTwelveHundredLinksIsReadPageByPage() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(5).companies(2).deals(1_250)
        .associationPageSize(500))) {
      long contact = f.hubspot.portal().ids("contacts").get(0);
      List<Long> deals = f.hubspot.portal().ids("deals");
      for (int i = 0; i < 1_200; i++) {
        f.hubspot.portal().associate("contacts", contact, "deals", deals.get(i));
      }
      run(f, Duration.ofDays(1));
      assertThat(f.sink.links("contacts", "deals").stream().filter(l -> l.fromId() == contact).map(LinkRow::toId)
          .collect(Collectors.toSet())).hasSizeGreaterThanOrEqualTo(1_200);
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
    }
  }

  @Test
  void aCrashMidScanResumesFromTheLastParentId() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(1_000).companies(20).deals(300))) {
      var sink = new ForwardingSink(InMemorySink.create()) {
        int replaces;

        @Override
        public void replaceAssociations(LinkBatch batch, Checkpoint checkpoint) {
          if (++replaces == 4) {
            inner.failNextWrite(batch.pair());
          }
          inner.replaceAssociations(batch, checkpoint);
        }
      };
      SyncJob.Builder job = f.job("contacts").sink(sink).addAssociation("contacts", "deals").associationBatchSize(100);
      assertThatThrownBy(() -> job.build().run()).isInstanceOf(InMemorySink.SimulatedCrash.class);
      assertThat(sink.inner.checkpoint("contacts_to_deals").orElseThrow().json()).contains("\"mode\":\"full-scan\"");
      f.hubspot.resetStats();

      SyncReport resumed = job.build().run();

      assertThat(resumed.association("contacts", "deals").reason()).contains("continuing the full scan after parent");
      assertThat(resumed.association("contacts", "deals").parentsRead()).as("parents 301–1,000").isEqualTo(700);
      assertThat(f.hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).isEqualTo(7);
      f.assertLinksMatchPortal(sink.inner, "contacts", "deals");
    }
  }

  /** A sink that cannot read its links back: the backstop still corrects them and reports -1 for what it found. */
  @Test
  void aBackstopOnASinkThatCannotReadLinksReportsWhatItFoundAsUnknown() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(100).companies(5).deals(40))) {
      f.hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
      var sink = new ForwardingSink(InMemorySink.create()) {
        @Override
        public java.util.List<dev.hubspotsync.sink.LinkRow> links(String from, String to, java.util.Collection<Long> ids) {
          throw new UnsupportedOperationException("this sink cannot read its links back");
        }
      };
      SyncJob.Builder job = f.job("contacts", "deals").sink(sink).addAssociation("contacts", "deals");
      job.build().run();
      f.hubspot.clock().advance(Duration.ofDays(7));

      SyncReport.AssociationReport pair = job.build().run().association("contacts", "deals");

      assertThat(pair.reason()).contains("backstop full scan");
      assertThat(pair.backstop()).isEqualTo(new SyncReport.Backstop(pair.lastFullScanAt(), true, 100, -1, -1));
      f.assertLinksMatchPortal(sink.inner, "contacts", "deals");
    }
  }

  /** HubSpot takes 1,000 parent ids per association batch read since 2025-02-10 (hubspot-api.md §10.2). */
  @Test
  void aFullScanReadsAThousandParentsPerCallAndTheBatchSizeCanBeLowered() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(2_500).companies(20).deals(300))) {
      f.job("contacts").build().run();
      f.hubspot.resetStats();

      SyncReport report = f.job("contacts").addAssociation("contacts", "deals").build().run();

      assertThat(report.association("contacts", "deals").parentsRead()).isEqualTo(2_500);
      assertThat(report.association("contacts", "deals").calls().get(ApiCall.ASSOCIATIONS_BATCH_READ))
          .as("2,500 parents, 1,000 a call").isEqualTo(3);
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");

      f.hubspot.clock().advance(Duration.ofDays(1));
      SyncReport lowered = f.job("contacts").addAssociation("contacts", "deals").associationBatchSize(250).build().run();
      assertThat(lowered.association("contacts", "deals").mode()).isEqualTo("full-scan");
      assertThat(lowered.association("contacts", "deals").calls().get(ApiCall.ASSOCIATIONS_BATCH_READ)).isEqualTo(10);
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      assertThatThrownBy(() -> f.job("contacts").associationBatchSize(1_001).build())
          .hasMessageContaining("associationBatchSize must be 1–1,000");
    }
  }

  /**
   * Memory: 1,000 parents with 60 links each make an answer of 60,000 links; the next calls ask for
   * fewer parents (about 50,000 links a call), so no answer or sink write grows with the batch size.
   */
  @Test
  void parentsWithManyLinksAreReadInSmallerCalls() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(2_000).companies(5).deals(100)
        .associationPageSize(500))) {
      List<Long> deals = f.hubspot.portal().ids("deals");
      for (long contact : f.hubspot.portal().ids("contacts")) {
        for (int i = 0; i < 60; i++) {
          f.hubspot.portal().associate("contacts", contact, "deals", deals.get(i));
        }
      }
      f.job("contacts").build().run();

      SyncReport report = f.job("contacts").addAssociation("contacts", "deals").build().run();

      assertThat(report.association("contacts", "deals").calls().get(ApiCall.ASSOCIATIONS_BATCH_READ))
          .as("1,000 parents, then two calls of fewer for the other 1,000").isEqualTo(3);
      assertThat(report.association("contacts", "deals").linksStored()).isGreaterThanOrEqualTo(120_000);
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
    }
  }

  /** Parents from the portal: search pages of 200 are gathered into calls of 1,000. */
  @Test
  void parentsFromThePortalAreGatheredAcrossSearchPagesIntoFullCalls() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(30).companies(20).deals(2_100))) {
      SyncReport report = f.job("contacts").addAssociation("deals", "companies").build().run();
      assertThat(report.association("deals", "companies").parentsRead()).isEqualTo(2_100);
      assertThat(report.association("deals", "companies").calls().get(ApiCall.ASSOCIATIONS_BATCH_READ)).isEqualTo(3);
      f.assertLinksMatchPortal(f.sink, "deals", "companies");
    }
  }

  /**
   * No source confirms that a rollup's recalculation moves the parent's modified date (hubspot-api.md
   * §10.5): a boosted pair reads every parent weekly by default, whatever the other cadences, and
   * reports the links the incremental runs had missed. Here the warehouse loses a parent's links
   * and gains a link HubSpot never had, behind the engine's back.
   */
  @Test
  void aBoostedPairRunsAWeeklyBackstopScanByDefaultAndReportsWhatTheIncrementalRunsMissed() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(200).companies(10).deals(80))) {
      f.hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
      SyncJob.Builder job = f.job("contacts", "deals").addAssociation("contacts", "deals")
          .associationFullScanEvery(Duration.ofDays(1)).reconcileEvery(Duration.ofDays(1));
      SyncReport first = job.build().run();
      assertThat(first.association("contacts", "deals").backstop()).as("a first scan is no backstop").isNull();
      assertThat(first.association("contacts", "deals").lastFullScanAt()).isNotNull();
      List<LinkRow> links = f.sink.links("contacts", "deals");
      long lost = links.get(0).fromId();
      long lostCount = links.stream().filter(l -> l.fromId() == lost).count();
      long other = links.stream().map(LinkRow::fromId).filter(id -> id != lost).findFirst().orElseThrow();
      List<LinkRow> otherLinks = new java.util.ArrayList<>(links.stream().filter(l -> l.fromId() == other).toList());
      otherLinks.add(new LinkRow(other, 999_999_999L, 3, "HUBSPOT_DEFINED", null));
      Checkpoint position = f.sink.checkpoint("contacts_to_deals").orElseThrow();
      f.sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(lost), List.of(), SyncFixture.T0), position);
      f.sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(other), otherLinks, SyncFixture.T0), position);

      f.hubspot.clock().advance(Duration.ofDays(1));
      SyncReport daily = job.build().run();
      assertThat(daily.association("contacts", "deals").mode()).as("a day later: still incremental").isEqualTo("incremental");
      f.hubspot.clock().advance(Duration.ofDays(6));
      SyncReport weekly = job.build().run();

      SyncReport.AssociationReport pair = weekly.association("contacts", "deals");
      assertThat(pair.mode()).isEqualTo("full-scan");
      assertThat(pair.reason()).contains("backstop full scan every PT168H");
      assertThat(pair.backstop()).isEqualTo(new SyncReport.Backstop(pair.lastFullScanAt(), true, 200, lostCount, 1));
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      assertThatThrownBy(() -> job.associationBackstopEvery(Duration.ofDays(-1)).build())
          .hasMessageContaining("associationBackstopEvery must not be negative");
    }
  }

  @Test
  void aCheckpointOfTheWrongKindStartsAFullScanInsteadOfFailing() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(120).companies(5).deals(40))) {
      f.sink.evolve("contacts", List.of());
      f.sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(), List.of(), SyncFixture.T0),
          new Checkpoint("contacts_to_deals", "{\"mode\":\"incremental\",\"cursor\":2147483999}"));

      SyncReport report = run(f, Duration.ofDays(1));

      assertThat(report.association("contacts", "deals").mode()).isEqualTo("full-scan");
      assertThat(report.association("contacts", "deals").reason()).contains("is not a modified date");
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
    }
  }

  @Test
  void linksOfArchivedAndMergedParentsAreRemoved() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(200).companies(10).deals(80))) {
      f.hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
      run(f, Duration.ofDays(1));
      List<Long> withLinks = f.sink.links("contacts", "deals").stream().map(LinkRow::fromId).distinct().toList();
      f.later();
      f.hubspot.portal().archive("contacts", withLinks.get(0));
      f.hubspot.portal().merge("contacts", withLinks.get(1), withLinks.get(2));
      f.later();

      run(f, Duration.ofDays(1));

      Set<Long> parents = f.sink.links("contacts", "deals").stream().map(LinkRow::fromId).collect(Collectors.toSet());
      assertThat(parents).doesNotContain(withLinks.get(0), withLinks.get(2)).contains(withLinks.get(1));
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
    }
  }

  /** Parents come from the portal when their type is not synced; links to records not synced are kept. */
  @Test
  void parentsOfATypeTheJobDoesNotSyncComeFromThePortal() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(30).companies(20).deals(450))) {
      SyncReport report = f.job("contacts").addAssociation("deals", "companies").build().run();
      assertThat(report.association("deals", "companies").parentsRead()).isEqualTo(450);
      assertThat(f.sink.tables()).doesNotContain("deals", "companies");
      f.assertLinksMatchPortal(f.sink, "deals", "companies");
    }
  }

  @Test
  void badPairsAreRejectedByTheBuilder() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(1))) {
      assertThatThrownBy(() -> f.job("contacts").addAssociation("contacts", "deals").addAssociation("deals", "contacts").build())
          .isInstanceOfSatisfying(HubSpotSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION))
          .hasMessageContaining("read in one direction only");
      assertThatThrownBy(() -> f.job("contacts").addAssociation("contacts", " ").build())
          .hasMessageContaining("blank type");
    }
  }

  private static SyncReport run(SyncFixture f, Duration fullScanEvery) {
    f.later();
    return f.job("contacts", "deals").addAssociation("contacts", "deals").associationFullScanEvery(fullScanEvery).build().run();
  }

  /** Adds three links and removes two, between runs. */
  private static void editLinks(SyncFixture f) {
    f.later();
    List<Long> contacts = f.hubspot.portal().ids("contacts");
    List<Long> deals = f.hubspot.portal().ids("deals");
    for (int i = 0; i < 3; i++) {
      f.hubspot.portal().associate("contacts", contacts.get(10 + i), "deals", deals.get(i));
    }
    PortalSnapshot truth = f.hubspot.snapshot();
    truth.associations("contacts", "deals").stream().limit(2)
        .forEach(a -> f.hubspot.portal().dissociate("contacts", a.fromId(), "deals", a.toId()));
    f.later();
  }

  private static boolean linked(InMemorySink sink, long from, long to) {
    return sink.links("contacts", "deals").stream().anyMatch(l -> l.fromId() == from && l.toId() == to);
  }
}
