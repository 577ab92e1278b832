package dev.hubspotsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotApiException;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.Fault;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RateLimitPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each fault switched on in the portal, and the exact calls the client makes to get past it. */
class ClientRecoveryTest {
  private FakeHubSpot hubspot;

  private ClientFixture start(PortalSpec.Builder spec) {
    hubspot = FakeHubSpot.start(spec.contacts(300).indexLag(Duration.ZERO)
        .clock(PortalClock.fixed(Instant.parse("2026-11-01T12:00:00Z"))).build());
    return new ClientFixture(hubspot);
  }

  @AfterEach
  void stop() {
    if (hubspot != null) {
      hubspot.close();
    }
  }

  @Test
  void serverErrorsAreRetriedWithBackoffThenSucceed() {
    ClientFixture f = start(PortalSpec.builder());
    hubspot.faults().on(Endpoint.LIST).failNext(2, Fault.SERVER_ERROR_JSON);

    // a page of one cannot shrink, whichever 5xx the portal picks (a 504 halves larger pages)
    ObjectPage page = f.client().listPage("contacts", List.of("email"), 1, null, false);

    assertThat(page.results()).extracting(CrmRecord::id)
        .containsExactlyElementsOf(hubspot.portal().ids("contacts").subList(0, 1));
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(3);
    // exponential backoff with ±25 % jitter: ~500 ms, then ~1 s
    assertThat(f.waits).hasSize(2);
    assertThat(f.waits.get(0)).isBetween(Duration.ofMillis(375), Duration.ofMillis(625));
    assertThat(f.waits.get(1)).isBetween(Duration.ofMillis(750), Duration.ofMillis(1250));
  }

  @Test
  void afterFourAttemptsTheFailureIsClearAndRetryable() {
    ClientFixture f = start(PortalSpec.builder());
    hubspot.faults().on(Endpoint.LIST).failNext(10, Fault.SERVER_ERROR_HTML);

    assertThatThrownBy(() -> f.client().listPage("contacts", List.of(), 1, null, false)) // a page of one cannot shrink
        .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.HUBSPOT_UNAVAILABLE);
          assertThat(e.retryable()).isTrue();
          assertThat(e.status()).isBetween(500, 524);
          assertThat(e.category()).isNull(); // an HTML body has none
          assertThat(e.getMessage()).contains("list contacts").contains("after 4 attempts").contains("non-JSON body");
        });
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(4);
  }

  @Test
  void connectionResetsAreRetried() {
    ClientFixture f = start(PortalSpec.builder());
    hubspot.faults().on(Endpoint.BATCH_READ).failNext(2, Fault.CONNECTION_RESET);
    List<Long> ids = hubspot.portal().ids("contacts").subList(0, 5);

    BatchReadResult r = f.client().batchRead("contacts", ids, List.of("email"), false);

    assertThat(r.found()).hasSize(5);
    assertThat(hubspot.stats().calls(Endpoint.BATCH_READ)).isEqualTo(3);
  }

  /**
   * A batch answer whose errors hold more than "not found" is tried again whole (2026-09 answers
   * 200, the legacy paths 207: one code path), so no item is taken for deleted or linkless; when it
   * persists, the call fails naming the error rather than returning part of the answer.
   */
  @Test
  void partialFailuresInBatchReadsAreRetriedAndNeverTakenForNotFound() {
    ClientFixture f = start(PortalSpec.builder().companies(20).deals(20));
    List<Long> ids = hubspot.portal().ids("contacts").subList(0, 5);
    List<Long> companies = hubspot.portal().ids("companies").subList(0, 20);
    hubspot.faults().on(Endpoint.BATCH_READ).failNext(2, Fault.PARTIAL_ERROR);
    hubspot.faults().on(Endpoint.ASSOCIATIONS_BATCH_READ).failNext(1, Fault.PARTIAL_ERROR);

    BatchReadResult r = f.client().batchRead("contacts", ids, List.of("email"), false);
    Map<Long, List<AssociationLink>> links = f.client().associations("companies", "contacts", companies);

    assertThat(r.found()).extracting(CrmRecord::id).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(r.notFound()).isEmpty();
    assertThat(hubspot.stats().calls(Endpoint.BATCH_READ)).isEqualTo(3);
    Map<Long, Long> expected = new java.util.HashMap<>();
    hubspot.snapshot().associations("companies", "contacts").stream().filter(a -> companies.contains(a.fromId()))
        .forEach(a -> expected.merge(a.fromId(), 1L, Long::sum));
    companies.forEach(id -> assertThat((long) links.get(id).size()).as("links of company " + id)
        .isEqualTo(expected.getOrDefault(id, 0L)));

    hubspot.faults().on(Endpoint.BATCH_READ).failNext(4, Fault.PARTIAL_ERROR);
    assertThatThrownBy(() -> f.client().batchRead("contacts", ids, List.of("email"), false))
        .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.HUBSPOT_UNAVAILABLE);
          assertThat(e.retryable()).isTrue();
        })
        .hasMessageContaining("batch read contacts answered with errors for some of its items 4 times")
        .hasMessageContaining("INTERNAL_ERROR").hasMessageContaining("nothing of that call was stored");
  }

  @Test
  void gatewayTimeoutOnALargePageRetriesWithSmallerPages() {
    ClientFixture f = start(PortalSpec.builder());
    hubspot.faults().everywhere().gatewayTimeoutAbove(50);

    ObjectPage page = f.client().listPage("contacts", List.of(), 100, null, false);
    assertThat(page.results()).hasSize(50);
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(2);

    SearchPage search = f.client().search("contacts", SearchRequest.builder().limit(200).build());
    assertThat(search.results()).hasSize(50); // 200 → 504, 100 → 504, 50 → 200
    assertThat(search.nextAfter()).isEqualTo(50);
    assertThat(hubspot.stats().calls(Endpoint.SEARCH)).isEqualTo(3);
  }

  @Test
  void uriTooLongSplitsThePropertyListAndMergesById() {
    ClientFixture f = start(PortalSpec.builder().maxUrlLength(500));
    List<String> props = new ArrayList<>();
    for (String p : List.of("email", "firstname", "lastname", "phone", "company", "jobtitle", "city", "country",
        "lifecyclestage", "hs_lead_status", "favorite_color", "preferred_channel", "ice_cream_flavors", "nps_score",
        "renewal_date", "last_demo_at", "is_vip", "direct_line", "notes_long", "date_of_birth")) {
      props.add(p);
    }
    for (int i = 0; i < 20; i++) {
      props.add("not_a_property_with_a_long_name_" + i); // unknown names are ignored by HubSpot
    }

    ObjectPage page = f.client().listPage("contacts", props, 20, null, false);

    assertThat(page.results()).hasSize(20);
    var truth = hubspot.snapshot().live("contacts").get(0);
    assertThat(page.results().get(0).properties()).containsEntry("email", truth.properties().get("email"))
        .containsEntry("notes_long", truth.properties().get("notes_long"))
        .containsKey("date_of_birth");
    long calls = hubspot.stats().calls(Endpoint.LIST);
    assertThat(calls).isGreaterThan(2); // the 414s plus the parts
    assertThat(page.nextAfter()).isNotNull();
  }

  @Test
  void aPropertyListTooLongForAUrlIsSplitBeforeHubSpotCanRefuseIt() {
    ClientFixture f = start(PortalSpec.builder()); // HubSpot's own limit: about 16,000 characters
    List<String> props = new ArrayList<>(List.of("email", "firstname"));
    for (int i = 0; props.stream().mapToInt(p -> p.length() + 1).sum() < 14_000; i++) {
      props.add("custom_property_with_a_rather_long_internal_name_number_" + i);
    }

    ObjectPage page = f.client().listPage("contacts", props, 10, null, false);

    assertThat(page.results()).hasSize(10).allSatisfy(r -> assertThat(r.properties()).containsKeys("email", "firstname"));
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(2); // two halves, and never a 414
  }

  @Test
  void burst429WaitsForTheWindowAndRetriesWithoutCountingAnAttempt() throws Exception {
    // Another process of the same app has just used the whole 10-second window of 3 calls.
    ClientFixture f = start(PortalSpec.builder().burstLimit(3).retryAfterShare(0));
    java.net.http.HttpClient other = java.net.http.HttpClient.newHttpClient();
    for (int i = 0; i < 3; i++) {
      other.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(hubspot.baseUrl() + "/crm/v3/properties/deals"))
          .header("Authorization", "Bearer " + hubspot.token()).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
    }

    List<PropertyDefinition> props = f.client().properties("contacts", false);

    assertThat(props).isNotEmpty();
    assertThat(hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isEqualTo(1);
    assertThat(hubspot.stats().calls(Endpoint.PROPERTIES)).isEqualTo(5); // 3 others, our 429, our retry
    assertThat(f.waits).containsExactly(Duration.ofSeconds(10)); // until the window frees, no Retry-After
  }

  @Test
  void searchSecondly429IsWaitedOut() {
    ClientFixture f = start(PortalSpec.builder().searchPerSecond(2).retryAfterShare(1.0));
    HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
        .credentials(HubSpotCredentials.privateApp(hubspot.token())).clock(hubspot.clock().asClock())
        .sleeper(f.sleeper).rateBudget(dev.hubspotsync.ratelimit.RateBudget.tokenBucket()
            .clock(hubspot.clock().asClock()).sleeper(f.sleeper).searchPerSecond(5).build())
        .build();
    for (int i = 0; i < 4; i++) {
      client.search("contacts", SearchRequest.builder().limit(1).build());
    }
    // two pass, the third is throttled (Retry-After: 1), then the window has moved on
    assertThat(hubspot.stats().rejected(RateLimitPolicy.SECONDLY)).isEqualTo(1);
    assertThat(hubspot.stats().calls(Endpoint.SEARCH)).isEqualTo(5);
    assertThat(f.waits).containsExactly(Duration.ofSeconds(1));
  }

  @Test
  void aDaily429StopsTheJobWithResumeAt() {
    // The portal's daily limit is nearly gone (other integrations); this budget was told it may use 1,000.
    ClientFixture f = start(PortalSpec.builder().dailyLimit(3).timeZone(java.time.ZoneId.of("Europe/Berlin")));
    HubSpotClient client = f.builder().rateBudget(dev.hubspotsync.ratelimit.RateBudget.tokenBucket()
        .clock(hubspot.clock().asClock()).sleeper(f.sleeper).dailyCeiling(1_000)
        .timeZone(java.time.ZoneId.of("Europe/Berlin")).build()).build();
    for (int i = 0; i < 3; i++) {
      client.properties("contacts", false);
    }
    assertThatThrownBy(() -> client.properties("contacts", false))
        .isInstanceOfSatisfying(dev.hubspotsync.RateBudgetExhaustedException.class, e -> {
          assertThat(e.resumeAt()).isEqualTo(Instant.parse("2026-11-01T23:00:00Z")); // midnight in Berlin
          assertThat(e.getMessage()).contains("429 DAILY");
        });
    assertThat(hubspot.stats().rejected(RateLimitPolicy.DAILY)).isEqualTo(1);
    assertThat(hubspot.stats().calls(Endpoint.PROPERTIES)).isEqualTo(4);
    assertThat(f.waits).isEmpty(); // stopping, not waiting until midnight
  }

  @Test
  void clientErrorsAreNotRetried() {
    ClientFixture f = start(PortalSpec.builder());
    assertThatThrownBy(() -> f.client().listPage("widgets", List.of(), 10, null, false))
        .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.HUBSPOT_REJECTED);
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.category()).isEqualTo("OBJECT_NOT_FOUND");
          assertThat(e.correlationId()).isNotBlank();
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("widgets").contains("correlationId");
        });
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(1);
  }
}
