package dev.hubspotsync.ratelimit;

import static dev.hubspotsync.ratelimit.CallKind.STANDARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.RateBudgetExhaustedException;
import dev.hubspotsync.testkit.VirtualTime;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RateLimitPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The budget against the simulated portal over HTTP: its real headers, windows and daily count (issue 3). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenBucketRateBudgetPortalTest {
  private static final Instant T0 = Instant.parse("2026-03-02T15:00:00Z");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final String LIST = "/crm/v3/objects/contacts?limit=1";

  private final HttpClient http = HttpClient.newHttpClient();

  private static PortalSpec.Builder small(PortalClock clock) {
    return PortalSpec.builder().contacts(20).companies(5).deals(5).tickets(2).calls(2).subscriptions(2).clock(clock);
  }

  @Test
  void eightThreadsSharingABudgetGetNo429sAndUseTheWindowFromAHundredPerTenSecondsPortal() {
    PortalClock clock = PortalClock.fixed(T0);
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(clock).burstLimit(100).build())) {
      VirtualTime time = VirtualTime.driving(clock);
      RateBudget budget = RateBudget.tokenBucket().clock(time).sleeper(time).build();
      List<Instant> answered = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger throttled = new AtomicInteger();
      Instant end = T0.plusSeconds(60);

      time.run(8, i -> {
        while (time.instant().isBefore(end)) {
          budget.acquire(STANDARD);
          Instant at = time.instant();
          HttpResponse<Void> r = get(hubspot);
          budget.onResponse(STANDARD, RateLimitHeaders.parse(name -> r.headers().firstValue(name)));
          if (r.statusCode() == 429) {
            throttled.incrementAndGet();
            budget.onThrottled(STANDARD, ThrottlePolicy.TEN_SECONDLY_ROLLING, null);
          } else if (at.isBefore(end)) {
            answered.add(at);
          }
        }
      });

      assertThat(throttled).hasValue(0);
      assertThat(hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isZero();
      assertThat(answered).as("calls answered in 60 s; allowed 6 × (100 − 2 headroom) = 588").hasSizeBetween(559, 588);
    }
  }

  @Test
  void aJobStopsAtItsCeilingAndARestartedBudgetLearnsTheDaysUsage() {
    PortalClock clock = PortalClock.fixed(T0);
    try (FakeHubSpot hubspot = FakeHubSpot.start(small(clock).dailyLimit(200).timeZone(NEW_YORK).build())) {
      VirtualTime time = VirtualTime.driving(clock);
      RateBudget first = RateBudget.tokenBucket().clock(time).sleeper(time).timeZone(NEW_YORK).build();
      int made = 0;
      RateBudgetExhaustedException stopped = null;
      while (stopped == null) {
        try {
          call(hubspot, first);
          made++;
        } catch (RateBudgetExhaustedException e) {
          stopped = e;
        }
      }
      assertThat(made).as("half of the portal's 200").isEqualTo(100);
      assertThat(stopped.resumeAt()).isEqualTo(Instant.parse("2026-03-03T05:00:00Z"));
      assertThat(hubspot.stats().dailyUsed()).isEqualTo(100);

      // The process restarts: a new budget knows nothing until HubSpot tells it.
      RateBudget restarted = RateBudget.tokenBucket().clock(time).sleeper(time).timeZone(NEW_YORK).build();
      assertThat(restarted.usage().usedToday()).isEqualTo(-1);
      call(hubspot, restarted);
      assertThat(restarted.usage().usedToday()).isEqualTo(101);
      assertThatThrownBy(() -> call(hubspot, restarted)).isInstanceOfSatisfying(RateBudgetExhaustedException.class,
          e -> assertThat(e.resumeAt()).isEqualTo(Instant.parse("2026-03-03T05:00:00Z")));
      assertThat(hubspot.stats().dailyUsed()).as("only the one call that found out").isEqualTo(101);

      time.advanceTo(stopped.resumeAt());
      call(hubspot, restarted);
      assertThat(restarted.usage().usedToday()).as("a new day at the portal and in the budget").isEqualTo(1);
    }
  }

  private void call(FakeHubSpot hubspot, RateBudget budget) {
    budget.acquire(STANDARD);
    HttpResponse<Void> r = get(hubspot);
    budget.onResponse(STANDARD, RateLimitHeaders.parse(name -> r.headers().firstValue(name)));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  private HttpResponse<Void> get(FakeHubSpot hubspot) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(hubspot.baseUrl() + LIST))
        .header("Authorization", "Bearer " + hubspot.token()).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
