package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The generated portal data, read over HTTP: deterministic, HubSpot-shaped values and ids (hubspot-api.md §1, §5). */
class PortalDataTest {
  private static final Instant T0 = Instant.parse("2026-03-02T09:30:00Z");
  private static final Pattern DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern DATETIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z");
  private static final Pattern EPOCH_MS = Pattern.compile("\\d{12,13}");
  private static final Pattern PHONE = Pattern.compile("\\+?[0-9][0-9 ()-]{5,}");

  private static PortalSpec spec(long seed) {
    return PortalSpec.builder().seed(seed)
        .contacts(150).companies(25).deals(60).tickets(15).calls(20).subscriptions(12)
        .unlimited().clock(PortalClock.fixed(T0)).build();
  }

  /** Every record of a type via the list endpoint, 100 per page, following paging.next.after. */
  private static List<JsonNode> listAll(Http http, String type, String query) {
    List<JsonNode> out = new ArrayList<>();
    String after = null;
    for (int pages = 0; pages < 1000; pages++) {
      String url = "/crm/v3/objects/" + type + "?limit=100" + (query.isEmpty() ? "" : "&" + query)
          + (after == null ? "" : "&after=" + java.net.URLEncoder.encode(after, java.nio.charset.StandardCharsets.UTF_8));
      Http.Reply r = http.get(url);
      assertThat(r.status()).as("GET %s: %s", url, r.body()).isEqualTo(200);
      r.json().path("results").forEach(out::add);
      after = r.json().path("paging").path("next").path("after").asText(null);
      if (after == null) {
        return out;
      }
    }
    throw new AssertionError("paging of " + type + " never ended");
  }

  /** Property definitions of a type by name, from the properties API. */
  private static Map<String, JsonNode> definitions(Http http, String type) {
    Http.Reply r = http.get("/crm/v3/properties/" + type);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Map<String, JsonNode> out = new LinkedHashMap<>();
    r.json().path("results").forEach(p -> out.put(p.path("name").asText(), p));
    return out;
  }

  private static List<Long> ids(List<JsonNode> records) {
    List<Long> out = new ArrayList<>();
    records.forEach(r -> out.add(Long.parseLong(r.path("id").asText())));
    return out;
  }

  private static Set<String> fieldNames(JsonNode obj) {
    Set<String> out = new HashSet<>();
    Iterator<String> it = obj.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void sameSeedGivesTheSameRecordsValuesAndAssociations() {
    try (FakeHubSpot a = FakeHubSpot.start(spec(7)); FakeHubSpot b = FakeHubSpot.start(spec(7))) {
      PortalSnapshot sa = a.snapshot();
      PortalSnapshot sb = b.snapshot();
      assertThat(sa.live("contacts")).hasSize(150);
      assertThat(sa.live("subscriptions")).hasSize(12);
      assertThat(sa.associations()).isNotEmpty();
      assertThat(sb.records()).as("records of two portals with seed 7").isEqualTo(sa.records());
      assertThat(sb.associations()).as("associations of two portals with seed 7").isEqualTo(sa.associations());

      // And over HTTP, value for value (paging links name the port, so compare the records only).
      String all = "properties=" + String.join(",", definitions(new Http(a), "deals").keySet()) + "&associations=companies";
      List<JsonNode> fromA = listAll(new Http(a), "deals", all);
      List<JsonNode> fromB = listAll(new Http(b), "deals", all);
      assertThat(fromA).hasSize(60);
      assertThat(fromB).isEqualTo(fromA);
    }
  }

  @Test
  void differentSeedGivesDifferentData() {
    try (FakeHubSpot a = FakeHubSpot.start(spec(7)); FakeHubSpot b = FakeHubSpot.start(spec(8))) {
      PortalSnapshot sa = a.snapshot();
      PortalSnapshot sb = b.snapshot();
      for (String type : List.of("contacts", "companies", "deals")) {
        assertThat(sb.live(type)).hasSameSizeAs(sa.live(type));
        assertThat(b.portal().ids(type)).as("%s ids with seed 8 vs 7", type).isNotEqualTo(a.portal().ids(type));
      }
      assertThat(sb.associations()).isNotEqualTo(sa.associations());
      List<String> citiesA = sa.live("contacts").stream().map(r -> r.properties().get("city")).toList();
      List<String> citiesB = sb.live("contacts").stream().map(r -> r.properties().get("city")).toList();
      assertThat(citiesB).as("contact cities with seed 8 vs 7").isNotEqualTo(citiesA);
    }
  }

  @Test
  void idsGoBeyondInt32ForContactsCompaniesAndDeals() {
    try (FakeHubSpot h = FakeHubSpot.start(spec(1))) {
      Http http = new Http(h);
      for (String type : List.of("contacts", "companies", "deals")) {
        List<JsonNode> records = listAll(http, type, "");
        List<Long> ids = ids(records);
        assertThat(ids).as("%s ids", type).anyMatch(id -> id > Integer.MAX_VALUE);
        for (JsonNode r : records) {
          assertThat(r.path("id").isTextual()).as("%s id is a JSON string", type).isTrue();
          assertThat(r.path("properties").path("hs_object_id").asText()).isEqualTo(r.path("id").asText());
        }
      }
      assertThat(ids(listAll(http, "companies", ""))).allMatch(id -> id > Integer.MAX_VALUE);
      assertThat(ids(listAll(http, "deals", ""))).allMatch(id -> id > Integer.MAX_VALUE);
    }
  }

  @Test
  void everyPropertyTypeAppears() {
    try (FakeHubSpot h = FakeHubSpot.start(spec(1))) {
      Map<String, JsonNode> defs = definitions(new Http(h), "contacts");
      Set<String> types = new HashSet<>();
      Set<String> enumFieldTypes = new HashSet<>();
      for (JsonNode d : defs.values()) {
        types.add(d.path("type").asText());
        if (d.path("type").asText().equals("enumeration")) {
          enumFieldTypes.add(d.path("fieldType").asText());
        }
      }
      assertThat(types).contains("string", "number", "date", "datetime", "enumeration", "bool", "phone_number");
      assertThat(enumFieldTypes).as("enumeration field types").contains("select", "checkbox");
    }
  }

  @Test
  void valuesAreSerializedAsHubSpotServesThem() {
    try (FakeHubSpot h = FakeHubSpot.start(spec(1))) {
      Http http = new Http(h);
      Map<String, Integer> seenPerType = new HashMap<>();
      List<String> datetimes = new ArrayList<>();
      boolean multiJoined = false;
      Set<String> bools = new HashSet<>();
      for (String type : List.of("contacts", "companies", "deals", "tickets", "subscriptions")) {
        Map<String, JsonNode> defs = definitions(http, type);
        List<JsonNode> records = listAll(http, type, "properties=" + String.join(",", defs.keySet()));
        assertThat(records).isNotEmpty();
        for (JsonNode r : records) {
          JsonNode props = r.path("properties");
          assertThat(fieldNames(props)).as("%s %s returns every requested property", type, r.path("id"))
              .containsExactlyInAnyOrderElementsOf(defs.keySet());
          for (Map.Entry<String, JsonNode> e : defs.entrySet()) {
            JsonNode v = props.path(e.getKey());
            if (v.isNull()) {
              continue;
            }
            assertThat(v.isTextual()).as("%s.%s is a JSON string: %s", type, e.getKey(), v).isTrue();
            String text = v.asText();
            String where = type + " " + r.path("id").asText() + " " + e.getKey() + "=" + text;
            JsonNode def = e.getValue();
            String propertyType = def.path("type").asText();
            if (text.isEmpty() && propertyType.equals("string")) {
              continue; // a cleared string comes back as "" (§1)
            }
            seenPerType.merge(propertyType, 1, Integer::sum);
            switch (propertyType) {
              case "number":
                assertThat(text).as(where).matches(DECIMAL);
                assertThat(new BigDecimal(text)).as(where).isNotNull();
                break;
              case "date":
                assertThat(text).as(where).matches(DATE);
                assertThat(LocalDate.parse(text)).as(where).isBefore(LocalDate.of(2026, 3, 3));
                break;
              case "datetime":
                if (EPOCH_MS.matcher(text).matches()) {
                  assertThat(e.getKey()).as("only calculated datetimes are epoch ms: " + where)
                      .isIn("hs_open_deal_create_date", "hs_lifecyclestage_lead_date");
                  break;
                }
                assertThat(text).as(where).matches(DATETIME);
                assertThat(text).as("trailing fraction zeros are dropped: " + where).doesNotMatch(".*\\.\\d*0Z");
                assertThat(Instant.parse(text)).as(where).isNotNull();
                datetimes.add(text);
                break;
              case "enumeration": {
                Set<String> options = new HashSet<>();
                def.path("options").forEach(o -> options.add(o.path("value").asText()));
                if (def.path("fieldType").asText().equals("checkbox")) {
                  if (e.getKey().equals("hs_merged_object_ids")) {
                    break;
                  }
                  multiJoined |= text.contains(";");
                  assertThat(List.of(text.split(";", -1))).as(where).isSubsetOf(options);
                } else {
                  assertThat(text).as(where).isIn(options);
                }
                break;
              }
              case "bool":
                assertThat(text).as(where).isIn("true", "false");
                bools.add(text);
                break;
              case "phone_number":
                assertThat(text).as(where).matches(PHONE);
                break;
              default:
                break;
            }
          }
        }
      }
      assertThat(seenPerType.keySet()).as("types with at least one value")
          .contains("string", "number", "date", "datetime", "enumeration", "bool", "phone_number");
      assertThat(multiJoined).as("some multi-select value joins several options with ';'").isTrue();
      assertThat(bools).containsExactlyInAnyOrder("true", "false");
      // HubSpot's precision varies (§1): both millisecond values and shorter fractions occur.
      assertThat(datetimes).anyMatch(t -> t.matches(".*\\.\\d{3}Z"));
      assertThat(datetimes).anyMatch(t -> !t.matches(".*\\.\\d{3}Z"));
    }
  }

  @Test
  void someCalculatedDatetimesAreEpochMillisStrings() {
    try (FakeHubSpot h = FakeHubSpot.start(spec(1))) {
      Http http = new Http(h);
      Map<String, String> calculated = Map.of("deals", "hs_open_deal_create_date",
          "contacts", "hs_lifecyclestage_lead_date");
      for (Map.Entry<String, String> c : calculated.entrySet()) {
        List<JsonNode> records = listAll(http, c.getKey(), "properties=" + c.getValue());
        int withValue = 0;
        for (JsonNode r : records) {
          JsonNode v = r.path("properties").path(c.getValue());
          if (v.isNull()) {
            continue;
          }
          withValue++;
          String where = c.getKey() + " " + r.path("id").asText() + " " + c.getValue() + "=" + v.asText();
          assertThat(v.asText()).as(where).matches(EPOCH_MS);
          Instant when = Instant.ofEpochMilli(Long.parseLong(v.asText()));
          Instant created = Instant.parse(r.path("createdAt").asText());
          assertThat(when).as(where).isBetween(created, created.plus(Duration.ofDays(200)));
        }
        assertThat(withValue).as("%s with a value", c).isGreaterThan(records.size() / 2);
      }
      JsonNode def = definitions(http, "deals").get("hs_open_deal_create_date");
      assertThat(def.path("type").asText()).isEqualTo("datetime");
    }
  }

  @Test
  void everyRecordCarriesCreatedAtUpdatedAtAndArchived() {
    try (FakeHubSpot h = FakeHubSpot.start(spec(1))) {
      Http http = new Http(h);
      PortalSnapshot snap = h.snapshot();
      Map<String, String[]> stampProps = Map.of(
          "contacts", new String[] {"createdate", "lastmodifieddate"},
          "companies", new String[] {"createdate", "hs_lastmodifieddate"},
          "deals", new String[] {"createdate", "hs_lastmodifieddate"},
          "calls", new String[] {"hs_createdate", "hs_lastmodifieddate"},
          "subscriptions", new String[] {"hs_createdate", "hs_lastmodifieddate"});
      for (Map.Entry<String, String[]> e : stampProps.entrySet()) {
        String type = e.getKey();
        Map<Long, RecordSnapshot> truth = new HashMap<>();
        snap.live(type).forEach(r -> truth.put(r.id(), r));
        List<JsonNode> records = listAll(http, type, "");
        assertThat(ids(records)).containsExactlyElementsOf(truth.keySet().stream().sorted().toList());
        for (JsonNode r : records) {
          String where = type + " " + r.path("id").asText();
          assertThat(r.path("createdAt").isTextual()).as(where).isTrue();
          assertThat(r.path("updatedAt").isTextual()).as(where).isTrue();
          assertThat(r.path("archived").isBoolean()).as(where).isTrue();
          assertThat(r.path("archived").asBoolean()).as(where).isFalse();
          assertThat(r.has("archivedAt")).as(where).isFalse();
          assertThat(r.path("createdAt").asText()).as(where).matches(DATETIME);
          Instant created = Instant.parse(r.path("createdAt").asText());
          Instant updated = Instant.parse(r.path("updatedAt").asText());
          RecordSnapshot s = truth.get(Long.parseLong(r.path("id").asText()));
          assertThat(created).as(where).isEqualTo(s.createdAt());
          assertThat(updated).as(where).isEqualTo(s.updatedAt());
          assertThat(created).as(where).isBeforeOrEqualTo(updated);
          assertThat(updated).as(where).isBeforeOrEqualTo(T0);
          assertThat(r.path("properties").path(e.getValue()[0]).asText()).as(where).isEqualTo(r.path("createdAt").asText());
          assertThat(r.path("properties").path(e.getValue()[1]).asText()).as(where).isEqualTo(r.path("updatedAt").asText());
        }
      }
    }
  }

  @Test
  void aCustomObjectWithATwoDashIdExistsAndIsListable() {
    try (FakeHubSpot h = FakeHubSpot.start(spec(1))) {
      String objectTypeId = h.portal().objectTypeId("subscriptions");
      assertThat(objectTypeId).matches("2-\\d+");
      List<JsonNode> records = listAll(new Http(h), objectTypeId, "properties=plan_name,mrr,status");
      assertThat(ids(records)).hasSize(12)
          .containsExactlyElementsOf(h.snapshot().live("subscriptions").stream().map(RecordSnapshot::id).toList());
      for (JsonNode r : records) {
        assertThat(r.path("properties").path("plan_name").asText()).as(r.toString()).endsWith(" plan");
      }
    }
  }
}
