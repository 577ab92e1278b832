package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** hubspot-api.md §6: burst and daily limits, their headers, 429 bodies, Retry-After and the usage endpoint. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RateLimitTest {
  private static final Instant NOON_UTC = Instant.parse("2026-03-02T12:00:00Z");
  private static final String LIST = "/crm/v3/objects/contacts?limit=1";
  private static final String SEARCH = "/crm/v3/objects/contacts/search";
  private static final String SEARCH_BODY = "{\"limit\":1}";

  private static PortalSpec.Builder small(Instant start) {
    return PortalSpec.builder().contacts(20).companies(5).deals(5).tickets(2).calls(2).subscriptions(2)
        .clock(PortalClock.fixed(start));
  }

  private static long header(Http.Reply r, String name) {
    return Long.parseLong(r.header(name).orElseThrow(() -> new AssertionError("no " + name + " header on HTTP "
        + r.status() + ": " + r.headers().map())));
  }

  // ---- burst ----------------------------------------------------------------------------------------

  @Test
  void sixthCallInTenSecondsIsRejectedWithHubSpotsTenSecondlyBody() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(5).build())) {
      Http http = new Http(hubspot);
      for (int i = 0; i < 5; i++) {
        assertThat(http.get(LIST).status()).as("call %d of 5", i + 1).isEqualTo(200);
      }

      Http.Reply rejected = http.get(LIST);

      assertThat(rejected.status()).isEqualTo(429);
      assertThat(rejected.header("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
      JsonNode body = rejected.json();
      assertThat(body.path("status").asText()).isEqualTo("error");
      assertThat(body.path("message").asText()).isEqualTo("You have reached your ten_secondly_rolling limit.");
      assertThat(body.path("errorType").asText()).isEqualTo("RATE_LIMIT");
      assertThat(body.path("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");
      assertThat(body.path("groupName").asText()).startsWith("publicapi:").contains("ten-secondly");
      // 429 bodies carry errorType/policyName; category RATE_LIMITS appears only in mocks (§6.3)
      assertThat(body.has("category")).isFalse();
      String correlationId = body.path("correlationId").asText();
      assertThat(UUID.fromString(correlationId).toString()).isEqualTo(correlationId);
      assertThat(rejected.header("X-HubSpot-Correlation-Id")).contains(correlationId);
      assertThat(header(rejected, "X-HubSpot-RateLimit-Remaining")).isZero();
    }
  }

  @Test
  void advancingTenSecondsAdmitsAgain() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(5).build())) {
      Http http = new Http(hubspot);
      for (int i = 0; i < 5; i++) {
        http.get(LIST);
      }
      assertThat(http.get(LIST).status()).isEqualTo(429);

      hubspot.clock().advance(Duration.ofMillis(9_999));
      assertThat(http.get(LIST).status()).as("still inside the 10 s window").isEqualTo(429);

      hubspot.clock().advance(Duration.ofMillis(1));
      Http.Reply again = http.get(LIST);
      assertThat(again.status()).isEqualTo(200);
      assertThat(header(again, "X-HubSpot-RateLimit-Remaining")).isEqualTo(4);
    }
  }

  @Test
  void rollingWindowFreesCallsOneByOne() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(5).build())) {
      Http http = new Http(hubspot);
      // calls at t = 0, 1, 2, 3, 4 s
      for (int i = 0; i < 5; i++) {
        assertThat(http.get(LIST).status()).isEqualTo(200);
        if (i < 4) {
          hubspot.clock().advance(Duration.ofSeconds(1));
        }
      }
      assertThat(http.get(LIST).status()).as("t=4s: five calls in the window").isEqualTo(429);

      hubspot.clock().advance(Duration.ofSeconds(6)); // t = 10 s: the call at 0 s has left the window
      assertThat(http.get(LIST).status()).isEqualTo(200);
      assertThat(http.get(LIST).status()).as("only one slot was freed").isEqualTo(429);

      hubspot.clock().advance(Duration.ofSeconds(1)); // t = 11 s: the call at 1 s leaves
      assertThat(http.get(LIST).status()).isEqualTo(200);
      assertThat(http.get(LIST).status()).isEqualTo(429);

      assertThat(hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isEqualTo(3);
    }
  }

  @Test
  void rateLimitHeadersCountDownOnNonSearchResponses() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).tier(Tier.FREE).dailyLimit(1_000).build())) {
      Http http = new Http(hubspot);
      List<Http.Reply> replies = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        replies.add(http.get(LIST));
      }
      for (int i = 0; i < 3; i++) {
        Http.Reply r = replies.get(i);
        assertThat(r.status()).isEqualTo(200);
        assertThat(header(r, "X-HubSpot-RateLimit-Max")).isEqualTo(100);
        assertThat(header(r, "X-HubSpot-RateLimit-Remaining")).isEqualTo(99 - i);
        assertThat(header(r, "X-HubSpot-RateLimit-Interval-Milliseconds")).isEqualTo(10_000);
        assertThat(header(r, "X-HubSpot-RateLimit-Daily")).isEqualTo(1_000);
        assertThat(header(r, "X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo(999 - i);
        assertThat(header(r, "X-HubSpot-RateLimit-Secondly")).isEqualTo(10);
        assertThat(header(r, "X-HubSpot-RateLimit-Secondly-Remaining")).isEqualTo(9 - i);
      }

      // other non-search endpoints share the same counters
      Http.Reply props = http.get("/crm/v3/properties/contacts");
      assertThat(props.status()).isEqualTo(200);
      assertThat(header(props, "X-HubSpot-RateLimit-Remaining")).isEqualTo(96);
      assertThat(header(props, "X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo(996);

      // one second later the secondly budget is back, the 10 s and daily ones are not
      hubspot.clock().advance(Duration.ofSeconds(1));
      Http.Reply later = http.get(LIST);
      assertThat(header(later, "X-HubSpot-RateLimit-Secondly-Remaining")).isEqualTo(9);
      assertThat(header(later, "X-HubSpot-RateLimit-Remaining")).isEqualTo(95);
      assertThat(header(later, "X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo(995);
    }
  }

  @Test
  void searchIsExemptFromBurstHasItsOwnSecondlyLimitAndNoRateLimitHeaders() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(2).retryAfterShare(0).build())) {
      Http http = new Http(hubspot);
      http.get(LIST);
      http.get(LIST);
      assertThat(http.get(LIST).status()).isEqualTo(429);

      for (int i = 0; i < 5; i++) {
        Http.Reply search = http.post(SEARCH, SEARCH_BODY);
        assertThat(search.status()).as("search %d", i + 1).isEqualTo(200);
        assertThat(search.headers().map().keySet())
            .noneMatch(h -> h.toLowerCase().startsWith("x-hubspot-ratelimit"));
        assertThat(search.header("X-HubSpot-Correlation-Id")).isPresent();
      }
      Http.Reply sixth = http.post(SEARCH, SEARCH_BODY);
      assertThat(sixth.status()).isEqualTo(429);
      assertThat(sixth.json().path("message").asText()).isEqualTo("You have reached your secondly limit.");
      assertThat(sixth.json().path("policyName").asText()).isEqualTo("SECONDLY");
      assertThat(sixth.json().path("errorType").asText()).isEqualTo("RATE_LIMIT");
      assertThat(sixth.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("x-hubspot-ratelimit"));

      hubspot.clock().advance(Duration.ofSeconds(1));
      assertThat(http.post(SEARCH, SEARCH_BODY).status()).isEqualTo(200);

      PortalStats stats = hubspot.stats();
      assertThat(stats.rejected(RateLimitPolicy.SECONDLY)).isEqualTo(1);
      assertThat(stats.rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isEqualTo(1);
      assertThat(stats.dailyUsed()).as("2 lists + 6 admitted searches").isEqualTo(8);
    }
  }

  /** §10.2: the spec exempts association batch reads (v4 and 2026-09) from the ten-secondly limit, not from the daily one. */
  @Test
  void associationBatchReadsAreExemptFromBurstCountTowardTheDayAndCarryNoRateLimitHeaders() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(2).dailyLimit(12).retryAfterShare(0).build())) {
      Http http = new Http(hubspot);
      http.get(LIST);
      http.get(LIST);
      assertThat(http.get(LIST).status()).as("the burst window is full").isEqualTo(429);
      StringBuilder inputs = new StringBuilder("{\"inputs\":[");
      for (int i = 1; i <= 1_000; i++) {
        inputs.append(i > 1 ? "," : "").append("{\"id\":\"").append(i).append("\"}");
      }
      String body = inputs.append("]}").toString();

      for (int i = 0; i < 10; i++) {
        String path = i % 2 == 0 ? "/crm/associations/2026-09/contacts/deals/batch/read"
            : "/crm/v4/associations/contacts/deals/batch/read";
        Http.Reply read = http.post(path, body);
        assertThat(read.status()).as("association read %d of 1,000 parents, past a full burst window", i + 1)
            .isIn(200, 207);
        assertThat(read.headers().map().keySet()).as("answered as search is: no rate-limit headers")
            .noneMatch(h -> h.toLowerCase().startsWith("x-hubspot-ratelimit"));
      }
      Http.Reply overTheDay = http.post("/crm/associations/2026-09/contacts/deals/batch/read", body);

      assertThat(overTheDay.status()).isEqualTo(429);
      assertThat(overTheDay.json().path("policyName").asText()).isEqualTo("DAILY");
      PortalStats stats = hubspot.stats();
      assertThat(stats.rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isEqualTo(1);
      assertThat(stats.dailyUsed()).as("2 lists + 10 association reads").isEqualTo(12);
    }
  }

  @Test
  void burstIsPerAppWhileTheDailyLimitIsSharedByTheAccount() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(3).dailyLimit(100).build())) {
      hubspot.addPrivateAppToken("pat-second-app", PortalSpec.ALL_SCOPES);
      Http first = new Http(hubspot);
      Http second = first.withToken("pat-second-app");
      for (int i = 0; i < 3; i++) {
        assertThat(first.get(LIST).status()).isEqualTo(200);
      }
      assertThat(first.get(LIST).status()).isEqualTo(429);

      Http.Reply other = second.get(LIST);
      assertThat(other.status()).as("another app has its own 10 s budget").isEqualTo(200);
      assertThat(header(other, "X-HubSpot-RateLimit-Remaining")).isEqualTo(2);
      assertThat(header(other, "X-HubSpot-RateLimit-Daily-Remaining")).as("daily is per account").isEqualTo(96);
    }
  }

  @Test
  void reRegisteringATokenDoesNotMakeTwoAppsShareOneBurstWindow() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(3).build())) {
      hubspot.addPrivateAppToken("pat-a", PortalSpec.ALL_SCOPES);
      hubspot.addPrivateAppToken("pat-a", PortalSpec.ALL_SCOPES); // e.g. to change its scopes
      hubspot.addPrivateAppToken("pat-b", PortalSpec.ALL_SCOPES);
      Http a = new Http(hubspot).withToken("pat-a");
      Http b = new Http(hubspot).withToken("pat-b");
      for (int i = 0; i < 3; i++) {
        assertThat(a.get(LIST).status()).isEqualTo(200);
      }
      assertThat(a.get(LIST).status()).isEqualTo(429);

      Http.Reply fromB = b.get(LIST);
      assertThat(fromB.status()).as("pat-b is a different app: %s", fromB.body()).isEqualTo(200);
      assertThat(header(fromB, "X-HubSpot-RateLimit-Remaining")).isEqualTo(2);
    }
  }

  // ---- daily ----------------------------------------------------------------------------------------

  @Test
  void fourthCallOverADailyLimitOfThreeIsRejectedWithTheDailyBody() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).dailyLimit(3).build())) {
      Http http = new Http(hubspot);
      for (int i = 0; i < 3; i++) {
        assertThat(http.get(LIST).status()).isEqualTo(200);
      }

      Http.Reply rejected = http.get(LIST);

      assertThat(rejected.status()).isEqualTo(429);
      JsonNode body = rejected.json();
      assertThat(body.path("status").asText()).isEqualTo("error");
      assertThat(body.path("message").asText()).isEqualTo("You have reached your daily limit.");
      assertThat(body.path("errorType").asText()).isEqualTo("RATE_LIMIT");
      assertThat(body.path("policyName").asText()).isEqualTo("DAILY");
      assertThat(UUID.fromString(body.path("correlationId").asText())).isNotNull();
      assertThat(rejected.header("X-HubSpot-Correlation-Id")).contains(body.path("correlationId").asText());
      assertThat(header(rejected, "X-HubSpot-RateLimit-Daily-Remaining")).isZero();

      // the burst window is long gone but the day is not over
      hubspot.clock().advance(Duration.ofHours(1));
      assertThat(http.get(LIST).json().path("policyName").asText()).isEqualTo("DAILY");
      assertThat(hubspot.stats().rejected(RateLimitPolicy.DAILY)).isEqualTo(2);
      assertThat(hubspot.stats().dailyUsed()).isEqualTo(3);
    }
  }

  @Test
  void dailyCountResetsAtMidnightInThePortalsTimeZoneNotUtc() {
    ZoneId newYork = ZoneId.of("America/New_York");
    // 2026-01-14 18:59 in New York (EST, UTC-5)
    Instant start = Instant.parse("2026-01-14T23:59:00Z");
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(start).timeZone(newYork).dailyLimit(3).build())) {
      Http http = new Http(hubspot);
      for (int i = 0; i < 3; i++) {
        assertThat(http.get(LIST).status()).isEqualTo(200);
      }
      assertThat(http.get(LIST).status()).isEqualTo(429);

      hubspot.clock().set(Instant.parse("2026-01-15T00:00:01Z")); // UTC midnight passed, New York's did not
      Http.Reply afterUtcMidnight = http.get(LIST);
      assertThat(afterUtcMidnight.status()).isEqualTo(429);
      assertThat(afterUtcMidnight.json().path("policyName").asText()).isEqualTo("DAILY");

      hubspot.clock().set(Instant.parse("2026-01-15T04:59:59.999Z")); // 23:59:59.999 in New York
      assertThat(http.get(LIST).status()).isEqualTo(429);

      hubspot.clock().set(Instant.parse("2026-01-15T05:00:00Z")); // midnight in New York
      Http.Reply newDay = http.get(LIST);
      assertThat(newDay.status()).isEqualTo(200);
      assertThat(header(newDay, "X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo(2);
      assertThat(hubspot.stats().dailyUsed()).isEqualTo(1);
    }
  }

  @Test
  void rejectedCallsAreCountedInStatsButNotAgainstDailyUsage() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(3).dailyLimit(50).build())) {
      Http http = new Http(hubspot);
      for (int i = 0; i < 5; i++) {
        http.get(LIST);
      }
      http.get("/crm/v3/properties/contacts");

      PortalStats stats = hubspot.stats();
      assertThat(stats.calls(Endpoint.LIST)).isEqualTo(5);
      assertThat(stats.calls(Endpoint.PROPERTIES)).isEqualTo(1);
      assertThat(stats.calls(Endpoint.SEARCH)).isZero();
      assertThat(stats.totalCalls()).isEqualTo(6);
      assertThat(stats.rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isEqualTo(3);
      assertThat(stats.rejected(RateLimitPolicy.DAILY)).isZero();
      assertThat(stats.dailyUsed()).isEqualTo(3);

      hubspot.clock().advance(Duration.ofSeconds(10));
      Http.Reply next = http.get(LIST);
      assertThat(next.status()).isEqualTo(200);
      assertThat(header(next, "X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo(50 - 4);

      hubspot.resetStats();
      assertThat(hubspot.stats().totalCalls()).isZero();
      assertThat(hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isZero();
    }
  }

  @Test
  void resetRateLimitsForgetsTheBurstWindowAndTodaysUsage() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(2).dailyLimit(3).build())) {
      Http http = new Http(hubspot);
      http.get(LIST);
      http.get(LIST);
      assertThat(http.get(LIST).json().path("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");

      hubspot.resetRateLimits();

      Http.Reply r = http.get(LIST);
      assertThat(r.status()).isEqualTo(200);
      assertThat(header(r, "X-HubSpot-RateLimit-Remaining")).isEqualTo(1);
      assertThat(header(r, "X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo(2);
      assertThat(hubspot.stats().dailyUsed()).isEqualTo(1);
    }
  }

  // ---- Retry-After ----------------------------------------------------------------------------------

  @Test
  void retryAfterAlwaysPresentWithShareOneAndSaysWhenTheWindowFrees() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(2).retryAfterShare(1.0).build())) {
      Http http = new Http(hubspot);
      http.get(LIST);
      hubspot.clock().advance(Duration.ofSeconds(3));
      http.get(LIST);

      Http.Reply first = http.get(LIST);
      assertThat(first.status()).isEqualTo(429);
      assertThat(first.header("Retry-After")).as("the oldest call frees at t=10 s, now t=3 s").contains("7");

      for (int i = 0; i < 10; i++) {
        Http.Reply r = http.get(LIST);
        assertThat(r.status()).isEqualTo(429);
        assertThat(Long.parseLong(r.header("Retry-After").orElseThrow())).isBetween(1L, 10L);
      }
    }
  }

  @Test
  void dailyRetryAfterCountsTheSecondsToMidnightInThePortalZone() {
    ZoneId newYork = ZoneId.of("America/New_York");
    Instant start = Instant.parse("2026-01-15T04:59:00Z"); // 23:59 in New York
    try (FakeHubSpot hubspot = FakeHubSpot.start(
        small(start).timeZone(newYork).dailyLimit(1).retryAfterShare(1.0).build())) {
      Http http = new Http(hubspot);
      http.get(LIST);
      Http.Reply rejected = http.get(LIST);
      assertThat(rejected.json().path("policyName").asText()).isEqualTo("DAILY");
      assertThat(rejected.header("Retry-After")).contains("60");
    }
  }

  @Test
  void retryAfterNeverPresentWithShareZero() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(1).retryAfterShare(0).build())) {
      Http http = new Http(hubspot);
      http.get(LIST);
      for (int i = 0; i < 30; i++) {
        Http.Reply r = http.get(LIST);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("Retry-After")).isEmpty();
      }
    }
  }

  @Test
  void retryAfterAppearsOnSomeRejectionsAndNotOthersByDefault() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(1).build())) {
      Http http = new Http(hubspot);
      http.get(LIST);
      int with = 0;
      int without = 0;
      for (int i = 0; i < 40; i++) {
        Http.Reply r = http.get(LIST);
        assertThat(r.status()).isEqualTo(429);
        if (r.header("Retry-After").isPresent()) {
          with++;
        } else {
          without++;
        }
      }
      assertThat(with).isPositive();
      assertThat(without).isPositive();
    }
  }

  // ---- usage endpoint, unlimited, tiers ---------------------------------------------------------------

  @Test
  void dailyUsageEndpointReportsUsageAndTheNextMidnightInThePortalZone() {
    ZoneId newYork = ZoneId.of("America/New_York");
    Instant now = Instant.parse("2026-01-15T12:00:00Z"); // 07:00 in New York
    try (FakeHubSpot hubspot = FakeHubSpot.start(
        small(now).timeZone(newYork).burstLimit(5).dailyLimit(1_000).build())) {
      Http http = new Http(hubspot);
      for (int i = 0; i < 4; i++) {
        http.get(LIST);
      }
      http.get(LIST); // 5th call in the window
      assertThat(http.get(LIST).status()).as("rejected, not counted").isEqualTo(429);
      hubspot.clock().advance(Duration.ofSeconds(10));

      Http.Reply usage = http.get("/account-info/v3/api-usage/daily/private-apps");

      assertThat(usage.status()).isEqualTo(200);
      JsonNode results = usage.json().path("results");
      assertThat(results.isArray()).isTrue();
      assertThat(results.size()).isEqualTo(1);
      JsonNode r = results.get(0);
      assertThat(r.path("name").asText()).isEqualTo("private-apps-api-calls-daily");
      assertThat(r.path("usageLimit").asLong()).isEqualTo(1_000);
      // five admitted list calls plus this usage call itself
      assertThat(r.path("currentUsage").asLong()).isEqualTo(6);
      assertThat(r.path("currentUsage").asLong()).isEqualTo(hubspot.stats().dailyUsed());
      assertThat(Instant.parse(r.path("collectedAt").asText())).isEqualTo(now.plusSeconds(10));
      assertThat(r.path("fetchStatus").asText()).isEqualTo("SUCCESS");
      assertThat(Instant.parse(r.path("resetsAt").asText())).isEqualTo(Instant.parse("2026-01-16T05:00:00Z"));
      assertThat(header(usage, "X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo(1_000 - 6);
      assertThat(hubspot.stats().calls(Endpoint.DAILY_USAGE)).isEqualTo(1);
    }
  }

  @Test
  void unlimitedPortalNeverAnswers429ButStillSendsHeaders() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).burstLimit(2).dailyLimit(3).unlimited().build())) {
      Http http = new Http(hubspot);
      for (int i = 0; i < 20; i++) {
        Http.Reply r = http.get(LIST);
        assertThat(r.status()).as("list %d", i + 1).isEqualTo(200);
        assertThat(r.header("X-HubSpot-RateLimit-Max")).contains("2");
      }
      for (int i = 0; i < 10; i++) {
        assertThat(http.post(SEARCH, SEARCH_BODY).status()).as("search %d", i + 1).isEqualTo(200);
      }
      PortalStats stats = hubspot.stats();
      assertThat(stats.rejected().values()).allMatch(n -> n == 0L);
      assertThat(stats.calls(Endpoint.LIST)).isEqualTo(20);
      assertThat(stats.calls(Endpoint.SEARCH)).isEqualTo(10);
    }
  }

  @ParameterizedTest
  @CsvSource({
      "FREE, 100, 250000",
      "STARTER, 100, 250000",
      "PROFESSIONAL, 190, 625000",
      "ENTERPRISE, 190, 1000000",
      "API_LIMIT_INCREASE, 250, 2000000"})
  void tierSetsBurstAndDailyLimits(Tier tier, long burst, long daily) {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).tier(tier).build())) {
      Http.Reply r = new Http(hubspot).get(LIST);
      assertThat(r.status()).isEqualTo(200);
      assertThat(header(r, "X-HubSpot-RateLimit-Max")).isEqualTo(burst);
      assertThat(header(r, "X-HubSpot-RateLimit-Remaining")).isEqualTo(burst - 1);
      assertThat(header(r, "X-HubSpot-RateLimit-Daily")).isEqualTo(daily);
      assertThat(header(r, "X-HubSpot-RateLimit-Daily-Remaining")).isEqualTo(daily - 1);
    }
  }

  @Test
  void defaultTierIsProfessionalAndExplicitLimitsOverrideTheTier() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(NOON_UTC).build())) {
      Http.Reply r = new Http(hubspot).get(LIST);
      assertThat(header(r, "X-HubSpot-RateLimit-Max")).isEqualTo(190);
      assertThat(header(r, "X-HubSpot-RateLimit-Daily")).isEqualTo(625_000);
    }
    try (FakeHubSpot hubspot = FakeHubSpot.start(
        small(NOON_UTC).tier(Tier.ENTERPRISE).burstLimit(7).dailyLimit(77).build())) {
      Http.Reply r = new Http(hubspot).get(LIST);
      assertThat(header(r, "X-HubSpot-RateLimit-Max")).isEqualTo(7);
      assertThat(header(r, "X-HubSpot-RateLimit-Daily")).isEqualTo(77);
    }
  }
}
