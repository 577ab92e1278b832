package dev.hubspotsync.ratelimit;

import static dev.hubspotsync.ratelimit.CallKind.SEARCH;
import static dev.hubspotsync.ratelimit.CallKind.STANDARD;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.RateBudgetExhaustedException;
import dev.hubspotsync.testkit.VirtualTime;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenBucketRateBudgetTest {
  /** A Monday, 10:00 in New York (EST, UTC−5). */
  private static final Instant T0 = Instant.parse("2026-03-02T15:00:00Z");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  /** The next midnight in New York after T0. */
  private static final Instant NEW_YORK_MIDNIGHT = Instant.parse("2026-03-03T05:00:00Z");

  private final VirtualTime time = VirtualTime.at(T0);
  private final CapturedLog log = new CapturedLog();

  @AfterEach
  void restoreStderr() {
    log.close();
  }

  private TokenBucketRateBudget.Builder budget() {
    return RateBudget.tokenBucket().clock(time).sleeper(time);
  }

  // ---- burst window ----

  @Test
  void burstWindowIsRespectedExactly() {
    RateBudget b = budget().burstLimit(10).burstHeadroom(0).build();
    learn(b, 250_000, 0);

    List<Duration> at = new ArrayList<>();
    for (int i = 0; i < 19; i++) {
      b.acquire(STANDARD);
      at.add(sinceT0());
    }

    assertThat(at.subList(0, 9)).as("calls 2-10 fit beside the first").containsOnly(Duration.ZERO);
    assertThat(at.get(9)).as("the 11th waits exactly until the first leaves the window").isEqualTo(Duration.ofSeconds(10));
    assertThat(at.subList(9, 19)).containsOnly(Duration.ofSeconds(10));
  }

  @Test
  void windowRollsRatherThanResettingInBuckets() {
    RateBudget b = budget().burstLimit(3).burstHeadroom(0).build();
    learn(b, 250_000, 0);           // t = 0
    time.advance(Duration.ofSeconds(4));
    b.acquire(STANDARD);            // t = 4
    time.advance(Duration.ofSeconds(2));
    b.acquire(STANDARD);            // t = 6

    b.acquire(STANDARD);
    assertThat(sinceT0()).as("waits for the call at 0 s to leave").isEqualTo(Duration.ofSeconds(10));
    b.acquire(STANDARD);
    assertThat(sinceT0()).as("then for the call at 4 s").isEqualTo(Duration.ofSeconds(14));
  }

  @Test
  void headroomIsLeftUnused() {
    RateBudget b = budget().burstLimit(10).burstHeadroom(2).build();
    learn(b, 250_000, 0);

    assertThat(b.usage().burstLimit()).isEqualTo(8);
    assertThat(callsAtOnce(b, STANDARD)).as("beside the first").isEqualTo(7);
  }

  @Test
  void headerMaxReplacesTheConfiguredBurstLimit() {
    RateBudget b = budget().build();
    assertThat(b.usage().burstLimit()).as("default 100 minus headroom 2").isEqualTo(98);

    b.acquire(STANDARD);
    b.onResponse(STANDARD, headers(250_000, 249_999, 20, 19));

    assertThat(b.usage().burstLimit()).isEqualTo(18);
    assertThat(callsAtOnce(b, STANDARD)).as("beside the first").isEqualTo(17);
    b.acquire(STANDARD);
    assertThat(sinceT0()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void remainingHeaderBelowTheLocalCountHoldsBackUntilTheWindowFrees() {
    RateBudget b = budget().burstLimit(10).burstHeadroom(0).build();
    b.acquire(STANDARD);                                      // t = 0
    b.onResponse(STANDARD, headers(250_000, 249_999, 10, 9));
    time.advance(Duration.ofSeconds(1));
    b.acquire(STANDARD);                                      // t = 1
    // The budget thinks 8 calls remain; HubSpot says 3: another process made 5.
    b.onResponse(STANDARD, headers(250_000, 249_993, 10, 3));

    assertThat(callsAtOnce(b, STANDARD)).as("only HubSpot's 3").isEqualTo(3);
    b.acquire(STANDARD);
    assertThat(sinceT0()).as("the unknown calls leave with the oldest known one")
        .isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void remainingHeaderIsReadAgainstTheWindowWhenTheRequestArrived() {
    RateBudget b = budget().burstLimit(10).burstHeadroom(0).build();
    learn(b, 250_000, 0);
    for (int call = 2; call <= 5; call++) {
      b.acquire(STANDARD);
      b.onResponse(STANDARD, headers(250_000, 250_000 - call, 10, 10 - call));
    }
    time.advance(Duration.ofMillis(9_900));
    b.acquire(STANDARD);                       // at 9.9 s HubSpot's window holds these 6 calls
    time.advance(Duration.ofMillis(200));      // the answer comes at 10.1 s, when 5 have left ours

    b.onResponse(STANDARD, headers(250_000, 249_994, 10, 4));

    assertThat(callsAtOnce(b, STANDARD)).as("no unknown calls: all 6 were ours").isEqualTo(9);
  }

  @Test
  void anotherProcessIsSeenThroughALateResponseToo() {
    RateBudget b = budget().burstLimit(10).burstHeadroom(0).build();
    learn(b, 250_000, 0);
    time.advance(Duration.ofMillis(9_900));
    b.acquire(STANDARD);
    time.advance(Duration.ofMillis(200));

    b.onResponse(STANDARD, headers(250_000, 249_990, 10, 5));   // 5 in HubSpot's window; 2 were ours

    assertThat(callsAtOnce(b, STANDARD)).isEqualTo(6);
  }

  @Test
  void remainingHeaderAboveTheLocalCountChangesNothing() {
    RateBudget b = budget().burstLimit(10).burstHeadroom(0).build();
    learn(b, 250_000, 0);
    b.acquire(STANDARD);
    b.onResponse(STANDARD, headers(250_000, 249_998, 10, 10));

    assertThat(callsAtOnce(b, STANDARD)).as("8 more: the local log is not loosened by the header").isEqualTo(8);
  }

  // ---- search ----

  @Test
  void searchHasItsOwnWindowOfFivePerSecond() {
    RateBudget b = budget().burstLimit(10).burstHeadroom(0).build();
    learn(b, 250_000, 0);
    assertThat(callsAtOnce(b, STANDARD)).isEqualTo(9);

    List<Duration> at = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      b.acquire(SEARCH);
      at.add(sinceT0());
      b.onResponse(SEARCH, RateLimitHeaders.NONE); // answered at once
    }

    assertThat(at.subList(0, 5)).as("search is exempt from the full burst window").containsOnly(Duration.ZERO);
    assertThat(at.subList(5, 10)).containsOnly(Duration.ofSeconds(1));
    assertThat(at.get(10)).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.tryAcquire(STANDARD)).as("the burst window is still full").isFalse();
    assertThat(b.usage().usedToday()).as("search counts toward the daily usage").isEqualTo(21);
  }

  @Test
  void associationReadsAreExemptFromTheBurstWindowAndCountOnlyTowardTheDay() {
    RateBudget b = budget().burstLimit(10).burstHeadroom(0).dailyCeiling(1_000).build();
    learn(b, 250_000, 0);
    assertThat(callsAtOnce(b, STANDARD)).as("the burst window is full").isEqualTo(9);

    for (int i = 0; i < 500; i++) {
      b.acquire(CallKind.BURST_EXEMPT); // 500 at once, all in flight
    }
    for (int i = 0; i < 500; i++) {
      b.onResponse(CallKind.BURST_EXEMPT, RateLimitHeaders.NONE);
    }

    assertThat(time.instant()).as("no association read waited for the burst window").isEqualTo(T0);
    assertThat(time.sleeps()).isZero();
    assertThat(b.tryAcquire(STANDARD)).as("and none took a burst slot back from the standard calls").isFalse();
    assertThat(b.usage().usedToday()).as("they count toward the daily usage").isEqualTo(510);
    for (int i = 0; i < 490; i++) {
      b.acquire(CallKind.BURST_EXEMPT);
    }
    assertThatThrownBy(() -> b.acquire(CallKind.BURST_EXEMPT)).as("the daily ceiling binds them")
        .isInstanceOf(RateBudgetExhaustedException.class);
  }

  @Test
  void journalCallsCountTowardNothing() {
    RateBudget b = budget().burstLimit(10).burstHeadroom(0).dailyCeiling(20).build();
    learn(b, 250_000, 0);
    long before = b.usage().usedToday();
    for (int i = 0; i < 100; i++) {
      b.acquire(CallKind.EXEMPT);
      b.onResponse(CallKind.EXEMPT, RateLimitHeaders.NONE);
    }
    assertThat(b.tryAcquire(CallKind.EXEMPT)).isTrue();
    b.onNoResponse(CallKind.EXEMPT);

    assertThat(time.sleeps()).as("no journal call waited").isZero();
    assertThat(b.usage().usedToday()).as("nor counted toward the day").isEqualTo(before);
    assertThat(callsAtOnce(b, STANDARD)).as("nor took a burst slot").isEqualTo(9);
  }

  @Test
  void searchPerSecondIsConfigurable() {
    RateBudget b = budget().searchPerSecond(2).build();
    learn(b, 250_000, 0);

    assertThat(callsAtOnce(b, SEARCH)).isEqualTo(2);
    b.onResponse(SEARCH, RateLimitHeaders.NONE);
    b.onResponse(SEARCH, RateLimitHeaders.NONE);
    b.acquire(SEARCH);
    assertThat(sinceT0()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void tryAcquireNeverWaits() {
    RateBudget b = budget().burstLimit(2).burstHeadroom(0).build();
    learn(b, 250_000, 0);

    assertThat(b.tryAcquire(STANDARD)).isTrue();
    assertThat(b.tryAcquire(STANDARD)).isFalse();
    assertThat(b.tryAcquire(SEARCH)).isTrue();
    assertThat(time.instant()).isEqualTo(T0);
    assertThat(time.sleeps()).isZero();
    assertThat(b.usage().usedToday()).as("a refused tryAcquire counts nothing").isEqualTo(3);
  }

  // ---- many threads ----

  @Test
  void eightThreadsSharingABudgetNeverExceedTheWindowAndUseIt() {
    assertEightThreads(Duration.ZERO);
  }

  @Test
  void eightThreadsWith250MillisecondsLatencyNeverExceedTheWindowAndUseIt() {
    assertEightThreads(Duration.ofMillis(250));
  }

  private void assertEightThreads(Duration latency) {
    RateBudget b = budget().build();
    SimulatedPortal portal = new SimulatedPortal(100, 250_000);
    List<Instant> calls = Collections.synchronizedList(new ArrayList<>());
    Instant end = T0.plusSeconds(60);

    time.run(8, i -> {
      while (time.instant().isBefore(end)) {
        b.acquire(STANDARD);
        calls.add(time.instant());
        RateLimitHeaders h = portal.admit(time.instant());
        sleep(latency);
        b.onResponse(STANDARD, h);
      }
    });

    List<Instant> sorted = calls.stream().sorted().toList();
    assertThat(portal.rejected).as("429s from the portal").isZero();
    assertThat(maxInAnySpan(sorted, Duration.ofSeconds(10))).as("calls in any 10 s").isLessThanOrEqualTo(98);
    long inMinute = sorted.stream().filter(t -> t.isBefore(end)).count();
    assertThat(inMinute).as("calls in 60 s; allowed 6 × 98 = 588").isGreaterThanOrEqualTo(559).isLessThanOrEqualTo(588);
  }

  @Test
  void fourThreadsSearchingNeverExceedFivePerSecond() {
    RateBudget b = budget().build();
    learn(b, 250_000, 0);
    List<Instant> calls = Collections.synchronizedList(new ArrayList<>());
    Instant end = T0.plusSeconds(10);

    time.run(4, i -> {
      while (time.instant().isBefore(end)) {
        b.acquire(SEARCH);
        calls.add(time.instant());
        sleep(Duration.ofMillis(120));
        b.onResponse(SEARCH, RateLimitHeaders.NONE);
      }
    });

    List<Instant> sorted = calls.stream().sorted().toList();
    assertThat(maxInAnySpan(sorted, Duration.ofSeconds(1))).isLessThanOrEqualTo(5);
    // A slot is held from the send until a second after the answer: 5 per 1.12 s.
    assertThat(sorted.stream().filter(t -> t.isBefore(end)).count()).as("of 50 allowed").isBetween(44L, 45L);
  }

  // ---- daily ceiling ----

  @Test
  void dailyCeilingRefusesWithResumeAtTheNextMidnightInThePortalsZone() {
    RateBudget b = budget().timeZone(NEW_YORK).dailyCeiling(5).build();
    learn(b, 250_000, 0);
    for (int i = 0; i < 4; i++) {
      b.acquire(STANDARD);
    }

    assertThatThrownBy(() -> b.acquire(STANDARD))
        .isInstanceOfSatisfying(RateBudgetExhaustedException.class, e -> {
          assertThat(e.resumeAt()).isEqualTo(NEW_YORK_MIDNIGHT);
          assertThat(e.code()).isEqualTo(ErrorCode.RATE_BUDGET_EXHAUSTED);
          assertThat(e.retryable()).isTrue();
        })
        .hasMessageContaining("5 of 5 calls used today")
        .hasMessageContaining("dailyCeiling 5")
        .hasMessageContaining("resets at 2026-03-03T05:00:00Z (midnight America/New_York)");
    assertThat(b.tryAcquire(STANDARD)).isFalse();
    assertThat(b.tryAcquire(SEARCH)).isFalse();
    assertThat(time.instant()).as("refused at once, without waiting").isEqualTo(T0);
    assertThat(b.usage()).as("a quarter of 98 at 100 %").isEqualTo(new RateBudget.Usage(5, 5, NEW_YORK_MIDNIGHT, 24));
  }

  @Test
  void resetFollowsTheZonesDaylightSavingRules() {
    // 2026-03-08 is the day New York moves to EDT (UTC−4).
    VirtualTime dstDay = VirtualTime.at("2026-03-08T12:00:00Z");
    RateBudget b = RateBudget.tokenBucket().clock(dstDay).sleeper(dstDay).timeZone(NEW_YORK).dailyCeiling(1).build();
    b.acquire(STANDARD);
    b.onResponse(STANDARD, daily(250_000, 249_999));

    assertThatThrownBy(() -> b.acquire(STANDARD)).isInstanceOfSatisfying(RateBudgetExhaustedException.class,
        e -> assertThat(e.resumeAt()).isEqualTo(Instant.parse("2026-03-09T04:00:00Z")));
  }

  @Test
  void usageIsUnknownUntilTheFirstResponse() {
    RateBudget b = budget().timeZone(NEW_YORK).build();

    assertThat(b.usage()).isEqualTo(new RateBudget.Usage(-1, -1, NEW_YORK_MIDNIGHT, 98));
    b.acquire(STANDARD);
    assertThat(b.usage().usedToday()).as("still unknown while the first call is out").isEqualTo(-1);
    b.onResponse(STANDARD, daily(1_000, 899));
    assertThat(b.usage()).isEqualTo(new RateBudget.Usage(101, 500, NEW_YORK_MIDNIGHT, 98));
  }

  @Test
  void untilUsageIsKnownOnlyOneCallIsInFlight() {
    RateBudget b = budget().build();
    List<String> events = Collections.synchronizedList(new ArrayList<>());

    time.run(2, i -> {
      if (i == 0) {
        b.acquire(STANDARD);
        events.add("first sent at " + sinceT0().toMillis());
        sleep(Duration.ofMillis(300));
        events.add("first answered at " + sinceT0().toMillis());
        b.onResponse(STANDARD, daily(1_000, 899));
      } else {
        sleep(Duration.ofMillis(1));
        assertThat(b.tryAcquire(STANDARD)).as("no second call while the first is out").isFalse();
        b.acquire(STANDARD);
        events.add("second sent at " + sinceT0().toMillis());
      }
    });

    assertThat(events).containsExactly("first sent at 0", "first answered at 300", "second sent at 301");
    assertThat(b.usage().usedToday()).isEqualTo(102);
  }

  @Test
  void aNewBudgetLearnsTheDaysUsageAndRefusesWhenTheCeilingIsAlreadyReached() {
    // An earlier run (another budget object) used 600 of the portal's 1,000; this one may use half.
    RateBudget b = budget().timeZone(NEW_YORK).build();
    List<String> events = Collections.synchronizedList(new ArrayList<>());

    time.run(2, i -> {
      if (i == 0) {
        b.acquire(STANDARD);
        sleep(Duration.ofMillis(300));
        b.onResponse(STANDARD, daily(1_000, 399));
        events.add("answered at " + sinceT0().toMillis());
      } else {
        sleep(Duration.ofMillis(1));
        assertThatThrownBy(() -> b.acquire(STANDARD)).isInstanceOfSatisfying(RateBudgetExhaustedException.class,
            e -> assertThat(e.resumeAt()).isEqualTo(NEW_YORK_MIDNIGHT))
            .hasMessageContaining("601 of 500 calls used today")
            .hasMessageContaining("dailyShare 50 % of the portal's daily limit of 1000");
        events.add("refused at " + sinceT0().toMillis());
      }
    });

    assertThat(events).containsExactly("answered at 300", "refused at 301");
    assertThat(b.usage().usedToday()).isEqualTo(601);
    assertThat(b.usage().dailyCeiling()).isEqualTo(500);
    assertThat(log.lines()).filteredOn(l -> l.contains("% of this budget's ceiling"))
        .singleElement().asString().contains("passed 90 %");
  }

  @Test
  void usageFromHeadersCountsTheCallsStillInFlight() {
    RateBudget b = budget().build();
    learn(b, 1_000, 0);
    b.acquire(STANDARD);
    b.acquire(STANDARD);
    b.acquire(STANDARD);
    // The first of three is answered; HubSpot has counted it and maybe not the other two.
    b.onResponse(STANDARD, daily(1_000, 998));

    assertThat(b.usage().usedToday()).isEqualTo(4);
  }

  @Test
  void anOlderResponseArrivingLateDoesNotLowerTheCount() {
    RateBudget b = budget().build();
    learn(b, 1_000, 0);
    b.acquire(STANDARD);
    b.acquire(STANDARD);
    b.onResponse(STANDARD, daily(1_000, 997));   // the later call, answered first: 3 used
    b.onResponse(STANDARD, daily(1_000, 998));   // the earlier one: its figure is older

    assertThat(b.usage().usedToday()).isEqualTo(3);
  }

  @Test
  void aMuchLowerCountMeansHubSpotsDayBegan() {
    // E.g. timeZone is set east of the portal's real zone: HubSpot resets at its own midnight.
    RateBudget b = budget().build();
    learn(b, 10_000, 3_999);
    b.acquire(STANDARD);
    b.onResponse(STANDARD, daily(10_000, 9_995));

    assertThat(b.usage().usedToday()).isEqualTo(5);
  }

  @Test
  void justAfterMidnightYesterdaysCountInALateResponseIsNotBelieved() {
    RateBudget b = budget().timeZone(NEW_YORK).build();
    time.advanceTo(NEW_YORK_MIDNIGHT.minusSeconds(1));
    learn(b, 1_000, 498);
    b.acquire(STANDARD);                         // the 500th of 500, sent at 23:59:59
    time.advanceTo(NEW_YORK_MIDNIGHT.plusSeconds(1));

    b.onResponse(STANDARD, daily(1_000, 500));   // answered after midnight, with yesterday's count

    assertThat(b.usage().usedToday()).as("yesterday's 500 would refuse every call today").isZero();
    b.acquire(STANDARD);
    b.onResponse(STANDARD, daily(1_000, 998));   // HubSpot's day began too; another app made a call
    assertThat(b.usage().usedToday()).as("above the local count, still within the first minutes").isEqualTo(1);

    time.advance(Duration.ofMinutes(5));
    b.acquire(STANDARD);
    b.onResponse(STANDARD, daily(1_000, 990));
    assertThat(b.usage().usedToday()).as("afterwards HubSpot's figure rules again").isEqualTo(10);
  }

  @Test
  void dailyShareAppliesToTheLimitLearnedFromHeaders() {
    RateBudget quarter = budget().dailyShare(0.25).build();
    assertThat(quarter.usage().dailyCeiling()).as("no limit known yet").isEqualTo(-1);
    learn(quarter, 1_000, 248);
    assertThat(quarter.usage().dailyCeiling()).isEqualTo(250);
    quarter.acquire(STANDARD);
    assertThatThrownBy(() -> quarter.acquire(STANDARD)).isInstanceOf(RateBudgetExhaustedException.class)
        .hasMessageContaining("250 of 250 calls used today (ceiling: dailyShare 25 % of the portal's daily limit of 1000)");

    RateBudget ceilingWins = budget().dailyShare(0.25).dailyCeiling(300).build();
    assertThat(ceilingWins.usage().dailyCeiling()).isEqualTo(300);
    learn(ceilingWins, 1_000, 0);
    assertThat(ceilingWins.usage().dailyCeiling()).isEqualTo(300);
  }

  @Test
  void withoutDailyHeadersTheBudgetCountsItsOwnCalls() {
    // OAuth apps get burst headers but no daily ones.
    RateBudget b = budget().dailyCeiling(3).build();
    b.acquire(STANDARD);
    b.onResponse(STANDARD, burst(110, 109));

    assertThat(b.usage()).isEqualTo(new RateBudget.Usage(1, 3, T0.plus(Duration.ofHours(9)), 108));
    b.acquire(STANDARD);
    b.acquire(STANDARD);
    assertThat(time.instant()).as("no longer one call at a time").isEqualTo(T0);
    assertThatThrownBy(() -> b.acquire(STANDARD)).isInstanceOf(RateBudgetExhaustedException.class)
        .hasMessageContaining("3 of 3 calls used today");
  }

  @Test
  void aSearchResponseTeachesNothingAndLetsTheNextCallProbe() {
    RateBudget b = budget().build();
    b.acquire(SEARCH);
    assertThat(b.tryAcquire(STANDARD)).isFalse();
    b.onResponse(SEARCH, RateLimitHeaders.NONE);

    assertThat(b.usage().usedToday()).isEqualTo(-1);
    assertThat(b.tryAcquire(STANDARD)).as("the next probe").isTrue();
    assertThat(b.tryAcquire(STANDARD)).isFalse();
    b.onNoResponse(STANDARD);
    assertThat(b.tryAcquire(STANDARD)).as("a failed call ends the probe too").isTrue();
  }

  @Test
  void aFirstCallNeverReportedBackIsTakenAsLostAfterAMinute() {
    RateBudget b = budget().build();
    b.acquire(STANDARD);

    b.acquire(STANDARD);

    assertThat(sinceT0()).isEqualTo(Duration.ofSeconds(60));
    assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("WARN").contains("got no onResponse/onNoResponse"));
  }

  // ---- 429s ----

  @Test
  void tenSecondlyThrottleWithoutRetryAfterWaitsUntilTheWindowFrees() {
    RateBudget b = budget().build();
    learn(b, 250_000, 0);                     // t = 0
    time.advance(Duration.ofSeconds(3));
    b.acquire(STANDARD);                      // t = 3
    time.advance(Duration.ofSeconds(1));

    Duration wait = b.onThrottled(STANDARD, ThrottlePolicy.TEN_SECONDLY_ROLLING, null);

    assertThat(wait).as("until the call at 0 s leaves").isEqualTo(Duration.ofSeconds(6));
    b.acquire(SEARCH);
    assertThat(sinceT0()).as("search is not held back").isEqualTo(Duration.ofSeconds(4));
    b.acquire(STANDARD);
    assertThat(sinceT0()).isEqualTo(Duration.ofSeconds(10));
    assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("WARN")
        .contains("429 (TEN_SECONDLY_ROLLING) to a STANDARD call (no Retry-After); holding back STANDARD calls for 6000 ms"));
  }

  @Test
  void tenSecondlyThrottleHonoursRetryAfterWithAtLeastOneSecond() {
    RateBudget b = budget().build();
    learn(b, 250_000, 0);

    assertThat(b.onThrottled(STANDARD, ThrottlePolicy.TEN_SECONDLY_ROLLING, Duration.ofSeconds(2)))
        .isEqualTo(Duration.ofSeconds(2));
    b.acquire(STANDARD);
    assertThat(sinceT0()).isEqualTo(Duration.ofSeconds(2));

    assertThat(b.onThrottled(STANDARD, ThrottlePolicy.TEN_SECONDLY_ROLLING, Duration.ZERO))
        .isEqualTo(Duration.ofSeconds(1));
    b.acquire(STANDARD);
    assertThat(sinceT0()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void tenSecondlyThrottleWithNoCallOfOursInTheWindowWaitsAWholeWindow() {
    RateBudget b = budget().build();
    learn(b, 250_000, 0);
    time.advance(Duration.ofSeconds(20));

    assertThat(b.onThrottled(STANDARD, ThrottlePolicy.TEN_SECONDLY_ROLLING, null)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void secondlyThrottleHoldsBackSearchOnly() {
    RateBudget b = budget().build();
    learn(b, 250_000, 0);

    assertThat(b.onThrottled(SEARCH, ThrottlePolicy.SECONDLY, null)).isEqualTo(Duration.ofSeconds(1));
    b.acquire(STANDARD);
    assertThat(sinceT0()).isEqualTo(Duration.ZERO);
    b.acquire(SEARCH);
    assertThat(sinceT0()).isEqualTo(Duration.ofSeconds(1));

    assertThat(b.onThrottled(SEARCH, ThrottlePolicy.SECONDLY, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    b.acquire(SEARCH);
    assertThat(sinceT0()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void unknownThrottleHoldsBackTheKindThatWasThrottled() {
    RateBudget b = budget().build();
    learn(b, 250_000, 0);

    assertThat(b.onThrottled(SEARCH, ThrottlePolicy.UNKNOWN, null)).isEqualTo(Duration.ofSeconds(1));
    b.acquire(STANDARD);
    assertThat(sinceT0()).isEqualTo(Duration.ZERO);
    b.acquire(SEARCH);
    assertThat(sinceT0()).isEqualTo(Duration.ofSeconds(1));

    assertThat(b.onThrottled(STANDARD, ThrottlePolicy.UNKNOWN, Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    b.acquire(STANDARD);
    assertThat(sinceT0()).isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void dailyThrottleExhaustsTheBudgetUntilTheReset() {
    RateBudget b = budget().timeZone(NEW_YORK).build();
    learn(b, 250_000, 0);

    Duration wait = b.onThrottled(STANDARD, ThrottlePolicy.DAILY, null);

    assertThat(wait).as("10:00 to midnight in New York").isEqualTo(Duration.ofHours(14));
    assertThatThrownBy(() -> b.acquire(SEARCH)).isInstanceOfSatisfying(RateBudgetExhaustedException.class,
        e -> assertThat(e.resumeAt()).isEqualTo(NEW_YORK_MIDNIGHT))
        .hasMessageContaining("429 DAILY")
        .hasMessageContaining("resets at 2026-03-03T05:00:00Z (midnight America/New_York)");
    assertThat(b.tryAcquire(STANDARD)).isFalse();
    assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("WARN").contains("429 (DAILY)"));

    time.advanceTo(NEW_YORK_MIDNIGHT);
    b.acquire(STANDARD);
    assertThat(b.usage().usedToday()).isEqualTo(1);
  }

  @Test
  void everyThrottleIsLoggedAtWarn() {
    RateBudget b = budget().build();
    learn(b, 250_000, 0);
    b.onThrottled(STANDARD, ThrottlePolicy.TEN_SECONDLY_ROLLING, null);
    b.onThrottled(SEARCH, ThrottlePolicy.SECONDLY, null);
    b.onThrottled(SEARCH, ThrottlePolicy.UNKNOWN, Duration.ofSeconds(2));

    assertThat(log.lines()).filteredOn(l -> l.contains("WARN") && l.contains("HubSpot answered 429")).hasSize(3);
  }

  // ---- pacing, logs, rollover ----

  @Test
  void pacingSlowsNearTheCeiling() {
    RateBudget b = budget().dailyCeiling(1_000).burstLimit(20).burstHeadroom(0).build();
    b.acquire(STANDARD);
    b.onResponse(STANDARD, daily(100_000, 100_000 - 900));
    assertThat(b.usage().burstLimit()).as("90 % is not above 90 %").isEqualTo(20);

    b.acquire(STANDARD);
    b.onResponse(STANDARD, daily(100_000, 100_000 - 901));
    assertThat(b.usage().burstLimit()).isEqualTo(10);
    assertThat(callsAtOnce(b, STANDARD)).as("2 already in the window").isEqualTo(8);
    assertThat(callsAtOnce(b, SEARCH)).as("search halved too").isEqualTo(2);

    b.acquire(STANDARD);
    // 971 by HubSpot's count, plus the 10 calls above that were never answered.
    b.onResponse(STANDARD, daily(100_000, 100_000 - 971));
    assertThat(b.usage().burstLimit()).isEqualTo(5);

    assertThat(log.lines()).filteredOn(l -> l.contains("Rate budget pacing")).satisfiesExactly(
        l -> assertThat(l).contains("INFO").contains("slowed to half speed: 901 of 1000 daily calls used; now 10 calls per 10 s and 2 searches per second"),
        l -> assertThat(l).contains("slowed to a quarter of full speed: 981 of 1000").contains("now 5 calls per 10 s and 1 searches"));
  }

  @Test
  void usageCrossingFiftySeventyFiveAndNinetyPercentIsLoggedOnce() {
    RateBudget b = budget().dailyCeiling(100).build();
    SimulatedPortal portal = new SimulatedPortal(100, 10_000);
    for (int i = 0; i < 95; i++) {
      b.acquire(STANDARD);
      b.onResponse(STANDARD, portal.admit(time.instant()));
    }

    assertThat(log.lines()).filteredOn(l -> l.contains("% of this budget's ceiling")).satisfiesExactly(
        l -> assertThat(l).contains("INFO").contains("passed 50 % of this budget's ceiling: 50 of 100 calls")
            .contains("resets at 2026-03-03T00:00:00Z (midnight UTC)"),
        l -> assertThat(l).contains("passed 75 % of this budget's ceiling: 75 of 100 calls"),
        l -> assertThat(l).contains("passed 90 % of this budget's ceiling: 90 of 100 calls"));
  }

  @Test
  void theDayRollsOverAtMidnightInThePortalsZone() {
    RateBudget b = budget().timeZone(NEW_YORK).dailyCeiling(4).build();
    learn(b, 250_000, 0);
    for (int i = 0; i < 3; i++) {
      b.acquire(STANDARD);
    }
    assertThat(b.usage().burstLimit()).as("quarter speed at 100 %").isEqualTo(24);
    time.advanceTo(NEW_YORK_MIDNIGHT.minusMillis(1));
    assertThatThrownBy(() -> b.acquire(STANDARD)).isInstanceOf(RateBudgetExhaustedException.class);

    time.advance(Duration.ofMillis(1));
    b.acquire(STANDARD);
    b.acquire(STANDARD);

    assertThat(b.usage()).isEqualTo(new RateBudget.Usage(2, 4, NEW_YORK_MIDNIGHT.plus(Duration.ofDays(1)), 98));
    assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("New day in America/New_York (2026-03-03)"));
    assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("back to full speed"));
    assertThat(log.lines()).as("the 50 % line is re-armed").filteredOn(l -> l.contains("passed 50 %")).hasSize(2);
  }

  // ---- errors ----

  @Test
  void interruptedAcquireThrowsAndKeepsTheFlag() {
    RateBudget b = budget().burstLimit(1).burstHeadroom(0).build();
    learn(b, 250_000, 0);

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> b.acquire(STANDARD)).isInstanceOfSatisfying(HubSpotSyncException.class,
          e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERRUPTED))
          .hasMessageContaining("Interrupted while waiting for the rate budget to allow a STANDARD call");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(b.usage().usedToday()).as("no call counted").isEqualTo(1);
  }

  @Test
  void settingsAreValidatedWithMessagesNamingThem() {
    assertBad(b -> b.dailyShare(1.5), "dailyShare must be in (0, 1], was 1.5");
    assertBad(b -> b.dailyShare(0), "dailyShare must be in (0, 1], was 0.0");
    assertBad(b -> b.dailyShare(Double.NaN), "dailyShare must be in (0, 1], was NaN");
    assertBad(b -> b.dailyCeiling(0), "dailyCeiling must be at least 1, was 0");
    assertBad(b -> b.burstLimit(0), "burstLimit must be at least 1, was 0");
    assertBad(b -> b.burstHeadroom(-1), "burstHeadroom must be at least 0, was -1");
    assertBad(b -> b.searchPerSecond(0), "searchPerSecond must be at least 1, was 0");
    assertBad(b -> b.clock(null), "clock must not be null");
    assertBad(b -> b.sleeper(null), "sleeper must not be null");
    assertBad(b -> b.timeZone(null), "timeZone must not be null");
    assertBad(b -> b.burstLimit(10).burstHeadroom(10).build(), "burstHeadroom must be less than burstLimit (10), was 10");
    assertThat(RateBudget.tokenBucket().dailyShare(1).burstLimit(1).burstHeadroom(0).build()).isNotNull();
  }

  @Test
  void toBuilderCopiesSettingsNotCounts() {
    TokenBucketRateBudget b = budget().dailyCeiling(7).burstLimit(10).burstHeadroom(1).build();
    learn(b, 250_000, 0);

    TokenBucketRateBudget copy = b.toBuilder().build();

    assertThat(copy.usage()).isEqualTo(new RateBudget.Usage(-1, 7, T0.plus(Duration.ofHours(9)), 9));
  }

  private static void assertBad(Consumer<TokenBucketRateBudget.Builder> setting, String message) {
    assertThatThrownBy(() -> setting.accept(RateBudget.tokenBucket()))
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION))
        .hasMessage(message);
  }

  // ---- helpers ----

  /** One call answered with daily headers: the portal had used {@code usedBefore} of {@code limit} before it. */
  private static void learn(RateBudget b, long limit, long usedBefore) {
    b.acquire(STANDARD);
    b.onResponse(STANDARD, daily(limit, limit - usedBefore - 1));
  }

  /** How many calls of {@code kind} the budget allows now without waiting (it counts them). */
  private static int callsAtOnce(RateBudget b, CallKind kind) {
    int n = 0;
    while (b.tryAcquire(kind)) {
      n++;
    }
    return n;
  }

  private Duration sinceT0() {
    return Duration.between(T0, time.instant());
  }

  private void sleep(Duration d) {
    try {
      time.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static RateLimitHeaders daily(long limit, long remaining) {
    return new RateLimitHeaders(OptionalLong.of(limit), OptionalLong.of(remaining), OptionalLong.empty(),
        OptionalLong.empty(), OptionalLong.empty());
  }

  static RateLimitHeaders burst(long max, long remaining) {
    return new RateLimitHeaders(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(max),
        OptionalLong.of(remaining), OptionalLong.of(10_000));
  }

  static RateLimitHeaders headers(long daily, long dailyRemaining, long max, long remaining) {
    return new RateLimitHeaders(OptionalLong.of(daily), OptionalLong.of(dailyRemaining), OptionalLong.of(max),
        OptionalLong.of(remaining), OptionalLong.of(10_000));
  }

  /** The most calls of a sorted list that fall in any span (t − span, t], HubSpot's rolling window. */
  static int maxInAnySpan(List<Instant> sorted, Duration span) {
    int max = 0;
    int first = 0;
    for (int last = 0; last < sorted.size(); last++) {
      while (!sorted.get(first).isAfter(sorted.get(last).minus(span))) {
        first++;
      }
      max = Math.max(max, last - first + 1);
    }
    return max;
  }

  /** HubSpot's side of the burst and daily limits, enough to produce headers and count would-be 429s. */
  static final class SimulatedPortal {
    private final int max;
    private final long dailyLimit;
    private final ArrayDeque<Instant> window = new ArrayDeque<>();
    private long usedToday;
    int rejected;

    SimulatedPortal(int max, long dailyLimit) {
      this.max = max;
      this.dailyLimit = dailyLimit;
    }

    synchronized RateLimitHeaders admit(Instant now) {
      while (!window.isEmpty() && !window.peekFirst().isAfter(now.minusSeconds(10))) {
        window.pollFirst();
      }
      if (window.size() >= max) {
        rejected++;
      } else {
        window.addLast(now);
        usedToday++;
      }
      return headers(dailyLimit, dailyLimit - usedToday, max, max - window.size());
    }
  }

  /** Swaps System.err, where slf4j-simple writes at each call, for a buffer. */
  static final class CapturedLog implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    CapturedLog() {
      System.setErr(new PrintStream(bytes, true, UTF_8));
    }

    List<String> lines() {
      synchronized (bytes) {
        return bytes.toString(UTF_8).lines().toList();
      }
    }

    @Override
    public void close() {
      System.setErr(original);
      original.print(bytes.toString(UTF_8));
    }
  }
}
