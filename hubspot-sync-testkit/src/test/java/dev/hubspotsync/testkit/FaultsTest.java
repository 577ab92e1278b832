package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Injected faults (hubspot-api.md §7 "Other statuses", §9): 5xx, HTML bodies, resets, drips, latency. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultsTest {
  private static final Instant START = Instant.parse("2026-03-02T12:00:00Z");
  private static final String LIST = "/crm/v3/objects/contacts?limit=5";
  private static final List<Integer> FIVE_XX = List.of(500, 502, 503, 504, 524);

  private final List<Duration> slept = new CopyOnWriteArrayList<>();

  private PortalSpec.Builder small() {
    return PortalSpec.builder().contacts(120).companies(5).deals(5).tickets(2).calls(2).subscriptions(2)
        .clock(PortalClock.fixed(START)).sleeper(slept::add).unlimited();
  }

  private static void assertJson5xx(Http.Reply r) {
    assertThat(r.status()).isIn(FIVE_XX);
    assertThat(r.header("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode body = r.json();
    assertThat(body.path("status").asText()).isEqualTo("error");
    assertThat(body.path("message").asText()).isNotBlank();
    assertThat(body.path("category").asText()).isNotBlank();
    assertThat(body.path("correlationId").asText()).isNotBlank();
  }

  private static void assertHtml(Http.Reply r, int status) {
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.header("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
    assertThat(r.body()).startsWith("<html>").contains(Integer.toString(status));
  }

  @Test
  void failNextServerErrorJsonFailsExactlyTheNextTwoListCalls() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      hubspot.faults().on(Endpoint.LIST).failNext(2, Fault.SERVER_ERROR_JSON);

      assertThat(http.get("/crm/v3/properties/contacts").status()).as("other endpoints untouched").isEqualTo(200);
      assertJson5xx(http.get(LIST));
      assertJson5xx(http.get(LIST));
      Http.Reply third = http.get(LIST);
      assertThat(third.status()).isEqualTo(200);
      assertThat(third.json().path("results").size()).isEqualTo(5);
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(2);
      assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(3);
    }
  }

  @Test
  void serverErrorHtmlHasAnHtmlBody() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      hubspot.faults().on(Endpoint.LIST).failNext(1, Fault.SERVER_ERROR_HTML);

      Http.Reply r = http.get(LIST);
      assertThat(r.status()).isIn(FIVE_XX);
      assertHtml(r, r.status());
      assertThat(http.get(LIST).status()).isEqualTo(200);
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(1);
    }
  }

  @Test
  void gatewayTimeoutAboveFailsOnlyLargePages() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      hubspot.faults().on(Endpoint.LIST).gatewayTimeoutAbove(50);

      Http.Reply large = http.get("/crm/v3/objects/contacts?limit=100");
      assertHtml(large, 504);
      assertThat(large.body()).contains("Gateway Timeout");
      assertThat(http.get("/crm/v3/objects/contacts?limit=51").status()).isEqualTo(504);

      Http.Reply fifty = http.get("/crm/v3/objects/contacts?limit=50");
      assertThat(fifty.status()).isEqualTo(200);
      assertThat(fifty.json().path("results").size()).isEqualTo(50);
      assertThat(http.get("/crm/v3/objects/contacts").status()).as("default limit 10").isEqualTo(200);
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(2);
    }
  }

  @Test
  void gatewayTimeoutAboveWithAShareFailsOnlySomeLargePages() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      hubspot.faults().on(Endpoint.LIST).gatewayTimeoutAbove(50, 0.5);

      List<Integer> large = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        large.add(http.get("/crm/v3/objects/contacts?limit=100").status());
      }
      for (int i = 0; i < 10; i++) {
        assertThat(http.get("/crm/v3/objects/contacts?limit=50").status()).as("small pages never time out").isEqualTo(200);
      }
      long timeouts = large.stream().filter(s -> s == 504).count();
      assertThat(large).allMatch(s -> s == 200 || s == 504);
      assertThat(timeouts).as("about half of 40: %s", large).isBetween(8L, 32L);
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(timeouts);
    }
  }

  @Test
  void rateLimitedAnswers429WithHubSpotsBodyAndRetryAfterOneSecond() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      hubspot.faults().everywhere().rateLimited(1.0);

      Http.Reply list = http.get(LIST);
      assertThat(list.status()).isEqualTo(429);
      assertThat(list.header("Retry-After")).contains("1");
      JsonNode body = list.json();
      assertThat(body.path("errorType").asText()).isEqualTo("RATE_LIMIT");
      assertThat(body.path("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");
      assertThat(body.path("correlationId").asText()).isNotBlank();

      Http.Reply search = http.post("/crm/v3/objects/contacts/search", "{\"limit\":5}");
      assertThat(search.status()).isEqualTo(429);
      assertThat(search.json().path("policyName").asText()).isEqualTo("SECONDLY");
      assertThat(search.header("Retry-After")).contains("1");
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(2);
      assertThat(hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).as("not the portal's own limit").isZero();

      hubspot.faults().clear();
      assertThat(http.get(LIST).status()).isEqualTo(200);
    }
  }

  @Test
  void connectionResetTruncatesTheBodyAndTheNextCallIsFine() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      hubspot.faults().on(Endpoint.LIST).failNext(1, Fault.CONNECTION_RESET);

      assertThatThrownBy(() -> http.get("/crm/v3/objects/contacts?limit=100"))
          .isInstanceOf(UncheckedIOException.class)
          .hasCauseInstanceOf(IOException.class);

      Http.Reply next = http.get("/crm/v3/objects/contacts?limit=100");
      assertThat(next.status()).isEqualTo(200);
      assertThat(next.json().path("results").size()).isEqualTo(100);
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(1);
    }
  }

  @Test
  void slowDripDeliversTheCompleteBodyWithPausesBetweenChunks() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      String path = "/crm/v3/objects/contacts?limit=50";
      JsonNode expected = http.get(path).json();
      assertThat(slept).isEmpty();

      hubspot.faults().on(Endpoint.LIST).slowDrip(1.0, Duration.ofMillis(75));
      Http.Reply dripped = http.get(path);

      assertThat(dripped.status()).isEqualTo(200);
      assertThat(dripped.json()).isEqualTo(expected);
      // every pause but the last one is taken before the client can have the whole body
      assertThat(slept).hasSizeGreaterThanOrEqualTo(8).containsOnly(Duration.ofMillis(75));
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(1);
    }
  }

  @Test
  void scriptedSlowDripUsesTheDefaultPause() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      hubspot.faults().on(Endpoint.LIST).failNext(1, Fault.SLOW_DRIP);

      Http.Reply dripped = http.get(LIST);

      assertThat(dripped.status()).isEqualTo(200);
      assertThat(dripped.json().path("results").size()).isEqualTo(5);
      assertThat(slept).isNotEmpty().allSatisfy(d -> assertThat(d).isPositive());
    }
  }

  @Test
  void latencyIsWaitedThroughTheSleeperOncePerCall() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      hubspot.faults().on(Endpoint.LIST).latency(Duration.ofMillis(250));

      for (int i = 0; i < 3; i++) {
        assertThat(http.get(LIST).status()).isEqualTo(200);
      }
      assertThat(slept).containsExactly(Duration.ofMillis(250), Duration.ofMillis(250), Duration.ofMillis(250));

      assertThat(http.get("/crm/v3/properties/contacts").status()).isEqualTo(200);
      assertThat(slept).as("latency on LIST only").hasSize(3);

      hubspot.faults().everywhere().latency(Duration.ofMillis(100));
      http.get(LIST);
      http.get("/crm/v3/properties/contacts");
      assertThat(slept.subList(3, slept.size()))
          .as("endpoint and everywhere latencies add up").containsExactly(Duration.ofMillis(350), Duration.ofMillis(100));
      assertThat(hubspot.stats().faultsInjected()).as("latency alone is not a fault").isZero();
    }
  }

  private List<Integer> statuses(long seed) {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().seed(seed).build())) {
      Http http = new Http(hubspot);
      hubspot.faults().on(Endpoint.LIST).serverErrors(0.3);
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        out.add(http.get("/crm/v3/objects/contacts?limit=1").status());
      }
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(out.stream().filter(s -> s != 200).count());
      return out;
    }
  }

  @Test
  void randomServerErrorsAreReproducibleForTheSameSeed() {
    List<Integer> first = statuses(7);
    List<Integer> again = statuses(7);
    List<Integer> otherSeed = statuses(8);

    assertThat(first).allMatch(s -> s == 200 || FIVE_XX.contains(s));
    long errors = first.stream().filter(s -> s != 200).count();
    assertThat(errors).as("about 30%% of 50: %s", first).isBetween(5L, 25L);
    assertThat(again).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
  }

  @Test
  void everywhereAppliesToEveryEndpointAndClearStopsIt() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      long contact = hubspot.portal().ids("contacts").get(0);
      Map<String, Function<Http, Http.Reply>> calls = new LinkedHashMap<>();
      calls.put("list", h -> h.get(LIST));
      calls.put("get", h -> h.get("/crm/v3/objects/contacts/" + contact));
      calls.put("search", h -> h.post("/crm/v3/objects/contacts/search", "{\"limit\":1}"));
      calls.put("batch read", h -> h.post("/crm/v3/objects/contacts/batch/read",
          "{\"inputs\":[{\"id\":\"" + contact + "\"}]}"));
      calls.put("properties", h -> h.get("/crm/v3/properties/contacts"));
      calls.put("schemas", h -> h.get("/crm/v3/schemas"));
      calls.put("associations", h -> h.post("/crm/v4/associations/contacts/companies/batch/read",
          "{\"inputs\":[{\"id\":\"" + contact + "\"}]}"));
      calls.put("labels", h -> h.get("/crm/v4/associations/contacts/companies/labels"));
      calls.put("usage", h -> h.get("/account-info/v3/api-usage/daily/private-apps"));

      hubspot.faults().everywhere().serverErrors(1.0).htmlBodies(0);
      for (Map.Entry<String, Function<Http, Http.Reply>> c : calls.entrySet()) {
        Http.Reply r = c.getValue().apply(http);
        assertThat(r.status()).as(c.getKey()).isIn(FIVE_XX);
        assertJson5xx(r);
      }
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(calls.size());

      hubspot.faults().clear();
      for (Map.Entry<String, Function<Http, Http.Reply>> c : calls.entrySet()) {
        assertThat(c.getValue().apply(http).status()).as(c.getKey()).isIn(200, 207);
      }
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(calls.size());
    }
  }

  @Test
  void clearDropsScriptedFaultsAndPerEndpointRules() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      hubspot.faults().on(Endpoint.LIST).failNext(3, Fault.SERVER_ERROR_JSON).latency(Duration.ofMillis(40));
      hubspot.faults().everywhere().failNext(2, Fault.SERVER_ERROR_HTML);

      hubspot.faults().clear();

      for (int i = 0; i < 4; i++) {
        assertThat(http.get(LIST).status()).isEqualTo(200);
      }
      assertThat(slept).isEmpty();
      assertThat(hubspot.stats().faultsInjected()).isZero();
    }
  }

  @Test
  void endpointScriptsRunBeforeEverywhereScripts() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      Http http = new Http(hubspot);
      hubspot.faults().everywhere().failNext(1, Fault.SERVER_ERROR_HTML);
      hubspot.faults().on(Endpoint.LIST).failNext(1, Fault.SERVER_ERROR_JSON);

      assertJson5xx(http.get(LIST));
      Http.Reply second = http.get(LIST);
      assertThat(second.status()).isIn(FIVE_XX);
      assertHtml(second, second.status());
      assertThat(http.get(LIST).status()).isEqualTo(200);
      assertThat(hubspot.stats().faultsInjected()).isEqualTo(2);
    }
  }
}
