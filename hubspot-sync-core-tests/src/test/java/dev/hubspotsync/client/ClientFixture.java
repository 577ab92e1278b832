package dev.hubspotsync.client;

import dev.hubspotsync.Sleeper;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.testkit.FakeHubSpot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client wired to a FakeHubSpot in virtual time: every wait is recorded and advances the portal's
 * clock instead of sleeping. Single-threaded tests only.
 */
final class ClientFixture {
  final FakeHubSpot hubspot;
  final List<Duration> waits = new CopyOnWriteArrayList<>();
  final Sleeper sleeper;

  ClientFixture(FakeHubSpot hubspot) {
    this.hubspot = hubspot;
    this.sleeper = d -> {
      waits.add(d);
      hubspot.clock().advance(d);
    };
  }

  RateBudget budget() {
    return RateBudget.tokenBucket().clock(hubspot.clock().asClock()).sleeper(sleeper).build();
  }

  HubSpotClient.Builder builder() {
    return HubSpotClient.builder().baseUrl(hubspot.baseUrl())
        .credentials(HubSpotCredentials.privateApp(hubspot.token()))
        .clock(hubspot.clock().asClock()).sleeper(sleeper).rateBudget(budget());
  }

  HubSpotClient client() {
    return builder().build();
  }
}
