package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HubSpot's 2026-09 paths (hubspot-api.md §10.1) served beside the legacy ones on the same data:
 * each answers as its v3/v4 twin, except that batch reads answer 200 with {@code errors} where the
 * legacy paths answer 207; the portal counts the calls per version their paths named.
 */
class DatedPathsTest {
  private static final Instant T0 = Instant.parse("2026-11-15T12:00:00Z");

  @RegisterExtension
  final FakeHubSpotExtension hubspot = FakeHubSpotExtension.with(() -> PortalSpec.builder()
      .contacts(30).companies(10).deals(10).tickets(0).calls(0).subscriptions(4)
      .unlimited().clock(PortalClock.fixed(T0)).build());

  @Test
  void everyDatedPathAnswersAsItsLegacyTwin(FakeHubSpot h) {
    Http http = new Http(h);
    long company = h.portal().ids("companies").get(0);
    Map<String, String> twins = Map.of(
        "/crm/objects/2026-09/contacts?limit=5&properties=email", "/crm/v3/objects/contacts?limit=5&properties=email",
        "/crm/objects/2026-09/companies/" + company, "/crm/v3/objects/companies/" + company,
        "/crm/properties/2026-09/deals", "/crm/v3/properties/deals",
        "/crm-object-schemas/2026-09/schemas", "/crm-object-schemas/v3/schemas",
        "/crm/associations/2026-09/contacts/companies/labels", "/crm/v4/associations/contacts/companies/labels",
        "/crm/limits/2026-09/records", "/crm/v3/limits/records");
    twins.forEach((dated, legacy) -> {
      Http.Reply a = http.get(dated);
      Http.Reply b = http.get(legacy);
      assertThat(a.status()).as(dated + ": " + a.body()).isEqualTo(200);
      // the same answer; a list's next-page link keeps the path it was asked on
      assertThat(a.json().has("results") ? a.json().path("results") : a.json()).as(dated)
          .isEqualTo(b.json().has("results") ? b.json().path("results") : b.json());
    });
    String search = "{\"filterGroups\":[],\"sorts\":[{\"propertyName\":\"hs_object_id\",\"direction\":\"ASCENDING\"}],\"limit\":3}";
    assertThat(http.post("/crm/objects/2026-09/contacts/search", search).json().path("results"))
        .isEqualTo(http.post("/crm/v3/objects/contacts/search", search).json().path("results"));

    assertThat(http.get("/crm/objects/2026-09/contacts?limit=5").json().at("/paging/next/link").asText())
        .contains("/crm/objects/2026-09/contacts?after=");
    assertThat(h.stats().calls("2026-09")).isEqualTo(8);
    assertThat(h.stats().calls("v3")).isEqualTo(6);
    assertThat(h.stats().calls("v4")).isEqualTo(1);
  }

  @Test
  void datedBatchReadsAnswerTwoHundredWithErrorsWhereLegacyOnesAnswerTwoHundredSeven(FakeHubSpot h) {
    Http http = new Http(h);
    long contact = h.portal().ids("contacts").get(0);
    long company = h.portal().ids("companies").get(0);
    String objects = "{\"inputs\":[{\"id\":\"" + contact + "\"},{\"id\":\"999\"}],\"properties\":[\"email\"]}";
    String links = "{\"inputs\":[{\"id\":\"" + company + "\"},{\"id\":\"999\"}]}";

    Http.Reply dated = http.post("/crm/objects/2026-09/contacts/batch/read", objects);
    Http.Reply legacy = http.post("/crm/v3/objects/contacts/batch/read", objects);
    Http.Reply datedLinks = http.post("/crm/associations/2026-09/companies/contacts/batch/read", links);
    Http.Reply legacyLinks = http.post("/crm/v4/associations/companies/contacts/batch/read", links);

    assertThat(dated.status()).as(dated.body()).isEqualTo(200);
    assertThat(legacy.status()).isEqualTo(207);
    assertThat(dated.json().path("errors").get(0).path("category").asText()).isEqualTo("OBJECT_NOT_FOUND");
    assertThat(dated.json().path("errors")).isEqualTo(legacy.json().path("errors"));
    assertThat(dated.json().path("numErrors").asInt()).isEqualTo(1);
    assertThat(datedLinks.status()).as(datedLinks.body()).isEqualTo(200);
    assertThat(legacyLinks.status()).isEqualTo(207);
    assertThat(datedLinks.json().path("results")).isEqualTo(legacyLinks.json().path("results"));
    assertThat(datedLinks.json().path("errors")).isEqualTo(legacyLinks.json().path("errors"));
  }

  @Test
  void recordLimitsCountTheLiveRecordsOfEachType(FakeHubSpot h) {
    h.portal().archive("contacts", h.portal().ids("contacts").get(0));

    JsonNode limits = new Http(h).get("/crm/limits/2026-09/records").json();

    Map<String, Long> usage = new java.util.HashMap<>();
    limits.path("hubspotDefinedObjectTypes").forEach(t -> usage.put(t.path("objectTypeId").asText(), t.path("usage").asLong()));
    assertThat(usage).containsEntry("0-1", 29L).containsEntry("0-2", 10L).containsEntry("0-3", 10L);
    JsonNode custom = limits.path("customObjectTypes");
    assertThat(custom.path("byObjectType")).hasSize(1);
    assertThat(custom.path("overallUsage").asLong()).isEqualTo(4);
    assertThat(List.of(custom.path("byObjectType").get(0).path("objectTypeId").asText()))
        .allMatch(id -> id.startsWith("2-"));
  }
}
