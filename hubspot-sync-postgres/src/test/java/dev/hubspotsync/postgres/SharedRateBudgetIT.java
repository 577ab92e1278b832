package dev.hubspotsync.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.RateBudgetExhaustedException;
import dev.hubspotsync.ratelimit.BudgetLeases;
import dev.hubspotsync.ratelimit.CallKind;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.ratelimit.RateLimitHeaders;
import dev.hubspotsync.ratelimit.SharedRateBudget;
import dev.hubspotsync.testkit.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Shared rate budgets of several "processes" (one budget each, as each process would build) over a
 * real PostgreSQL, in virtual time: the slices of the burst never add up to more than the limit,
 * the day's ceiling is never crossed, a budget that stops renewing (killed) frees its slice once
 * its lease lapses, and portals are independent. A simulated HubSpot counts every call in its
 * rolling window and day and answers with its headers.
 */
class SharedRateBudgetIT {
  private static final int LIMIT = 100;
  private static final Duration RENEW = Duration.ofSeconds(1);
  private static final Duration TTL = Duration.ofSeconds(12);

  private final VirtualTime time = VirtualTime.at("2026-12-03T10:00:00Z");
  private String schema;
  private PostgresBudgetLeases leases;

  @BeforeEach
  void setUp() {
    schema = TestPostgres.newSchema("budget");
    leases = PostgresBudgetLeases.builder().dataSource(TestPostgres.dataSource()).schema(schema).build();
  }

  @AfterEach
  void tearDown() {
    leases.close();
    TestPostgres.dropSchema(schema);
  }

  /** HubSpot as the budgets see it: one window per portal, the day's count, and a 429 count. */
  static final class Portal {
    final ArrayDeque<Long> window = new ArrayDeque<>();
    long today;
    long rejected;
    int maxInWindow;

    RateLimitHeaders call(long now) {
      while (!window.isEmpty() && window.peekFirst() <= now - 10_000) {
        window.pollFirst();
      }
      if (window.size() >= LIMIT) {
        rejected++;
      }
      window.addLast(now);
      today++;
      maxInWindow = Math.max(maxInWindow, window.size());
      return new RateLimitHeaders(OptionalLong.of(250_000), OptionalLong.of(250_000 - today), OptionalLong.of(LIMIT),
          OptionalLong.of(Math.max(0, LIMIT - window.size())), OptionalLong.of(10_000));
    }
  }

  private SharedRateBudget budget(String portal, String holder, long dailyCeiling) {
    return RateBudget.shared(leases, RateBudget.tokenBucket().clock(time).sleeper(time).dailyCeiling(dailyCeiling))
        .portal(portal).holder(holder).renewEvery(RENEW).leaseTtl(TTL).build();
  }

  /** Each live budget tries a standard call every {@code stepMillis}; answered at once. Returns calls per budget. */
  private long[] drive(List<SharedRateBudget> budgets, List<Portal> portals, Duration span, long stepMillis) {
    long[] calls = new long[budgets.size()];
    long end = time.millis() + span.toMillis();
    while (time.millis() < end) {
      for (int i = 0; i < budgets.size(); i++) {
        SharedRateBudget b = budgets.get(i);
        if (b != null && b.tryAcquire(CallKind.STANDARD)) {
          calls[i]++;
          b.onResponse(CallKind.STANDARD, portals.get(i).call(time.millis()));
        }
      }
      time.advance(Duration.ofMillis(stepMillis));
    }
    return calls;
  }

  @Test
  void fourProcessesShareTheBurstWithoutCrossingIt() {
    Portal hubSpot = new Portal();
    List<SharedRateBudget> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(budget("portal-1", "p" + i, 1_000_000));
    }
    List<Portal> same = List.of(hubSpot, hubSpot, hubSpot, hubSpot);
    drive(four, same, Duration.ofSeconds(40), 20); // joining: the first one's calls age out
    long before = hubSpot.today;
    long[] calls = drive(four, same, Duration.ofSeconds(60), 20);

    assertThat(hubSpot.rejected).as("429s").isZero();
    assertThat(hubSpot.maxInWindow).isLessThanOrEqualTo(LIMIT - 2);
    double used = (hubSpot.today - before) / (6.0 * LIMIT);
    assertThat(used).as("share of the burst used in steady state").isGreaterThanOrEqualTo(0.9);
    for (int i = 0; i < 4; i++) {
      assertThat(four.get(i).share().burstSlice()).as("slice of p" + i).isBetween(24, 25);
      assertThat(calls[i]).as("calls of p" + i).isBetween(130L, 155L);
      assertThat(four.get(i).share().processes()).isEqualTo(4);
    }
  }

  @Test
  void aKilledProcessFreesItsSliceWhenItsLeaseLapses() {
    Portal hubSpot = new Portal();
    List<SharedRateBudget> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(budget("portal-1", "p" + i, 1_000_000));
    }
    List<Portal> same = List.of(hubSpot, hubSpot, hubSpot, hubSpot);
    drive(four, same, Duration.ofSeconds(40), 20);
    Instant killedAt = time.instant();
    four.set(3, null); // SIGKILL: no close, no more renewals

    Instant tookOver = null;
    while (tookOver == null && time.instant().isBefore(killedAt.plusSeconds(60))) {
      drive(four, same, Duration.ofMillis(200), 20);
      int slices = four.stream().filter(b -> b != null).mapToInt(b -> b.share().burstSlice()).sum();
      if (slices == LIMIT - 2) {
        tookOver = time.instant();
      }
    }
    assertThat(tookOver).as("the three live ones hold the whole burst").isNotNull();
    assertThat(Duration.between(killedAt, tookOver)).isLessThanOrEqualTo(TTL.plus(RENEW).plusSeconds(1))
        .isGreaterThanOrEqualTo(TTL.minus(RENEW));
    long before = hubSpot.today;
    drive(four, same, Duration.ofSeconds(30), 20);
    assertThat(hubSpot.rejected).isZero();
    assertThat((hubSpot.today - before) / (3.0 * LIMIT)).isGreaterThanOrEqualTo(0.9);
    assertThat(four.get(0).share().processes()).isEqualTo(3);
  }

  @Test
  void theDailyCeilingIsNeverCrossedAndEveryClaimIsSpent() {
    Portal hubSpot = new Portal();
    List<SharedRateBudget> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(budget("portal-1", "p" + i, 333));
    }
    drive(four, List.of(hubSpot, hubSpot, hubSpot, hubSpot), Duration.ofSeconds(60), 20);

    assertThat(hubSpot.today).isEqualTo(333);
    for (SharedRateBudget b : four) {
      assertThatThrownBy(() -> b.acquire(CallKind.BURST_EXEMPT)).isInstanceOf(RateBudgetExhaustedException.class)
          .hasMessageContaining("portal portal-1").hasMessageContaining("333 of 333 calls claimed")
          .satisfies(e -> assertThat(((RateBudgetExhaustedException) e).resumeAt()).isEqualTo(Instant.parse("2026-12-04T00:00:00Z")));
    }
    assertThat(hubSpot.today).isEqualTo(333);
  }

  @Test
  void callsOfOtherIntegrationsThatHubSpotReportsCountTowardTheCeiling() {
    Portal hubSpot = new Portal();
    hubSpot.today = 200; // made today by another integration of the account, or before the budget was shared
    List<SharedRateBudget> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(budget("portal-1", "p" + i, 333));
    }
    drive(four, List.of(hubSpot, hubSpot, hubSpot, hubSpot), Duration.ofSeconds(40), 20);

    assertThat(hubSpot.today).as("the portal's count: HubSpot's headers are the truth").isBetween(325L, 333L);
    assertThat(hubSpot.rejected).isZero();
  }

  @Test
  void closingGivesUnspentClaimsBackAndTheSliceAfterAWindow() {
    Portal hubSpot = new Portal();
    SharedRateBudget first = budget("portal-1", "a", 1_000);
    SharedRateBudget second = budget("portal-1", "b", 1_000);
    drive(List.of(first, second), List.of(hubSpot, hubSpot), Duration.ofSeconds(30), 50);
    long spent = first.share().dailySpent();
    assertThat(first.share().dailyClaimed()).isGreaterThan(spent);
    first.close();

    BudgetLeases.State state = leases.read("portal-1", LocalDate.parse("2026-12-03"), time.instant());
    BudgetLeases.Lease leaving = state.leases().stream().filter(l -> l.holder().equals("a")).findFirst().orElseThrow();
    assertThat(leaving.dailyClaimed()).isEqualTo(spent);
    assertThat(leaving.wantsBurst()).isFalse();
    assertThat(state.day().granted()).isEqualTo(spent + second.share().dailyClaimed());
    assertThatThrownBy(() -> first.acquire(CallKind.STANDARD)).hasMessageContaining("was closed");

    drive(List.of(second), List.of(hubSpot), Duration.ofSeconds(15), 50);
    assertThat(second.share().burstSlice()).isEqualTo(LIMIT - 2);
    assertThat(second.share().processes()).isEqualTo(1);
    assertThat(hubSpot.rejected).isZero();
  }

  @Test
  void portalsAreIndependent() {
    Portal one = new Portal();
    Portal two = new Portal();
    List<SharedRateBudget> six = new ArrayList<>();
    List<Portal> hubSpots = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      six.add(budget(i < 3 ? "portal-1" : "portal-2", "p" + i, 1_000_000));
      hubSpots.add(i < 3 ? one : two);
    }
    drive(six, hubSpots, Duration.ofSeconds(40), 20);
    long before1 = one.today;
    long before2 = two.today;
    drive(six, hubSpots, Duration.ofSeconds(30), 20);

    for (Portal p : List.of(one, two)) {
      assertThat(p.rejected).isZero();
    }
    assertThat((one.today - before1) / (3.0 * LIMIT)).isGreaterThanOrEqualTo(0.9);
    assertThat((two.today - before2) / (3.0 * LIMIT)).isGreaterThanOrEqualTo(0.9);
    for (SharedRateBudget b : six) {
      assertThat(b.share().processes()).isEqualTo(3);
      assertThat(b.share().burstSlice()).isBetween(32, 33);
    }
  }

  @Test
  void aProcessThatOnlyReadsAssociationsHoldsNoSliceOfTheBurst() {
    Portal hubSpot = new Portal();
    SharedRateBudget objects = budget("portal-1", "objects", 1_000_000);
    SharedRateBudget links = budget("portal-1", "links", 1_000_000);
    long end = time.millis() + 30_000;
    while (time.millis() < end) {
      if (objects.tryAcquire(CallKind.STANDARD)) {
        objects.onResponse(CallKind.STANDARD, hubSpot.call(time.millis()));
      }
      if (links.tryAcquire(CallKind.BURST_EXEMPT)) {
        links.onResponse(CallKind.BURST_EXEMPT, RateLimitHeaders.NONE);
      }
      time.advance(Duration.ofMillis(20));
    }
    assertThat(objects.share().burstSlice()).isEqualTo(LIMIT - 2);
    assertThat(links.share().burstSlice()).isZero();
    assertThat(links.share().processes()).isEqualTo(2);
    assertThat(hubSpot.rejected).isZero();
  }
}
