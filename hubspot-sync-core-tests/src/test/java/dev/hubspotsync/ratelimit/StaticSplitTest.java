package dev.hubspotsync.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.RateBudgetExhaustedException;
import dev.hubspotsync.testkit.VirtualTime;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@code workers(n)}: the fallback split when the processes of a portal share no store. */
class StaticSplitTest {
  private final VirtualTime time = VirtualTime.at("2026-12-03T10:00:00Z");

  private static RateLimitHeaders headers(long dailyUsed, long windowUsed) {
    return new RateLimitHeaders(OptionalLong.of(250_000), OptionalLong.of(250_000 - dailyUsed), OptionalLong.of(100),
        OptionalLong.of(100 - windowUsed), OptionalLong.of(10_000));
  }

  @Test
  void eachOfFourWorkersTakesAQuarterOfTheBurstAndOfTheCeiling() {
    TokenBucketRateBudget b = RateBudget.tokenBucket().clock(time).sleeper(time).dailyCeiling(1_000).workers(4).build();
    b.acquire(CallKind.STANDARD);
    // The other three workers' calls fill their shares of HubSpot's window: not held against this one.
    b.onResponse(CallKind.STANDARD, headers(74, 74));
    assertThat(b.usage().burstLimit()).isEqualTo(24);
    assertThat(b.usage().dailyCeiling()).isEqualTo(250);

    long start = time.millis();
    for (int i = 1; i < 24; i++) {
      b.acquire(CallKind.STANDARD);
      b.onResponse(CallKind.STANDARD, headers(74 + i, 74 + i));
    }
    assertThat(time.millis()).as("the slice's 24 calls went without waiting").isEqualTo(start);
    b.acquire(CallKind.STANDARD);
    assertThat(Duration.ofMillis(time.millis() - start)).as("the 25th waits for the window").isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aWorkerStopsAtItsShareOfTheDailyCeiling() {
    TokenBucketRateBudget b = RateBudget.tokenBucket().clock(time).sleeper(time).dailyCeiling(40).workers(4).build();
    for (int i = 0; i < 10; i++) {
      b.acquire(CallKind.BURST_EXEMPT);
      b.onResponse(CallKind.BURST_EXEMPT, headers(i + 1, 0));
    }
    assertThatThrownBy(() -> b.acquire(CallKind.BURST_EXEMPT)).isInstanceOf(RateBudgetExhaustedException.class)
        .hasMessageContaining("10 of 10 calls").hasMessageContaining("split among workers 4");
  }
}
