package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /crm/v3/objects/{type}} and {@code GET /crm/v3/objects/{type}/{id}} (hubspot-api.md §1, §7, §8). */
class ListEndpointTest {
  private static final Instant T0 = Instant.parse("2026-05-04T08:00:00Z");
  private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  @RegisterExtension
  final FakeHubSpotExtension hubspot = FakeHubSpotExtension.with(() -> PortalSpec.builder()
      .contacts(150).companies(12).deals(30).tickets(10).calls(10).subscriptions(9)
      .unlimited().clock(PortalClock.fixed(T0)).build());

  private static Set<String> fieldNames(JsonNode obj) {
    Set<String> out = new LinkedHashSet<>();
    Iterator<String> it = obj.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }

  private static List<Long> ids(JsonNode results) {
    List<Long> out = new ArrayList<>();
    results.forEach(r -> out.add(Long.parseLong(r.path("id").asText())));
    return out;
  }

  private static List<Long> liveIds(FakeHubSpot h, String type) {
    return h.snapshot().live(type).stream().map(RecordSnapshot::id).toList();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static RecordSnapshot record(FakeHubSpot h, String type, long id) {
    return h.snapshot().records().get(type).stream().filter(r -> r.id() == id).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " " + id + " in the snapshot"));
  }

  /** Pages through a list URL (which has no {@code after}) and returns every id in order seen. */
  private static List<Long> pageAll(Http http, String url, List<String> cursors) {
    List<Long> seen = new ArrayList<>();
    String after = null;
    for (int pages = 0; pages < 500; pages++) {
      Http.Reply r = http.get(url + (after == null ? "" : "&after=" + enc(after)));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      seen.addAll(ids(r.json().path("results")));
      JsonNode next = r.json().path("paging").path("next");
      if (next.isMissingNode()) {
        assertThat(r.json().has("paging")).as("no paging object on the last page: %s", r.body()).isFalse();
        return seen;
      }
      after = next.path("after").asText();
      cursors.add(after);
    }
    throw new AssertionError("paging never ended");
  }

  private static void assertError(Http.Reply r, int status, String category) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonNode body = r.json();
    assertThat(body.path("status").asText()).isEqualTo("error");
    assertThat(body.path("category").asText()).isEqualTo(category);
    assertThat(body.path("message").asText()).isNotBlank();
    assertThat(body.path("correlationId").asText()).matches(UUID);
    assertThat(r.header("X-HubSpot-Correlation-Id")).as("correlation header matches the body")
        .contains(body.path("correlationId").asText());
  }

  @Test
  void defaultPageIsTenRecords(FakeHubSpot h) {
    Http.Reply r = new Http(h).get("/crm/v3/objects/contacts");

    assertThat(r.status()).isEqualTo(200);
    assertThat(ids(r.json().path("results"))).containsExactlyElementsOf(liveIds(h, "contacts").subList(0, 10));
    assertThat(r.json().path("paging").path("next").path("after").asText()).isNotEmpty();
    assertThat(r.header("X-HubSpot-Correlation-Id")).hasValueSatisfying(id -> assertThat(id).matches(UUID));
  }

  @Test
  void limitAboveOneHundredIsAValidationError(FakeHubSpot h) {
    Http http = new Http(h);
    assertThat(http.get("/crm/v3/objects/contacts?limit=100").json().path("results")).hasSize(100);

    Http.Reply r = http.get("/crm/v3/objects/contacts?limit=101");

    assertError(r, 400, "VALIDATION_ERROR");
    assertThat(r.json().path("message").asText()).contains("limit").contains("100");
  }

  @Test
  void pagingWithAfterVisitsEveryLiveIdOnceInAscendingOrder(FakeHubSpot h) {
    List<Long> all = h.portal().ids("contacts");
    h.portal().archive("contacts", all.get(7));
    h.portal().archive("contacts", all.get(70));
    h.portal().hardDelete("contacts", all.get(71));

    List<Long> seen = pageAll(new Http(h), "/crm/v3/objects/contacts?limit=7", new ArrayList<>());

    assertThat(seen).doesNotHaveDuplicates().isSorted();
    assertThat(seen).containsExactlyElementsOf(liveIds(h, "contacts"));
    assertThat(seen).hasSize(147).doesNotContain(all.get(7), all.get(70), all.get(71));
  }

  @Test
  void afterCursorIsOpaqueAndPagingIsAbsentOnTheLastPage(FakeHubSpot h) {
    List<String> cursors = new ArrayList<>();
    List<Long> seen = pageAll(new Http(h), "/crm/v3/objects/contacts?limit=40", cursors);

    assertThat(seen).hasSize(150);
    assertThat(cursors).hasSize(3).doesNotHaveDuplicates();
    Set<String> ids = new HashSet<>();
    seen.forEach(id -> ids.add(Long.toString(id)));
    for (String cursor : cursors) {
      assertThat(cursor).as("cursor looks like base64, not a record id").matches("[A-Za-z0-9+/]+={0,2}")
          .doesNotMatch("\\d+");
      assertThat(ids).doesNotContain(cursor);
    }
    JsonNode next = new Http(h).get("/crm/v3/objects/contacts?limit=40").json().path("paging").path("next");
    assertThat(next.path("after").asText()).isEqualTo(cursors.get(0));
    assertThat(next.path("link").asText()).contains("/crm/v3/objects/contacts").contains("after=");
  }

  @Test
  void propertiesParamReturnsOnlyThoseAndIgnoresUnknownNames(FakeHubSpot h) {
    Http.Reply r = new Http(h).get("/crm/v3/objects/contacts?limit=20&properties=email,jobtitle,no_such_property");

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Map<Long, RecordSnapshot> truth = new HashMap<>();
    h.snapshot().live("contacts").forEach(s -> truth.put(s.id(), s));
    for (JsonNode rec : r.json().path("results")) {
      JsonNode props = rec.path("properties");
      assertThat(fieldNames(props)).containsExactlyInAnyOrder("email", "jobtitle", "createdate", "lastmodifieddate",
          "hs_object_id");
      RecordSnapshot s = truth.get(Long.parseLong(rec.path("id").asText()));
      assertThat(props.path("email").asText()).isEqualTo(s.properties().get("email"));
    }
  }

  @Test
  void requestedPropertiesWithoutValueAreJsonNull(FakeHubSpot h) {
    Http.Reply r = new Http(h).get("/crm/v3/objects/contacts?limit=100&properties=favorite_color,nps_score");

    Map<Long, RecordSnapshot> truth = new HashMap<>();
    h.snapshot().live("contacts").forEach(s -> truth.put(s.id(), s));
    int nulls = 0;
    for (JsonNode rec : r.json().path("results")) {
      RecordSnapshot s = truth.get(Long.parseLong(rec.path("id").asText()));
      for (String p : List.of("favorite_color", "nps_score")) {
        JsonNode v = rec.path("properties").path(p);
        assertThat(rec.path("properties").has(p)).as("%s present on %s", p, s.id()).isTrue();
        if (s.properties().containsKey(p)) {
          assertThat(v.asText()).isEqualTo(s.properties().get(p));
        } else {
          assertThat(v.isNull()).as("%s of %s is JSON null, was %s", p, s.id(), v).isTrue();
          nulls++;
        }
      }
    }
    assertThat(nulls).as("records without a value among the first 100").isGreaterThan(0);
  }

  @Test
  void archivedTrueReturnsOnlyArchivedRecordsWithArchivedAt(FakeHubSpot h) {
    List<Long> all = h.portal().ids("contacts");
    List<Long> archived = List.of(all.get(3), all.get(50), all.get(149));
    Instant updatedBefore = record(h, "contacts", all.get(50)).updatedAt();
    h.clock().advance(Duration.ofMinutes(5));
    Instant archivedAt = h.clock().now();
    archived.forEach(id -> h.portal().archive("contacts", id));

    Http.Reply r = new Http(h).get("/crm/v3/objects/contacts?archived=true&limit=100");

    assertThat(r.status()).isEqualTo(200);
    assertThat(ids(r.json().path("results"))).containsExactlyElementsOf(archived);
    assertThat(r.json().has("paging")).isFalse();
    for (JsonNode rec : r.json().path("results")) {
      assertThat(rec.path("archived").asBoolean()).isTrue();
      assertThat(Instant.parse(rec.path("archivedAt").asText())).isEqualTo(archivedAt);
    }
    // Archiving does not bump the modified date (§8).
    assertThat(Instant.parse(r.json().path("results").get(1).path("updatedAt").asText())).isEqualTo(updatedBefore);
    List<Long> live = pageAll(new Http(h), "/crm/v3/objects/contacts?limit=100", new ArrayList<>());
    assertThat(live).hasSize(147).doesNotContainAnyElementsOf(archived);
  }

  @Test
  void archivedRecordsLeaveTheRecycleBinAfterNinetyDays(FakeHubSpot h) {
    long id = h.portal().ids("contacts").get(5);
    h.portal().archive("contacts", id);
    Http http = new Http(h);
    h.clock().advance(Duration.ofDays(89));
    assertThat(ids(http.get("/crm/v3/objects/contacts?archived=true").json().path("results"))).containsExactly(id);

    h.clock().advance(Duration.ofDays(2));

    assertThat(http.get("/crm/v3/objects/contacts?archived=true").json().path("results")).isEmpty();
    assertThat(http.get("/crm/v3/objects/contacts/" + id + "?archived=true").status()).isEqualTo(404);
  }

  @Test
  void defaultPropertiesWhenNoneAreRequested(FakeHubSpot h) {
    Http http = new Http(h);
    JsonNode contact = http.get("/crm/v3/objects/contacts?limit=1").json().path("results").get(0);
    JsonNode company = http.get("/crm/v3/objects/companies?limit=1").json().path("results").get(0);
    JsonNode deal = http.get("/crm/v3/objects/deals?limit=1").json().path("results").get(0);

    assertThat(fieldNames(contact.path("properties")))
        .containsExactlyInAnyOrder("firstname", "lastname", "email", "createdate", "lastmodifieddate", "hs_object_id");
    assertThat(fieldNames(company.path("properties")))
        .containsExactlyInAnyOrder("name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id");
    assertThat(fieldNames(deal.path("properties"))).containsExactlyInAnyOrder("dealname", "amount", "closedate",
        "pipeline", "dealstage", "createdate", "hs_lastmodifieddate", "hs_object_id");
    RecordSnapshot s = h.snapshot().live("contacts").get(0);
    assertThat(contact.path("properties").path("email").asText()).isEqualTo(s.properties().get("email"));
    assertThat(contact.path("properties").path("firstname").asText()).isEqualTo(s.properties().get("firstname"));
  }

  @Test
  void inlineAssociationsRepeatPrimaryLinksAsLabeledAndUnlabeled(FakeHubSpot h) {
    Http.Reply r = new Http(h).get("/crm/v3/objects/contacts?limit=100&associations=companies");
    assertThat(r.status()).as(r.body()).isEqualTo(200);

    Map<Long, Set<Long>> truth = new HashMap<>();
    Set<String> primary = new HashSet<>();
    for (AssociationSnapshot a : h.snapshot().associations("contacts", "companies")) {
      truth.computeIfAbsent(a.fromId(), k -> new TreeSet<>()).add(a.toId());
      if (a.typeId() == 1) {
        primary.add(a.fromId() + ">" + a.toId());
      }
    }
    int primaries = 0;
    for (JsonNode rec : r.json().path("results")) {
      long id = Long.parseLong(rec.path("id").asText());
      JsonNode results = rec.path("associations").path("companies").path("results");
      Set<Long> distinct = new TreeSet<>();
      Map<Long, List<String>> types = new HashMap<>();
      for (JsonNode link : results) {
        long to = Long.parseLong(link.path("id").asText());
        distinct.add(to);
        types.computeIfAbsent(to, k -> new ArrayList<>()).add(link.path("type").asText());
      }
      assertThat(distinct).as("companies of contact %s", id).isEqualTo(truth.getOrDefault(id, Set.of()));
      for (Map.Entry<Long, List<String>> e : types.entrySet()) {
        if (primary.contains(id + ">" + e.getKey())) {
          primaries++;
          assertThat(e.getValue()).as("types of primary link %s→%s", id, e.getKey())
              .containsExactlyInAnyOrder("contact_to_company", "contact_to_company_unlabeled");
        }
      }
    }
    assertThat(primaries).as("primary links among the first 100 contacts").isGreaterThan(50);
  }

  @Test
  void inlineAssociationsArePaginatedPerRecordPastOneHundred(FakeHubSpot h) {
    long company = h.portal().ids("companies").get(0);
    for (long contact : h.portal().ids("contacts").subList(0, 120)) {
      h.portal().associate("contacts", contact, "companies", company, 1);
    }
    long links = h.snapshot().associations("companies", "contacts").stream().filter(a -> a.fromId() == company).count();
    assertThat(links).as("association rows of the first company").isGreaterThan(200);

    JsonNode rec = new Http(h).get("/crm/v3/objects/companies?limit=1&associations=contacts").json().path("results").get(0);

    assertThat(rec.path("id").asText()).isEqualTo(Long.toString(company));
    JsonNode inline = rec.path("associations").path("contacts");
    // Since Jan 2021 inline lists hold at most 100 associations and page past that (§1).
    assertThat(inline.path("results").size()).as("inline associations on one record").isLessThanOrEqualTo(100);
    assertThat(inline.path("paging").path("next").path("after").asText(null)).as("per-record paging cursor").isNotNull();
  }

  @Test
  void associationsFalseCannotInferAnObjectType(FakeHubSpot h) {
    Http.Reply r = new Http(h).get("/crm/v3/objects/contacts?associations=false");

    assertError(r, 400, "VALIDATION_ERROR");
    assertThat(r.json().path("message").asText()).isEqualTo("Unable to infer object type from: false");
  }

  @Test
  void unknownObjectTypeIsObjectNotFound(FakeHubSpot h) {
    Http.Reply r = new Http(h).get("/crm/v3/objects/widgets");

    assertError(r, 404, "OBJECT_NOT_FOUND");
    assertThat(r.json().path("message").asText()).contains("widgets");
  }

  @Test
  void objectTypeIdsAndFullyQualifiedNamesWorkAsPath(FakeHubSpot h) {
    Http http = new Http(h);
    String customId = h.portal().objectTypeId("subscriptions");
    assertThat(customId).matches("2-\\d+");

    assertThat(ids(http.get("/crm/v3/objects/0-1?limit=100").json().path("results")))
        .containsExactlyElementsOf(liveIds(h, "contacts").subList(0, 100));
    assertThat(ids(http.get("/crm/v3/objects/0-3?limit=100").json().path("results")))
        .containsExactlyElementsOf(liveIds(h, "deals"));
    List<Long> subs = liveIds(h, "subscriptions");
    assertThat(subs).hasSize(9);
    assertThat(ids(http.get("/crm/v3/objects/" + customId + "?limit=100").json().path("results")))
        .containsExactlyElementsOf(subs);
    Http.Reply byName = http.get("/crm/v3/objects/p" + h.spec().portalId() + "_subscriptions?limit=100");
    assertThat(byName.status()).as(byName.body()).isEqualTo(200);
    assertThat(ids(byName.json().path("results"))).containsExactlyElementsOf(subs);
    assertThat(fieldNames(byName.json().path("results").get(0).path("properties")))
        .containsExactlyInAnyOrder("plan_name", "hs_createdate", "hs_lastmodifieddate", "hs_object_id");
  }

  @Test
  void urlsLongerThanSixteenThousandCharactersAre414(FakeHubSpot h) {
    Http http = new Http(h);
    StringBuilder props = new StringBuilder("email");
    for (int i = 0; props.length() < 15_800; i++) {
      props.append(",custom_property_").append(i);
    }
    Http.Reply fits = http.get("/crm/v3/objects/contacts?properties=" + props);
    assertThat(fits.status()).as("a URL just under the limit").isEqualTo(200);
    assertThat(fieldNames(fits.json().path("results").get(0).path("properties"))).contains("email");

    while (props.length() < 16_100) {
      props.append(",another_long_property_name");
    }
    Http.Reply tooLong = http.get("/crm/v3/objects/contacts?properties=" + props);

    assertThat(tooLong.status()).isEqualTo(414);
    assertThat(tooLong.body()).contains("414");
  }

  @Test
  void getOneRecordByIdAndUnknownIdIsNotFound(FakeHubSpot h) {
    Http http = new Http(h);
    RecordSnapshot s = h.snapshot().live("contacts").get(42);

    Http.Reply r = http.get("/crm/v3/objects/contacts/" + s.id() + "?properties=email,city");

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().path("id").asText()).isEqualTo(Long.toString(s.id()));
    assertThat(fieldNames(r.json().path("properties")))
        .containsExactlyInAnyOrder("email", "city", "createdate", "lastmodifieddate", "hs_object_id");
    assertThat(r.json().path("properties").path("city").asText()).isEqualTo(s.properties().get("city"));
    assertThat(Instant.parse(r.json().path("updatedAt").asText())).isEqualTo(s.updatedAt());
    assertThat(r.json().path("archived").asBoolean()).isFalse();

    assertError(http.get("/crm/v3/objects/contacts/1234"), 404, "OBJECT_NOT_FOUND");
  }

  @Test
  void mergedAwayIdResolvesToTheSurvivor(FakeHubSpot h) {
    List<Long> ids = h.portal().ids("contacts");
    long primary = ids.get(10);
    long merged = ids.get(11);
    h.portal().merge("contacts", primary, merged);

    Http http = new Http(h);
    Http.Reply r = http.get("/crm/v3/objects/contacts/" + merged + "?properties=hs_merged_object_ids");

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().path("id").asText()).isEqualTo(Long.toString(primary));
    assertThat(r.json().path("properties").path("hs_merged_object_ids").asText().split(";"))
        .contains(Long.toString(merged));
    List<Long> listed = pageAll(http, "/crm/v3/objects/contacts?limit=100", new ArrayList<>());
    assertThat(listed).contains(primary).doesNotContain(merged).hasSize(149);
  }

  @Test
  void errorBodiesCarryStatusMessageCorrelationIdAndCategory(FakeHubSpot h) {
    Http http = new Http(h);
    Http.Reply bad = http.get("/crm/v3/objects/contacts?limit=500");
    Http.Reply other = http.get("/crm/v3/objects/contacts?limit=500");

    assertError(bad, 400, "VALIDATION_ERROR");
    assertThat(fieldNames(bad.json())).startsWith("status", "message", "correlationId").contains("category");
    assertThat(other.json().path("correlationId").asText()).as("a new correlation id per call")
        .isNotEqualTo(bad.json().path("correlationId").asText());
  }
}
