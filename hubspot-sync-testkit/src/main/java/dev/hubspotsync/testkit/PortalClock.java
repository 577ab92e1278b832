package dev.hubspotsync.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated portal's notion of now, in milliseconds. Record timestamps, search-index lag, OAuth
 * token expiry, rate-limit windows and the daily reset all read it, so a test that advances it moves
 * all of them at once, with no real waiting.
 *
 * <p>A {@linkplain #fixed(Instant) fixed} clock moves only when told to; a {@linkplain #system()
 * system} clock follows the wall clock plus whatever it has been advanced by. Time never goes
 * backwards. Thread-safe.
 */
public final class PortalClock {
  private final boolean followsWallClock;
  private final AtomicLong value; // fixed: the time; system: the offset added to the wall clock

  private PortalClock(boolean followsWallClock, long value) {
    this.followsWallClock = followsWallClock;
    this.value = new AtomicLong(value);
  }

  /** A clock that follows the wall clock (the default for the standalone portal). */
  public static PortalClock system() {
    return new PortalClock(true, 0);
  }

  /** A clock that stands still at {@code start} until {@link #advance} or {@link #set} moves it. */
  public static PortalClock fixed(Instant start) {
    return new PortalClock(false, start.toEpochMilli());
  }

  public long millis() {
    return followsWallClock ? System.currentTimeMillis() + value.get() : value.get();
  }

  public Instant now() {
    return Instant.ofEpochMilli(millis());
  }

  /** Moves the clock forward. */
  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("PortalClock cannot go backwards (advance by " + by + ")");
    }
    value.addAndGet(by.toMillis());
  }

  /** Moves the clock forward to {@code instant}; fails if that is in the clock's past. */
  public void set(Instant instant) {
    long delta = instant.toEpochMilli() - millis();
    if (delta < 0) {
      throw new IllegalArgumentException("PortalClock cannot go backwards: it is " + now() + ", asked for " + instant);
    }
    value.addAndGet(delta);
  }

  /** A {@link Clock} view in UTC, for code that takes a {@code java.time.Clock}. */
  public Clock asClock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("PortalClock is UTC only");
      }

      @Override
      public Instant instant() {
        return now();
      }
    };
  }

  @Override
  public String toString() {
    return "PortalClock[" + (followsWallClock ? "system" : "fixed") + ", now=" + now() + "]";
  }
}
