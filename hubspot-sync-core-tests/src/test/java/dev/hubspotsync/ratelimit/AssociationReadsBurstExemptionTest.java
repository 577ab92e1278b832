package dev.hubspotsync.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RateLimitPolicy;
import dev.hubspotsync.testkit.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HubSpot's spec exempts the association batch read from the ten-secondly limit (hubspot-api.md
 * §10.2): the budget holds no burst slot for it and the portal does not count it in the window, so
 * an association scan runs beside streams that use the whole burst, without waiting and without 429s.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AssociationReadsBurstExemptionTest {
  private static final Instant T0 = Instant.parse("2026-03-02T15:00:00Z");

  @Test
  void scansOfThreeThousandParentsSpendNoBurstSlotsBesideAStreamThatUsesThemAll() {
    PortalClock clock = PortalClock.fixed(T0);
    VirtualTime time = VirtualTime.driving(clock);
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(3_000).companies(10).deals(100)
        .tickets(0).calls(0).subscriptions(0).burstLimit(20).retryAfterShare(0).indexLag(Duration.ZERO).clock(clock)
        .build())) {
      HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
          .credentials(HubSpotCredentials.privateApp(hubspot.token())).clock(time).sleeper(time)
          .rateBudget(RateBudget.tokenBucket().clock(time).sleeper(time).build()).build();
      List<Long> parents = hubspot.portal().ids("contacts");
      Instant end = T0.plusSeconds(30);
      AtomicInteger lists = new AtomicInteger();
      AtomicReference<Duration> scansTook = new AtomicReference<>();

      time.run(2, stream -> {
        if (stream == 0) { // a standard stream, as fast as the burst allows
          while (time.instant().isBefore(end)) {
            client.listPage("deals", List.of("dealname"), 1, null, false);
            lists.incrementAndGet();
          }
          return;
        }
        try {
          time.sleep(Duration.ofSeconds(5)); // by now the standard stream keeps the window full
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        Instant start = time.instant();
        for (int scan = 0; scan < 10; scan++) {
          assertThat(client.associations("contacts", "deals", parents)).hasSize(3_000);
        }
        scansTook.set(Duration.between(start, time.instant()));
      });

      assertThat(scansTook.get()).as("ten scans of 3,000 parents beside a full burst window waited for nothing")
          .isZero();
      assertThat(hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).as("1,000 parents a call").isEqualTo(30);
      assertThat(hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).as("429s from the portal").isZero();
      // 18 a window (limit 20, headroom 2), each slot held until 10 s after its answer: three windows in 30 s
      assertThat(lists.get()).as("the standard stream kept every burst slot").isBetween(54, 72);
    }
  }
}
