package dev.hubspotsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.RateBudgetExhaustedException;
import dev.hubspotsync.testkit.VirtualTime;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RateLimitPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The client and one shared budget against the portal's real limits, in virtual time (issue 3, "Done when"). */
class SharedBudgetTest {
  private static final Instant T0 = Instant.parse("2026-11-02T15:00:00Z");

  @Test
  void eightThreadsSharingOneBudgetNeverHit429AndUseAtLeast95PercentOfTheLimit() {
    PortalClock portalClock = PortalClock.fixed(T0);
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(50).burstLimit(100)
        .indexLag(Duration.ZERO).clock(portalClock).build())) {
      VirtualTime time = VirtualTime.driving(portalClock);
      RateBudget budget = RateBudget.tokenBucket().clock(time).sleeper(time).build();
      Instant end = T0.plusSeconds(60);
      AtomicInteger calls = new AtomicInteger();
      time.run(8, i -> {
        HubSpotClient client = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
            .credentials(HubSpotCredentials.privateApp(hubspot.token())).clock(time).sleeper(time)
            .rateBudget(budget).build();
        while (true) {
          client.listPage("contacts", List.of("email"), 1, null, false);
          if (!time.instant().isBefore(end)) {
            break; // this call started at or after the 60th second
          }
          calls.incrementAndGet();
        }
      });

      assertThat(hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isZero();
      int allowed = 100 * 6;
      assertThat(calls.get()).isGreaterThanOrEqualTo(allowed * 95 / 100).isLessThanOrEqualTo(allowed);
    }
  }

  @Test
  void aJobStopsAtTheDailyCeilingAndARestartedBudgetLearnsTheDaysUsage() {
    ZoneId newYork = ZoneId.of("America/New_York");
    PortalClock portalClock = PortalClock.fixed(T0);
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(20).dailyLimit(200)
        .timeZone(newYork).indexLag(Duration.ZERO).clock(portalClock).build())) {
      VirtualTime time = VirtualTime.driving(portalClock);
      HubSpotClient job = client(hubspot, time, newYork);

      int made = 0;
      Instant resumeAt = null;
      try {
        while (made < 1000) {
          job.listPage("contacts", List.of(), 1, null, false);
          made++;
        }
      } catch (RateBudgetExhaustedException e) {
        resumeAt = e.resumeAt();
        assertThat(e.getMessage()).contains("100"); // half of the portal's 200
      }
      assertThat(made).isEqualTo(100); // dailyShare 0.5 of the learned 200
      assertThat(resumeAt).isEqualTo(Instant.parse("2026-11-03T05:00:00Z")); // midnight in New York
      assertThat(hubspot.stats().rejected(RateLimitPolicy.DAILY)).isZero();

      // "Restart": a new budget and client know nothing; the first response teaches them today's usage.
      HubSpotClient restarted = client(hubspot, time, newYork);
      long before = hubspot.stats().calls(Endpoint.LIST);
      assertThatThrownBy(() -> {
        for (int i = 0; i < 1000; i++) {
          restarted.listPage("contacts", List.of(), 1, null, false);
        }
      }).isInstanceOf(RateBudgetExhaustedException.class);
      assertThat(hubspot.stats().calls(Endpoint.LIST) - before).isLessThanOrEqualTo(1); // at most the probe
      assertThat(hubspot.stats().dailyUsed()).isLessThanOrEqualTo(101);

      // After the reset the job may go on.
      time.advanceTo(Instant.parse("2026-11-03T05:00:01Z"));
      assertThat(restarted.listPage("contacts", List.of(), 1, null, false).results()).hasSize(1);
    }
  }

  private static HubSpotClient client(FakeHubSpot hubspot, VirtualTime time, ZoneId zone) {
    return HubSpotClient.builder().baseUrl(hubspot.baseUrl()).credentials(HubSpotCredentials.privateApp(hubspot.token()))
        .clock(time).sleeper(time)
        .rateBudget(RateBudget.tokenBucket().clock(time).sleeper(time).timeZone(zone).dailyShare(0.5).build()).build();
  }
}
