package dev.hubspotsync.testkit;

import java.time.Duration;

/**
 * How the portal waits when a fault asks for latency or a slow-drip response. Tests inject one that
 * records the waits (and advances a {@link PortalClock}) instead of sleeping.
 */
@FunctionalInterface
public interface Sleeper {
  void sleep(Duration duration) throws InterruptedException;

  /** Really sleeps. */
  static Sleeper system() {
    return d -> Thread.sleep(d.toMillis());
  }
}
