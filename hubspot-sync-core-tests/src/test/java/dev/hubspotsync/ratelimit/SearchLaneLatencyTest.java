package dev.hubspotsync.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.client.SearchRequest;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RateLimitPolicy;
import dev.hubspotsync.testkit.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (issue 12): a backfill of 20,000 contacts with two pairs drew 11–29 × 429 SECONDLY in
 * every run. The budget counted a search from the moment it let it go, HubSpot from the moment it
 * arrives; the sixth search of a second went out as soon as the first left the budget's window and
 * was refused whenever the first had travelled longer than it. A search now holds its slot until a
 * second after its answer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SearchLaneLatencyTest {
  private static final Instant T0 = Instant.parse("2026-03-02T15:00:00Z");
  /** How long each request travels to the portal, in turn: measured, 1–72 ms on a loaded machine. */
  private static final long[] OUTBOUND_MILLIS = {0, 25, 5, 40, 10, 60, 15};
  private static final Duration BACK = Duration.ofMillis(150);

  @Test
  void fourStreamsSearchingThroughLatencyGetNo429AndKeepTheLaneBusy() {
    PortalClock clock = PortalClock.fixed(T0);
    VirtualTime time = VirtualTime.driving(clock);
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(50).companies(5).deals(5).tickets(0)
        .calls(0).subscriptions(0).retryAfterShare(0).indexLag(Duration.ZERO).clock(clock).build())) {
      InTransit budget = new InTransit(RateBudget.tokenBucket().clock(time).sleeper(time).build(), time);
      HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
          .credentials(HubSpotCredentials.privateApp(hubspot.token())).clock(time).sleeper(time).rateBudget(budget)
          .build();
      Instant end = T0.plusSeconds(30);
      AtomicInteger pages = new AtomicInteger();

      time.run(4, stream -> {
        while (time.instant().isBefore(end)) {
          client.search("contacts", SearchRequest.builder().limit(10).build().withAfter(10 * (stream % 5)));
          pages.incrementAndGet();
        }
      });

      assertThat(hubspot.stats().rejected(RateLimitPolicy.SECONDLY)).as("429 SECONDLY from the portal").isZero();
      // 5 slots, each held from the send until a second after the answer (≈ 150–210 ms later):
      // 30 s / 1.17 s × 5 ≈ 128, plus those the streams began before 30 s and ended after.
      assertThat(hubspot.stats().calls(Endpoint.SEARCH)).as("searches in 30 s, 150 allowed")
          .isEqualTo(pages.get()).isBetween(120L, 136L);
    }
  }

  @Test
  void aSearchStillInFlightAfterASecondKeepsItsSlot() {
    VirtualTime time = VirtualTime.at(T0);
    RateBudget b = learned(RateBudget.tokenBucket().clock(time).sleeper(time).searchPerSecond(2).build());
    b.acquire(CallKind.SEARCH);
    b.onResponse(CallKind.SEARCH, RateLimitHeaders.NONE); // answered at once
    b.acquire(CallKind.SEARCH);                             // t = 0, answered at 1.5 s
    b.acquire(CallKind.SEARCH);                             // t = 1 s: the first's slot is free
    assertThat(Duration.between(T0, time.instant())).isEqualTo(Duration.ofSeconds(1));
    time.advance(Duration.ofMillis(500));
    b.onResponse(CallKind.SEARCH, RateLimitHeaders.NONE);

    b.acquire(CallKind.SEARCH);

    assertThat(Duration.between(T0, time.instant())).as("a second after the answer at 1.5 s, not after the send at 0")
        .isEqualTo(Duration.ofMillis(2_500));
  }

  @Test
  void aSearchNeverReportedBackIsTakenAsLostAfterAMinute() {
    VirtualTime time = VirtualTime.at(T0);
    RateBudget b = learned(RateBudget.tokenBucket().clock(time).sleeper(time).searchPerSecond(1).build());
    b.acquire(CallKind.SEARCH); // never reported back

    b.acquire(CallKind.SEARCH);

    assertThat(Duration.between(T0, time.instant())).isEqualTo(Duration.ofSeconds(60));
  }

  /** The budget after a standard call told it today's usage, so it no longer lets one call through at a time. */
  private static RateBudget learned(RateBudget b) {
    b.acquire(CallKind.STANDARD);
    b.onResponse(CallKind.STANDARD, new RateLimitHeaders(OptionalLong.of(250_000), OptionalLong.of(250_000),
        OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty()));
    return b;
  }

  /**
   * The network between the client and the portal: each call travels for the next of
   * {@link #OUTBOUND_MILLIS} after the budget let it go, and its answer for {@link #BACK} before the
   * budget hears of it. Time passes as virtual sleeps of the calling thread.
   */
  private static final class InTransit implements RateBudget {
    private final RateBudget budget;
    private final VirtualTime time;
    private final AtomicInteger sent = new AtomicInteger();

    InTransit(RateBudget budget, VirtualTime time) {
      this.budget = budget;
      this.time = time;
    }

    @Override
    public void acquire(CallKind kind) {
      budget.acquire(kind);
      travel(Duration.ofMillis(OUTBOUND_MILLIS[Math.floorMod(sent.getAndIncrement(), OUTBOUND_MILLIS.length)]));
    }

    @Override
    public boolean tryAcquire(CallKind kind) {
      throw new UnsupportedOperationException("the client only acquires");
    }

    @Override
    public void onResponse(CallKind kind, RateLimitHeaders headers) {
      travel(BACK);
      budget.onResponse(kind, headers);
    }

    @Override
    public Duration onThrottled(CallKind kind, ThrottlePolicy policy, Duration retryAfter) {
      return budget.onThrottled(kind, policy, retryAfter);
    }

    @Override
    public void onNoResponse(CallKind kind) {
      budget.onNoResponse(kind);
    }

    @Override
    public Usage usage() {
      return budget.usage();
    }

    private void travel(Duration d) {
      try {
        time.sleep(d);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
