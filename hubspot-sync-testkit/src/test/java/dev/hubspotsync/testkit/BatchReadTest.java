package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /crm/v3/objects/{type}/batch/read} (hubspot-api.md §3). */
class BatchReadTest {
  private static final Instant T0 = Instant.parse("2026-07-15T12:00:00Z");
  private static final String PATH = "/crm/v3/objects/contacts/batch/read";

  @RegisterExtension
  final FakeHubSpotExtension hubspot = FakeHubSpotExtension.with(() -> PortalSpec.builder()
      .contacts(130).companies(10).deals(10).tickets(5).calls(5).subscriptions(5)
      .unlimited().clock(PortalClock.fixed(T0)).build());

  private static ObjectNode body(List<?> ids, String... properties) {
    ObjectNode body = Http.JSON.createObjectNode();
    ArrayNode inputs = body.putArray("inputs");
    ids.forEach(id -> inputs.addObject().put("id", id.toString()));
    ArrayNode props = body.putArray("properties");
    for (String p : properties) {
      props.add(p);
    }
    return body;
  }

  private static List<String> resultIds(JsonNode reply) {
    List<String> out = new ArrayList<>();
    reply.path("results").forEach(r -> out.add(r.path("id").asText()));
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Set<String> fieldNames(JsonNode obj) {
    Set<String> out = new LinkedHashSet<>();
    Iterator<String> it = obj.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }

  private static RecordSnapshot record(FakeHubSpot h, long id) {
    return h.snapshot().records().get("contacts").stream().filter(r -> r.id() == id).findFirst().orElseThrow();
  }

  @Test
  void oneHundredInputsAreReadAndOneHundredAndOneAreRejected(FakeHubSpot h) {
    List<Long> ids = h.portal().ids("contacts");
    Http http = new Http(h);

    Http.Reply ok = http.post(PATH, body(ids.subList(0, 100), "email"));

    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.json().path("status").asText()).isEqualTo("COMPLETE");
    assertThat(resultIds(ok.json())).containsExactlyInAnyOrderElementsOf(
        ids.subList(0, 100).stream().map(String::valueOf).toList());
    assertThat(ok.json().has("numErrors")).isFalse();
    assertThat(ok.json().path("startedAt").asText()).isEqualTo("2026-07-15T12:00:00Z");
    assertThat(ok.json().path("completedAt").asText()).isEqualTo("2026-07-15T12:00:00Z");
    JsonNode first = ok.json().path("results").get(0);
    assertThat(fieldNames(first.path("properties")))
        .containsExactlyInAnyOrder("email", "createdate", "lastmodifieddate", "hs_object_id");
    assertThat(first.path("properties").path("email").asText())
        .isEqualTo(record(h, Long.parseLong(first.path("id").asText())).properties().get("email"));

    Http.Reply tooMany = http.post(PATH, body(ids.subList(0, 101), "email"));

    assertThat(tooMany.status()).as(tooMany.body()).isEqualTo(400);
    assertThat(tooMany.json().path("category").asText()).isEqualTo("VALIDATION_ERROR");
    assertThat(tooMany.json().path("message").asText()).contains("100");
    assertThat(tooMany.json().path("correlationId").asText()).isNotEmpty();
  }

  @Test
  void unknownIdsGive207WithObjectNotFoundListingThem(FakeHubSpot h) {
    List<Long> ids = h.portal().ids("contacts");
    List<Object> inputs = List.of(ids.get(0), "999", ids.get(1), "12345678901");

    Http.Reply r = new Http(h).post(PATH, body(inputs));

    assertThat(r.status()).as(r.body()).isEqualTo(207);
    JsonNode json = r.json();
    assertThat(json.path("status").asText()).as("status stays COMPLETE on partial failure").isEqualTo("COMPLETE");
    assertThat(resultIds(json)).containsExactlyInAnyOrder(ids.get(0).toString(), ids.get(1).toString());
    assertThat(json.path("numErrors").asInt()).isEqualTo(1);
    assertThat(json.path("errors")).hasSize(1);
    JsonNode error = json.path("errors").get(0);
    assertThat(error.path("status").asText()).isEqualTo("error");
    assertThat(error.path("category").asText()).isEqualTo("OBJECT_NOT_FOUND");
    assertThat(error.path("message").asText())
        .isEqualTo("Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.");
    assertThat(strings(error.path("context").path("ids"))).containsExactlyInAnyOrder("999", "12345678901");
    assertThat(json.path("startedAt").asText()).isNotEmpty();
  }

  @Test
  void idPropertyEmailLooksRecordsUpByEmail(FakeHubSpot h) {
    RecordSnapshot a = h.snapshot().live("contacts").get(3);
    RecordSnapshot b = h.snapshot().live("contacts").get(77);
    ObjectNode body = body(List.of(a.properties().get("email"), b.properties().get("email"), "nobody@example.org"),
        "email", "firstname");
    body.put("idProperty", "email");

    Http.Reply r = new Http(h).post(PATH, body);

    assertThat(r.status()).as(r.body()).isEqualTo(207);
    assertThat(resultIds(r.json())).containsExactlyInAnyOrder(Long.toString(a.id()), Long.toString(b.id()));
    for (JsonNode rec : r.json().path("results")) {
      RecordSnapshot s = rec.path("id").asText().equals(Long.toString(a.id())) ? a : b;
      assertThat(rec.path("properties").path("email").asText()).isEqualTo(s.properties().get("email"));
      assertThat(rec.path("properties").path("firstname").asText()).isEqualTo(s.properties().get("firstname"));
    }
    assertThat(strings(r.json().path("errors").get(0).path("context").path("ids"))).containsExactly("nobody@example.org");
  }

  @Test
  void propertiesWithHistoryAllowsAtMostFiftyInputs(FakeHubSpot h) {
    List<Long> ids = h.portal().ids("contacts");
    Http http = new Http(h);
    ObjectNode fifty = body(ids.subList(0, 50), "email");
    fifty.putArray("propertiesWithHistory").add("lifecyclestage");
    ObjectNode fiftyOne = body(ids.subList(0, 51), "email");
    fiftyOne.putArray("propertiesWithHistory").add("lifecyclestage");

    Http.Reply ok = http.post(PATH, fifty);
    Http.Reply rejected = http.post(PATH, fiftyOne);

    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.json().path("results")).hasSize(50);
    JsonNode withHistory = null;
    for (JsonNode rec : ok.json().path("results")) {
      assertThat(rec.path("propertiesWithHistory").has("lifecyclestage")).as(rec.toString()).isTrue();
      if (!rec.path("propertiesWithHistory").path("lifecyclestage").isEmpty()) {
        withHistory = rec;
      }
    }
    assertThat(withHistory).as("some record has a lifecyclestage history").isNotNull();
    JsonNode entry = withHistory.path("propertiesWithHistory").path("lifecyclestage").get(0);
    assertThat(fieldNames(entry)).contains("value", "timestamp", "sourceType");
    assertThat(entry.path("value").asText())
        .isEqualTo(record(h, Long.parseLong(withHistory.path("id").asText())).properties().get("lifecyclestage"));

    assertThat(rejected.status()).as(rejected.body()).isEqualTo(400);
    assertThat(rejected.json().path("category").asText()).isEqualTo("VALIDATION_ERROR");
    assertThat(rejected.json().path("message").asText())
        .isEqualTo("The maximum number of inputs supported in a batch request for property histories is 50");
  }

  @Test
  void archivedRecordsAreReadOnlyWithArchivedTrue(FakeHubSpot h) {
    List<Long> ids = h.portal().ids("contacts");
    long archived = ids.get(20);
    long live = ids.get(21);
    h.portal().archive("contacts", archived);
    Http http = new Http(h);

    Http.Reply plain = http.post(PATH, body(List.of(archived, live)));
    Http.Reply bin = http.post(PATH + "?archived=true", body(List.of(archived, live)));

    assertThat(plain.status()).as(plain.body()).isEqualTo(207);
    assertThat(resultIds(plain.json())).containsExactly(Long.toString(live));
    assertThat(strings(plain.json().path("errors").get(0).path("context").path("ids")))
        .containsExactly(Long.toString(archived));

    assertThat(bin.status()).as(bin.body()).isEqualTo(207);
    assertThat(resultIds(bin.json())).containsExactly(Long.toString(archived));
    JsonNode rec = bin.json().path("results").get(0);
    assertThat(rec.path("archived").asBoolean()).isTrue();
    assertThat(Instant.parse(rec.path("archivedAt").asText())).isEqualTo(T0);
    assertThat(strings(bin.json().path("errors").get(0).path("context").path("ids")))
        .containsExactly(Long.toString(live));
  }

  @Test
  void hardDeletedRecordsAreNotFound(FakeHubSpot h) {
    List<Long> ids = h.portal().ids("contacts");
    long gone = ids.get(30);
    long archivedThenGone = ids.get(31);
    h.portal().hardDelete("contacts", gone);
    h.portal().archive("contacts", archivedThenGone);
    h.portal().hardDelete("contacts", archivedThenGone);
    Http http = new Http(h);

    Http.Reply plain = http.post(PATH, body(List.of(gone, archivedThenGone, ids.get(32))));
    Http.Reply bin = http.post(PATH + "?archived=true", body(List.of(gone, archivedThenGone)));

    assertThat(plain.status()).as(plain.body()).isEqualTo(207);
    assertThat(resultIds(plain.json())).containsExactly(ids.get(32).toString());
    assertThat(strings(plain.json().path("errors").get(0).path("context").path("ids")))
        .containsExactlyInAnyOrder(Long.toString(gone), Long.toString(archivedThenGone));
    assertThat(bin.status()).as(bin.body()).isEqualTo(207);
    assertThat(bin.json().path("results")).isEmpty();
    assertThat(bin.json().path("numErrors").asInt()).isEqualTo(1);
  }
}
