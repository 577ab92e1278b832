package dev.hubspotsync;

import java.time.Duration;

/**
 * How hubspot-sync waits: rate pacing, retry backoff. Inject one that advances a virtual clock to
 * test waiting logic without real waits.
 */
@FunctionalInterface
public interface Sleeper {
  /** Waits for {@code duration}; may return early only by throwing InterruptedException. */
  void sleep(Duration duration) throws InterruptedException;

  /** Really sleeps. */
  static Sleeper system() {
    return d -> {
      if (!d.isNegative() && !d.isZero()) {
        Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
      }
    };
  }
}
