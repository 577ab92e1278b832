package dev.hubspotsync.client;

import dev.failsafe.Execution;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import java.time.Duration;

/**
 * The client's retry policy for server errors and failed connections: at most {@code maxAttempts}
 * attempts, the first included, waiting {@code initial} and then twice as long each time up to
 * {@code max}, each wait varied by ±25 % so clients that failed together do not return together.
 * Failsafe's {@link RetryPolicy} decides; it is driven through its standalone {@link Execution}
 * (record each failure, read the next delay), so the client sleeps through its own {@link
 * dev.hubspotsync.Sleeper} and tests keep virtual time. Thread-safe; each call starts its own
 * {@link Attempts}.
 */
final class Retries {
  /** What the policy is told of a failed attempt: only that it failed (the client keeps the details). */
  private static final RuntimeException FAILED = new RuntimeException("attempt failed", null, false, false) {
    private static final long serialVersionUID = 1L;
  };
  private final RetryPolicy<Object> policy;
  private final Duration max;

  Retries(int maxAttempts, Duration initial, Duration max) {
    this.max = max;
    RetryPolicyBuilder<Object> b = RetryPolicy.builder().handle(Throwable.class).withMaxAttempts(maxAttempts);
    if (initial.isZero() || initial.compareTo(max) >= 0) {
      b.withDelay(initial.compareTo(max) > 0 ? max : initial); // Failsafe's backoff needs 0 < initial < max
    } else {
      b.withBackoff(initial, max);
    }
    if (!initial.isZero()) {
      b.withJitter(0.25);
    }
    this.policy = b.build();
  }

  /** The wait after the {@code failures}-th failed attempt of a call (1-based), or null when none is left. */
  Duration delayAfter(int failures) {
    Attempts a = start();
    Duration wait = null;
    for (int i = 0; i < failures; i++) {
      wait = a.failed();
    }
    return wait;
  }

  /** A fresh count of attempts for one call. */
  Attempts start() {
    return new Attempts(Execution.of(policy), max);
  }

  /** The failed attempts of one call. Not thread-safe: one call, one thread. */
  static final class Attempts {
    private final Execution<Object> execution;
    private final Duration max;

    private Attempts(Execution<Object> execution, Duration max) {
      this.execution = execution;
      this.max = max;
    }

    /**
     * Records a failed attempt; returns how long to wait before the next (never more than the
     * maximum: Failsafe applies its jitter after its own cap), or null when none is left.
     */
    Duration failed() {
      execution.recordException(FAILED);
      if (execution.isComplete()) {
        return null;
      }
      Duration delay = execution.getDelay();
      return delay.compareTo(max) > 0 ? max : delay;
    }

    /** Failed attempts recorded so far. */
    int failures() {
      return execution.getAttemptCount();
    }
  }
}
