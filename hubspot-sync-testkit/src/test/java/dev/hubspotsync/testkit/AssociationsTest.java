package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AssociationsTest {
  @RegisterExtension
  final FakeHubSpotExtension hubspot = FakeHubSpotExtension.with(() -> PortalSpec.builder()
      .contacts(400).companies(20).deals(60).tickets(30).calls(40).subscriptions(10)
      .associationPageSize(25).unlimited()
      .clock(PortalClock.fixed(Instant.parse("2026-11-01T10:00:00Z"))).build());

  private static String inputs(List<Long> ids) {
    return ids.stream().map(id -> "{\"id\":\"" + id + "\"}").collect(Collectors.joining(",", "{\"inputs\":[", "]}"));
  }

  @Test
  void batchReadReturnsLinksWithTypesCategoriesAndLabelsAsNumbersBeyondInt32(FakeHubSpot h) {
    long deal = h.snapshot().associations("deals", "companies").get(0).fromId();
    Http.Reply r = new Http(h).post("/crm/v4/associations/deals/companies/batch/read", inputs(List.of(deal)));

    assertThat(r.status()).isEqualTo(200);
    JsonNode result = r.json().path("results").get(0);
    assertThat(result.path("from").path("id").asText()).isEqualTo(Long.toString(deal));
    JsonNode to = result.path("to").get(0);
    assertThat(to.path("toObjectId").isNumber()).isTrue();
    assertThat(to.path("toObjectId").asLong()).isGreaterThan(Integer.MAX_VALUE);
    Set<Integer> typeIds = new HashSet<>();
    for (JsonNode t : to.path("associationTypes")) {
      typeIds.add(t.path("typeId").asInt());
      assertThat(t.path("category").asText()).isEqualTo("HUBSPOT_DEFINED");
    }
    // A primary deal→company link carries the labeled type 5 and the unlabeled 341 (§4.4).
    assertThat(typeIds).containsExactlyInAnyOrder(5, 341);
    assertThat(to.path("associationTypes").findValuesAsText("label")).contains("Primary");
    assertThat(r.json().path("status").asText()).isEqualTo("COMPLETE");
  }

  @Test
  void parentsWithoutAssociationsAre207NoAssociationsFoundNotEmptyResults(FakeHubSpot h) {
    long company = h.portal().create("companies", java.util.Map.of("name", "Lonely Inc."));
    long linked = h.snapshot().associations("companies", "contacts").get(0).fromId();

    Http.Reply r = new Http(h).post("/crm/v4/associations/companies/contacts/batch/read", inputs(List.of(linked, company)));

    assertThat(r.status()).isEqualTo(207);
    JsonNode body = r.json();
    assertThat(body.path("results")).hasSize(1);
    assertThat(body.path("numErrors").asInt()).isEqualTo(1);
    JsonNode error = body.path("errors").get(0);
    assertThat(error.path("category").asText()).isEqualTo("OBJECT_NOT_FOUND");
    assertThat(error.path("subCategory").asText()).isEqualTo("crm.associations.NO_ASSOCIATIONS_FOUND");
    assertThat(error.path("message").asText()).isEqualTo("No contact is associated with company " + company + ".");
    assertThat(error.path("context").path("fromObjectId").get(0).asText()).isEqualTo(Long.toString(company));
  }

  @Test
  void followsPerRecordPagingForParentsWithManyLinks(FakeHubSpot h) {
    // The generator gives the first company a tenth of all contacts: far more than one page of 25.
    long whale = h.portal().ids("companies").get(0);
    Set<Long> expected = h.snapshot().associations("companies", "contacts").stream()
        .filter(a -> a.fromId() == whale).map(AssociationSnapshot::toId).collect(Collectors.toSet());
    assertThat(expected.size()).isGreaterThan(25);

    Http http = new Http(h);
    List<Long> seen = new ArrayList<>();
    String after = null;
    int calls = 0;
    do {
      String input = after == null ? "{\"id\":\"" + whale + "\"}" : "{\"id\":\"" + whale + "\",\"after\":\"" + after + "\"}";
      JsonNode result = http.post("/crm/v4/associations/companies/contacts/batch/read", "{\"inputs\":[" + input + "]}")
          .json().path("results").get(0);
      result.path("to").forEach(t -> seen.add(t.path("toObjectId").asLong()));
      after = result.path("paging").path("next").path("after").asText(null);
      calls++;
    } while (after != null);

    assertThat(seen).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seen)).isEqualTo(expected);
    assertThat(calls).isEqualTo((expected.size() + 24) / 25);
  }

  @Test
  void moreThanOneThousandInputsIsA400(FakeHubSpot h) {
    List<Long> ids = new ArrayList<>();
    for (long i = 1; i <= 1001; i++) {
      ids.add(i);
    }
    Http.Reply r = new Http(h).post("/crm/v4/associations/contacts/companies/batch/read", inputs(ids));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("category").asText()).isEqualTo("VALIDATION_ERROR");
    assertThat(r.json().path("message").asText()).contains("1000");
  }

  @Test
  void labelsEndpointListsDirectedTypesWithInverseIds(FakeHubSpot h) {
    Http http = new Http(h);
    JsonNode forward = http.get("/crm/v4/associations/contacts/companies/labels").json().path("results");
    JsonNode backward = http.get("/crm/v4/associations/companies/contacts/labels").json().path("results");

    assertThat(forward.findValues("typeId").stream().map(JsonNode::asInt)).containsExactlyInAnyOrder(279, 1, 143);
    assertThat(backward.findValues("typeId").stream().map(JsonNode::asInt)).containsExactlyInAnyOrder(280, 2, 144);
    JsonNode unlabeled = null;
    for (JsonNode t : forward) {
      if (t.path("typeId").asInt() == 279) {
        unlabeled = t;
      }
    }
    assertThat(unlabeled).isNotNull();
    assertThat(unlabeled.path("label").isNull()).isTrue();
    assertThat(http.get("/crm/v4/associations/calls/contacts/labels").json().path("results").get(0).path("typeId").asInt())
        .isEqualTo(194);
  }

  @Test
  void associateAndDissociateAreSeenAtOnceAndDoNotBumpModifiedDates(FakeHubSpot h) {
    long contact = h.portal().create("contacts", java.util.Map.of("email", "new@example.com"));
    long deal = h.portal().ids("deals").get(3);
    Instant contactBefore = record(h, "contacts", contact).updatedAt();
    Instant dealBefore = record(h, "deals", deal).updatedAt();
    h.clock().advance(java.time.Duration.ofMinutes(5));

    h.portal().associate("contacts", contact, "deals", deal);
    Http http = new Http(h);
    JsonNode read = http.post("/crm/v4/associations/contacts/deals/batch/read", inputs(List.of(contact))).json();
    assertThat(read.path("results").get(0).path("to").get(0).path("toObjectId").asLong()).isEqualTo(deal);
    assertThat(read.path("results").get(0).path("to").get(0).path("associationTypes").get(0).path("typeId").asInt())
        .isEqualTo(4);
    // and the inverse direction
    JsonNode inverse = http.post("/crm/v4/associations/deals/contacts/batch/read", inputs(List.of(deal))).json();
    assertThat(inverse.path("results").get(0).path("to").findValues("toObjectId").stream().map(JsonNode::asLong))
        .contains(contact);

    h.portal().dissociate("deals", deal, "contacts", contact);
    Http.Reply after = http.post("/crm/v4/associations/contacts/deals/batch/read", inputs(List.of(contact)));
    assertThat(after.status()).isEqualTo(207);

    // §4.4: association edits never touch either record's modified date.
    assertThat(record(h, "contacts", contact).updatedAt()).isEqualTo(contactBefore);
    assertThat(record(h, "deals", deal).updatedAt()).isEqualTo(dealBefore);
  }

  @Test
  void linksToArchivedRecordsAreNotReturnedButComeBackOnRestore(FakeHubSpot h) {
    AssociationSnapshot link = h.snapshot().associations("tickets", "contacts").get(0);
    h.portal().archive("contacts", link.toId());
    Http http = new Http(h);
    JsonNode read = http.post("/crm/v4/associations/tickets/contacts/batch/read", inputs(List.of(link.fromId()))).json();
    assertThat(read.path("results").findValues("toObjectId").stream().map(JsonNode::asLong)).doesNotContain(link.toId());

    h.portal().restore("contacts", link.toId());
    read = http.post("/crm/v4/associations/tickets/contacts/batch/read", inputs(List.of(link.fromId()))).json();
    assertThat(read.path("results").findValues("toObjectId").stream().map(JsonNode::asLong)).contains(link.toId());
  }

  @Test
  void customObjectAssociationsAreUserDefined(FakeHubSpot h) {
    String objectTypeId = h.portal().objectTypeId("subscriptions");
    long sub = h.portal().ids("subscriptions").get(0);
    JsonNode read = new Http(h).post("/crm/v4/associations/" + objectTypeId + "/contacts/batch/read",
        inputs(List.of(sub))).json();
    JsonNode type = read.path("results").get(0).path("to").get(0).path("associationTypes").get(0);
    assertThat(type.path("category").asText()).isEqualTo("USER_DEFINED");
  }

  private static RecordSnapshot record(FakeHubSpot h, String type, long id) {
    return h.snapshot().records().get(type).stream().filter(r -> r.id() == id).findFirst().orElseThrow();
  }
}
