package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.ObjectPage;
import dev.hubspotsync.sink.GdprMode;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.source.ChangeBatch;
import dev.hubspotsync.source.ChangeSource;
import dev.hubspotsync.source.ObjectStream;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.Row;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A change source a user plugs in ({@code SyncJob.builder().changeSource(…)}): a push receiver in
 * miniature, over FakeHubSpot and real HTTP. The engine writes what it hands over, marks archived,
 * erases GDPR-deleted records (links included), re-reads the links of the records it names, and
 * stores its positions as the streams' checkpoints.
 */
class CustomChangeSourceTest {

  @Test
  void aPluggedSourceDrivesWritesArchivesErasuresLinkRefreshesAndCheckpoints() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(30).companies(3).deals(12))) {
      PushedChanges source = new PushedChanges();
      List<Long> contacts = f.hubspot.portal().ids("contacts");
      List<Long> deals = f.hubspot.portal().ids("deals");
      long updated = contacts.get(0);
      long deleted = contacts.get(1);
      long relinked = contacts.get(2);
      long erased = contacts.get(3);
      f.hubspot.portal().associate("contacts", erased, "deals", deals.get(1));

      SyncReport first = run(f, source);

      assertThat(first.stream("contacts").mode()).isEqualTo("pushed");
      assertThat(first.stream("contacts").checkpoint()).isEqualTo("{\"seq\":0}");
      f.assertSinkMatchesPortal("contacts", "firstname", "email");
      f.assertSinkMatchesPortal("deals", "dealname");
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      long newDeal = deals.stream().filter(d -> !linked(f.sink, relinked, d)).findFirst().orElseThrow();

      f.later();
      f.hubspot.portal().update("contacts", updated, Map.of("firstname", "Pushed"));
      source.push("contacts", Kind.UPDATED, updated);
      f.hubspot.portal().archive("contacts", deleted);
      source.push("contacts", Kind.DELETED, deleted);
      f.hubspot.portal().associate("contacts", relinked, "deals", newDeal); // moves no date: polling's incremental pass cannot see it
      source.push("contacts", Kind.LINKS, relinked);
      f.hubspot.portal().hardDelete("contacts", erased);
      source.push("contacts", Kind.GDPR_DELETED, erased);
      f.later();

      SyncReport second = run(f, source);

      assertThat(f.sink.row("contacts", updated).orElseThrow().get("firstname")).isEqualTo("Pushed");
      assertThat(f.sink.row("contacts", deleted).orElseThrow().get(SystemColumns.ARCHIVED)).as("deleted → archived")
          .isEqualTo(true);
      assertThat(f.sink.row("contacts", erased)).as("the GDPR-deleted contact's row").isEmpty();
      assertThat(f.sink.links("contacts", "deals")).as("links of the GDPR-deleted contact")
          .noneMatch(l -> l.fromId() == erased);
      assertThat(second.association("contacts", "deals").mode()).isEqualTo("incremental");
      assertThat(linked(f.sink, relinked, newDeal)).as("the link the source named, read again by the pair").isTrue();
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      assertThat(second.stream("contacts").calls()).as("the object stream's calls: one batch read, no search or list")
          .doesNotContainKeys(ApiCall.SEARCH, ApiCall.LIST).containsEntry(ApiCall.BATCH_READ, 1L);
      assertThat(f.sink.checkpoint("contacts").orElseThrow().json())
          .as("the source's position, stored with the data; the relinked ids were handled").isEqualTo("{\"seq\":4}");
      assertThat(second.stream("contacts").checkpoint()).as("the stream's end: the ids to relink were committed with the data")
          .isEqualTo("{\"seq\":4,\"relink\":[" + Math.min(deleted, relinked) + "," + Math.max(deleted, relinked) + "]}");
      assertThat(source.positionsRead).contains("contacts@{\"seq\":0}");

      SyncReport third = run(f, source);
      assertThat(third.stream("contacts").rowsRead()).as("nothing new pushed").isZero();
      assertThat(third.stream("contacts").calls()).doesNotContainKey(ApiCall.BATCH_READ);
      assertThat(source.positionsRead).contains("contacts@{\"seq\":4}");
    }
  }

  @Test
  void gdprModeNullOutKeepsTheRowWithoutItsPersonalData() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(10).companies(2).deals(4))) {
      PushedChanges source = new PushedChanges();
      long contact = f.hubspot.portal().ids("contacts").get(0);
      f.job("contacts").changeSource(source).gdprMode(GdprMode.NULL_OUT).build().run();
      f.hubspot.portal().hardDelete("contacts", contact);
      source.push("contacts", Kind.GDPR_DELETED, contact);

      f.job("contacts").changeSource(source).gdprMode(GdprMode.NULL_OUT).build().run();

      Row row = f.sink.row("contacts", contact).orElseThrow();
      assertThat(row.get("email")).as("email of the nulled-out contact").isNull();
      assertThat(row.get("firstname")).as("firstname of the nulled-out contact").isNull();
      assertThat(row.get(SystemColumns.ARCHIVED)).isEqualTo(true);
      assertThat(row.get(SystemColumns.GDPR_DELETED_AT)).isEqualTo(f.hubspot.clock().asClock().instant());
      assertThat(f.sink.checkpoint("contacts").orElseThrow().json()).isEqualTo("{\"seq\":1}");
    }
  }

  /** Personal data never stays silently: a sink that cannot erase fails the stream, whose checkpoint stays before the deletion. */
  @Test
  void aSinkThatCannotEraseFailsTheStreamAndKeepsTheCheckpoint() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(10).companies(2).deals(4))) {
      PushedChanges source = new PushedChanges();
      ForwardingSink noErase = new ForwardingSink(f.sink) {};
      long contact = f.hubspot.portal().ids("contacts").get(0);
      f.job("contacts").sink(noErase).changeSource(source).build().run();
      f.hubspot.portal().hardDelete("contacts", contact);
      source.push("contacts", Kind.GDPR_DELETED, contact);

      assertThatThrownBy(() -> f.job("contacts").sink(noErase).changeSource(source).build().run())
          .isInstanceOf(HubSpotSyncException.class)
          .satisfies(e -> assertThat(((HubSpotSyncException) e).code()).isEqualTo(ErrorCode.BAD_CONFIGURATION))
          .hasMessageContaining("GDPR-deleted 1 contacts records").hasMessageContaining("cannot erase personal data");
      assertThat(f.sink.checkpoint("contacts").orElseThrow().json()).isEqualTo("{\"seq\":0}");
      assertThat(f.sink.row("contacts", contact)).isPresent();
    }
  }

  @Test
  void aPositionThatIsNotAJsonObjectIsRefusedNamingTheStream() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(3).companies(1).deals(1))) {
      ChangeSource bad = stream -> stream.apply(ChangeBatch.builder().checkpoint("42").build());

      assertThatThrownBy(() -> f.job("contacts").changeSource(bad).build().run())
          .hasMessageContaining("stream 'contacts'").hasMessageContaining("not a JSON object: 42");
      assertThat(f.sink.checkpoint("contacts")).isEmpty();
    }
  }

  private static SyncReport run(SyncFixture f, PushedChanges source) {
    return f.job("contacts", "deals").changeSource(source).addAssociation("contacts", "deals")
        .associationFullScanEvery(Duration.ofDays(1)).build().run();
  }

  private static boolean linked(InMemorySink sink, long contact, long deal) {
    return sink.links("contacts", "deals").stream().anyMatch(l -> l.fromId() == contact && l.toId() == deal);
  }

  enum Kind { UPDATED, DELETED, LINKS, GDPR_DELETED }

  /**
   * Notifications as a webhook receiver would collect them, numbered; a stream's position is the
   * number of the last one applied. The first run backfills through the list API and starts from the
   * notifications pushed before it began.
   */
  static final class PushedChanges implements ChangeSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Notice(int seq, String type, Kind kind, long id) {}

    final List<Notice> notices = new CopyOnWriteArrayList<>();
    final List<String> positionsRead = new CopyOnWriteArrayList<>();

    void push(String type, Kind kind, long id) {
      notices.add(new Notice(notices.size() + 1, type, kind, id));
    }

    @Override
    public String name() {
      return "pushed";
    }

    @Override
    public void readObjects(ObjectStream stream) {
      String type = stream.objectType();
      stream.mode("pushed");
      stream.checkpoint().ifPresent(p -> positionsRead.add(type + "@" + p));
      if (stream.checkpoint().isEmpty()) {
        backfill(stream, notices.size());
        return;
      }
      int seq = seq(stream.checkpoint().get());
      stream.phase("notifications", -1);
      for (Notice n : notices) {
        if (n.seq() <= seq || !n.type().equals(type)) {
          continue;
        }
        String position = "{\"seq\":" + n.seq() + "}";
        ChangeBatch.Builder batch = ChangeBatch.builder().checkpoint(position);
        switch (n.kind()) {
          case UPDATED -> batch.upsert(stream.client().batchRead(type, List.of(n.id()), stream.properties(), false).found());
          case DELETED -> batch.archived(List.of(n.id()), stream.clock().instant());
          case LINKS -> batch.linksChanged(List.of(n.id()));
          case GDPR_DELETED -> batch.gdprDeleted(List.of(n.id()), stream.clock().instant());
        }
        stream.apply(batch.build());
      }
    }

    /** Every live record, a list page at a time; the position moves only with the last page. */
    private static void backfill(ObjectStream stream, int startedAt) {
      stream.phase("backfill", -1);
      String after = null;
      do {
        ObjectPage page = stream.client().listPage(stream.objectType(), stream.properties(), 100, after, false);
        after = page.nextAfter();
        List<CrmRecord> records = page.results();
        stream.apply(after == null ? ChangeBatch.of(records, "{\"seq\":" + startedAt + "}")
            : ChangeBatch.builder().upsert(records).build());
      } while (after != null);
    }

    private static int seq(String json) {
      try {
        JsonNode node = JSON.readTree(json);
        return node.get("seq").asInt();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
