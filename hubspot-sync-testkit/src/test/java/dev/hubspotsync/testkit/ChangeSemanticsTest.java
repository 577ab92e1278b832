package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What each change does to modified dates and to what each endpoint shows (hubspot-api.md §4.4, §8). */
class ChangeSemanticsTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  @RegisterExtension
  final FakeHubSpotExtension hubspot = FakeHubSpotExtension.with(() -> PortalSpec.builder()
      .contacts(120).companies(15).deals(30).tickets(10).calls(10).subscriptions(5)
      .indexLag(Duration.ZERO).unlimited().clock(PortalClock.fixed(T0)).build());

  @Test
  void updateBumpsModifiedDateToNowAndIsServedAtOnce(FakeHubSpot h) {
    long id = h.portal().ids("contacts").get(0);
    h.clock().advance(Duration.ofMillis(1234));
    h.portal().update("contacts", id, Map.of("firstname", "Ada"));

    JsonNode rec = new Http(h).get("/crm/v3/objects/contacts/" + id + "?properties=firstname").json();
    assertThat(rec.path("properties").path("firstname").asText()).isEqualTo("Ada");
    assertThat(rec.path("updatedAt").asText()).isEqualTo("2026-11-01T10:00:01.234Z");
    assertThat(rec.path("properties").path("lastmodifieddate").asText()).isEqualTo("2026-11-01T10:00:01.234Z");
  }

  @Test
  void archiveKeepsModifiedDateMovesRecordToRecycleBinAndOutOfSearch(FakeHubSpot h) {
    long id = h.portal().ids("deals").get(2);
    Instant before = record(h, "deals", id).updatedAt();
    h.clock().advance(Duration.ofHours(1));
    h.portal().archive("deals", id);

    Http http = new Http(h);
    assertThat(http.get("/crm/v3/objects/deals/" + id).status()).isEqualTo(404);
    JsonNode archived = http.get("/crm/v3/objects/deals?archived=true").json().path("results").get(0);
    assertThat(archived.path("id").asText()).isEqualTo(Long.toString(id));
    assertThat(archived.path("archived").asBoolean()).isTrue();
    assertThat(archived.path("archivedAt").asText()).isEqualTo("2026-11-01T11:00:00Z");
    // Deleting never bumps the modified date, so a modified-date poll can never see deletes (§8).
    assertThat(Instant.parse(archived.path("updatedAt").asText())).isEqualTo(before);
    assertThat(record(h, "deals", id).updatedAt()).isEqualTo(before);
    JsonNode search = http.post("/crm/v3/objects/deals/search",
        "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_object_id\",\"operator\":\"EQ\",\"value\":\"" + id + "\"}]}]}").json();
    assertThat(search.path("total").asInt()).isZero();
  }

  @Test
  void archivedRecordsVanishAfterNinetyDaysInTheRecycleBin(FakeHubSpot h) {
    long id = h.portal().ids("tickets").get(0);
    h.portal().archive("tickets", id);
    h.clock().advance(Duration.ofDays(89));
    assertThat(h.snapshot().archived("tickets")).extracting(RecordSnapshot::id).contains(id);

    h.clock().advance(Duration.ofDays(2));
    assertThat(h.snapshot().records().get("tickets")).extracting(RecordSnapshot::id).doesNotContain(id);
    assertThat(new Http(h).get("/crm/v3/objects/tickets?archived=true").json().path("results")).isEmpty();
    assertThatThrownBy(() -> h.portal().restore("tickets", id)).hasMessageContaining("not in the recycle bin");
  }

  @Test
  void restoreBringsTheRecordBackWithoutBumpingIt(FakeHubSpot h) {
    long id = h.portal().ids("companies").get(1);
    Instant before = record(h, "companies", id).updatedAt();
    h.portal().archive("companies", id);
    h.clock().advance(Duration.ofDays(3));
    h.portal().restore("companies", id);

    assertThat(new Http(h).get("/crm/v3/objects/companies/" + id).status()).isEqualTo(200);
    assertThat(record(h, "companies", id).updatedAt()).isEqualTo(before);
    assertThat(record(h, "companies", id).archived()).isFalse();
  }

  @Test
  void mergeRemovesTheMergedIdListsItOnTheSurvivorAndMovesItsAssociations(FakeHubSpot h) {
    List<Long> ids = h.portal().ids("contacts");
    long primary = ids.get(0);
    long merged = ids.get(1);
    long company = h.portal().create("companies", Map.of("name", "Merge Co"));
    h.portal().associate("contacts", merged, "companies", company);
    h.clock().advance(Duration.ofMinutes(7));

    h.portal().merge("contacts", primary, merged);

    Http http = new Http(h);
    JsonNode survivor = http.get("/crm/v3/objects/contacts/" + primary + "?properties=hs_merged_object_ids").json();
    assertThat(survivor.path("properties").path("hs_merged_object_ids").asText()).isEqualTo(Long.toString(merged));
    assertThat(survivor.path("updatedAt").asText()).isEqualTo("2026-11-01T10:07:00Z");
    assertThat(h.portal().ids("contacts")).doesNotContain(merged);
    assertThat(h.snapshot().archived("contacts")).extracting(RecordSnapshot::id).doesNotContain(merged);
    assertThat(h.snapshot().associations("companies", "contacts"))
        .anyMatch(a -> a.fromId() == company && a.toId() == primary)
        .noneMatch(a -> a.toId() == merged);

    // A second merge appends, semicolon-joined (§5).
    long third = ids.get(2);
    h.portal().merge("contacts", primary, third);
    assertThat(record(h, "contacts", primary).properties().get("hs_merged_object_ids")).isEqualTo(merged + ";" + third);
  }

  @Test
  void hardDeleteRemovesTheRecordFromEveryEndpointAndItsAssociations(FakeHubSpot h) {
    AssociationSnapshot link = h.snapshot().associations("deals", "companies").get(0);
    h.portal().hardDelete("deals", link.fromId());

    Http http = new Http(h);
    assertThat(http.get("/crm/v3/objects/deals/" + link.fromId()).status()).isEqualTo(404);
    assertThat(http.get("/crm/v3/objects/deals/" + link.fromId() + "?archived=true").status()).isEqualTo(404);
    assertThat(h.snapshot().associations()).noneMatch(a -> a.fromId() == link.fromId() || a.toId() == link.fromId());
  }

  @Test
  void cdcBoostRollupOnTheAlphabeticallyFirstTypeMakesAssociationEditsBumpIt(FakeHubSpot h) {
    // companies < contacts: the rollup lives on companies, named after the pair in that order.
    h.portal().addProperty("companies", "sync_associations_companies_contacts_label_all", null, "number",
        "calculation_rollup");
    long company = h.portal().create("companies", Map.of("name", "Boosted"));
    long contact = h.portal().ids("contacts").get(5);
    Instant contactBefore = record(h, "contacts", contact).updatedAt();
    h.clock().advance(Duration.ofMinutes(10));

    h.portal().associate("contacts", contact, "companies", company); // either direction counts

    RecordSnapshot boosted = record(h, "companies", company);
    assertThat(boosted.updatedAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
    assertThat(boosted.properties()).containsEntry("sync_associations_companies_contacts_label_all", "1");
    assertThat(record(h, "contacts", contact).updatedAt()).isEqualTo(contactBefore);

    h.clock().advance(Duration.ofMinutes(10));
    h.portal().dissociate("companies", company, "contacts", contact);
    assertThat(record(h, "companies", company).updatedAt()).isEqualTo(T0.plus(Duration.ofMinutes(20)));
    assertThat(record(h, "companies", company).properties()).containsEntry("sync_associations_companies_contacts_label_all", "0");
  }

  @Test
  void aRollupNamedWithThePairInTheWrongOrderDoesNotBoost(FakeHubSpot h) {
    // The known bug class: contacts_companies on contacts is not the rollup HubSpot's pattern expects.
    h.portal().addProperty("contacts", "sync_associations_contacts_companies_label_all", null, "number",
        "calculation_rollup");
    long contact = h.portal().ids("contacts").get(7);
    long company = h.portal().create("companies", Map.of("name", "Not boosted"));
    Instant contactBefore = record(h, "contacts", contact).updatedAt();
    Instant companyBefore = record(h, "companies", company).updatedAt();
    h.clock().advance(Duration.ofMinutes(10));

    h.portal().associate("contacts", contact, "companies", company);

    assertThat(record(h, "contacts", contact).updatedAt()).isEqualTo(contactBefore);
    assertThat(record(h, "companies", company).updatedAt()).isEqualTo(companyBefore);
  }

  @Test
  void rollupMatchedByLabelAlsoBoosts(FakeHubSpot h) {
    h.portal().addProperty("deals", "deal_contact_rollup", "sync_associations_contacts_deals_label_x", "number",
        "calculation_rollup");
    h.portal().addProperty("contacts", "contact_deal_rollup", "sync_associations_contacts_deals_label_x", "number",
        "calculation_rollup");
    long contact = h.portal().ids("contacts").get(9);
    long deal = h.portal().ids("deals").get(9);
    h.clock().advance(Duration.ofMinutes(3));
    Instant dealBefore = record(h, "deals", deal).updatedAt();

    h.portal().associate("deals", deal, "contacts", contact);

    assertThat(record(h, "contacts", contact).updatedAt()).isEqualTo(T0.plus(Duration.ofMinutes(3)));
    assertThat(record(h, "deals", deal).updatedAt()).isEqualTo(dealBefore);
  }

  @Test
  void bulkUpdateGivesEveryRecordTheSameMillisecond(FakeHubSpot h) {
    List<Long> ids = h.portal().ids("contacts").subList(0, 50);
    h.clock().advance(Duration.ofMillis(77));
    long ms = h.portal().bulkUpdate("contacts", ids, Map.of("lifecyclestage", "customer"));

    assertThat(ms).isEqualTo(T0.toEpochMilli() + 77);
    assertThat(h.snapshot().live("contacts")).filteredOn(r -> ids.contains(r.id()))
        .allSatisfy(r -> assertThat(r.updatedAt().toEpochMilli()).isEqualTo(ms))
        .allSatisfy(r -> assertThat(r.properties()).containsEntry("lifecyclestage", "customer"));
  }

  @Test
  void mutationsNameWhatIsWrong(FakeHubSpot h) {
    assertThatThrownBy(() -> h.portal().update("widgets", 1, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("widgets");
    assertThatThrownBy(() -> h.portal().update("contacts", 42, Map.of()))
        .hasMessageContaining("contacts").hasMessageContaining("42");
    long id = h.portal().ids("contacts").get(0);
    assertThatThrownBy(() -> h.portal().update("contacts", id, Map.of("no_such_prop", "x")))
        .hasMessageContaining("no_such_prop");
    assertThatThrownBy(() -> h.portal().update("contacts", id, Map.of("hs_object_id", "1")))
        .hasMessageContaining("read-only");
    assertThatThrownBy(() -> h.portal().associate("companies", 1, "subscriptions", 2, 999))
        .hasMessageContaining("999");
    assertThatThrownBy(() -> h.portal().archiveProperty("contacts", "email"))
        .hasMessageContaining("HubSpot-defined");
  }

  private static RecordSnapshot record(FakeHubSpot h, String type, long id) {
    return h.snapshot().records().get(type).stream().filter(r -> r.id() == id).findFirst().orElseThrow();
  }
}
