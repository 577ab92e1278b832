package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /crm/v3/properties/{type}} and the custom object schemas (hubspot-api.md §5, §5b). */
class PropertiesAndSchemasTest {
  private static final Instant T0 = Instant.parse("2026-09-10T16:45:00Z");

  @RegisterExtension
  final FakeHubSpotExtension hubspot = FakeHubSpotExtension.with(() -> PortalSpec.builder()
      .contacts(80).companies(10).deals(10).tickets(5).calls(5).subscriptions(6)
      .unlimited().clock(PortalClock.fixed(T0)).build());

  private static Map<String, JsonNode> properties(Http http, String path) {
    Http.Reply r = http.get(path);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Map<String, JsonNode> out = new LinkedHashMap<>();
    r.json().path("results").forEach(p -> out.put(p.path("name").asText(), p));
    return out;
  }

  private static List<String> optionValues(JsonNode def) {
    List<String> out = new ArrayList<>();
    def.path("options").forEach(o -> out.add(o.path("value").asText()));
    return out;
  }

  private static Optional<JsonNode> firstWith(Http http, String property) {
    for (JsonNode rec : http.get("/crm/v3/objects/contacts?limit=100&properties=" + property).json().path("results")) {
      if (!rec.path("properties").path(property).isNull()) {
        return Optional.of(rec);
      }
    }
    return Optional.empty();
  }

  @Test
  void listsDefinitionsWithNameLabelTypeFieldTypeOptionsAndGroup(FakeHubSpot h) {
    Map<String, JsonNode> defs = properties(new Http(h), "/crm/v3/properties/contacts");

    assertThat(defs).containsKeys("email", "firstname", "lifecyclestage", "createdate", "lastmodifieddate",
        "hs_object_id", "hs_email_optout", "ice_cream_flavors");
    for (JsonNode d : defs.values()) {
      assertThat(d.path("name").asText()).isNotBlank();
      assertThat(d.path("label").asText()).as(d.toString()).isNotBlank();
      assertThat(d.path("type").asText()).as(d.toString())
          .isIn("string", "number", "date", "datetime", "enumeration", "bool", "phone_number");
      assertThat(d.path("fieldType").asText()).as(d.toString()).isNotBlank();
      assertThat(d.path("groupName").asText()).as(d.toString()).isNotBlank();
      assertThat(d.path("options").isArray()).as(d.toString()).isTrue();
      assertThat(d.path("archived").asBoolean()).as(d.toString()).isFalse();
    }
    JsonNode email = defs.get("email");
    assertThat(email.path("label").asText()).isEqualTo("Email");
    assertThat(email.path("type").asText()).isEqualTo("string");
    assertThat(email.path("fieldType").asText()).isEqualTo("text");
    assertThat(email.path("groupName").asText()).isEqualTo("contactinformation");
    assertThat(email.path("hasUniqueValue").asBoolean()).isTrue();
    assertThat(email.path("options")).isEmpty();
    JsonNode stage = defs.get("lifecyclestage");
    assertThat(stage.path("type").asText()).isEqualTo("enumeration");
    assertThat(stage.path("fieldType").asText()).isEqualTo("select");
    assertThat(optionValues(stage)).startsWith("subscriber", "lead").contains("customer");
    assertThat(stage.path("options").get(0).path("label").asText()).isEqualTo("Subscriber");
    assertThat(stage.path("options").get(1).path("displayOrder").asInt()).isEqualTo(1);
    assertThat(optionValues(defs.get("hs_email_optout"))).containsExactlyInAnyOrder("true", "false");
    assertThat(defs.get("hs_email_optout").path("type").asText()).isEqualTo("bool");
    assertThat(defs.get("ice_cream_flavors").path("fieldType").asText()).isEqualTo("checkbox");
    assertThat(defs.get("createdate").path("type").asText()).isEqualTo("datetime");
  }

  @Test
  void customPropertiesAreNotHubSpotDefined(FakeHubSpot h) {
    Map<String, JsonNode> defs = properties(new Http(h), "/crm/v3/properties/contacts");

    for (String custom : List.of("favorite_color", "preferred_channel", "ice_cream_flavors", "nps_score",
        "renewal_date", "last_demo_at", "is_vip", "direct_line")) {
      assertThat(defs).containsKey(custom);
      assertThat(defs.get(custom).path("hubspotDefined").asBoolean(false)).as("%s hubspotDefined", custom).isFalse();
    }
    for (String builtIn : List.of("email", "firstname", "lifecyclestage", "hs_object_id", "createdate")) {
      assertThat(defs.get(builtIn).path("hubspotDefined").asBoolean(false)).as("%s hubspotDefined", builtIn).isTrue();
    }
    assertThat(defs.get("direct_line").path("type").asText()).isEqualTo("phone_number");
  }

  @Test
  void addedPropertyAppearsInDefinitionsAndResponses(FakeHubSpot h) {
    h.clock().advance(Duration.ofHours(1));
    h.portal().addProperty("contacts", "loyalty_level", "Loyalty level", "enumeration", "select", "bronze", "gold");
    long id = h.portal().ids("contacts").get(4);
    h.portal().update("contacts", id, Map.of("loyalty_level", "gold"));
    Http http = new Http(h);

    JsonNode def = properties(http, "/crm/v3/properties/contacts").get("loyalty_level");

    assertThat(def).as("loyalty_level definition").isNotNull();
    assertThat(def.path("label").asText()).isEqualTo("Loyalty level");
    assertThat(def.path("type").asText()).isEqualTo("enumeration");
    assertThat(def.path("fieldType").asText()).isEqualTo("select");
    assertThat(optionValues(def)).containsExactly("bronze", "gold");
    assertThat(def.path("hubspotDefined").asBoolean(false)).isFalse();
    assertThat(Instant.parse(def.path("createdAt").asText())).isEqualTo(T0.plus(Duration.ofHours(1)));
    JsonNode rec = http.get("/crm/v3/objects/contacts/" + id + "?properties=loyalty_level").json();
    assertThat(rec.path("properties").path("loyalty_level").asText()).isEqualTo("gold");
  }

  @Test
  void archivedPropertyMovesToArchivedTrueAndLeavesRecordResponses(FakeHubSpot h) {
    Http http = new Http(h);
    JsonNode withValue = firstWith(http, "favorite_color").orElseThrow();
    String id = withValue.path("id").asText();
    h.clock().advance(Duration.ofMinutes(30));

    h.portal().archiveProperty("contacts", "favorite_color");

    assertThat(properties(http, "/crm/v3/properties/contacts")).doesNotContainKey("favorite_color");
    Map<String, JsonNode> archived = properties(http, "/crm/v3/properties/contacts?archived=true");
    assertThat(archived).containsOnlyKeys("favorite_color");
    assertThat(archived.get("favorite_color").path("archived").asBoolean()).isTrue();
    assertThat(Instant.parse(archived.get("favorite_color").path("archivedAt").asText()))
        .isEqualTo(T0.plus(Duration.ofMinutes(30)));
    JsonNode rec = http.get("/crm/v3/objects/contacts/" + id + "?properties=favorite_color,email").json();
    assertThat(rec.path("properties").has("favorite_color")).as(rec.toString()).isFalse();
    assertThat(rec.path("properties").has("email")).isTrue();
    for (JsonNode r : http.get("/crm/v3/objects/contacts?limit=100&properties=favorite_color").json().path("results")) {
      assertThat(r.path("properties").has("favorite_color")).as(r.toString()).isFalse();
    }
  }

  @Test
  void changedPropertyTypeShowsInTheDefinitionAndValuesAreKept(FakeHubSpot h) {
    Http http = new Http(h);
    JsonNode before = firstWith(http, "nps_score").orElseThrow();
    assertThat(properties(http, "/crm/v3/properties/contacts").get("nps_score").path("type").asText())
        .isEqualTo("number");

    h.portal().changePropertyType("contacts", "nps_score", "string", "text");

    JsonNode def = properties(http, "/crm/v3/properties/contacts").get("nps_score");
    assertThat(def.path("type").asText()).isEqualTo("string");
    assertThat(def.path("fieldType").asText()).isEqualTo("text");
    JsonNode after = http.get("/crm/v3/objects/contacts/" + before.path("id").asText() + "?properties=nps_score").json();
    assertThat(after.path("properties").path("nps_score").asText())
        .isEqualTo(before.path("properties").path("nps_score").asText());
  }

  @Test
  void customObjectPropertiesAreServedByObjectTypeId(FakeHubSpot h) {
    Map<String, JsonNode> defs = properties(new Http(h), "/crm/v3/properties/" + h.portal().objectTypeId("subscriptions"));

    assertThat(defs).containsKeys("plan_name", "mrr", "status", "started_on", "renews_at", "auto_renew",
        "hs_object_id", "hs_createdate", "hs_lastmodifieddate");
    assertThat(optionValues(defs.get("status"))).containsExactly("active", "paused", "cancelled");
  }

  @Test
  void schemasListTheCustomObjectOnBothPaths(FakeHubSpot h) {
    Http http = new Http(h);
    String objectTypeId = h.portal().objectTypeId("subscriptions");
    Http.Reply crm = http.get("/crm/v3/schemas");
    Http.Reply objectSchemas = http.get("/crm-object-schemas/v3/schemas");

    assertThat(crm.status()).as(crm.body()).isEqualTo(200);
    assertThat(objectSchemas.status()).as(objectSchemas.body()).isEqualTo(200);
    assertThat(objectSchemas.json()).isEqualTo(crm.json());
    JsonNode results = crm.json().path("results");
    assertThat(results).hasSize(1);
    JsonNode schema = results.get(0);
    assertThat(schema.path("objectTypeId").asText()).isEqualTo(objectTypeId).matches("2-\\d+");
    assertThat(schema.path("id").asText()).isEqualTo(objectTypeId.substring(2));
    assertThat(schema.path("name").asText()).isEqualTo("subscriptions");
    assertThat(schema.path("fullyQualifiedName").asText()).isEqualTo("p" + h.spec().portalId() + "_subscriptions");
    assertThat(schema.path("labels").path("singular").asText()).isEqualTo("Subscription");
    assertThat(schema.path("labels").path("plural").asText()).isEqualTo("Subscriptions");
    assertThat(schema.path("primaryDisplayProperty").asText()).isEqualTo("plan_name");
    assertThat(schema.path("requiredProperties").get(0).asText()).isEqualTo("plan_name");
    List<String> names = new ArrayList<>();
    schema.path("properties").forEach(p -> names.add(p.path("name").asText()));
    assertThat(names).contains("plan_name", "mrr", "status", "started_on", "renews_at", "auto_renew");
    List<String> targets = new ArrayList<>();
    for (JsonNode a : schema.path("associations")) {
      assertThat(a.path("fromObjectTypeId").asText()).isEqualTo(objectTypeId);
      assertThat(a.path("id").asText()).matches("\\d+");
      assertThat(a.path("name").asText()).isNotBlank();
      targets.add(a.path("toObjectTypeId").asText());
    }
    assertThat(targets).contains("0-1", "0-2");
  }
}
