package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The test utility {@link VirtualTime} (it lives in {@code dev.hubspotsync}; tested here beside its first user). */
class VirtualTimeTest {
  private static final Instant T0 = Instant.parse("2026-03-02T15:00:00Z");
  private final VirtualTime time = VirtualTime.at(T0);

  @Test
  void aThreadThatIsNotAParticipantMovesTheClockAtOnce() throws InterruptedException {
    time.sleep(Duration.ofMillis(1500));
    time.sleep(Duration.ZERO);
    time.sleep(Duration.ofSeconds(-1));

    assertThat(time.instant()).isEqualTo(T0.plusMillis(1500));
    assertThat(time.millis()).isEqualTo(T0.toEpochMilli() + 1500);
    assertThat(time.sleeps()).isEqualTo(1);
  }

  @Test
  void theClockJumpsToTheEarliestWakeUpOnceEveryParticipantSleeps() {
    List<String> events = Collections.synchronizedList(new ArrayList<>());

    long[][] plans = {{5_000}, {2_000, 2_000}, {2_000, 500}};
    time.run(3, i -> {
      for (long s : plans[i]) {
        sleep(Duration.ofMillis(s));
        events.add(i + " woke at " + sinceT0());
      }
    });

    assertThat(events.subList(0, 2)).containsExactlyInAnyOrder("1 woke at 2000", "2 woke at 2000");
    assertThat(events.subList(2, 5)).containsExactly("2 woke at 2500", "1 woke at 4000", "0 woke at 5000");
    assertThat(time.instant()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void aParticipantThatIsWorkingHoldsTimeStill() {
    AtomicBoolean sawTimeStill = new AtomicBoolean();
    List<String> events = Collections.synchronizedList(new ArrayList<>());

    time.run(2, i -> {
      if (i == 0) {
        sleep(Duration.ofSeconds(1));
        events.add("0 woke at " + sinceT0());
      } else {
        while (time.sleeps() < 1) {
          Thread.onSpinWait(); // thread 0 is asleep; this one "works", so time must not move
        }
        sawTimeStill.set(time.instant().equals(T0));
        sleep(Duration.ofSeconds(3));
        events.add("1 woke at " + sinceT0());
      }
    });

    assertThat(sawTimeStill).isTrue();
    assertThat(events).containsExactly("0 woke at 1000", "1 woke at 3000");
  }

  @Test
  void aParticipantLeavingLetsTheOthersSleepOn() {
    List<String> events = Collections.synchronizedList(new ArrayList<>());

    time.run(2, i -> {
      if (i == 0) {
        sleep(Duration.ofSeconds(7));
        events.add("0 woke at " + sinceT0());
      } else {
        while (time.sleeps() < 1) {
          Thread.onSpinWait();
        }
        events.add("1 done at " + sinceT0());
      }
    });

    assertThat(events).containsExactly("1 done at 0", "0 woke at 7000");
  }

  @Test
  void participateRegistersTheCallingThreadUntilClosed() throws InterruptedException {
    VirtualTime.Participation outer = time.participate();
    VirtualTime.Participation inner = time.participate();
    inner.close();
    inner.close();
    assertThat(time.toString()).contains("participants=1");
    time.sleep(Duration.ofSeconds(2)); // the only participant, so its sleep advances time
    outer.close();

    assertThat(time.toString()).contains("participants=0");
    assertThat(time.instant()).isEqualTo(T0.plusSeconds(2));
  }

  @Test
  void aParticipationIsClosedByItsOwnThread() throws InterruptedException {
    VirtualTime.Participation p = time.participate();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread other = new Thread(() -> {
      try {
        p.close();
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    other.start();
    other.join();
    p.close();

    assertThat(failure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed by its own thread");
  }

  @Test
  void itDrivesAPortalClock() throws InterruptedException {
    PortalClock portal = PortalClock.fixed(T0.minusSeconds(5));
    VirtualTime driving = VirtualTime.at(T0).drive(portal);
    assertThat(portal.now()).isEqualTo(T0);

    driving.sleep(Duration.ofMillis(1500));
    assertThat(portal.now()).isEqualTo(T0.plusMillis(1500));
    driving.advance(Duration.ofSeconds(10));
    assertThat(portal.now()).isEqualTo(T0.plusMillis(11_500));

    PortalClock other = PortalClock.fixed(T0);
    VirtualTime follower = VirtualTime.driving(other);
    follower.advanceTo(T0.plusSeconds(3));
    assertThat(other.now()).isEqualTo(T0.plusSeconds(3));

    assertThatThrownBy(() -> VirtualTime.at(T0).drive(PortalClock.fixed(T0.plusSeconds(1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is ahead of the virtual time");
  }

  @Test
  void listenersSeeEveryAdvance() {
    List<Instant> seen = new ArrayList<>();
    time.onAdvance(seen::add);
    time.advance(Duration.ofSeconds(1));
    time.advance(Duration.ZERO);
    time.advanceTo(T0.plusSeconds(4));

    assertThat(seen).containsExactly(T0.plusSeconds(1), T0.plusSeconds(4));
    assertThatThrownBy(() -> time.advanceTo(T0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot go backwards");
  }

  @Test
  void aZoneViewSharesTheTime() {
    Clock newYork = time.withZone(ZoneId.of("America/New_York"));
    time.advance(Duration.ofHours(1));

    assertThat(newYork.instant()).isEqualTo(time.instant());
    assertThat(newYork.getZone()).isEqualTo(ZoneId.of("America/New_York"));
    assertThat(time.getZone()).isEqualTo(ZoneId.of("Z"));
  }

  @Test
  void aFailureInAThreadIsRethrownAfterTheOthersFinish() {
    List<String> events = Collections.synchronizedList(new ArrayList<>());

    assertThatThrownBy(() -> time.run(2, i -> {
      if (i == 0) {
        throw new IllegalStateException("boom");
      }
      sleep(Duration.ofSeconds(3));
      events.add("1 finished");
    })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(events).containsExactly("1 finished");
  }

  @Test
  void aSleepingParticipantCanBeInterrupted() {
    AtomicReference<Thread> sleeper = new AtomicReference<>();
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean handled = new AtomicBoolean();

    time.run(2, i -> {
      if (i == 0) {
        sleeper.set(Thread.currentThread());
        try {
          time.sleep(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
          interrupted.set(true);
        }
        handled.set(true);
      } else {
        while (time.sleeps() < 1) {
          Thread.onSpinWait();
        }
        sleeper.get().interrupt();
        while (!handled.get()) {
          Thread.onSpinWait();
        }
      }
    });

    assertThat(interrupted).isTrue();
    assertThat(time.instant()).as("no time passed").isEqualTo(T0);
  }

  @Test
  void aStuckParticipantIsReportedRatherThanHangingTheTest() {
    VirtualTime stuck = VirtualTime.at(T0).realTimeLimit(Duration.ofMillis(200));
    CountDownLatch never = new CountDownLatch(1);

    assertThatThrownBy(() -> stuck.run(1, () -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    })).isInstanceOf(AssertionError.class)
        .hasMessageContaining("did not finish within PT0.2S of real time")
        .hasMessageContaining("virtual-time-0: running");
  }

  @Test
  void runRefusesAParticipantCaller() {
    try (VirtualTime.Participation p = time.participate()) {
      assertThatThrownBy(() -> time.run(1, () -> { })).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("called by a participant");
      assertThat(p).isNotNull();
    }
  }

  private long sinceT0() {
    return Duration.between(T0, time.instant()).toMillis();
  }

  private void sleep(Duration d) {
    try {
      time.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
