package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.Sleeper;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.testkit.AuthKind;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * OAuth access tokens live 30 minutes; a full association scan of a large portal takes longer
 * (airbytehq/airbyte#62467: large association reads died there). Each association read here takes
 * 12 minutes of portal time, so tokens expire again and again in the middle of the scan; the run
 * must end with the link table equal to the portal's.
 */
class TokenExpiryDuringAssociationScanTest {
  private static final String ID = "project-app-id";
  private static final String SECRET = "project-app-secret-7c1d";
  private static final String REFRESH = "refresh-token-5e2f";

  @Test
  void clientCredentialsRenewedOnEach401MidScanKeepTheScanGoing() {
    AtomicReference<FakeHubSpot> portal = new AtomicReference<>();
    try (SyncFixture f = slowAssociationReads(portal)) {
      // The client's clock stands still, so it never renews ahead of time: every expiry is HubSpot's 401.
      Clock stuck = Clock.fixed(SyncFixture.T0, ZoneOffset.UTC);
      HubSpotCredentials cc = HubSpotCredentials.clientCredentials(ID, SECRET,
          List.of("crm.objects.contacts.read", "crm.objects.deals.read", "crm.schemas.contacts.read", "crm.schemas.deals.read"));
      InMemorySink sink = InMemorySink.create();

      SyncReport report = run(f, client(f.hubspot, cc, stuck), sink);

      assertThat(report.outcome()).isEqualTo("succeeded");
      assertThat(report.association("contacts", "deals").mode()).isEqualTo("full-scan");
      f.assertLinksMatchPortal(sink, "contacts", "deals");
      long reads = f.hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ);
      long tokens = f.hubspot.tokensIssued(AuthKind.CLIENT_CREDENTIALS);
      assertThat(reads).as("association reads, each 12 minutes").isGreaterThanOrEqualTo(4);
      assertThat(tokens).as("tokens: the first and one per expiry met mid-scan").isGreaterThanOrEqualTo(2);
      assertThat(f.hubspot.tokensIssued(AuthKind.OAUTH_REFRESH_TOKEN)).isZero();
      assertThat(f.hubspot.calls(AuthKind.CLIENT_CREDENTIALS)).isGreaterThan(reads);
      assertThat(f.hubspot.calls(AuthKind.PRIVATE_APP)).isZero();
    }
  }

  @Test
  void refreshTokenRenewedAheadOfExpiryMidScanNeedsNo401() {
    AtomicReference<FakeHubSpot> portal = new AtomicReference<>();
    try (SyncFixture f = slowAssociationReads(portal)) {
      HubSpotCredentials oauth = HubSpotCredentials.oauth(ID, SECRET, REFRESH);
      InMemorySink sink = InMemorySink.create();

      SyncReport report = run(f, client(f.hubspot, oauth, f.hubspot.clock().asClock()), sink);

      assertThat(report.outcome()).isEqualTo("succeeded");
      f.assertLinksMatchPortal(sink, "contacts", "deals");
      long reads = f.hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ);
      // 12 minutes a read and renewal 5 minutes before the 30-minute expiry: a new token every three reads,
      // and never a read refused (each read was sent once: the client counted as many as the portal saw).
      assertThat(f.hubspot.tokensIssued(AuthKind.OAUTH_REFRESH_TOKEN)).isGreaterThanOrEqualTo(reads / 3);
      assertThat(report.calls().get(ApiCall.ASSOCIATIONS_BATCH_READ)).isEqualTo(reads);
    }
  }

  /** A portal whose association reads each take 12 minutes of its (virtual) time. */
  private static SyncFixture slowAssociationReads(AtomicReference<FakeHubSpot> portal) {
    Sleeper passTime = d -> portal.get().clock().advance(d);
    SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(4_000).companies(10).deals(400)
        .oauthApp(ID, SECRET, REFRESH).sleeper(passTime));
    portal.set(f.hubspot);
    f.hubspot.faults().on(Endpoint.ASSOCIATIONS_BATCH_READ).latency(Duration.ofMinutes(12));
    return f;
  }

  private static HubSpotClient client(FakeHubSpot hubspot, HubSpotCredentials credentials, Clock clientClock) {
    Sleeper sleeper = d -> hubspot.clock().advance(d);
    return HubSpotClient.builder().baseUrl(hubspot.baseUrl()).credentials(credentials).clock(clientClock).sleeper(sleeper)
        .rateBudget(RateBudget.tokenBucket().clock(hubspot.clock().asClock()).sleeper(sleeper).build()).build();
  }

  private static SyncReport run(SyncFixture f, HubSpotClient client, InMemorySink sink) {
    f.later();
    try (client) {
      return SyncJob.builder().client(client).sink(sink).addObjectTypes("contacts", "deals").addAssociation("contacts", "deals")
          .clock(f.hubspot.clock().asClock()).indexLag(Duration.ofSeconds(30)).archivedPassEvery(Duration.ZERO).build().run();
    }
  }
}
