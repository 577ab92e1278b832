package dev.hubspotsync.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.testkit.VirtualTime;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RateLimitPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Regression: with 250 ms latency a benchmark saw 429s, because HubSpot admits a request when it
 * arrives, which can be up to the latency after the budget counted it (requests queue at the far
 * end). A standard call now holds its slot until 10 s after its answer.
 */
class BurstWindowLatencyTest {
  private static final Instant T0 = Instant.parse("2026-03-02T15:00:00Z");

  @Test
  void aSlotIsFreedTenSecondsAfterTheAnswerNotAfterTheSend() {
    VirtualTime time = VirtualTime.at(T0);
    RateBudget b = RateBudget.tokenBucket().clock(time).sleeper(time).burstLimit(3).burstHeadroom(0).build();
    RateLimitHeaders daily = new RateLimitHeaders(OptionalLong.of(250_000), OptionalLong.of(250_000),
        OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
    b.acquire(CallKind.STANDARD); // sent at t = 0 (the probe that learns today's usage) …
    time.advance(Duration.ofMillis(250));
    b.onResponse(CallKind.STANDARD, daily); // … answered at t = 250 ms
    b.acquire(CallKind.STANDARD);
    b.acquire(CallKind.STANDARD);
    time.advance(Duration.ofMillis(250));
    b.onResponse(CallKind.STANDARD, daily);
    b.onResponse(CallKind.STANDARD, daily);

    b.acquire(CallKind.STANDARD); // the window is full until the first answer is 10 s old

    assertThat(Duration.between(T0, time.instant())).isEqualTo(Duration.ofMillis(10_250));
  }

  @Test
  void requestsQueuedAtTheFarEndNeverTurnIntoA429() throws Exception {
    // The portal serves one request at a time and each takes 250 ms, so requests queue before HubSpot
    // counts them; eight threads share one budget with no headroom.
    PortalClock portalClock = PortalClock.fixed(T0);
    VirtualTime time = VirtualTime.driving(portalClock);
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(5).burstLimit(20).serverThreads(1)
        .sleeper(time::sleep).indexLag(Duration.ZERO).clock(portalClock).build())) {
      hubspot.faults().everywhere().latency(Duration.ofMillis(250));
      RateBudget b = RateBudget.tokenBucket().clock(time).sleeper(time).burstHeadroom(0).build();
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      Instant end = T0.plusSeconds(40);
      time.run(8, i -> {
        while (time.instant().isBefore(end)) {
          b.acquire(CallKind.STANDARD);
          try {
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(hubspot.baseUrl()
                + "/crm/v3/objects/contacts?limit=1")).header("Authorization", "Bearer " + hubspot.token()).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
            b.onResponse(CallKind.STANDARD, RateLimitHeaders.parse(name -> r.headers().firstValue(name)));
            if (r.statusCode() == 429) {
              time.sleep(b.onThrottled(CallKind.STANDARD, ThrottlePolicy.TEN_SECONDLY_ROLLING, null));
            }
          } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
          }
        }
      });
      assertThat(hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isZero();
      assertThat(hubspot.stats().calls(Endpoint.LIST)).isGreaterThanOrEqualTo(70); // 20 per ~10.25 s over 40 s
    }
  }
}
