package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What CRM search refuses (hubspot-api.md §2 "Limits and behaviour", §6, §9): the 10,000-result cap, the
 * same-millisecond workaround, body size, filter counts, limit, sorts, operators, and search's own
 * per-second rate limit and headers.
 */
class SearchLimitsTest {
  private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");
  private static final int CONTACTS = 10_500;

  /** More than 10,000 contacts; no rate limits, no index lag. Tests only add modified dates to it. */
  @RegisterExtension
  static final FakeHubSpotExtension BIG = FakeHubSpotExtension.with(() -> PortalSpec.builder()
      .contacts(CONTACTS).companies(20).deals(10).tickets(0).calls(0).subscriptions(0)
      .clock(PortalClock.fixed(START)).unlimited().indexLag(Duration.ZERO).build());

  // ---- the 10,000-result cap --------------------------------------------------------------------------

  @Test
  void totalCountsEveryMatchBeyondTenThousand() {
    JsonNode all = ok(search(BIG.hubspot(), new Body().limit(1)));
    assertThat(all.path("total").asInt()).isEqualTo(CONTACTS).isGreaterThan(10_000)
        .isEqualTo(BIG.hubspot().snapshot().live("contacts").size());
    JsonNode filtered = ok(search(BIG.hubspot(), new Body().group(f("lastmodifieddate", "GTE", "1")).limit(1)));
    assertThat(filtered.path("total").asInt()).isEqualTo(CONTACTS);
  }

  @Test
  void afterTenThousandIsRejectedEvenWithLimitOne() {
    JsonNode last = ok(search(BIG.hubspot(), new Body().limit(1).after("9999")));
    assertThat(last.path("results").size()).isEqualTo(1);
    assertThat(last.path("paging").path("next").path("after").asText()).isEqualTo("10000");

    Http.Reply past = search(BIG.hubspot(), new Body().limit(1).after("10000"));
    assertValidationError(past, "10000");
    Http.Reply further = search(BIG.hubspot(), new Body().limit(200).after("10200"));
    assertValidationError(further, "10000");
  }

  @Test
  void thePageEndingAtTenThousandStillOffersANextPageThatFails() {
    JsonNode page = ok(search(BIG.hubspot(), new Body().limit(200).after("9800")));
    assertThat(page.path("results").size()).isEqualTo(200);
    assertThat(page.path("total").asInt()).isEqualTo(CONTACTS);
    String next = page.path("paging").path("next").path("after").asText(null);
    assertThat(next).isEqualTo("10000");

    assertValidationError(search(BIG.hubspot(), new Body().limit(200).after(next)), "10000");
  }

  /**
   * A bulk import stamps 10,500 contacts with one millisecond (§9, airbyte#43317): offset paging inside
   * that millisecond hits the cap, while stepping {@code hs_object_id GT <last id>} sorted by id drains it.
   */
  @Test
  void sameMillisecondBeyondTenThousandDrainsByIdStepsButNotByOffsets() {
    FakeHubSpot hubspot = BIG.hubspot();
    hubspot.clock().advance(Duration.ofMinutes(5));
    List<Long> ids = hubspot.portal().ids("contacts");
    long stamp = hubspot.portal().bulkUpdate("contacts", ids, Map.of("lifecyclestage", "customer"));
    assertThat(hubspot.snapshot().live("contacts"))
        .allSatisfy(r -> assertThat(r.updatedAt().toEpochMilli()).isEqualTo(stamp));
    hubspot.clock().advance(Duration.ofSeconds(1));

    // The documented workaround: sort by hs_object_id, step with GT <last id>, never use after.
    List<Long> drained = new ArrayList<>();
    long lastId = 0;
    int calls = 0;
    while (true) {
      JsonNode page = ok(search(hubspot, new Body()
          .group(f("lastmodifieddate", "EQ", Long.toString(stamp)), f("hs_object_id", "GT", Long.toString(lastId)))
          .sort("hs_object_id", "ASCENDING").props("hs_object_id").limit(200)));
      calls++;
      if (calls == 1) {
        assertThat(page.path("total").asInt()).isEqualTo(CONTACTS);
      }
      List<Long> got = ids(page);
      if (got.isEmpty()) {
        break;
      }
      assertThat(got).isSorted();
      assertThat(got.get(0)).isGreaterThan(lastId);
      drained.addAll(got);
      lastId = got.get(got.size() - 1);
      assertThat(calls).isLessThan(100);
    }
    assertThat(drained).doesNotHaveDuplicates().containsExactlyElementsOf(ids);
    assertThat(calls).isEqualTo(CONTACTS / 200 + 2); // 52 full pages, one of 100, one empty

    // Plain offset paging over the same millisecond gets 10,000 and then the 400.
    Set<Long> paged = new LinkedHashSet<>();
    String after = null;
    Http.Reply reply;
    while (true) {
      reply = search(hubspot, new Body().group(f("lastmodifieddate", "EQ", Long.toString(stamp)))
          .sort("hs_object_id", "ASCENDING").props("hs_object_id").limit(200).after(after));
      if (reply.status() != 200) {
        break;
      }
      paged.addAll(ids(reply.json()));
      after = reply.json().path("paging").path("next").path("after").asText(null);
      assertThat(after).as("10,500 matches: there is always a next page").isNotNull();
    }
    assertThat(after).isEqualTo("10000");
    assertValidationError(reply, "10000");
    assertThat(paged).hasSize(10_000).containsExactlyElementsOf(ids.subList(0, 10_000));
  }

  // ---- request validation ---------------------------------------------------------------------------

  @Test
  void bodyOver3000CharactersIsRejected() {
    String head = "{\"limit\":1,\"properties\":[\"";
    String tail = "\"]}";
    String exact = head + "x".repeat(3000 - head.length() - tail.length()) + tail;
    assertThat(exact).hasSize(3000);
    Http http = new Http(BIG.hubspot());
    Http.Reply fits = http.post("/crm/v3/objects/contacts/search", exact);
    assertThat(fits.status()).as(fits.body()).isEqualTo(200);

    String over = head + "x".repeat(3001 - head.length() - tail.length()) + tail;
    assertThat(over).hasSize(3001);
    assertValidationError(http.post("/crm/v3/objects/contacts/search", over), "3000");
  }

  @Test
  void defaultFilterLimitsAreFiveGroupsSixPerGroupEighteenInAll() {
    FakeHubSpot hubspot = BIG.hubspot();
    assertThat(search(hubspot, groups(5, 1)).status()).isEqualTo(200);
    assertValidationError(search(hubspot, groups(6, 1)), "filter groups", "6", "5");

    assertThat(search(hubspot, groups(1, 6)).status()).isEqualTo(200);
    assertValidationError(search(hubspot, groups(1, 7)), "filter group", "7", "6");

    assertThat(search(hubspot, groups(3, 6)).status()).isEqualTo(200); // 18
    Body nineteen = groups(3, 6).group(f("hs_object_id", "GT", "0"));
    assertValidationError(search(hubspot, nineteen), "19", "18");
  }

  @Test
  void filterLimitsAreConfigurable() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(smallSpec().unlimited().searchFilterLimits(2, 3, 4).build())) {
      assertThat(search(hubspot, groups(2, 2)).status()).isEqualTo(200);
      assertValidationError(search(hubspot, groups(3, 1)), "3", "2");
      assertValidationError(search(hubspot, groups(1, 4)), "4", "3");
      assertThat(search(hubspot, groups(1, 3).group(f("hs_object_id", "GT", "0"))).status()).isEqualTo(200);
      assertValidationError(search(hubspot, groups(2, 3)), "6", "4");
      // The defaults would have let all of these through.
      assertThat(search(BIG.hubspot(), groups(3, 1)).status()).isEqualTo(200);
      assertThat(search(BIG.hubspot(), groups(2, 3)).status()).isEqualTo(200);
    }
  }

  @Test
  void limitAbove200IsRejected() {
    assertThat(ok(search(BIG.hubspot(), new Body().limit(200))).path("results").size()).isEqualTo(200);
    assertValidationError(search(BIG.hubspot(), new Body().limit(201)), "limit", "201");
  }

  @Test
  void onlyOneSortIsAllowed() {
    Body two = new Body();
    two.node.putArray("sorts").add("-createdate").addObject().put("propertyName", "hs_object_id")
        .put("direction", "ASCENDING");
    assertValidationError(search(BIG.hubspot(), two), "sort", "2");
    assertThat(search(BIG.hubspot(), new Body().sort("hs_object_id", "ASCENDING")).status()).isEqualTo(200);
  }

  @Test
  void unknownOperatorIsRejected() {
    assertValidationError(search(BIG.hubspot(), new Body().group(f("firstname", "LIKE", "ana"))), "operator", "LIKE");
    assertValidationError(search(BIG.hubspot(), new Body().group(f("firstname", "CONTAINS", "ana"))), "CONTAINS");
  }

  // ---- rate limit and headers ---------------------------------------------------------------------------

  @Test
  void searchResponsesCarryACorrelationIdButNoRateLimitHeaders() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(smallSpec().build())) {
      Http.Reply found = search(hubspot, new Body().limit(5));
      assertThat(found.status()).isEqualTo(200);
      assertThat(rateLimitHeaders(found)).isEmpty();
      assertThat(found.header("X-HubSpot-Correlation-Id")).hasValueSatisfying(id -> assertThat(id).isNotBlank());

      Http.Reply rejected = search(hubspot, new Body().limit(201));
      assertThat(rejected.status()).isEqualTo(400);
      assertThat(rateLimitHeaders(rejected)).isEmpty();
      assertThat(rejected.header("X-HubSpot-Correlation-Id")).contains(rejected.json().path("correlationId").asText());

      // The list endpoint, by contrast, does carry them.
      Http.Reply list = new Http(hubspot).get("/crm/v3/objects/contacts?limit=5");
      assertThat(list.status()).isEqualTo(200);
      assertThat(rateLimitHeaders(list)).contains("x-hubspot-ratelimit-remaining", "x-hubspot-ratelimit-max");
      assertThat(list.header("X-HubSpot-Correlation-Id")).isPresent();
    }
  }

  @Test
  void sixthSearchWithinASecondGetsTheSecondly429() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(smallSpec().build())) {
      for (int i = 0; i < 5; i++) {
        assertThat(search(hubspot, new Body().limit(1)).status()).as("search " + (i + 1)).isEqualTo(200);
      }
      Http.Reply sixth = search(hubspot, new Body().limit(1));
      assertThat(sixth.status()).isEqualTo(429);
      JsonNode body = sixth.json();
      assertThat(body.path("status").asText()).isEqualTo("error");
      assertThat(body.path("message").asText()).isEqualTo("You have reached your secondly limit.");
      assertThat(body.path("errorType").asText()).isEqualTo("RATE_LIMIT");
      assertThat(body.path("policyName").asText()).isEqualTo("SECONDLY");
      assertThat(body.path("correlationId").asText()).isNotBlank();
      assertThat(sixth.header("X-HubSpot-Correlation-Id")).contains(body.path("correlationId").asText());
      sixth.header("Retry-After").ifPresent(s -> assertThat(Integer.parseInt(s)).isPositive());
      assertThat(search(hubspot, new Body().limit(1)).status()).as("still within the second").isEqualTo(429);
      assertThat(hubspot.stats().rejected(RateLimitPolicy.SECONDLY)).isEqualTo(2L);

      hubspot.clock().advance(Duration.ofSeconds(1));
      for (int i = 0; i < 5; i++) {
        assertThat(search(hubspot, new Body().limit(1)).status()).as("next second, search " + (i + 1)).isEqualTo(200);
      }
      assertThat(search(hubspot, new Body().limit(1)).status()).isEqualTo(429);
    }
  }

  @Test
  void searchesDoNotConsumeTheTenSecondBurst() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(smallSpec().burstLimit(3).build())) {
      Http http = new Http(hubspot);
      Http.Reply first = http.get("/crm/v3/objects/contacts?limit=1");
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.header("X-HubSpot-RateLimit-Remaining")).contains("2");

      for (int second = 0; second < 2; second++) {
        for (int i = 0; i < 5; i++) {
          assertThat(search(hubspot, new Body().limit(1)).status()).isEqualTo(200);
        }
        hubspot.clock().advance(Duration.ofSeconds(1));
      }

      Http.Reply second = http.get("/crm/v3/objects/contacts?limit=1");
      assertThat(second.status()).isEqualTo(200);
      assertThat(second.header("X-HubSpot-RateLimit-Remaining")).as("ten searches later").contains("1");
      assertThat(http.get("/crm/v3/objects/contacts?limit=1").header("X-HubSpot-RateLimit-Remaining")).contains("0");
      Http.Reply over = http.get("/crm/v3/objects/contacts?limit=1");
      assertThat(over.status()).isEqualTo(429);
      assertThat(over.json().path("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");
      // ... and the burst being spent does not stop search.
      assertThat(search(hubspot, new Body().limit(1)).status()).isEqualTo(200);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private static PortalSpec.Builder smallSpec() {
    return PortalSpec.builder().contacts(30).companies(5).deals(5).tickets(0).calls(0).subscriptions(0)
        .clock(PortalClock.fixed(START)).indexLag(Duration.ZERO);
  }

  /** A search body under construction. */
  private static final class Body {
    final ObjectNode node = Http.JSON.createObjectNode();
    private ArrayNode groups;

    Body group(ObjectNode... anded) {
      if (groups == null) {
        groups = node.putArray("filterGroups");
      }
      ArrayNode fs = groups.addObject().putArray("filters");
      for (ObjectNode f : anded) {
        fs.add(f);
      }
      return this;
    }

    Body sort(String property, String direction) {
      node.putArray("sorts").addObject().put("propertyName", property).put("direction", direction);
      return this;
    }

    Body props(String... names) {
      ArrayNode a = node.putArray("properties");
      for (String n : names) {
        a.add(n);
      }
      return this;
    }

    Body limit(int limit) {
      node.put("limit", limit);
      return this;
    }

    Body after(String after) {
      if (after != null) {
        node.put("after", after);
      }
      return this;
    }
  }

  /** {@code count} groups of {@code perGroup} filters, each matching everything. */
  private static Body groups(int count, int perGroup) {
    Body b = new Body().limit(1);
    for (int g = 0; g < count; g++) {
      ObjectNode[] fs = new ObjectNode[perGroup];
      for (int i = 0; i < perGroup; i++) {
        fs[i] = f("hs_object_id", "GT", Integer.toString(i));
      }
      b.group(fs);
    }
    return b;
  }

  private static ObjectNode f(String property, String operator, String value) {
    return Http.JSON.createObjectNode().put("propertyName", property).put("operator", operator).put("value", value);
  }

  private static Http.Reply search(FakeHubSpot hubspot, Body body) {
    return new Http(hubspot).post("/crm/v3/objects/contacts/search", body.node);
  }

  private static JsonNode ok(Http.Reply r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static List<Long> ids(JsonNode page) {
    List<Long> out = new ArrayList<>();
    for (JsonNode r : page.path("results")) {
      out.add(Long.parseLong(r.path("id").asText()));
    }
    return out;
  }

  private static List<String> rateLimitHeaders(Http.Reply r) {
    return r.headers().map().keySet().stream().map(h -> h.toLowerCase(java.util.Locale.ROOT))
        .filter(h -> h.startsWith("x-hubspot-ratelimit")).toList();
  }

  private static void assertValidationError(Http.Reply r, String... messageParts) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    JsonNode body = r.json();
    assertThat(body.path("status").asText()).isEqualTo("error");
    assertThat(body.path("category").asText()).isEqualTo("VALIDATION_ERROR");
    assertThat(body.path("correlationId").asText()).isNotBlank();
    String message = body.path("message").asText();
    assertThat(message).containsIgnoringCase(messageParts[0]);
    for (String part : List.of(messageParts).subList(1, messageParts.length)) {
      assertThat(message).contains(part);
    }
  }
}
