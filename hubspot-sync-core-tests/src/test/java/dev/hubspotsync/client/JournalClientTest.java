package dev.hubspotsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.MissingScopesException;
import dev.hubspotsync.client.JournalEvent.Action;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.Fault;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalJournal;
import dev.hubspotsync.testkit.PortalSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's change-journal calls over HTTP against FakeHubSpot: subscriptions ensured without
 * losing what exists, offsets read and followed, 204 and 404, files downloaded without auth and
 * renewed when their URL expired, lenient parsing, and no rate budget spent.
 */
class JournalClientTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final List<String> ALL = List.of("crm.objects.contacts.read", "crm.objects.companies.read", "oauth",
      "developer.webhooks_journal.read", "developer.webhooks_journal.subscriptions.read",
      "developer.webhooks_journal.subscriptions.write");
  private FakeHubSpot hubspot;
  private ClientFixture fixture;
  private RateBudget budget;
  private long portal;

  @BeforeEach
  void start() {
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(30).companies(5).deals(5).tickets(2).calls(5)
        .subscriptions(2).indexLag(Duration.ZERO).oauthBurstLimit(3).oauthTokenLifetime(Duration.ofDays(30))
        .clock(PortalClock.fixed(T0)).build());
    fixture = new ClientFixture(hubspot);
    budget = fixture.budget();
    portal = hubspot.spec().portalId();
  }

  @AfterEach
  void stop() {
    hubspot.close();
  }

  private HubSpotClient client(List<String> scopes, Clock clock) {
    return HubSpotClient.builder().baseUrl(hubspot.baseUrl())
        .credentials(HubSpotCredentials.clientCredentials(hubspot.spec().oauthClientId(), hubspot.spec().oauthClientSecret(), scopes))
        .clock(clock).sleeper(fixture.sleeper).rateBudget(budget).build();
  }

  private HubSpotClient client() {
    return client(ALL, hubspot.clock().asClock());
  }

  private List<JournalSubscription> subscribe(HubSpotClient client) {
    return client.ensureJournalSubscriptions(portal, List.of(
        JournalSubscription.objects("0-1", List.of("firstname", "email")),
        JournalSubscription.associations("0-1", List.of("0-2", "0-48")),
        JournalSubscription.gdprDeletions("0-1")));
  }

  /** Follows the journal from {@code offset} to the end, downloading every file. */
  private List<JournalFile> readAfter(HubSpotClient client, String offset, int batch) {
    List<JournalFile> files = new ArrayList<>();
    while (true) {
      JournalEntries next = client.journalNext(portal, offset, batch);
      assertThat(next.offsetGone()).isFalse();
      if (next.caughtUp()) {
        return files;
      }
      for (JournalPointer p : next.entries()) {
        files.add(client.downloadJournalFile(portal, p));
        offset = p.offset();
      }
    }
  }

  private static List<JournalEvent> events(List<JournalFile> files) {
    List<JournalEvent> out = new ArrayList<>();
    files.forEach(f -> out.addAll(f.events()));
    return out;
  }

  @Test
  void ensureSubscriptionsCreatesThemOnceAndWidensWithoutLosingWhatExists() {
    HubSpotClient client = client();
    client.ensureJournalSubscriptions(portal, List.of(JournalSubscription.objects("0-1", List.of("lastname"))));
    hubspot.resetStats();

    List<JournalSubscription> subs = subscribe(client);
    assertThat(subs).hasSize(3);
    JournalSubscription objects = subs.get(0);
    // HubSpot replaces the subscription of a type and object on create: the union keeps lastname
    assertThat(objects.properties()).containsExactly("email", "firstname", "lastname");
    assertThat(objects.actions()).contains("CREATE", "UPDATE", "DELETE", "MERGE", "RESTORE");
    assertThat(subs.get(1).associatedObjectTypeIds()).containsExactly("0-2", "0-48");
    assertThat(hubspot.journal().subscriptions()).hasSize(3);
    assertThat(hubspot.stats().calls(Endpoint.JOURNAL_SUBSCRIPTIONS)).isEqualTo(4); // one list, three creates

    hubspot.resetStats();
    List<JournalSubscription> again = subscribe(client);
    assertThat(hubspot.stats().calls(Endpoint.JOURNAL_SUBSCRIPTIONS)).as("already covered: only the list").isEqualTo(1);
    assertThat(again).extracting(JournalSubscription::id).isEqualTo(subs.stream().map(JournalSubscription::id).toList());
  }

  @Test
  void readsEveryChangeFromTheLatestOffsetWithoutSpendingTheRateBudget() {
    HubSpotClient client = client();
    assertThat(client.journalLatest(portal)).as("an empty journal answers 204").isEmpty();
    subscribe(client);
    long company = hubspot.portal().create("companies", Map.of());
    List<Long> c = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      c.add(hubspot.portal().create("contacts", Map.of()));
    }
    String start = client.journalLatest(portal).orElseThrow().offset();
    client.listPage("contacts", List.of(), 1, null, false); // a counted call: the budget now counts locally
    RateBudget.Usage budgetBefore = budget.usage();
    assertThat(budgetBefore.usedToday()).isEqualTo(1);

    hubspot.portal().update("contacts", c.get(0), Map.of("firstname", "Ada", "email", ""));
    hubspot.portal().associate("contacts", c.get(1), "companies", company);
    hubspot.portal().merge("contacts", c.get(2), c.get(3));
    hubspot.portal().gdprDelete("contacts", c.get(1));

    List<JournalEvent> events = events(readAfter(client, start, 1));
    assertThat(events).extracting(JournalEvent::action).containsExactly(Action.UPDATE, Action.ASSOCIATION_ADDED,
        Action.MERGE, Action.DELETE, Action.GDPR_DELETE, Action.ASSOCIATION_REMOVED);
    JournalEvent update = events.get(0);
    assertThat(update.objectTypeId()).isEqualTo("0-1");
    assertThat(update.objectId()).isEqualTo(c.get(0));
    assertThat(update.portalId()).isEqualTo(portal);
    assertThat(update.occurredAt()).isEqualTo(T0);
    Map<String, String> changes = new LinkedHashMap<>();
    changes.put("firstname", "Ada");
    changes.put("email", "");
    assertThat(update.propertyChanges()).isEqualTo(changes);
    JournalEvent.Association link = events.get(1).association();
    assertThat(link).isEqualTo(new JournalEvent.Association("0-1", c.get(1), "0-2", company, 279, "HUBSPOT_DEFINED"));
    assertThat(events.get(2).objectId()).isEqualTo(c.get(2));
    assertThat(events.get(2).mergedObjectIds()).containsExactly(c.get(3));
    assertThat(events.get(4).objectId()).isEqualTo(c.get(1));

    // the same through batch reads of 100
    assertThat(events(readAfter(client, start, 100))).isEqualTo(events);

    // dozens of journal calls against an app allowed 3 calls per 10 s: none paced, none refused
    assertThat(budget.usage()).as("the client's rate budget").isEqualTo(budgetBefore);
    assertThat(fixture.waits).as("no waits").isEmpty();
    assertThat(hubspot.stats().rejected().values()).allMatch(n -> n == 0);
    assertThat(client.calls().get(ApiCall.JOURNAL)).isEqualTo(hubspot.stats().calls(Endpoint.JOURNAL));
    assertThat(client.calls().get(ApiCall.JOURNAL_FILE)).isEqualTo(8);
  }

  @Test
  void anOffsetPastTheThreeDayRetentionIsGoneAndCaughtUpIsNot() {
    HubSpotClient client = client();
    subscribe(client);
    long id = hubspot.portal().create("contacts", Map.of("firstname", "x"));
    String offset = client.journalLatest(portal).orElseThrow().offset();
    JournalEntries none = client.journalNext(portal, offset, 10);
    assertThat(none.caughtUp()).isTrue();
    assertThat(none.offsetGone()).isFalse();

    hubspot.portal().update("contacts", id, Map.of("firstname", "y"));
    hubspot.clock().advance(PortalJournal.RETENTION);
    assertThat(client.journalNext(portal, offset, 1).offsetGone()).isTrue();
    assertThat(client.journalNext(portal, offset, 10).offsetGone()).isTrue();
    assertThat(client.journalEarliest(portal)).isEmpty();
  }

  @Test
  void anExpiredUrlIsRenewedBeforeTheDownloadOrWhenTheFileHostRefusesIt() {
    hubspot.journal().urlLifetime(Duration.ofMinutes(1));
    HubSpotClient client = client();
    subscribe(client);
    hubspot.portal().create("contacts", Map.of("firstname", "x"));
    JournalPointer pointer = client.journalLatest(portal).orElseThrow();
    hubspot.clock().advance(Duration.ofMinutes(2));
    hubspot.resetStats();
    assertThat(client.downloadJournalFile(portal, pointer).events()).hasSize(1);
    assertThat(hubspot.stats().calls(Endpoint.JOURNAL)).as("one batch read renewed the URL").isEqualTo(1);
    assertThat(hubspot.stats().calls(Endpoint.JOURNAL_FILE)).as("the expired URL was not tried").isEqualTo(1);

    // a client whose clock lags the portal's sends the expired URL, gets S3's 403, and renews
    HubSpotClient lagging = client(ALL, Clock.fixed(T0, ZoneOffset.UTC));
    JournalPointer old = lagging.journalLatest(portal).orElseThrow();
    hubspot.clock().advance(Duration.ofMinutes(2));
    hubspot.resetStats();
    assertThat(lagging.downloadJournalFile(portal, old).events()).hasSize(1);
    assertThat(hubspot.stats().calls(Endpoint.JOURNAL_FILE)).isEqualTo(2);
    assertThat(hubspot.stats().calls(Endpoint.JOURNAL)).isEqualTo(1);
    assertThat(old.toString()).doesNotContain("signature");
  }

  @Test
  void aFileDownloadIsRetriedAfterServerErrorsAndCutConnections() {
    HubSpotClient client = client();
    subscribe(client);
    hubspot.portal().create("contacts", Map.of("firstname", "x"));
    JournalPointer pointer = client.journalLatest(portal).orElseThrow();
    hubspot.faults().on(Endpoint.JOURNAL_FILE).failNext(2, Fault.SERVER_ERROR_HTML);
    assertThat(client.downloadJournalFile(portal, pointer).events()).hasSize(1);
    hubspot.faults().on(Endpoint.JOURNAL_FILE).failNext(1, Fault.CONNECTION_RESET);
    assertThat(client.downloadJournalFile(portal, pointer).events()).hasSize(1);
    assertThat(hubspot.stats().calls(Endpoint.JOURNAL_FILE)).isEqualTo(5);
    assertThat(fixture.waits).as("backoff between attempts, in virtual time").hasSize(3);
  }

  @Test
  void aBulkUpdateIsOneFileOfOneEventPerRecordReadThroughGzip() {
    HubSpotClient client = client();
    subscribe(client);
    List<Long> ids = hubspot.portal().ids("contacts");
    hubspot.portal().bulkUpdate("contacts", ids, Map.of("firstname", "Same"));
    // the file is well over 1 KB, so the portal gzips it for a client that accepts gzip
    JournalFile file = client.downloadJournalFile(portal, client.journalLatest(portal).orElseThrow());
    assertThat(file.events()).extracting(JournalEvent::objectId).containsExactlyElementsOf(ids);
    assertThat(file.events()).extracting(JournalEvent::occurredAt).containsOnly(T0);
    assertThat(file.publishedAt()).isEqualTo(T0);
    assertThat(file.skipped()).isZero();
  }

  @Test
  void duplicatesAreDeliveredAndShareAKey() {
    HubSpotClient client = client();
    subscribe(client);
    long id = hubspot.portal().create("contacts", Map.of());
    String start = client.journalLatest(portal).orElseThrow().offset();
    hubspot.journal().duplicates(true);
    hubspot.portal().update("contacts", id, Map.of("firstname", "one"));
    hubspot.portal().update("contacts", id, Map.of("firstname", "two"));
    List<JournalEvent> events = events(readAfter(client, start, 100));
    assertThat(events).hasSize(4); // the create redelivered with "one", "one" redelivered with "two"
    Set<JournalEvent.Key> distinct = new HashSet<>();
    events.forEach(e -> distinct.add(e.key()));
    assertThat(distinct).hasSize(3);
  }

  @Test
  void unknownActionsFieldsAndMalformedEventsAreSkippedNotFatal() {
    HubSpotClient client = client();
    subscribe(client);
    hubspot.journal().unknownFields(true);
    long id = hubspot.portal().create("contacts", Map.of("firstname", "Ada"));
    Map<String, Object> future = new LinkedHashMap<>();
    future.put("type", "crmObject");
    future.put("action", "TELEPORT");
    future.put("objectTypeId", "0-1");
    future.put("objectId", id);
    Map<String, Object> noId = new LinkedHashMap<>();
    noId.put("type", "crmObject");
    noId.put("action", "UPDATE");
    noId.put("objectTypeId", "0-1");
    Map<String, Object> epochMillis = new LinkedHashMap<>();
    epochMillis.put("type", "association");
    epochMillis.put("action", "ASSOCIATION_REMOVED");
    epochMillis.put("occurredAt", T0.toEpochMilli());
    epochMillis.put("objectTypeId", "0-1");
    epochMillis.put("objectId", Long.toString(id));
    epochMillis.put("associatedObjectTypeId", "0-2");
    epochMillis.put("associatedObjectId", "77");
    hubspot.journal().publishRaw(List.of(future, noId, epochMillis));

    List<JournalFile> files = readAfter(client, hubspot.journal().offsets().get(0), 100);
    files.add(0, client.downloadJournalFile(portal, client.journalEarliest(portal).orElseThrow()));
    assertThat(files.get(0).events()).singleElement().satisfies(e -> {
      assertThat(e.action()).isEqualTo(Action.CREATE);
      assertThat(e.propertyChanges()).containsEntry("firstname", "Ada");
    });
    JournalFile raw = files.get(1);
    assertThat(raw.skipped()).isEqualTo(2);
    assertThat(raw.events()).singleElement().satisfies(e -> {
      assertThat(e.occurredAt()).isEqualTo(T0);
      assertThat(e.association()).isEqualTo(new JournalEvent.Association("0-1", id, "0-2", 77, null, null));
    });
  }

  @Test
  void credentialsOtherThanClientCredentialsAndMissingScopesSayWhatToDo() {
    HubSpotClient privateApp = fixture.client();
    assertThatThrownBy(() -> privateApp.journalLatest(portal)).isInstanceOfSatisfying(HubSpotSyncException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION);
      assertThat(e.getMessage()).contains("private-app token", "client credentials", "HUBSPOT_CLIENT_ID",
          "developer.webhooks_journal.read", "polling");
    });
    assertThat(hubspot.stats().calls(Endpoint.JOURNAL)).isZero();

    HubSpotClient noJournal = client(List.of("crm.objects.contacts.read"), hubspot.clock().asClock());
    assertThatThrownBy(() -> noJournal.journalLatest(portal)).isInstanceOfSatisfying(MissingScopesException.class, e -> {
      assertThat(e.scopes()).contains("developer.webhooks_journal.read");
      assertThat(e.getMessage()).contains("developer.webhooks_journal.read", "project app");
    });
  }
}
