package dev.hubspotsync.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;

/** The backoff: doubling with ±25 % jitter, never above the maximum, and none after the last attempt. */
class RetriesTest {

  @RepeatedTest(20)
  void waitsDoubleWithJitterAndNeverExceedTheMaximum() {
    Retries.Attempts attempts = new Retries(12, Duration.ofMillis(500), Duration.ofSeconds(30)).start();
    List<Duration> waits = new ArrayList<>();
    for (Duration d = attempts.failed(); d != null; d = attempts.failed()) {
      waits.add(d);
    }

    assertThat(waits).hasSize(11); // 12 attempts: a wait after each failure but the last
    assertThat(waits.get(0)).isBetween(Duration.ofMillis(375), Duration.ofMillis(625));
    assertThat(waits.get(1)).isBetween(Duration.ofMillis(750), Duration.ofMillis(1250));
    // Failsafe jitters after its own cap (up to 37.5 s); the client caps again
    assertThat(waits).allSatisfy(w -> assertThat(w).isLessThanOrEqualTo(Duration.ofSeconds(30)));
    assertThat(waits.get(10)).isBetween(Duration.ofMillis(22_500), Duration.ofSeconds(30));
  }
}
