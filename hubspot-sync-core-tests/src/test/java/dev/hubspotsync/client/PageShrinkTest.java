package dev.hubspotsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotApiException;
import dev.hubspotsync.testkit.AssociationSnapshot;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.Fault;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: every paged or batched call halves what it asks for when HubSpot's gateway times out,
 * keeps the size that worked per endpoint and type, probes upward again, and spends no retry
 * attempt on a shrink. Over HTTP against the simulated portal, calls counted by the portal.
 */
class PageShrinkTest {
  private FakeHubSpot hubspot;

  private ClientFixture start(int contacts) {
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(contacts).companies(contacts / 10).indexLag(Duration.ZERO)
        .clock(PortalClock.fixed(Instant.parse("2026-11-01T12:00:00Z"))).build());
    return new ClientFixture(hubspot);
  }

  @AfterEach
  void stop() {
    if (hubspot != null) {
      hubspot.close();
    }
  }

  @Test
  void everyPagedOrBatchedCallHalvesOnAGatewayTimeoutAndKeepsTheSizeThatWorked() {
    ClientFixture f = start(300);
    hubspot.faults().everywhere().gatewayTimeoutAbove(50);
    HubSpotClient client = f.client();
    List<Long> ids = hubspot.portal().ids("contacts").subList(0, 100);

    BatchReadResult read = client.batchRead("contacts", ids, List.of("email"), false);
    assertThat(read.found()).extracting(CrmRecord::id).containsExactlyElementsOf(ids); // merged, in order
    assertThat(hubspot.stats().calls(Endpoint.BATCH_READ)).as("100 → 504, then 50 + 50").isEqualTo(3);
    client.batchRead("contacts", ids, List.of("email"), false);
    assertThat(hubspot.stats().calls(Endpoint.BATCH_READ)).as("the next batch goes in two halves at once").isEqualTo(5);

    Map<Long, List<AssociationLink>> links = client.associations("contacts", "companies", ids);
    assertThat(links.keySet()).containsExactlyElementsOf(ids);
    Set<Long> asked = Set.copyOf(ids);
    assertThat(links.entrySet().stream().flatMap(e -> e.getValue().stream().map(l -> List.of(e.getKey(), l.toId())))
        .collect(Collectors.toSet()))
        .isEqualTo(hubspot.snapshot().associations("contacts", "companies").stream().filter(a -> asked.contains(a.fromId()))
            .map(a -> List.of(a.fromId(), a.toId())).collect(Collectors.toSet()));
    assertThat(hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).isEqualTo(3);
    client.associations("contacts", "companies", ids);
    assertThat(hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).isEqualTo(5);

    SearchPage first = client.search("contacts", SearchRequest.builder().limit(200).build());
    assertThat(first.results()).hasSize(50);
    assertThat(hubspot.stats().calls(Endpoint.SEARCH)).as("200 → 504, 100 → 504, 50").isEqualTo(3);
    SearchPage second = client.search("contacts", SearchRequest.builder().limit(200).after(first.nextAfter()).build());
    assertThat(second.results()).hasSize(50).extracting(CrmRecord::id)
        .doesNotContainAnyElementsOf(first.results().stream().map(CrmRecord::id).toList());
    assertThat(hubspot.stats().calls(Endpoint.SEARCH)).as("the next page asks for 50 at once").isEqualTo(4);

    ObjectPage page = client.listPage("contacts", List.of(), 100, null, false);
    client.listPage("contacts", List.of(), 100, page.nextAfter(), false);
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(3);

    assertThat(client.pageSizes()).containsExactlyInAnyOrderEntriesOf(Map.of("BATCH_READ contacts", 50,
        "ASSOCIATIONS_BATCH_READ contacts→companies", 50, "SEARCH contacts", 50, "LIST contacts", 50));
    assertThat(f.waits).as("a shrink does not wait").isEmpty();
  }

  @Test
  void aShrinkDoesNotSpendARetryAttempt() {
    ClientFixture f = start(300);
    hubspot.faults().everywhere().gatewayTimeoutAbove(50);
    hubspot.faults().on(Endpoint.SEARCH).failNext(3, Fault.CONNECTION_RESET);

    // three resets (three of four attempts), then two shrinks: the old loop gave up on the second shrink
    SearchPage page = f.client().search("contacts", SearchRequest.builder().limit(200).build());

    assertThat(page.results()).hasSize(50);
    assertThat(hubspot.stats().calls(Endpoint.SEARCH)).isEqualTo(6);
    assertThat(f.waits).as("backoff after each reset only").hasSize(3);
  }

  @Test
  void oneItemThatStillTimesOutIsAClearError() {
    ClientFixture f = start(300);
    hubspot.faults().on(Endpoint.BATCH_READ).failNext(10, Fault.GATEWAY_TIMEOUT); // every call times out
    List<Long> ids = hubspot.portal().ids("contacts").subList(0, 4);

    assertThatThrownBy(() -> f.client().batchRead("contacts", ids, List.of("email"), false))
        .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.HUBSPOT_UNAVAILABLE);
          assertThat(e.retryable()).isTrue();
          assertThat(e.status()).isEqualTo(504);
          assertThat(e.getMessage()).contains("batch read contacts").contains("after 4 attempts")
              .contains("even when asking for one item: contacts id " + ids.get(0))
              .contains("sync fewer properties of contacts");
        });
    assertThat(hubspot.stats().calls(Endpoint.BATCH_READ)).as("4 → 2 → 1, then four attempts of one").isEqualTo(6);
  }

  @Test
  void aRequestTimeoutOfOurOwnShrinksLikeAGatewayTimeout() {
    ClientFixture f = start(300);
    // the portal answers after 400 ms of real time; the client gives up after 100 ms
    hubspot.faults().on(Endpoint.SEARCH).latency(Duration.ofMillis(400));
    HubSpotClient client = f.builder().requestTimeout(Duration.ofMillis(100)).build();

    assertThatThrownBy(() -> client.search("contacts", SearchRequest.builder().limit(4).build()))
        .isInstanceOfSatisfying(HubSpotApiException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.HUBSPOT_UNAVAILABLE);
          assertThat(e.getMessage()).contains("search contacts").contains("after 4 attempts")
              .contains("HttpTimeoutException").contains("even when asking for one item: the search result at offset 0");
        });
    assertThat(hubspot.stats().calls(Endpoint.SEARCH)).as("4 → 2 → 1, then four attempts of one").isEqualTo(6);
    assertThat(client.pageSizes()).containsEntry("SEARCH contacts", 1);
  }

  @Test
  void theSizeIsProbedUpwardAfterCleanCallsSoASlowMinuteDoesNotShrinkTheRun() {
    ClientFixture f = start(4_000);
    HubSpotClient client = f.client();
    hubspot.faults().on(Endpoint.SEARCH).gatewayTimeoutAbove(50);
    List<Integer> sizes = new ArrayList<>();
    int after = 0;
    SearchPage page = client.search("contacts", SearchRequest.builder().limit(200).after(after).build());
    sizes.add(page.results().size());
    hubspot.faults().clear(); // the slow minute is over
    while (page.nextAfter() >= 0 && sizes.size() < 34) {
      after = page.nextAfter();
      page = client.search("contacts", SearchRequest.builder().limit(200).after(after).build());
      sizes.add(page.results().size());
    }

    List<Integer> expected = new ArrayList<>(); // the page that shrank counts as the first clean one
    for (int i = 0; i < PageSizes.PROBE_AFTER; i++) {
      expected.add(50);
    }
    expected.add(75); // midpoint to the size that failed
    for (int i = 0; i < PageSizes.PROBE_AFTER; i++) {
      expected.add(75);
    }
    expected.add(150); // that passed: double
    for (int i = 0; i < PageSizes.PROBE_AFTER; i++) {
      expected.add(150);
    }
    expected.add(200); // all the caller asks for: the search is forgotten
    expected.add(200);
    assertThat(sizes).containsExactlyElementsOf(expected);
    assertThat(client.pageSizes()).isEmpty();
  }

  @Test
  void aFailedProbeFallsBackAndWaitsLongerBeforeTheNext() {
    ClientFixture f = start(3_000);
    HubSpotClient client = f.client();
    hubspot.faults().on(Endpoint.SEARCH).gatewayTimeoutAbove(60);
    int after = 0;
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      SearchPage page = client.search("contacts", SearchRequest.builder().limit(200).after(after).build());
      sizes.add(page.results().size());
      after = page.nextAfter();
    }

    // 200 ✗, 100 ✗, 50; after 10 clean pages a probe of 75 ✗ (back to 50, the next probe after 20 more)
    assertThat(sizes).hasSize(30).containsOnly(50);
    assertThat(hubspot.stats().calls(Endpoint.SEARCH)).isEqualTo(30 + 2 + 1);
    assertThat(client.pageSizes()).containsEntry("SEARCH contacts", 50);
  }

  @Test
  void associationBatchesShrinkDownToOneParentACall() {
    ClientFixture f = start(300);
    hubspot.faults().on(Endpoint.ASSOCIATIONS_BATCH_READ).gatewayTimeoutAbove(1);
    List<Long> ids = hubspot.portal().ids("contacts").subList(0, 8);

    Map<Long, List<AssociationLink>> links = f.client().associations("contacts", "companies", ids);

    Set<Long> asked = Set.copyOf(ids);
    List<AssociationSnapshot> truth = hubspot.snapshot().associations("contacts", "companies").stream()
        .filter(a -> asked.contains(a.fromId())).toList();
    assertThat(links.values().stream().mapToInt(List::size).sum()).isEqualTo(truth.size());
    assertThat(hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).as("8 → 4 → 2 → 1, then one a call")
        .isEqualTo(3 + ids.size());
  }
}
