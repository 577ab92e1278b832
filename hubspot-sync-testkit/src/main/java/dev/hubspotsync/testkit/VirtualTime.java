package dev.hubspotsync.testkit;

import dev.hubspotsync.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Deterministic virtual time for tests: a {@link Clock} (UTC) and a {@link Sleeper} in one object.
 * Nothing ever really sleeps; time moves only as described below, so a test of a minute of rate
 * limiting runs in milliseconds and gives the same times on every run.
 *
 * <h2>Single-threaded use</h2>
 * A thread that is not a participant (see below) and calls {@link #sleep} moves the clock forward
 * by the duration at once and returns:
 * <pre>{@code
 * VirtualTime time = VirtualTime.at("2026-03-02T10:00:00Z");
 * RateBudget budget = RateBudget.tokenBucket().clock(time).sleeper(time).build();
 * budget.acquire(CallKind.STANDARD);     // any waiting advances time.instant()
 * }</pre>
 *
 * <h2>Multi-threaded use</h2>
 * Threads that take part are <em>participants</em>. The clock advances only when every participant
 * is inside {@link #sleep}; it then jumps to the earliest wake-up time among them and wakes every
 * participant due by then (the others sleep on). A participant that runs, computes, waits for a
 * lock or does I/O holds time still, exactly as if that work took no time. {@link #run(int,
 * IntConsumer)} is the easy way: it registers N threads before starting them, so none can miss
 * the start, runs them, joins them and rethrows the first failure:
 * <pre>{@code
 * List<Instant> calls = Collections.synchronizedList(new ArrayList<>());
 * Instant end = time.instant().plusSeconds(60);
 * time.run(8, i -> {
 *   while (time.instant().isBefore(end)) {
 *     budget.acquire(CallKind.STANDARD);
 *     calls.add(time.instant());
 *     budget.onResponse(CallKind.STANDARD, headers);
 *   }
 * });
 * }</pre>
 * A thread can also join by itself with {@code try (VirtualTime.Participation p = time.participate())};
 * it then takes part until {@code close()}. Mind that a participant that goes to sleep before the
 * others have registered lets the clock advance without them; {@code run} avoids that.
 *
 * <p>Threads that are not participants (say, a simulated server's threads) still move the clock
 * at once when they sleep, waking participants that become due (late, if the jump passes their
 * wake-up time). Test code may move time by hand with {@link #advance} and {@link #advanceTo}.
 *
 * <h2>Following clocks</h2>
 * {@link #drive(PortalClock)} (or {@link #driving(PortalClock)}) makes a simulated portal's clock
 * follow this one, so the portal's rate windows, daily reset and token expiry move with the code
 * under test. {@link #onAdvance} registers any other listener.
 *
 * <h2>Pitfalls</h2>
 * A participant that blocks forever on something other than {@link #sleep} (a latch, a lock held
 * by a sleeping participant) stops time for everyone: {@code run} then fails after
 * {@link #realTimeLimit(Duration) a real-time limit} (60 s by default) and names each participant's
 * state. Code under test must do its waiting through this sleeper, not {@code Thread.sleep} or
 * timed waits on a real clock.
 *
 * <p>Thread-safe. Time never goes backwards. Durations keep nanosecond precision; {@link #millis()}
 * truncates.
 */
public final class VirtualTime extends Clock implements Sleeper {
  private static final Duration DEFAULT_REAL_TIME_LIMIT = Duration.ofSeconds(60);

  private final Object monitor = new Object();
  /** Guarded by monitor; insertion-ordered so failure reports read in start order. */
  private final Map<Thread, Participant> participants = new LinkedHashMap<>();
  private final List<Consumer<Instant>> listeners = new CopyOnWriteArrayList<>();
  private volatile Instant now;
  private volatile Duration realTimeLimit = DEFAULT_REAL_TIME_LIMIT;
  private long sleeps; // guarded by monitor

  private static final class Participant {
    final Thread thread;
    int depth;
    /** When this participant wakes; null while it runs. */
    Instant wakeAt;

    Participant(Thread thread) {
      this.thread = thread;
    }
  }

  private VirtualTime(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  /** Virtual time starting at {@code start}. */
  public static VirtualTime at(Instant start) {
    return new VirtualTime(start);
  }

  /** Virtual time starting at an ISO-8601 instant such as {@code 2026-03-02T10:00:00Z}. */
  public static VirtualTime at(String isoInstant) {
    return new VirtualTime(Instant.parse(isoInstant));
  }

  /** Virtual time starting at the portal clock's time, and driving it from then on. */
  public static VirtualTime driving(PortalClock portal) {
    return at(portal.now()).drive(portal);
  }

  /**
   * Makes {@code portal} follow this clock: it is set to now at once and on every advance. The
   * portal clock must not be ahead of this one, so it should be {@link PortalClock#fixed fixed}
   * and moved only through here.
   */
  public VirtualTime drive(PortalClock portal) {
    Objects.requireNonNull(portal, "portal");
    synchronized (monitor) {
      if (portal.now().isAfter(now)) {
        throw new IllegalArgumentException("The portal clock (" + portal.now() + ") is ahead of the virtual time ("
            + now + "); create it with PortalClock.fixed(time.instant()) or use VirtualTime.driving(portal)");
      }
      Consumer<Instant> follow = t -> {
        if (portal.millis() < t.toEpochMilli()) {
          portal.set(t);
        }
      };
      follow.accept(now);
      listeners.add(follow);
    }
    return this;
  }

  /**
   * Calls {@code listener} with the new time whenever the clock moves forward. Listeners run on the
   * thread that moved time, while it holds the clock's lock: they must be quick and must not sleep.
   */
  public VirtualTime onAdvance(Consumer<Instant> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** How long {@link #run} waits in real time for its threads before it calls them stuck. */
  public VirtualTime realTimeLimit(Duration limit) {
    if (limit == null || limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException("realTimeLimit must be positive, was " + limit);
    }
    this.realTimeLimit = limit;
    return this;
  }

  // ---- Clock ----

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** A view of this time in another zone; it shares this clock's time. */
  @Override
  public Clock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    if (zone.equals(ZoneOffset.UTC)) {
      return this;
    }
    VirtualTime time = this;
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return zone;
      }

      @Override
      public Clock withZone(ZoneId other) {
        return time.withZone(other);
      }

      @Override
      public Instant instant() {
        return time.instant();
      }
    };
  }

  // ---- Sleeper ----

  /**
   * Waits {@code duration} of virtual time: a participant until the clock reaches its wake-up time,
   * anyone else not at all (the clock jumps). Zero or negative durations return at once. Throws
   * InterruptedException, clearing the flag, if the thread is interrupted before or while waiting.
   */
  @Override
  public void sleep(Duration duration) throws InterruptedException {
    Objects.requireNonNull(duration, "duration");
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before a virtual sleep of " + duration);
    }
    if (duration.isZero() || duration.isNegative()) {
      return;
    }
    synchronized (monitor) {
      sleeps++;
      Participant self = participants.get(Thread.currentThread());
      if (self == null) {
        moveTo(now.plus(duration));
        return;
      }
      self.wakeAt = now.plus(duration);
      try {
        advanceIfAllAsleep();
        while (self.wakeAt != null) {
          monitor.wait();
        }
      } catch (InterruptedException e) {
        self.wakeAt = null;
        throw e;
      }
    }
  }

  /** How many non-zero sleeps have begun, by anyone. */
  public long sleeps() {
    synchronized (monitor) {
      return sleeps;
    }
  }

  // ---- moving time by hand ----

  /** Moves the clock forward by {@code by}, waking participants due by then. */
  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("VirtualTime cannot go backwards (advance by " + by + ")");
    }
    synchronized (monitor) {
      moveTo(now.plus(by));
    }
  }

  /** Moves the clock forward to {@code instant}; fails if that is in the past. */
  public void advanceTo(Instant instant) {
    synchronized (monitor) {
      if (instant.isBefore(now)) {
        throw new IllegalArgumentException("VirtualTime cannot go backwards: it is " + now + ", asked for " + instant);
      }
      moveTo(instant);
    }
  }

  // ---- participants ----

  /**
   * Makes the calling thread a participant until the returned handle is closed. Nested calls by
   * the same thread are counted; the thread leaves when the outermost handle closes.
   */
  public Participation participate() {
    Thread thread = Thread.currentThread();
    synchronized (monitor) {
      register(thread);
    }
    return new Participation(thread);
  }

  /**
   * A thread's membership; {@link #close()}, called by that thread, ends it (once; later calls do
   * nothing).
   */
  public final class Participation implements AutoCloseable {
    private final Thread thread;
    private boolean closed;

    private Participation(Thread thread) {
      this.thread = thread;
    }

    @Override
    public void close() {
      if (Thread.currentThread() != thread) {
        throw new IllegalStateException("A participation is closed by its own thread (" + thread.getName()
            + "), not by " + Thread.currentThread().getName());
      }
      synchronized (monitor) {
        if (!closed) {
          closed = true;
          leave(thread);
        }
      }
    }
  }

  /** Runs {@code body} on {@code threads} participant threads; see {@link #run(int, IntConsumer)}. */
  public void run(int threads, Runnable body) {
    Objects.requireNonNull(body, "body");
    run(threads, i -> body.run());
  }

  /**
   * Runs {@code body} on {@code threads} new participant threads, each given its index (0 …
   * threads − 1), and returns when all have finished. The threads are registered before any
   * starts. If any body throws, the first failure is rethrown here with the others suppressed
   * (assertion errors inside the bodies thus fail the test). The calling thread must not be a
   * participant, since it only waits.
   *
   * @throws AssertionError if the threads have not finished after {@link #realTimeLimit} of real
   *     time (a participant blocked outside {@link #sleep}); they are interrupted
   */
  public void run(int threads, IntConsumer body) {
    Objects.requireNonNull(body, "body");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> started = new ArrayList<>(threads);
    synchronized (monitor) {
      if (participants.containsKey(Thread.currentThread())) {
        throw new IllegalStateException("VirtualTime.run called by a participant: it would hold time still while it "
            + "waits for the threads it starts");
      }
      for (int i = 0; i < threads; i++) {
        int index = i;
        Thread[] self = new Thread[1];
        self[0] = new Thread(() -> {
          try {
            body.accept(index);
          } catch (Throwable t) {
            failures.add(t);
          } finally {
            synchronized (monitor) {
              leave(self[0]);
            }
          }
        }, "virtual-time-" + i);
        self[0].setDaemon(true);
        register(self[0]);
        started.add(self[0]);
      }
    }
    started.forEach(Thread::start);
    joinAll(started);
    if (!failures.isEmpty()) {
      Throwable first = failures.get(0);
      failures.stream().skip(1).forEach(first::addSuppressed);
      if (first instanceof RuntimeException) {
        throw (RuntimeException) first;
      }
      if (first instanceof Error) {
        throw (Error) first;
      }
      throw new AssertionError("A virtual-time thread failed", first);
    }
  }

  private void joinAll(List<Thread> threads) {
    long deadline = System.nanoTime() + realTimeLimit.toNanos();
    try {
      for (Thread t : threads) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          t.join(Math.max(1, left / 1_000_000));
        }
      }
    } catch (InterruptedException e) {
      threads.forEach(Thread::interrupt);
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for virtual-time threads", e);
    }
    List<Thread> stuck = threads.stream().filter(Thread::isAlive).toList();
    if (stuck.isEmpty()) {
      return;
    }
    String report = describe();
    stuck.forEach(Thread::interrupt);
    throw new AssertionError("Virtual-time threads did not finish within " + realTimeLimit + " of real time; a "
        + "participant is probably blocked outside VirtualTime.sleep (time only moves when all sleep). " + report);
  }

  private String describe() {
    StringBuilder s = new StringBuilder("Virtual time is ").append(now).append(". Participants:");
    synchronized (monitor) {
      for (Participant p : participants.values()) {
        s.append("\n  ").append(p.thread.getName()).append(": ")
            .append(p.wakeAt == null ? "running (" + p.thread.getState() + ")" : "sleeping until " + p.wakeAt);
        StackTraceElement[] trace = p.thread.getStackTrace();
        for (int i = 0; i < Math.min(8, trace.length); i++) {
          s.append("\n      at ").append(trace[i]);
        }
      }
    }
    return s.toString();
  }

  @Override
  public String toString() {
    synchronized (monitor) {
      long asleep = participants.values().stream().filter(p -> p.wakeAt != null).count();
      return "VirtualTime[now=" + now + ", participants=" + participants.size() + ", asleep=" + asleep + "]";
    }
  }

  // ---- under the monitor ----

  private void register(Thread thread) {
    participants.computeIfAbsent(thread, Participant::new).depth++;
  }

  private void leave(Thread thread) {
    Participant p = participants.get(thread);
    if (p == null) {
      return;
    }
    if (--p.depth == 0) {
      participants.remove(thread);
      advanceIfAllAsleep();
    }
  }

  private void advanceIfAllAsleep() {
    Instant earliest = null;
    for (Participant p : participants.values()) {
      if (p.wakeAt == null) {
        return;
      }
      if (earliest == null || p.wakeAt.isBefore(earliest)) {
        earliest = p.wakeAt;
      }
    }
    if (earliest != null) {
      moveTo(earliest);
    }
  }

  private void moveTo(Instant target) {
    if (target.isAfter(now)) {
      now = target;
      for (Consumer<Instant> listener : listeners) {
        listener.accept(target);
      }
    }
    boolean woke = false;
    for (Participant p : participants.values()) {
      // Cleared here rather than by the woken thread, so no one counts it as asleep meanwhile.
      if (p.wakeAt != null && !p.wakeAt.isAfter(now)) {
        p.wakeAt = null;
        woke = true;
      }
    }
    if (woke) {
      monitor.notifyAll();
    }
  }
}
