package dev.hubspotsync.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.Fault;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.FakeHubSpotExtension;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.Row;
import dev.hubspotsync.testkit.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How you unit-test your own pipeline: a simulated portal (FakeHubSpot, over real HTTP on
 * 127.0.0.1) seeded by the test, the in-memory sink, and virtual time, so index lag and schedules
 * pass in no time. Seed, run, edit the portal, run again, assert.
 */
class MyPipelineTest {
  /** A fresh, empty portal per test (an instance field), on a clock only the test moves. */
  @RegisterExtension
  final FakeHubSpotExtension portal = FakeHubSpotExtension.with(() -> PortalSpec.builder()
      .contacts(0).companies(0).deals(0).tickets(0).calls(0).subscriptions(0)
      .clock(PortalClock.fixed(Instant.parse("2026-11-02T09:00:00Z")))
      .build());

  private VirtualTime time;
  private HubSpotClient client;
  private InMemorySink sink;
  private ContactsPipeline pipeline;

  @BeforeEach
  void connect() {
    FakeHubSpot hubspot = portal.hubspot();
    time = VirtualTime.driving(hubspot.clock()); // the job's clock, its waits and the portal's clock move together
    client = HubSpotClient.builder()
        .baseUrl(hubspot.baseUrl())
        .credentials(HubSpotCredentials.privateApp(hubspot.token()))
        .clock(time).sleeper(time)
        .rateBudget(RateBudget.tokenBucket().clock(time).sleeper(time).build())
        .build();
    sink = InMemorySink.create();
    pipeline = new ContactsPipeline(client, sink, () -> sink.rows("contacts").stream().map(Row::values).toList(), time);
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void theFunnelFollowsThePortalRunAfterRun(FakeHubSpot hubspot) {
    long ada = contact(hubspot, "ada@example.com", "lead");
    long bob = contact(hubspot, "bob@example.com", "lead");
    contact(hubspot, "cy@example.com", "customer");
    time.advance(Duration.ofMinutes(5)); // search shows changes only after its index lag

    ContactsPipeline.Result first = pipeline.run();

    assertThat(first.report().stream("contacts").mode()).isEqualTo("backfill");
    assertThat(first.contactsPerStage()).containsExactly(entry("customer", 1L), entry("lead", 2L));

    hubspot.portal().update("contacts", ada, Map.of("lifecyclestage", "customer"));
    hubspot.portal().archive("contacts", bob);                       // a delete: HubSpot's recycle bin
    contact(hubspot, "dee@example.com", null);
    time.advance(Duration.ofMinutes(61)); // past the job's index lag (2 min) and its hourly recycle-bin pass

    ContactsPipeline.Result second = pipeline.run();

    assertThat(second.report().stream("contacts").mode()).isEqualTo("incremental");
    assertThat(second.report().stream("contacts").archivedRows()).isEqualTo(1);
    assertThat(second.contactsPerStage()).containsExactly(entry("(none)", 1L), entry("customer", 2L));
    assertThat(sink.row("contacts", bob)).hasValueSatisfying(row -> assertThat(row.archived()).isTrue());
  }

  /** HubSpot failing now and then is part of the job: the client retries, the result is the same. */
  @Test
  void serverErrorsAreRetriedAndChangeNothing(FakeHubSpot hubspot) {
    contact(hubspot, "ada@example.com", "lead");
    contact(hubspot, "bob@example.com", "opportunity");
    time.advance(Duration.ofMinutes(5));
    hubspot.faults().on(Endpoint.SEARCH).failNext(2, Fault.SERVER_ERROR_JSON);

    ContactsPipeline.Result result = pipeline.run();

    assertThat(result.contactsPerStage()).containsExactly(entry("lead", 1L), entry("opportunity", 1L));
    assertThat(hubspot.stats().faultsInjected()).as("server errors the portal answered").isEqualTo(2);
  }

  private static long contact(FakeHubSpot hubspot, String email, String stage) {
    Map<String, String> properties = new HashMap<>();
    properties.put("email", email);
    if (stage != null) {
      properties.put(ContactsPipeline.STAGE, stage);
    }
    return hubspot.portal().create("contacts", properties);
  }
}
