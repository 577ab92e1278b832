package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Search-index lag (hubspot-api.md §2 "Index lag", §9): list and batch read see a change at once, search
 * only after the portal's lag, measured on the portal clock.
 */
class IndexLagTest {
  private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");
  private static final Duration LAG = Duration.ofSeconds(5);

  /** A fresh portal per test, with a 5-second index lag. */
  @RegisterExtension
  final FakeHubSpotExtension lagging = FakeHubSpotExtension.with(() -> spec().indexLag(LAG).build());

  private static PortalSpec.Builder spec() {
    return PortalSpec.builder().contacts(20).companies(5).deals(5).tickets(0).calls(0).subscriptions(0)
        .clock(PortalClock.fixed(START)).unlimited();
  }

  @Test
  void anUpdateIsReadableAtOnceButSearchShowsTheOldVersionUntilTheLagPasses(FakeHubSpot hubspot) {
    long id = hubspot.portal().ids("contacts").get(3);
    RecordSnapshot before = record(hubspot, "contacts", id);
    hubspot.clock().advance(Duration.ofMinutes(10));
    Instant changedAt = hubspot.clock().now();
    hubspot.portal().update("contacts", id, Map.of("firstname", "Renamed", "nps_score", "42"));
    Http http = new Http(hubspot);

    // List, single read and batch read: the new version, now.
    JsonNode list = ok(http.get("/crm/v3/objects/contacts?limit=100&properties=firstname,nps_score,lastmodifieddate"));
    JsonNode listed = byId(list, id);
    assertThat(listed.path("properties").path("firstname").asText()).isEqualTo("Renamed");
    assertThat(Instant.parse(listed.path("updatedAt").asText())).isEqualTo(changedAt);
    assertThat(Instant.parse(listed.path("properties").path("lastmodifieddate").asText())).isEqualTo(changedAt);
    JsonNode one = ok(http.get("/crm/v3/objects/contacts/" + id + "?properties=firstname"));
    assertThat(one.path("properties").path("firstname").asText()).isEqualTo("Renamed");
    JsonNode batch = ok(http.post("/crm/v3/objects/contacts/batch/read",
        "{\"inputs\":[{\"id\":\"" + id + "\"}],\"properties\":[\"firstname\",\"nps_score\"]}"));
    assertThat(batch.path("results").get(0).path("properties").path("firstname").asText()).isEqualTo("Renamed");
    assertThat(batch.path("results").get(0).path("properties").path("nps_score").asText()).isEqualTo("42");
    assertThat(Instant.parse(batch.path("results").get(0).path("updatedAt").asText())).isEqualTo(changedAt);

    // Search: the old values and the old modified date, still matched by old-value filters.
    assertSearchShowsVersion(hubspot, id, before.properties().get("firstname"), before.updatedAt());
    assertThat(total(hubspot, "contacts", f("lastmodifieddate", "GTE", ms(changedAt)))).isZero();
    assertThat(total(hubspot, "contacts", f("firstname", "EQ", "Renamed"))).isZero();
    assertThat(total(hubspot, "contacts", f("lastmodifieddate", "EQ", ms(before.updatedAt())),
        f("hs_object_id", "EQ", Long.toString(id)))).isEqualTo(1);

    hubspot.clock().advance(LAG.minusMillis(1));
    assertSearchShowsVersion(hubspot, id, before.properties().get("firstname"), before.updatedAt());

    hubspot.clock().advance(Duration.ofMillis(1));
    assertSearchShowsVersion(hubspot, id, "Renamed", changedAt);
    assertThat(total(hubspot, "contacts", f("lastmodifieddate", "GTE", ms(changedAt)))).isEqualTo(1);
    assertThat(total(hubspot, "contacts", f("firstname", "EQ", "renamed"))).isEqualTo(1);
    assertThat(total(hubspot, "contacts", f("nps_score", "EQ", "42"))).isEqualTo(1);
  }

  @Test
  void aLaggingDealHidesItsNewHsLastmodifieddateToo(FakeHubSpot hubspot) {
    long id = hubspot.portal().ids("deals").get(0);
    hubspot.clock().advance(Duration.ofMinutes(1));
    Instant changedAt = hubspot.clock().now();
    hubspot.portal().update("deals", id, Map.of("dealstage", "closedwon"));

    assertThat(total(hubspot, "deals", f("hs_lastmodifieddate", "GTE", ms(changedAt)))).isZero();
    hubspot.clock().advance(LAG);
    JsonNode page = ok(search(hubspot, "deals", List.of(f("hs_lastmodifieddate", "GTE", ms(changedAt)))));
    assertThat(ids(page)).containsExactly(id);
    assertThat(page.path("results").get(0).path("properties").path("dealstage").asText()).isEqualTo("closedwon");
  }

  @Test
  void aCreatedRecordIsAbsentFromSearchUntilTheLagPasses(FakeHubSpot hubspot) {
    hubspot.clock().advance(Duration.ofMinutes(1));
    Instant createdAt = hubspot.clock().now();
    long id = hubspot.portal().create("contacts", Map.of("firstname", "Newcomer", "email", "newcomer@example.com"));
    Http http = new Http(hubspot);

    assertThat(ids(ok(http.get("/crm/v3/objects/contacts?limit=100")))).contains(id);
    JsonNode batch = ok(http.post("/crm/v3/objects/contacts/batch/read", "{\"inputs\":[{\"id\":\"" + id + "\"}]}"));
    assertThat(batch.path("results").size()).isEqualTo(1);

    assertThat(total(hubspot, "contacts", f("hs_object_id", "EQ", Long.toString(id)))).isZero();
    assertThat(total(hubspot, "contacts")).isEqualTo(20);
    assertThat(total(hubspot, "contacts", f("createdate", "GTE", ms(createdAt)))).isZero();

    hubspot.clock().advance(LAG.minusMillis(1));
    assertThat(total(hubspot, "contacts", f("hs_object_id", "EQ", Long.toString(id)))).isZero();

    hubspot.clock().advance(Duration.ofMillis(1));
    assertThat(total(hubspot, "contacts")).isEqualTo(21);
    JsonNode found = ok(search(hubspot, "contacts", List.of(f("createdate", "GTE", ms(createdAt)))));
    assertThat(ids(found)).containsExactly(id);
    assertThat(found.path("results").get(0).path("properties").path("email").asText())
        .isEqualTo("newcomer@example.com");
  }

  @Test
  void anArchivedRecordLeavesSearchOnlyAfterTheLag(FakeHubSpot hubspot) {
    long id = hubspot.portal().ids("contacts").get(5);
    hubspot.clock().advance(Duration.ofMinutes(1));
    hubspot.portal().archive("contacts", id);
    Http http = new Http(hubspot);

    assertThat(ids(ok(http.get("/crm/v3/objects/contacts?limit=100")))).doesNotContain(id);
    assertThat(ids(ok(http.get("/crm/v3/objects/contacts?limit=100&archived=true")))).containsExactly(id);

    JsonNode stale = ok(search(hubspot, "contacts", List.of(f("hs_object_id", "EQ", Long.toString(id)))));
    assertThat(ids(stale)).containsExactly(id);
    assertThat(stale.path("results").get(0).path("archived").asBoolean(true)).isFalse();
    assertThat(total(hubspot, "contacts")).isEqualTo(20);

    hubspot.clock().advance(LAG);
    assertThat(total(hubspot, "contacts", f("hs_object_id", "EQ", Long.toString(id)))).isZero();
    assertThat(total(hubspot, "contacts")).isEqualTo(19);
  }

  @Test
  void zeroLagMakesChangesSearchableImmediately() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(spec().indexLag(Duration.ZERO).build())) {
      hubspot.clock().advance(Duration.ofMinutes(1));
      long updated = hubspot.portal().ids("contacts").get(0);
      hubspot.portal().update("contacts", updated, Map.of("firstname", "Instant"));
      long created = hubspot.portal().create("contacts", Map.of("firstname", "Fresh"));
      long archived = hubspot.portal().ids("contacts").get(1);
      hubspot.portal().archive("contacts", archived);

      assertThat(ids(ok(search(hubspot, "contacts", List.of(f("firstname", "EQ", "instant"))))))
          .containsExactly(updated);
      assertThat(ids(ok(search(hubspot, "contacts", List.of(f("firstname", "EQ", "fresh")))))).containsExactly(created);
      assertThat(total(hubspot, "contacts", f("hs_object_id", "EQ", Long.toString(archived)))).isZero();
      assertThat(total(hubspot, "contacts")).isEqualTo(20);
    }
  }

  @Test
  void indexLagCanBeChangedAtRuntime(FakeHubSpot hubspot) {
    List<Long> ids = hubspot.portal().ids("contacts");
    hubspot.indexLag(Duration.ofSeconds(30));
    hubspot.clock().advance(Duration.ofMinutes(1));
    hubspot.portal().update("contacts", ids.get(0), Map.of("firstname", "Slow"));
    hubspot.clock().advance(LAG);
    assertThat(total(hubspot, "contacts", f("firstname", "EQ", "slow"))).as("the old 5 s lag no longer applies")
        .isZero();
    hubspot.clock().advance(Duration.ofSeconds(25));
    assertThat(total(hubspot, "contacts", f("firstname", "EQ", "slow"))).isEqualTo(1);

    hubspot.indexLag(Duration.ZERO);
    hubspot.portal().update("contacts", ids.get(1), Map.of("firstname", "Quick"));
    assertThat(total(hubspot, "contacts", f("firstname", "EQ", "quick"))).isEqualTo(1);
  }

  /**
   * A change made after the lag was lowered is searchable after the new lag, even though an older change of
   * the same record, made under the longer lag, is still waiting: the index then holds the newest version.
   */
  @Test
  void loweringTheLagLetsANewerChangeOvertakeAPendingOne(FakeHubSpot hubspot) {
    long id = hubspot.portal().ids("contacts").get(2);
    hubspot.clock().advance(Duration.ofMinutes(1));
    hubspot.portal().update("contacts", id, Map.of("firstname", "First"));
    hubspot.indexLag(Duration.ZERO);
    hubspot.clock().advance(Duration.ofMillis(1));
    Instant secondAt = hubspot.clock().now();
    hubspot.portal().update("contacts", id, Map.of("firstname", "Second"));

    assertSearchShowsVersion(hubspot, id, "Second", secondAt);
    hubspot.clock().advance(LAG);
    assertSearchShowsVersion(hubspot, id, "Second", secondAt);
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private static void assertSearchShowsVersion(FakeHubSpot hubspot, long id, String firstname, Instant modified) {
    JsonNode page = ok(search(hubspot, "contacts", List.of(f("hs_object_id", "EQ", Long.toString(id)))));
    assertThat(ids(page)).containsExactly(id);
    JsonNode r = page.path("results").get(0);
    assertThat(r.path("properties").path("firstname").asText()).isEqualTo(firstname);
    assertThat(Instant.parse(r.path("properties").path("lastmodifieddate").asText())).isEqualTo(modified);
    assertThat(Instant.parse(r.path("updatedAt").asText())).isEqualTo(modified);
  }

  private static RecordSnapshot record(FakeHubSpot hubspot, String type, long id) {
    return hubspot.snapshot().live(type).stream().filter(r -> r.id() == id).findFirst().orElseThrow();
  }

  private static ObjectNode f(String property, String operator, String value) {
    return Http.JSON.createObjectNode().put("propertyName", property).put("operator", operator).put("value", value);
  }

  private static Http.Reply search(FakeHubSpot hubspot, String type, List<ObjectNode> anded) {
    ObjectNode body = Http.JSON.createObjectNode().put("limit", 100);
    if (!anded.isEmpty()) {
      ArrayNode filters = body.putArray("filterGroups").addObject().putArray("filters");
      anded.forEach(filters::add);
    }
    body.putArray("properties").add("firstname").add("email").add("nps_score").add("dealstage");
    return new Http(hubspot).post("/crm/v3/objects/" + type + "/search", body);
  }

  private static int total(FakeHubSpot hubspot, String type, ObjectNode... anded) {
    return ok(search(hubspot, type, List.of(anded))).path("total").asInt();
  }

  private static JsonNode ok(Http.Reply r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static JsonNode byId(JsonNode page, long id) {
    for (JsonNode r : page.path("results")) {
      if (r.path("id").asText().equals(Long.toString(id))) {
        return r;
      }
    }
    throw new AssertionError("record " + id + " not in " + page);
  }

  private static List<Long> ids(JsonNode page) {
    List<Long> out = new ArrayList<>();
    for (JsonNode r : page.path("results")) {
      out.add(Long.parseLong(r.path("id").asText()));
    }
    return out;
  }

  private static String ms(Instant i) {
    return Long.toString(i.toEpochMilli());
  }
}
