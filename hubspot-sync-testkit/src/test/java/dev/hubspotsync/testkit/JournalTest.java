package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The change journal over HTTP (hubspot-api.md §10.4, hubspot-journal.md): subscriptions, the reads,
 * files behind expiring pre-signed URLs, 204 and 404, duplicates, credentials and scopes, no rate
 * limits, and the events each portal change writes.
 */
class JournalTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final String J = "/webhooks-journal/journal-local/2026-03";
  private static final String SUBS = "/webhooks-journal/subscriptions/2026-03";

  @RegisterExtension
  final FakeHubSpotExtension ext = FakeHubSpotExtension.with(() -> PortalSpec.builder()
      .contacts(40).companies(10).deals(10).tickets(5).calls(10).subscriptions(3)
      .indexLag(Duration.ZERO).oauthBurstLimit(3).oauthTokenLifetime(Duration.ofDays(30))
      .clock(PortalClock.fixed(T0)).build());

  private FakeHubSpot h;
  private Http http;

  @BeforeEach
  void setUp(FakeHubSpot hubspot) {
    h = hubspot;
    http = new Http(h.baseUrl(), clientCredentialsToken(""));
  }

  private String clientCredentialsToken(String scope) {
    Http.Reply r = new Http(h.baseUrl(), null).postForm("/oauth/2026-09/token", "grant_type=client_credentials"
        + "&client_id=" + h.spec().oauthClientId() + "&client_secret=" + h.spec().oauthClientSecret()
        + (scope.isEmpty() ? "" : "&scope=" + scope.replace(" ", "+")));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().path("access_token").asText();
  }

  private JsonNode subscribe(String json) {
    Http.Reply r = http.post(SUBS, json);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private void subscribeAll() {
    long portal = h.spec().portalId();
    subscribe("{\"subscriptionType\":\"OBJECT\",\"portalId\":" + portal + ",\"objectTypeId\":\"0-1\",\"actions\":"
        + "[\"CREATE\",\"UPDATE\",\"DELETE\",\"MERGE\",\"RESTORE\"],\"properties\":[\"firstname\",\"email\"],\"objectIds\":[]}");
    subscribe("{\"subscriptionType\":\"ASSOCIATION\",\"portalId\":" + portal + ",\"objectTypeId\":\"0-1\",\"actions\":"
        + "[\"ASSOCIATION_ADDED\",\"ASSOCIATION_REMOVED\"],\"associatedObjectTypeIds\":[\"0-2\",\"0-48\"],\"objectIds\":[]}");
    subscribe("{\"subscriptionType\":\"GDPR_PRIVACY_DELETION\",\"portalId\":" + portal + ",\"objectTypeId\":\"0-1\","
        + "\"actions\":[\"GDPR_DELETE\"]}");
  }

  /** Every event after {@code offset} (null: from the earliest), reading pointers and downloading files. */
  private List<JsonNode> eventsAfter(String offset) {
    List<JsonNode> out = new ArrayList<>();
    Http anonymous = new Http(h.baseUrl(), null);
    Http.Reply r = offset == null ? http.get(J + "/earliest") : http.get(J + "/offset/" + offset + "/next");
    while (r.status() == 200) {
      JsonNode pointer = r.json();
      Http.Reply file = anonymous.send(HttpRequest.newBuilder(URI.create(pointer.path("url").asText())).GET().build());
      assertThat(file.status()).as(file.body()).isEqualTo(200);
      assertThat(file.json().path("offset").asText()).isEqualTo(pointer.path("currentOffset").asText());
      file.json().path("journalEvents").forEach(out::add);
      r = http.get(J + "/offset/" + pointer.path("currentOffset").asText() + "/next");
    }
    assertThat(r.status()).as(r.body()).isEqualTo(204);
    return out;
  }

  private static List<String> actions(List<JsonNode> events) {
    return events.stream().map(e -> e.path("action").asText()).collect(Collectors.toList());
  }

  @Test
  void subscriptionsAreCreatedListedReplacedPerTypeAndDeleted() {
    JsonNode first = subscribe("{\"subscriptionType\":\"OBJECT\",\"portalId\":" + h.spec().portalId()
        + ",\"objectTypeId\":\"0-1\",\"actions\":[\"UPDATE\"],\"properties\":[\"firstname\"],\"objectIds\":[]}");
    JsonNode second = subscribe("{\"subscriptionType\":\"OBJECT\",\"portalId\":" + h.spec().portalId()
        + ",\"objectTypeId\":\"0-1\",\"actions\":[\"UPDATE\"],\"properties\":[\"email\"],\"objectIds\":[]}");
    // "Create or update": one subscription per portal, type and object; the second replaced the first.
    assertThat(second.path("id").asText()).isEqualTo(first.path("id").asText());
    JsonNode list = http.get(SUBS).json().path("results");
    assertThat(list).hasSize(1);
    assertThat(list.get(0).path("properties").get(0).asText()).isEqualTo("email");
    assertThat(http.get(SUBS + "/" + first.path("id").asText()).status()).isEqualTo(200);

    Http.Reply unknownProperty = http.post(SUBS, "{\"subscriptionType\":\"OBJECT\",\"portalId\":" + h.spec().portalId()
        + ",\"objectTypeId\":\"0-1\",\"actions\":[\"UPDATE\"],\"properties\":[\"no_such_prop\"]}");
    assertThat(unknownProperty.status()).isEqualTo(400);
    assertThat(unknownProperty.json().path("message").asText()).contains("no_such_prop");
    Http.Reply wrongAction = http.post(SUBS, "{\"subscriptionType\":\"OBJECT\",\"portalId\":" + h.spec().portalId()
        + ",\"objectTypeId\":\"0-1\",\"actions\":[\"ASSOCIATION_ADDED\"],\"properties\":[]}");
    assertThat(wrongAction.status()).isEqualTo(400);

    Http.Reply deleted = http.send(HttpRequest.newBuilder(URI.create(h.baseUrl() + SUBS + "/" + first.path("id").asText()))
        .header("Authorization", "Bearer " + clientCredentialsToken("")).DELETE().build());
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(http.get(SUBS).json().path("results")).isEmpty();
  }

  @Test
  void everyPortalChangeWritesTheEventsOfItsSubscriptions() {
    Portal p = h.portal();
    List<Long> contacts = fresh("contacts", 9); // no generated links to muddle the association events
    long company = fresh("companies", 1).get(0);
    long call = fresh("calls", 1).get(0);
    subscribeAll();

    long created = p.create("contacts", Map.of("firstname", "Ada", "lastname", "Lovelace"));
    p.update("contacts", contacts.get(0), Map.of("firstname", "Grace"));
    p.update("contacts", contacts.get(0), Map.of("lastname", "Hopper")); // not subscribed: no event
    p.bulkUpdate("contacts", List.of(contacts.get(1), contacts.get(2)), Map.of("email", "same@example.com"));
    p.archive("contacts", contacts.get(3));
    p.restore("contacts", contacts.get(3));
    p.associate("contacts", contacts.get(4), "companies", company);
    p.associate("calls", call, "contacts", contacts.get(4)); // engagement pair, seen from the contact
    p.dissociate("contacts", contacts.get(4), "companies", company);
    p.merge("contacts", contacts.get(5), contacts.get(6));
    p.hardDelete("contacts", contacts.get(7));
    p.gdprDelete("contacts", contacts.get(8));
    p.update("companies", company, Map.of("name", "Unsubscribed Inc")); // no company subscription

    List<JsonNode> events = eventsAfter(null);
    assertThat(actions(events)).containsExactly("CREATE", "UPDATE", "UPDATE", "UPDATE", "DELETE", "RESTORE",
        "ASSOCIATION_ADDED", "ASSOCIATION_ADDED", "ASSOCIATION_REMOVED", "MERGE", "DELETE", "DELETE", "GDPR_DELETE");
    JsonNode create = events.get(0);
    assertThat(create.path("type").asText()).isEqualTo("crmObject");
    assertThat(create.path("objectId").asLong()).isEqualTo(created);
    assertThat(create.path("objectTypeId").asText()).isEqualTo("0-1");
    assertThat(create.path("portalId").asLong()).isEqualTo(h.spec().portalId());
    assertThat(create.path("occurredAt").asText()).isEqualTo("2026-11-01T10:00:00Z");
    assertThat(create.path("propertyChanges").properties()).extracting(Map.Entry::getKey).containsExactly("firstname");
    assertThat(events.get(1).path("propertyChanges").path("firstname").asText()).isEqualTo("Grace");
    assertThat(events.get(2).path("objectId").asLong()).isEqualTo(contacts.get(1));
    assertThat(events.get(3).path("objectId").asLong()).isEqualTo(contacts.get(2));

    JsonNode added = events.get(6);
    assertThat(added.path("type").asText()).isEqualTo("association");
    assertThat(added.path("fromObjectId").asLong()).isEqualTo(contacts.get(4));
    assertThat(added.path("toObjectTypeId").asText()).isEqualTo("0-2");
    assertThat(added.path("toObjectId").asLong()).isEqualTo(company);
    assertThat(added.path("associationTypeId").asInt()).isEqualTo(279);
    assertThat(added.path("associationCategory").asText()).isEqualTo("HUBSPOT_DEFINED");
    JsonNode engagement = events.get(7);
    assertThat(engagement.path("fromObjectId").asLong()).isEqualTo(contacts.get(4));
    assertThat(engagement.path("toObjectTypeId").asText()).isEqualTo("0-48");
    assertThat(engagement.path("associationTypeId").asInt()).isEqualTo(193);

    JsonNode merge = events.get(9);
    assertThat(merge.path("objectId").asLong()).isEqualTo(contacts.get(5));
    assertThat(merge.path("mergedObjectIds").get(0).asLong()).isEqualTo(contacts.get(6));
    assertThat(events.get(12).path("objectId").asLong()).isEqualTo(contacts.get(8));
  }

  /** Records created before any subscription: no events, no links. */
  private List<Long> fresh(String type, int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(h.portal().create(type, Map.of()));
    }
    return out;
  }

  @Test
  void linksMovedByAMergeAndRemovedByADeleteAreJournaled() {
    Portal p = h.portal();
    List<Long> contacts = fresh("contacts", 2);
    long company = fresh("companies", 1).get(0);
    subscribeAll();
    p.associate("contacts", contacts.get(0), "companies", company);
    String mark = h.journal().offsets().get(h.journal().offsets().size() - 1);

    p.merge("contacts", contacts.get(1), contacts.get(0));
    List<JsonNode> events = eventsAfter(mark);
    assertThat(actions(events)).containsExactly("MERGE", "ASSOCIATION_REMOVED", "ASSOCIATION_ADDED");
    assertThat(events.get(1).path("fromObjectId").asLong()).isEqualTo(contacts.get(0));
    assertThat(events.get(2).path("fromObjectId").asLong()).isEqualTo(contacts.get(1));

    mark = h.journal().offsets().get(h.journal().offsets().size() - 1);
    p.hardDelete("companies", company); // no company subscription, but the contact side of the link is subscribed
    assertThat(actions(eventsAfter(mark))).containsExactly("ASSOCIATION_REMOVED");
  }

  @Test
  void aMergeChainNamesEveryIdTheSurvivorAbsorbsAndObjectIdsNarrowASubscription() {
    List<Long> c = fresh("contacts", 4);
    subscribe("{\"subscriptionType\":\"OBJECT\",\"portalId\":" + h.spec().portalId() + ",\"objectTypeId\":\"0-1\","
        + "\"actions\":[\"MERGE\",\"UPDATE\"],\"properties\":[\"firstname\"],\"objectIds\":[" + c.get(2) + "," + c.get(3) + "]}");
    h.portal().merge("contacts", c.get(1), c.get(0)); // c1 is not subscribed: no event
    h.portal().merge("contacts", c.get(2), c.get(1)); // c2 absorbs c1, which had absorbed c0
    h.portal().update("contacts", c.get(2), Map.of("firstname", "kept"));
    h.portal().update("contacts", c.get(3), Map.of("lastname", "not subscribed"));

    List<JsonNode> events = eventsAfter(null);
    assertThat(actions(events)).containsExactly("MERGE", "UPDATE");
    assertThat(events.get(0).path("objectId").asLong()).isEqualTo(c.get(2));
    assertThat(events.get(0).path("mergedObjectIds")).extracting(JsonNode::asLong).containsExactlyInAnyOrder(c.get(1), c.get(0));
  }

  @Test
  void readsAnswer204WhenCaughtUpAnd404PastRetention() {
    assertThat(http.get(J + "/latest").status()).isEqualTo(204);
    assertThat(http.get(J + "/earliest").status()).isEqualTo(204);
    subscribeAll();
    long id = h.portal().ids("contacts").get(0);
    for (int i = 0; i < 3; i++) {
      h.portal().update("contacts", id, Map.of("firstname", "v" + i));
    }
    List<String> offsets = h.journal().offsets();
    assertThat(offsets).hasSize(3);
    assertThat(http.get(J + "/latest").json().path("currentOffset").asText()).isEqualTo(offsets.get(2));
    assertThat(http.get(J + "/earliest").json().path("currentOffset").asText()).isEqualTo(offsets.get(0));
    assertThat(http.get(J + "/offset/" + offsets.get(2) + "/next").status()).isEqualTo(204);

    JsonNode batch = http.get(J + "/batch/" + offsets.get(0) + "/next/10").json();
    assertThat(batch.path("status").asText()).isEqualTo("COMPLETE");
    assertThat(batch.path("results")).extracting(r -> r.path("currentOffset").asText()).containsExactly(offsets.get(1), offsets.get(2));
    assertThat(http.get(J + "/batch/latest/2").json().path("results")).hasSize(2);
    assertThat(http.get(J + "/batch/earliest/1").json().path("results").get(0).path("currentOffset").asText())
        .isEqualTo(offsets.get(0));
    assertThat(http.get(J + "/batch/earliest/101").status()).isEqualTo(400);
    // the global journal serves the same entries
    assertThat(http.get("/webhooks-journal/journal/2026-03/latest").json().path("currentOffset").asText()).isEqualTo(offsets.get(2));

    h.clock().advance(PortalJournal.RETENTION.minusMillis(1));
    assertThat(http.get(J + "/offset/" + offsets.get(0) + "/next").status()).isEqualTo(200);
    h.clock().advance(Duration.ofMillis(1));
    Http.Reply gone = http.get(J + "/offset/" + offsets.get(0) + "/next");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().path("message").asText()).contains("expired", "3 days");
    assertThat(http.get(J + "/offset/not-an-offset/next").status()).isEqualTo(404);
    assertThat(http.get(J + "/latest").status()).isEqualTo(204);
  }

  @Test
  void fileUrlsExpireInPortalTimeAndBatchReadRenewsThem() {
    subscribeAll();
    h.journal().urlLifetime(Duration.ofMinutes(5));
    h.portal().update("contacts", h.portal().ids("contacts").get(0), Map.of("firstname", "Ada"));
    String offset = h.journal().offsets().get(0);
    JsonNode pointer = http.get(J + "/latest").json();
    assertThat(Instant.parse(pointer.path("expiresAt").asText())).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    Http anonymous = new Http(h.baseUrl(), null);
    String url = pointer.path("url").asText();
    assertThat(url).startsWith(h.baseUrl());
    assertThat(download(anonymous, url).status()).isEqualTo(200);
    assertThat(download(anonymous, url.replace("signature=", "signature=0")).status()).isEqualTo(403);

    h.clock().advance(Duration.ofMinutes(5));
    Http.Reply expired = download(anonymous, url);
    assertThat(expired.status()).isEqualTo(403);
    assertThat(expired.body()).contains("Request has expired");

    Http.Reply renewed = http.post(J + "/batch/read", "{\"inputs\":[\"" + offset + "\",\"gone-offset\"]}");
    assertThat(renewed.status()).isEqualTo(207);
    assertThat(renewed.json().path("errors").get(0).path("context").path("offsets").get(0).asText()).isEqualTo("gone-offset");
    assertThat(download(anonymous, renewed.json().path("results").get(0).path("url").asText()).status()).isEqualTo(200);
  }

  private static Http.Reply download(Http anonymous, String url) {
    return anonymous.send(HttpRequest.newBuilder(URI.create(url)).GET().build());
  }

  @Test
  void duplicatesOnRequestRedeliverThePreviousFilesEvents() {
    subscribeAll();
    long id = h.portal().ids("contacts").get(0);
    h.journal().duplicates(true);
    h.portal().update("contacts", id, Map.of("firstname", "one"));
    h.portal().update("contacts", id, Map.of("firstname", "two"));
    List<JsonNode> events = eventsAfter(null);
    assertThat(events).extracting(e -> e.path("propertyChanges").path("firstname").asText())
        .containsExactly("one", "two", "one");
  }

  @Test
  void unknownFieldsAndRawEventsArePublishedAsAsked() {
    subscribeAll();
    h.journal().unknownFields(true);
    h.portal().update("contacts", h.portal().ids("contacts").get(0), Map.of("firstname", "x"));
    h.journal().publishRaw(List.of(Map.of("type", "crmObject", "action", "TELEPORT", "objectId", 1)));
    List<JsonNode> events = eventsAfter(null);
    assertThat(events.get(0).has("eventContext")).isTrue();
    assertThat(events.get(1).path("action").asText()).isEqualTo("TELEPORT");
  }

  @Test
  void onlyAClientCredentialsTokenWithTheJournalScopesMayCallIt() {
    Http.Reply privateApp = new Http(h).get(J + "/latest");
    assertThat(privateApp.status()).isEqualTo(401);
    assertThat(privateApp.json().path("message").asText()).contains("client-credentials");

    Http noJournalScope = new Http(h.baseUrl(), clientCredentialsToken("crm.objects.contacts.read"));
    Http.Reply read = noJournalScope.get(J + "/latest");
    assertThat(read.status()).isEqualTo(403);
    assertThat(read.json().path("category").asText()).isEqualTo("MISSING_SCOPES");
    assertThat(read.body()).contains("developer.webhooks_journal.read");
    assertThat(noJournalScope.get(SUBS).status()).isEqualTo(403);

    // subscribing to an object needs its read scope too
    Http noCompanies = new Http(h.baseUrl(), clientCredentialsToken(
        "developer.webhooks_journal.subscriptions.write crm.objects.contacts.read"));
    Http.Reply sub = noCompanies.post(SUBS, "{\"subscriptionType\":\"ASSOCIATION\",\"portalId\":" + h.spec().portalId()
        + ",\"objectTypeId\":\"0-1\",\"actions\":[\"ASSOCIATION_ADDED\"],\"associatedObjectTypeIds\":[\"0-2\"]}");
    assertThat(sub.status()).isEqualTo(403);
    assertThat(sub.body()).contains("crm.objects.companies.read");
  }

  @Test
  void journalCallsCountTowardNoRateLimit() {
    subscribeAll();
    h.portal().update("contacts", h.portal().ids("contacts").get(0), Map.of("firstname", "x"));
    h.resetStats();
    for (int i = 0; i < 20; i++) { // the app may make 3 counted calls per 10 s
      Http.Reply r = http.get(J + "/latest");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("X-HubSpot-RateLimit-Remaining")).isEmpty();
      assertThat(download(new Http(h.baseUrl(), null), r.json().path("url").asText()).status()).isEqualTo(200);
    }
    assertThat(http.get(SUBS).status()).isEqualTo(200);
    PortalStats stats = h.stats();
    assertThat(stats.rejected().values()).allMatch(n -> n == 0);
    assertThat(stats.calls(Endpoint.JOURNAL)).isEqualTo(20);
    assertThat(stats.calls(Endpoint.JOURNAL_FILE)).isEqualTo(20);
    assertThat(stats.calls(Endpoint.JOURNAL_SUBSCRIPTIONS)).isEqualTo(1);
    assertThat(stats.calls("2026-03")).isEqualTo(21);
    assertThat(new Http(h.baseUrl(), clientCredentialsToken("")).get("/crm/v3/objects/contacts?limit=1")
        .header("X-HubSpot-RateLimit-Remaining")).as("counted calls still are").contains("2");
  }
}
