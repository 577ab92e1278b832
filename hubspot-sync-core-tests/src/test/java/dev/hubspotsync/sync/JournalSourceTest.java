package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.GdprMode;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.source.ChangeSource;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalJournal;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.PortalStats;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The {@code journal} change source end to end over HTTP against FakeHubSpot: backfill, then edits and
 * link edits read from the journal for almost no counted calls; deletions and GDPR erasures after the
 * next run; redelivered events; a gap past retention recovered by polling and reported; changes made
 * during the backfill replayed.
 */
class JournalSourceTest {
  private static final List<String> PAIRS_TO = List.of("companies", "deals", "calls");

  private static SyncFixture fixture() {
    return fixture(InMemorySink.create());
  }

  private static SyncFixture fixture(InMemorySink sink) {
    return SyncFixture.projectApp(PortalSpec.builder().contacts(60).companies(12).deals(12).calls(12), sink);
  }

  private static SyncJob.Builder journalJob(SyncFixture f, String... types) {
    SyncJob.Builder job = f.job(types).changeSource(ChangeSource.journal(f.hubspot.spec().portalId()));
    PAIRS_TO.forEach(to -> job.addAssociation("contacts", to));
    return job;
  }

  /** Calls HubSpot counts toward the ten-second limit: neither journal reads and downloads, nor association reads, nor tokens. */
  static long burstCounted(PortalStats stats) {
    return stats.totalCalls() - stats.calls(Endpoint.JOURNAL) - stats.calls(Endpoint.JOURNAL_SUBSCRIPTIONS)
        - stats.calls(Endpoint.JOURNAL_FILE) - stats.calls(Endpoint.OAUTH_TOKEN) - stats.calls(Endpoint.ASSOCIATIONS_BATCH_READ)
        - stats.calls(Endpoint.ASSOCIATION_LABELS);
  }

  /** Ten contact edits and ten link edits on each pair (half added, half removed), none of which moves a date but the edits. */
  static void edits(SyncFixture f) {
    List<Long> contacts = f.hubspot.portal().ids("contacts");
    for (int i = 0; i < 10; i++) {
      f.hubspot.portal().update("contacts", contacts.get(i), Map.of("firstname", "Edited " + i));
    }
    for (String to : PAIRS_TO) {
      List<Long> targets = f.hubspot.portal().ids(to);
      for (int i = 0; i < 10; i++) {
        long contact = contacts.get(20 + i);
        long target = targets.get(i % targets.size());
        boolean linked = f.hubspot.snapshot().associations("contacts", to).stream()
            .anyMatch(a -> a.fromId() == contact && a.toId() == target);
        if (linked) {
          f.hubspot.portal().dissociate("contacts", contact, to, target);
        } else {
          f.hubspot.portal().associate("contacts", contact, to, target);
        }
      }
    }
  }

  @Test
  void backfillThenEditsAndLinkEditsOfThreePairsCostTwoCountedCallsAndMatchThePortal() {
    try (SyncFixture f = fixture()) {
      SyncJob job = journalJob(f, "contacts").build();
      SyncReport first = job.run();
      assertThat(first.stream("contacts").mode()).isEqualTo("backfill");
      assertThat(f.hubspot.journal().subscriptions()).as("objects, GDPR deletions, links of the three pairs")
          .extracting(s -> s.get("subscriptionType")).containsExactlyInAnyOrder("OBJECT", "GDPR_PRIVACY_DELETION", "ASSOCIATION");
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
      PAIRS_TO.forEach(to -> f.assertLinksMatchPortal(f.sink, "contacts", to));

      f.later();
      edits(f);
      f.later();
      f.hubspot.resetStats();
      SyncReport second = job.run();

      PortalStats stats = f.hubspot.stats();
      assertThat(second.stream("contacts").mode()).isEqualTo("journal");
      assertThat(burstCounted(stats)).as("counted calls: the properties read and one batch read of the ten contacts; "
          + stats.calls()).isLessThanOrEqualTo(2);
      assertThat(stats.calls(Endpoint.SEARCH)).as("no search").isZero();
      assertThat(stats.calls(Endpoint.ASSOCIATIONS_BATCH_READ)).as("one link read per pair, ten parents each").isEqualTo(3);
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
      PAIRS_TO.forEach(to -> f.assertLinksMatchPortal(f.sink, "contacts", to));
      assertThat(second.association("contacts", "calls").reason()).as("an engagement pair with no rollup, served by the journal")
          .startsWith("link edits reported by the change source (10 parents)");
      assertThat(f.sink.checkpoint("contacts").orElseThrow().json()).as("edited parents forgotten once re-read")
          .doesNotContain("linksEdited").contains("\"source\":\"journal\"");

      f.hubspot.resetStats();
      SyncReport third = job.run();
      assertThat(burstCounted(f.hubspot.stats())).as("nothing changed: the properties read only").isEqualTo(1);
      assertThat(third.stream("contacts").rowsRead()).isZero();
    }
  }

  @Test
  void hardAndGdprDeletesShowAfterTheNextRunAndTheGdprContactIsGoneFromEveryTable() {
    try (SyncFixture f = fixture()) {
      SyncJob job = journalJob(f, "contacts", "companies").addAssociation("companies", "deals").build();
      List<Long> contacts = f.hubspot.portal().ids("contacts");
      long deleted = contacts.get(3);
      long erased = contacts.get(4);
      long company = f.hubspot.portal().ids("companies").get(0);
      f.hubspot.portal().associate("contacts", erased, "companies", company);
      f.hubspot.portal().associate("contacts", erased, "calls", f.hubspot.portal().ids("calls").get(0));
      job.run();
      assertThat(f.sink.row("contacts", erased)).isPresent();

      f.later();
      f.hubspot.portal().hardDelete("contacts", deleted);
      f.hubspot.portal().gdprDelete("contacts", erased);
      f.later();
      SyncReport next = job.run();

      assertThat(f.sink.row("contacts", deleted).orElseThrow().get(SystemColumns.ARCHIVED)).as("hard delete → archived")
          .isEqualTo(true);
      assertThat(f.sink.row("contacts", erased)).as("the GDPR-deleted contact's row").isEmpty();
      for (String to : PAIRS_TO) {
        assertThat(f.sink.links("contacts", to)).as("links of the GDPR-deleted contact to " + to)
            .noneMatch(l -> l.fromId() == erased);
        f.assertLinksMatchPortal(f.sink, "contacts", to);
      }
      assertThat(next.streams()).allMatch(s -> s.mode().equals("journal"));
    }
  }

  @Test
  void redeliveredEventsAreAppliedOnceAndAnUpdateRedeliveredAfterADeleteDoesNotRevive() {
    try (SyncFixture f = fixture()) {
      SyncJob job = journalJob(f, "contacts").build();
      job.run();
      f.hubspot.journal().duplicates(true);
      f.hubspot.journal().unknownFields(true);
      List<Long> contacts = f.hubspot.portal().ids("contacts");
      long gone = contacts.get(5);
      f.later();
      edits(f);
      f.hubspot.portal().update("contacts", gone, Map.of("firstname", "Last words"));
      f.hubspot.portal().archive("contacts", gone); // its file carries the update again, after the delete
      f.later();
      f.hubspot.resetStats();
      job.run();

      assertThat(f.hubspot.journal().events().size()).as("duplicates were delivered").isGreaterThan(60);
      assertThat(burstCounted(f.hubspot.stats())).as("properties, the edited contacts, the deleted one from the bin")
          .isEqualTo(3);
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
      assertThat(f.sink.row("contacts", gone).orElseThrow().get(SystemColumns.ARCHIVED)).isEqualTo(true);
      PAIRS_TO.forEach(to -> f.assertLinksMatchPortal(f.sink, "contacts", to));

      f.hubspot.portal().restore("contacts", gone);
      f.later();
      job.run();
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }

  @Test
  void anOffsetPastRetentionIsAGapCaughtUpByPollingAndReported() {
    try (SyncFixture f = fixture()) {
      SyncJob job = journalJob(f, "contacts").build();
      job.run();
      f.later();
      job.run(); // caught up: the polling cursor moves to this run
      f.hubspot.clock().advance(PortalJournal.RETENTION.plusHours(1));
      List<Long> contacts = f.hubspot.portal().ids("contacts");
      f.hubspot.portal().update("contacts", contacts.get(0), Map.of("firstname", "During the gap"));
      f.hubspot.portal().archive("contacts", contacts.get(1));
      f.hubspot.clock().advance(PortalJournal.RETENTION.plusHours(1)); // their journal files expire too
      long calls = f.hubspot.portal().ids("calls").get(0);
      boolean linked = f.hubspot.snapshot().associations("contacts", "calls").stream()
          .anyMatch(a -> a.fromId() == contacts.get(2) && a.toId() == calls);
      if (linked) {
        f.hubspot.portal().dissociate("contacts", contacts.get(2), "calls", calls);
      } else {
        f.hubspot.portal().associate("contacts", contacts.get(2), "calls", calls);
      }
      f.hubspot.journal().deleteSubscriptions(); // lost as well: both recoveries at once
      f.later();

      SyncReport gap = job.run();

      assertThat(gap.notes()).as("the gap is reported").anyMatch(n -> n.startsWith("contacts: journal gap:"));
      assertThat(gap.stream("contacts").mode()).isEqualTo("catch-up");
      assertThat(gap.association("contacts", "calls").mode()).as("a full association scan").isEqualTo("full-scan");
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
      PAIRS_TO.forEach(to -> f.assertLinksMatchPortal(f.sink, "contacts", to));
      assertThat(f.sink.row("contacts", contacts.get(1)).orElseThrow().get(SystemColumns.ARCHIVED))
          .as("archived during the gap: found by the recycle-bin pass").isEqualTo(true);

      f.later();
      f.hubspot.portal().update("contacts", contacts.get(0), Map.of("firstname", "After the gap"));
      f.later();
      SyncReport after = job.run();
      assertThat(after.notes()).isEmpty();
      assertThat(after.stream("contacts").mode()).isEqualTo("journal");
      assertThat(f.sink.row("contacts", contacts.get(0)).orElseThrow().get("firstname")).isEqualTo("After the gap");
    }
  }

  @Test
  void changesMadeDuringTheBackfillAreReplayedFromTheJournalAfterIt() {
    AtomicBoolean changed = new AtomicBoolean();
    SyncFixture[] holder = new SyncFixture[1];
    long[] erased = new long[1];
    InMemorySink inner = InMemorySink.create();
    ForwardingSink sink = new ForwardingSink(inner) {
      @Override
      public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
        WriteResult result = super.write(batch, checkpoint);
        if (batch.rowCount() > 0 && changed.compareAndSet(false, true)) {
          // a contact already written is GDPR-deleted while the backfill runs: polling alone would only archive it
          SyncFixture f = holder[0];
          f.hubspot.portal().gdprDelete("contacts", erased[0]);
          long company = f.hubspot.portal().ids("companies").get(1);
          f.hubspot.portal().associate("contacts", f.hubspot.portal().ids("contacts").get(0), "companies", company);
        }
        return result;
      }

      @Override
      public int erase(String objectType, Collection<Long> ids, GdprMode mode, Instant deletedAt) {
        return inner.erase(objectType, ids, mode, deletedAt);
      }
    };
    try (SyncFixture f = SyncFixture.projectApp(PortalSpec.builder().contacts(250).companies(12).deals(12).calls(12), inner)) {
      holder[0] = f;
      erased[0] = f.hubspot.portal().ids("contacts").get(2);
      SyncJob job = journalJob(f, "contacts").sink(sink).pageSizes(100, 200).build();
      SyncReport first = job.run();

      assertThat(changed).isTrue();
      assertThat(first.stream("contacts").mode()).isEqualTo("backfill");
      assertThat(inner.row("contacts", erased[0])).as("erased by the replayed GDPR_DELETE, not merely archived").isEmpty();
      PAIRS_TO.forEach(to -> f.assertLinksMatchPortal(inner, "contacts", to));
      Set<LinkRow> links = Set.copyOf(inner.links("contacts", "companies"));
      assertThat(links).noneMatch(l -> l.fromId() == erased[0]);
    }
  }

  /** Journal reads that take longer than a file URL lives: every URL expired before its download is renewed first. */
  @Test
  void expiredFileUrlsAreRenewedBeforeTheirDownload() {
    SyncFixture[] holder = new SyncFixture[1];
    PortalSpec.Builder spec = PortalSpec.builder().contacts(150).companies(12).deals(12).calls(12)
        .sleeper(d -> holder[0].hubspot.clock().advance(d)); // the portal's latency passes in its own time
    try (SyncFixture f = SyncFixture.projectApp(spec, InMemorySink.create())) {
      holder[0] = f;
      SyncJob job = journalJob(f, "contacts").build();
      job.run();
      f.later();
      List<Long> contacts = f.hubspot.portal().ids("contacts");
      for (int i = 0; i < 120; i++) { // more files than one journal read returns
        f.hubspot.portal().update("contacts", contacts.get(i), Map.of("firstname", "Renewed " + i));
      }
      f.hubspot.journal().urlLifetime(Duration.ofMillis(500));
      f.hubspot.faults().on(Endpoint.JOURNAL).latency(Duration.ofMillis(300)); // the first 100 URLs expire during the second read
      f.hubspot.resetStats();
      job.run();

      PortalStats stats = f.hubspot.stats();
      assertThat(stats.calls(Endpoint.JOURNAL)).as("reads, plus one batch read per renewed URL").isGreaterThan(100);
      assertThat(stats.calls(Endpoint.JOURNAL_FILE)).as("no expired URL was sent to the file host").isEqualTo(120);
      PortalTruth.assertSinkMatchesPortal(f, "contacts");
    }
  }
}
