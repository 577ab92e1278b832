package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.Row;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Merges that chain — A merged into B, later B into C — over HTTP against the simulated portal, in
 * every order the runs can see them: the warehouse ends with A and B archived, C listing both in
 * {@code hs_merged_object_ids}, and every link of A and B (either direction) on C. Issue 13, "merges
 * resolve transitively" (hubspot-api.md §10.5; fivetran/dbt_hubspot#168, #172).
 */
class MergeChainTest {

  /**
   * The simulated portal chains merges as HubSpot does: C's {@code hs_merged_object_ids} accumulates
   * what B had absorbed, and a batch read of A or B returns C.
   */
  @Test
  void thePortalResolvesAChainToTheSurvivor() {
    try (SyncFixture f = fixture()) {
      Chain c = chain(f);
      mergeChain(f, c);

      var read = f.client.batchRead("contacts", List.of(c.a, c.b), List.of("hs_merged_object_ids"), false);

      assertThat(read.found()).extracting(r -> r.id()).containsExactly(c.c);
      assertThat(read.found().get(0).properties().get("hs_merged_object_ids")).isEqualTo(c.a + ";" + c.b);
      assertThat(f.hubspot.portal().ids("contacts")).doesNotContain(c.a, c.b);
    }
  }

  /** Both merges between two runs: one run sees only C, which lists A and B. */
  @Test
  void bothMergesSeenInOneRun() {
    try (SyncFixture f = fixture()) {
      Chain c = chain(f);
      job(f).build().run();
      f.later();
      mergeChain(f, c);
      f.later();
      job(f).build().run();

      assertMergedIntoC(f, c);
    }
  }

  /** A into B seen by one run, B into C by the next. */
  @Test
  void mergesSeenInTwoRuns() {
    try (SyncFixture f = fixture()) {
      Chain c = chain(f);
      job(f).build().run();
      f.later();
      f.hubspot.portal().merge("contacts", c.b, c.a);
      f.later();
      job(f).build().run();
      assertThat(row(f, c.a).get(SystemColumns.ARCHIVED)).as("A after the first merge").isEqualTo(true);
      assertThat(mergedIds(row(f, c.b))).as("B after the first merge").containsExactly(c.a);
      assertThat(targets(f, c.b)).as("B's deals after the first merge").contains(c.dealOfA, c.dealOfB);

      f.later();
      f.hubspot.portal().merge("contacts", c.c, c.b);
      f.later();
      job(f).build().run();

      assertMergedIntoC(f, c);
    }
  }

  /** The chain happened before the first run: the backfill never meets A or B, and C lists them. */
  @Test
  void chainBeforeTheBackfill() {
    try (SyncFixture f = fixture()) {
      Chain c = chain(f);
      mergeChain(f, c);
      f.later();
      job(f).build().run();

      assertThat(f.sink.row("contacts", c.a)).as("A was never live in a run").isEmpty();
      assertThat(mergedIds(row(f, c.c))).containsExactlyInAnyOrder(c.a, c.b);
      assertThat(targets(f, c.c)).contains(c.dealOfA, c.dealOfB, c.dealOfC);
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      f.assertLinksMatchPortal(f.sink, "tickets", "contacts");
    }
  }

  /**
   * The run selects properties without {@code hs_merged_object_ids}: the merge is still seen (the
   * engine asks for the property anyway; it gets no column) and A goes as it would otherwise.
   */
  @Test
  void mergesAreSeenWhenThePropertySelectionLeavesOutTheMergedIds() {
    try (SyncFixture f = fixture()) {
      Chain c = chain(f);
      SyncJob.Builder job = job(f).properties("contacts", List.of("email", "firstname"));
      job.build().run();
      f.later();
      mergeChain(f, c);
      f.later();
      job.build().run();

      assertThat(f.sink.describe("contacts")).extracting(m -> m.property()).containsExactlyInAnyOrder("email", "firstname");
      assertThat(row(f, c.a).get(SystemColumns.ARCHIVED)).as("A").isEqualTo(true);
      assertThat(row(f, c.b).get(SystemColumns.ARCHIVED)).as("B").isEqualTo(true);
      assertThat(targets(f, c.c)).contains(c.dealOfA, c.dealOfB, c.dealOfC);
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      f.assertLinksMatchPortal(f.sink, "tickets", "contacts");
    }
  }

  /**
   * Three contacts, each linked to a deal of its own (contacts the parents, in contacts_to_deals) and
   * A and B to a ticket of their own (contacts the targets, in tickets_to_contacts).
   */
  private record Chain(long a, long b, long c, long dealOfA, long dealOfB, long dealOfC, long ticketOfA, long ticketOfB) {}

  private static Chain chain(SyncFixture f) {
    List<Long> contacts = f.hubspot.portal().ids("contacts");
    List<Long> deals = f.hubspot.portal().ids("deals");
    List<Long> tickets = f.hubspot.portal().ids("tickets");
    Chain c = new Chain(contacts.get(3), contacts.get(7), contacts.get(11), deals.get(2), deals.get(4), deals.get(6),
        tickets.get(1), tickets.get(5));
    f.hubspot.portal().associate("contacts", c.a, "deals", c.dealOfA);
    f.hubspot.portal().associate("contacts", c.b, "deals", c.dealOfB);
    f.hubspot.portal().associate("contacts", c.c, "deals", c.dealOfC);
    f.hubspot.portal().associate("tickets", c.ticketOfA, "contacts", c.a);
    f.hubspot.portal().associate("tickets", c.ticketOfB, "contacts", c.b);
    return c;
  }

  /** A into B, then B into C. */
  private static void mergeChain(SyncFixture f, Chain c) {
    f.hubspot.portal().merge("contacts", c.b, c.a);
    f.hubspot.portal().merge("contacts", c.c, c.b);
  }

  private static void assertMergedIntoC(SyncFixture f, Chain c) {
    assertThat(row(f, c.a).get(SystemColumns.ARCHIVED)).as("A, merged into B and so into C").isEqualTo(true);
    assertThat(row(f, c.b).get(SystemColumns.ARCHIVED)).as("B, merged into C").isEqualTo(true);
    assertThat(row(f, c.c).get(SystemColumns.ARCHIVED)).as("C, the survivor").isEqualTo(false);
    assertThat(mergedIds(row(f, c.c))).as("C's hs_merged_object_ids").containsExactlyInAnyOrder(c.a, c.b);
    assertThat(targets(f, c.c)).as("C's deals").contains(c.dealOfA, c.dealOfB, c.dealOfC);
    assertThat(f.sink.links("contacts", "deals").stream().map(LinkRow::fromId))
        .as("contacts with links").doesNotContain(c.a, c.b);
    assertThat(f.sink.links("tickets", "contacts")).as("tickets' links to contacts")
        .noneMatch(l -> l.toId() == c.a || l.toId() == c.b)
        .anyMatch(l -> l.fromId() == c.ticketOfA && l.toId() == c.c)
        .anyMatch(l -> l.fromId() == c.ticketOfB && l.toId() == c.c);
    // every record the portal has matches it; the merged-away ones stay as archived rows
    var truth = f.hubspot.snapshot().records().get("contacts");
    assertThat(f.sink.rows("contacts")).extracting(Row::id).as("rows of contacts")
        .containsExactlyInAnyOrderElementsOf(concat(truth.stream().map(r -> r.id()).toList(), List.of(c.a, c.b)));
    for (var r : truth) {
      assertThat(row(f, r.id()).get(SystemColumns.UPDATED_AT)).as("modified date of " + r.id()).isEqualTo(r.updatedAt());
      assertThat(row(f, r.id()).get("hs_merged_object_ids")).as("merged ids of " + r.id())
          .isEqualTo(r.properties().get("hs_merged_object_ids"));
    }
    f.assertLinksMatchPortal(f.sink, "contacts", "deals");
    f.assertLinksMatchPortal(f.sink, "tickets", "contacts");
  }

  private static SyncFixture fixture() {
    return new SyncFixture(PortalSpec.builder().contacts(40).companies(5).deals(20).tickets(10));
  }

  private static SyncJob.Builder job(SyncFixture f) {
    return f.job("contacts", "deals", "tickets").addAssociation("contacts", "deals").addAssociation("tickets", "contacts");
  }

  private static Row row(SyncFixture f, long id) {
    return f.sink.row("contacts", id).orElseThrow(() -> new AssertionError("no row for contact " + id));
  }

  private static Set<Long> targets(SyncFixture f, long contact) {
    return f.sink.links("contacts", "deals").stream().filter(l -> l.fromId() == contact).map(LinkRow::toId)
        .collect(Collectors.toSet());
  }

  private static List<Long> concat(List<Long> a, List<Long> b) {
    List<Long> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static List<Long> mergedIds(Row row) {
    Object v = row.get("hs_merged_object_ids");
    return v == null ? List.of() : Arrays.stream(v.toString().split(";")).map(Long::parseLong).toList();
  }
}
