package dev.hubspotsync.ratelimit;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.RateBudgetExhaustedException;
import dev.hubspotsync.Sleeper;
import dev.hubspotsync.ratelimit.internal.RollingWindow;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link RateBudget}: rolling-window counters for HubSpot's 10-second burst limit and
 * search's per-second limit, and a daily ceiling (the only limit of {@link CallKind#BURST_EXEMPT}
 * calls, the association batch reads), all corrected by the {@code X-HubSpot-RateLimit-*}
 * headers of every response. Build one with {@code RateBudget.tokenBucket()…build()} and share it
 * among every thread and job of the JVM that calls the same portal with the same app.
 *
 * <h2>Settings</h2>
 * <ul>
 *   <li>{@code timeZone} (default UTC): the portal's time zone, as set in HubSpot. The daily count
 *       resets at its midnight, and {@link RateBudgetExhaustedException#resumeAt()} is that midnight.
 *   <li>{@code dailyShare} (default 0.5): the share of the portal's daily limit, as learned from
 *       {@code X-HubSpot-RateLimit-Daily}, that this budget may use. The daily limit belongs to the
 *       account and is shared by all its apps, so the default leaves half to everyone else.
 *   <li>{@code dailyCeiling}: an absolute number of calls per day instead of a share; wins over
 *       {@code dailyShare}. With neither this nor daily headers (OAuth apps get none), there is no
 *       daily ceiling.
 *   <li>{@code burstLimit} (default 100, HubSpot's lowest tier): calls per rolling 10 seconds until
 *       a response's {@code X-HubSpot-RateLimit-Max} tells the real figure, which then replaces it.
 *   <li>{@code burstHeadroom} (default 2): calls per window left unused, so that variable latency
 *       does not turn a full window into a 429. The budget allows {@code max − headroom} per window.
 *   <li>{@code searchPerSecond} (default 5): HubSpot's search calls per rolling second; the budget
 *       keeps at most this many searches in flight or answered within the last second. Search is
 *       exempt from the burst window but counts toward the daily limit. So are the association
 *       reads, batch read and labels ({@link CallKind#BURST_EXEMPT}), which have no window of their own: the budget holds no
 *       burst slot for them and lets them through as fast as they are asked for, up to the daily ceiling.
 *   <li>{@code workers} (default 1): processes sharing the app's burst and the daily ceiling in
 *       equal static shares; each budget allows {@code 1/workers} of both. Where the processes can
 *       reach a common store, {@link RateBudget#shared} divides them dynamically instead.
 *   <li>{@code clock}, {@code sleeper}: where time comes from and how the budget waits; tests inject
 *       virtual ones.
 * </ul>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Until a response carries daily headers, today's usage is unknown ({@link Usage#usedToday()}
 *       is -1) and only one call is let through at a time: a restarted process learns how much of
 *       the day is gone before it can overshoot. The others wait, looking again every 50 ms. A search
 *       response (which has no headers) or a failed call lets the next caller try. If a standard
 *       response carries burst headers but no daily ones (an OAuth app), the budget stops waiting for
 *       them and counts its own calls. A first call not reported back within 60 s is taken as lost.
 *   <li>From then on, usage is {@code Daily − Daily-Remaining} of each response plus the calls still
 *       in flight. Responses can arrive out of order, so a figure lower than an earlier one by less
 *       than the burst limit is taken as stale; a bigger drop means HubSpot's day began. In the
 *       first five minutes after midnight, figures above the budget's own count are taken as
 *       yesterday's and ignored. If {@code X-HubSpot-RateLimit-Remaining} shows more calls in
 *       HubSpot's window than this budget can have put there (another process uses the same app),
 *       the difference is held back until the window next frees.
 *   <li>A standard call holds its slot in the burst window until 10 s after its answer, not after
 *       it was sent: HubSpot counts a request when it arrives, which can be as late as the latency
 *       (requests queue at the far end). That keeps the window free of 429s at a cost of latency /
 *       10 s of throughput. Search is paced the same way in its one-second window: a search holds
 *       its slot from the send until a second after its answer, so at most {@code searchPerSecond}
 *       searches are in flight or answered within the last second, and none is ever over HubSpot's
 *       count. That costs latency / 1 s of search throughput (4.2 searches/s at 200 ms latency).
 *   <li>Above 90 % of the daily ceiling the burst and search limits are halved, above 97 % they are
 *       quartered; {@link Usage#burstLimit()} reports the allowance after headroom and this pacing.
 *       A call that would cross the ceiling is refused: {@link #acquire} throws
 *       {@link RateBudgetExhaustedException}, {@link #tryAcquire} returns false.
 *   <li>A 429 holds back the kind of call it names for the time {@link #onThrottled} returns; a 429
 *       with policy {@code DAILY} exhausts the budget until the next reset.
 *   <li>Log lines (INFO) when usage first crosses 50, 75 and 90 % of the ceiling each day and when
 *       pacing changes; a WARN for every 429.
 * </ul>
 *
 * <p>Thread-safe: any number of threads may share one instance; together they never exceed the
 * windows. Waiting happens through the sleeper, outside any lock. The budget holds no resources and
 * needs no closing; its counts live only in memory, which is why it relearns them from HubSpot.
 * Arguments must not be null, except {@code retryAfter} of {@link #onThrottled}.
 */
public final class TokenBucketRateBudget implements RateBudget {
  private static final Logger LOG = LoggerFactory.getLogger(TokenBucketRateBudget.class);

  static final long BURST_WINDOW_MILLIS = 10_000;
  static final long SEARCH_WINDOW_MILLIS = 1_000;
  /** How often callers waiting for the first response look again. */
  static final long PROBE_POLL_MILLIS = 50;
  /** How often a standard caller with no slice of a shared burst looks again. */
  static final long SLICE_POLL_MILLIS = 250;
  /**
   * A call unanswered for this long is taken as lost (a caller that never reported back): a first
   * call no longer holds the others back, a search no longer holds a slot.
   */
  static final long PROBE_TIMEOUT_MILLIS = 60_000;
  /**
   * Just after local midnight, a response may still carry yesterday's count (its call left before
   * midnight, or HubSpot's clock is behind ours): for this long, figures above the local count are
   * not believed.
   */
  static final long NEW_DAY_GRACE_MILLIS = 5 * 60_000;
  private static final int[] THRESHOLDS = {50, 75, 90};

  private enum Knowledge { UNKNOWN, FROM_HEADERS, COUNTED_LOCALLY }

  private enum Pace {
    FULL("back to full speed", 1), HALF("slowed to half speed", 2), QUARTER("slowed to a quarter of full speed", 4);

    final String description;
    final int divisor;

    Pace(String description, int divisor) {
      this.description = description;
      this.divisor = divisor;
    }
  }

  private final Clock clock;
  private final Sleeper sleeper;
  private final ZoneId timeZone;
  private final double dailyShare;
  private final long dailyCeiling;
  private final int burstLimit;
  private final int burstHeadroom;
  private final int searchPerSecond;
  private final int workers;
  /** Set by {@link SharedRateBudget}: the daily ceiling is the shared budget's to keep, not this one's. */
  private final boolean ceilingKeptElsewhere;
  private final Builder settings;

  private final ReentrantLock lock = new ReentrantLock();
  // Everything below is guarded by lock.
  // Burst calls are remembered a minute longer, to read headers of slow responses against (see onResponse).
  private final RollingWindow burst = new RollingWindow(BURST_WINDOW_MILLIS, 60_000);
  /** When the search calls of the last second were answered. */
  private final RollingWindow search = new RollingWindow(SEARCH_WINDOW_MILLIS, 0);
  /** When the search calls still in flight were sent, oldest first; each holds a slot until a second after its answer. */
  private final ArrayDeque<Long> searchInFlight = new ArrayDeque<>();
  /** When the standard calls still in flight were sent, oldest first. */
  private final ArrayDeque<Long> standardInFlight = new ArrayDeque<>();
  private LocalDate day;
  private long dayStartedAt;
  private Instant resetsAt;
  private Knowledge knowledge = Knowledge.UNKNOWN;
  private boolean probeInFlight;
  private long probeStartedAt;
  /** Calls counted today; reported only once knowledge is no longer UNKNOWN. */
  private long used;
  /** The highest usage a response reported today, or -1. */
  private long reportedHighWater = -1;
  private long portalDailyLimit = -1;
  private int headerMax = -1;
  private int inFlight;
  private long standardHeldUntil;
  private long searchHeldUntil;
  private long exemptHeldUntil;
  private boolean exhaustedByPortal;
  private Pace pace = Pace.FULL;
  private int thresholdsLogged;
  /** This process's slice of the usable burst, set by a {@link SharedRateBudget}; -1 when not shared. */
  private int sharedSlice = -1;
  /** Burst calls the other processes of the app may have in HubSpot's window, when shared. */
  private int othersAllowance;
  /** This process's searches per second when shared (search's limit is the account's); -1 when not shared. */
  private int sharedSearches = -1;

  private TokenBucketRateBudget(Builder b) {
    this.settings = b.copy();
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.timeZone = b.timeZone;
    this.dailyShare = b.dailyShare;
    this.dailyCeiling = b.dailyCeiling;
    this.burstLimit = b.burstLimit;
    this.burstHeadroom = b.burstHeadroom;
    this.searchPerSecond = b.searchPerSecond;
    this.workers = b.workers;
    this.ceilingKeptElsewhere = b.ceilingKeptElsewhere;
  }

  /** A builder with the defaults described on this class. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this budget's settings (not its counts), to derive a variant. */
  public Builder toBuilder() {
    return settings.copy();
  }

  @Override
  public void acquire(CallKind kind) {
    Objects.requireNonNull(kind, "kind");
    if (kind == CallKind.EXEMPT) {
      return; // the change journal counts toward no limit (CallKind.EXEMPT)
    }
    while (true) {
      List<Runnable> logs = new ArrayList<>(2);
      RateBudgetExhaustedException refusal;
      long wait = 0;
      lock.lock();
      try {
        long now = clock.millis();
        rollDay(now, logs);
        refusal = refusal();
        if (refusal == null) {
          wait = delay(kind, now, logs);
          if (wait == 0) {
            record(kind, now, logs);
          }
        }
      } finally {
        lock.unlock();
      }
      logs.forEach(Runnable::run);
      if (refusal != null) {
        throw refusal;
      }
      if (wait == 0) {
        return;
      }
      try {
        sleeper.sleep(Duration.ofMillis(wait));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HubSpotSyncException(ErrorCode.INTERRUPTED, "Interrupted while waiting for the rate budget to allow a "
            + kind + " call (" + wait + " ms to go); no call was made", false, e);
      }
    }
  }

  @Override
  public boolean tryAcquire(CallKind kind) {
    Objects.requireNonNull(kind, "kind");
    if (kind == CallKind.EXEMPT) {
      return true;
    }
    List<Runnable> logs = new ArrayList<>(2);
    boolean acquired = false;
    lock.lock();
    try {
      long now = clock.millis();
      rollDay(now, logs);
      if (refusal() == null && delay(kind, now, logs) == 0) {
        record(kind, now, logs);
        acquired = true;
      }
    } finally {
      lock.unlock();
    }
    logs.forEach(Runnable::run);
    return acquired;
  }

  @Override
  public void onResponse(CallKind kind, RateLimitHeaders headers) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(headers, "headers");
    if (kind == CallKind.EXEMPT) {
      return;
    }
    List<Runnable> logs = new ArrayList<>(2);
    lock.lock();
    try {
      long now = clock.millis();
      rollDay(now, logs);
      int othersInFlight = Math.max(0, inFlight - 1);
      inFlight = Math.max(0, inFlight - 1);
      probeInFlight = false;
      // Which call this answers is unknown, but it was sent no earlier than the oldest one in flight.
      Long sentNoEarlier = answered(kind, now);
      if (headers.max().isPresent() && headers.max().getAsLong() > 0) {
        headerMax = (int) Math.min(Integer.MAX_VALUE, headers.max().getAsLong());
      }
      if (headers.daily().isPresent() && headers.dailyRemaining().isPresent()) {
        long daily = headers.daily().getAsLong();
        long reported = Math.max(0, daily - headers.dailyRemaining().getAsLong());
        portalDailyLimit = daily;
        // Just after midnight, a figure above the local count is probably yesterday's: the local count stands.
        boolean yesterdays = now - dayStartedAt < NEW_DAY_GRACE_MILLIS && reported > used;
        if (!yesterdays) {
          boolean hubSpotReset = reportedHighWater - reported > burstMax();
          // Responses arrive out of order, so a slightly lower figure is an older one; a much lower one
          // means HubSpot's day began (at a midnight other than timeZone's, if that is misconfigured).
          reportedHighWater = hubSpotReset ? reported : Math.max(reportedHighWater, reported);
          // The other calls in flight may not be in HubSpot's count yet; counting them errs on the safe side.
          used = reportedHighWater + othersInFlight;
        }
        if (knowledge != Knowledge.FROM_HEADERS) {
          String ceiling = ceilingKeptElsewhere ? "kept by the shared budget" : Long.toString(ceiling());
          logs.add(() -> LOG.info("HubSpot reports {} of the portal's {} daily calls used today; this budget's daily ceiling is {}",
              reported, daily, ceiling));
        }
        knowledge = Knowledge.FROM_HEADERS;
      } else if (knowledge == Knowledge.UNKNOWN && kind == CallKind.STANDARD
          && (headers.max().isPresent() || headers.remaining().isPresent())) {
        knowledge = Knowledge.COUNTED_LOCALLY;
        String ceiling = ceiling() < 0 ? "none" : Long.toString(ceiling());
        logs.add(() -> LOG.info("HubSpot sends no daily usage headers (an OAuth app?); the rate budget counts this "
            + "process's calls against its daily ceiling ({})", ceiling));
      }
      if (kind == CallKind.STANDARD && headers.remaining().isPresent() && headerMax > 0) {
        // The headers describe HubSpot's window when the request arrived, which may hold calls that have
        // since left ours: compare with all our calls that can have been in it.
        long hubSpotCount = headerMax - headers.remaining().getAsLong();
        long ours = burst.countAfter((sentNoEarlier != null ? sentNoEarlier : now) - BURST_WINDOW_MILLIS);
        // The other processes of the app (workers, or a shared budget's other slices) may fill their share.
        long unknown = Math.min(hubSpotCount - ours - othersAllowance(), headerMax);
        if (unknown > 0) {
          burst.addUnknown((int) unknown, now);
        }
      }
      afterUsageChanged(logs);
    } finally {
      lock.unlock();
    }
    logs.forEach(Runnable::run);
  }

  @Override
  public Duration onThrottled(CallKind kind, ThrottlePolicy policy, Duration retryAfter) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(policy, "policy");
    Duration wait;
    String holding;
    List<Runnable> logs = new ArrayList<>(1);
    lock.lock();
    try {
      long now = clock.millis();
      rollDay(now, logs);
      probeInFlight = false;
      switch (policy) {
        case TEN_SECONDLY_ROLLING: {
          long oldest = burst.oldest(now);
          long millis = retryAfter != null ? retryAfter.toMillis()
              // With no call of ours in the window, the others' calls could be anywhere in it.
              : oldest < 0 ? BURST_WINDOW_MILLIS : oldest + BURST_WINDOW_MILLIS - now;
          wait = Duration.ofMillis(Math.max(1_000, millis));
          standardHeldUntil = Math.max(standardHeldUntil, now + wait.toMillis());
          holding = "holding back " + CallKind.STANDARD + " calls for " + wait.toMillis() + " ms";
          break;
        }
        case SECONDLY:
          wait = nonNegative(retryAfter != null ? retryAfter : Duration.ofSeconds(1));
          searchHeldUntil = Math.max(searchHeldUntil, now + wait.toMillis());
          holding = "holding back " + CallKind.SEARCH + " calls for " + wait.toMillis() + " ms";
          break;
        case DAILY:
          exhaustedByPortal = true;
          wait = Duration.between(Instant.ofEpochMilli(now), resetsAt);
          holding = "the portal's daily limit is reached; no calls until " + resetsAt + " (midnight " + zoneName() + ")";
          break;
        default:
          wait = nonNegative(retryAfter != null ? retryAfter : Duration.ofSeconds(1));
          hold(kind, now + wait.toMillis());
          holding = "holding back " + kind + " calls for " + wait.toMillis() + " ms";
          break;
      }
    } finally {
      lock.unlock();
    }
    logs.forEach(Runnable::run);
    LOG.warn("HubSpot answered 429 ({}) to a {} call ({}); {}", policy, kind,
        retryAfter == null ? "no Retry-After" : "Retry-After " + retryAfter.toMillis() + " ms", holding);
    return wait;
  }

  @Override
  public void onNoResponse(CallKind kind) {
    Objects.requireNonNull(kind, "kind");
    if (kind == CallKind.EXEMPT) {
      return;
    }
    lock.lock();
    try {
      // The call may or may not have reached HubSpot; it stays counted, as if answered now.
      inFlight = Math.max(0, inFlight - 1);
      answered(kind, clock.millis());
      probeInFlight = false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Usage usage() {
    List<Runnable> logs = new ArrayList<>(1);
    Usage usage;
    lock.lock();
    try {
      rollDay(clock.millis(), logs);
      usage = new Usage(knowledge == Knowledge.UNKNOWN ? -1 : used, ceiling(), resetsAt, standardLimit());
    } finally {
      lock.unlock();
    }
    logs.forEach(Runnable::run);
    return usage;
  }

  @Override
  public String toString() {
    Usage u = usage();
    return "TokenBucketRateBudget[usedToday=" + u.usedToday() + ", dailyCeiling=" + u.dailyCeiling()
        + ", burstLimit=" + u.burstLimit() + ", searchPerSecond=" + searchPerSecond + ", timeZone=" + zoneName()
        + ", resetsAt=" + u.resetsAt() + "]";
  }

  // ---- under the lock ----

  private void rollDay(long now, List<Runnable> logs) {
    LocalDate today = Instant.ofEpochMilli(now).atZone(timeZone).toLocalDate();
    if (day != null && !today.isAfter(day)) {
      return;
    }
    boolean rolled = day != null;
    day = today;
    dayStartedAt = today.atStartOfDay(timeZone).toInstant().toEpochMilli();
    resetsAt = today.plusDays(1).atStartOfDay(timeZone).toInstant();
    if (rolled) {
      used = 0;
      reportedHighWater = -1;
      exhaustedByPortal = false;
      thresholdsLogged = 0;
      logs.add(() -> LOG.info("New day in {} ({}): the daily rate budget count starts again from 0", zoneName(), today));
      afterUsageChanged(logs);
    }
  }

  /** Why the next call may not be made today, or null. */
  private RateBudgetExhaustedException refusal() {
    if (exhaustedByPortal) {
      return new RateBudgetExhaustedException("HubSpot answered 429 DAILY: the portal's daily API limit is reached"
          + (knowledge == Knowledge.UNKNOWN ? "" : " (this budget counts " + used + " calls today, ceiling "
          + (ceiling() < 0 ? "none" : Long.toString(ceiling())) + ")")
          + ". The count resets at " + resetsAt + " (midnight " + zoneName() + "); stop at the last checkpoint and run "
          + "again then.", resetsAt);
    }
    long ceiling = ceiling();
    if (knowledge != Knowledge.UNKNOWN && ceiling >= 0 && used + 1 > ceiling) {
      return new RateBudgetExhaustedException("Daily rate budget exhausted: " + used + " of " + ceiling
          + " calls used today (ceiling: " + ceilingSource() + "). The count resets at " + resetsAt + " (midnight "
          + zoneName() + "); stop at the last checkpoint and run again then, or raise dailyShare/dailyCeiling.",
          resetsAt);
    }
    return null;
  }

  /** Milliseconds to wait before a call of {@code kind} fits, or 0 if it fits now. */
  private long delay(CallKind kind, long now, List<Runnable> logs) {
    if (knowledge == Knowledge.UNKNOWN && probeInFlight) {
      long probing = now - probeStartedAt;
      if (probing < PROBE_TIMEOUT_MILLIS) {
        return Math.min(PROBE_POLL_MILLIS, PROBE_TIMEOUT_MILLIS - probing);
      }
      probeInFlight = false;
      logs.add(() -> LOG.warn("The rate budget's first call got no onResponse/onNoResponse within {} ms; letting another "
          + "call find out today's usage. Report every acquired call back to the budget.", PROBE_TIMEOUT_MILLIS));
    }
    long held = heldUntil(kind) - now;
    if (kind == CallKind.STANDARD && standardLimit() == 0) {
      // A shared budget's slice of nothing: look again once the shared budget may have renewed it.
      return Math.max(held, SLICE_POLL_MILLIS);
    }
    long room = kind == CallKind.STANDARD ? burst.waitForRoom(standardLimit(), now)
        : kind == CallKind.SEARCH ? searchRoom(now)
        : 0; // burst-exempt: no window of its own, only the daily ceiling
    return Math.max(0, Math.max(held, room));
  }

  /**
   * Milliseconds until a search fits: every search in flight holds a slot, and so does every one
   * answered in the last second. With every slot in flight, none can free before a second from now.
   */
  private long searchRoom(long now) {
    while (!searchInFlight.isEmpty() && now - searchInFlight.peekFirst() >= PROBE_TIMEOUT_MILLIS) {
      searchInFlight.pollFirst();
    }
    int free = searchLimit() - searchInFlight.size();
    return free <= 0 ? SEARCH_WINDOW_MILLIS : search.waitForRoom(free, now);
  }

  private void record(CallKind kind, long now, List<Runnable> logs) {
    if (kind == CallKind.STANDARD) {
      burst.add(now);
      standardInFlight.addLast(now);
    } else if (kind == CallKind.SEARCH) {
      searchInFlight.addLast(now);
    }
    inFlight++;
    used++;
    if (knowledge == Knowledge.UNKNOWN) {
      probeInFlight = true;
      probeStartedAt = now;
    }
    afterUsageChanged(logs);
  }

  /**
   * A call of {@code kind} was answered (or failed) now. HubSpot may have admitted it at any moment
   * between its send and now (a request can queue at the far end for as long as the latency), so
   * its slot is held until a window's span after now. A standard call's window entry moves from
   * when it was sent to now: that keeps the burst window free of 429s at a cost of latency / 10 s. A
   * search leaves the calls in flight and enters the window now, which costs latency / 1 s: counted
   * from the send instead, the sixth search of a second went out the moment the first left the
   * budget's window and reached HubSpot before the first had left HubSpot's whenever it travelled a
   * millisecond faster (SearchPacing measured 11–29 × 429 SECONDLY a backfill). Which call this
   * answers is unknown; only how many are in flight matters. Returns when the oldest standard call
   * in flight was sent, or null.
   */
  private Long answered(CallKind kind, long now) {
    if (kind == CallKind.BURST_EXEMPT) {
      return null;
    }
    if (kind == CallKind.SEARCH) {
      searchInFlight.pollFirst();
      search.add(now);
      return null;
    }
    Long sent = standardInFlight.pollFirst();
    if (sent != null) {
      burst.restamp(sent, now);
    }
    return sent;
  }

  private void hold(CallKind kind, long until) {
    if (kind == CallKind.STANDARD) {
      standardHeldUntil = Math.max(standardHeldUntil, until);
    } else if (kind == CallKind.SEARCH) {
      searchHeldUntil = Math.max(searchHeldUntil, until);
    } else {
      exemptHeldUntil = Math.max(exemptHeldUntil, until);
    }
  }

  private long heldUntil(CallKind kind) {
    return kind == CallKind.STANDARD ? standardHeldUntil : kind == CallKind.SEARCH ? searchHeldUntil : exemptHeldUntil;
  }

  private void afterUsageChanged(List<Runnable> logs) {
    long ceiling = ceiling();
    boolean known = knowledge != Knowledge.UNKNOWN && ceiling > 0;
    Pace next = !known ? Pace.FULL
        : used * 100 > 97 * ceiling ? Pace.QUARTER
        : used * 100 > 90 * ceiling ? Pace.HALF
        : Pace.FULL;
    if (next != pace) {
      pace = next;
      long u = used;
      int standard = standardLimit();
      int searches = searchLimit();
      logs.add(() -> LOG.info("Rate budget pacing {}: {} of {} daily calls used; now {} calls per 10 s and {} searches per second",
          next.description, u, ceiling, standard, searches));
    }
    if (!known) {
      return;
    }
    int crossed = 0;
    while (crossed < THRESHOLDS.length && used * 100 >= THRESHOLDS[crossed] * ceiling) {
      crossed++;
    }
    if (crossed > thresholdsLogged) {
      thresholdsLogged = crossed;
      int percent = THRESHOLDS[crossed - 1];
      long u = used;
      Instant reset = resetsAt;
      logs.add(() -> LOG.info("HubSpot daily usage passed {} % of this budget's ceiling: {} of {} calls; the count resets at {} (midnight {})",
          percent, u, ceiling, reset, zoneName()));
    }
  }

  private long ceiling() {
    if (ceilingKeptElsewhere) {
      return -1;
    }
    long whole = configuredCeiling(portalDailyLimit);
    return whole < 0 ? -1 : Math.max(1, whole / workers);
  }

  /** The ceiling of every worker together: {@code dailyCeiling}, or the share of the portal's limit; -1 if unknown. */
  long configuredCeiling(long portalLimit) {
    if (dailyCeiling > 0) {
      return dailyCeiling;
    }
    return portalLimit < 0 ? -1 : (long) Math.floor(portalLimit * dailyShare);
  }

  private String ceilingSource() {
    String split = workers > 1 ? ", split among workers " + workers : "";
    if (dailyCeiling > 0) {
      return "dailyCeiling " + dailyCeiling + split;
    }
    return "dailyShare " + BigDecimal.valueOf(dailyShare).movePointRight(2).stripTrailingZeros().toPlainString()
        + " % of the portal's daily limit of " + portalDailyLimit + split;
  }

  private int burstMax() {
    return headerMax > 0 ? headerMax : burstLimit;
  }

  /** Burst calls per window all processes of the app may make together: the limit less the headroom. */
  private int usableBurst() {
    return Math.max(1, burstMax() - burstHeadroom);
  }

  private int standardLimit() {
    int mine = sharedSlice >= 0 ? sharedSlice : Math.max(1, usableBurst() / workers);
    return mine == 0 ? 0 : Math.max(1, mine / pace.divisor);
  }

  private int othersAllowance() {
    return sharedSlice >= 0 ? othersAllowance : usableBurst() - Math.max(1, usableBurst() / workers);
  }

  // ---- for SharedRateBudget ----

  /**
   * Sets this process's slice of the burst ({@code slice} calls per window, 0 for none), how many
   * calls the app's other processes may have in the window, read against HubSpot's headers, and
   * this process's searches per second.
   */
  void share(int slice, int others, int searches) {
    lock.lock();
    try {
      sharedSlice = slice;
      othersAllowance = others;
      sharedSearches = searches;
    } finally {
      lock.unlock();
    }
  }

  /** The burst calls per window every process of the app may make together: HubSpot's limit less the headroom. */
  int burstUsable() {
    lock.lock();
    try {
      return usableBurst();
    } finally {
      lock.unlock();
    }
  }

  int searchPerSecond() {
    return searchPerSecond;
  }

  /** This process's standard calls in the burst window now, answered or in flight. */
  int burstInWindow() {
    lock.lock();
    try {
      return burst.size(clock.millis());
    } finally {
      lock.unlock();
    }
  }

  private int searchLimit() {
    int mine = sharedSearches >= 0 ? sharedSearches : Math.max(1, searchPerSecond / workers);
    return Math.max(1, mine / pace.divisor);
  }

  /** "UTC" rather than {@link ZoneOffset#UTC}'s "Z", which reads badly in a log line. */
  private String zoneName() {
    return timeZone.normalized().equals(ZoneOffset.UTC) ? "UTC" : timeZone.getId();
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  /**
   * Settings of a {@link TokenBucketRateBudget}. Setters validate at once and throw
   * {@link HubSpotSyncException} with {@link ErrorCode#BAD_CONFIGURATION} naming the setting.
   * {@link #build()} copies the settings, so one builder can make several independent budgets. Not
   * thread-safe.
   */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.system();
    private ZoneId timeZone = ZoneOffset.UTC;
    private double dailyShare = 0.5;
    private long dailyCeiling = -1;
    private int burstLimit = 100;
    private int burstHeadroom = 2;
    private int searchPerSecond = 5;
    private int workers = 1;
    private boolean ceilingKeptElsewhere;

    private Builder() {}

    /** Where the budget reads the time (default {@link Clock#systemUTC()}); only its instant is used. */
    public Builder clock(Clock clock) {
      this.clock = notNull(clock, "clock");
      return this;
    }

    /** How the budget waits (default {@link Sleeper#system()}). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = notNull(sleeper, "sleeper");
      return this;
    }

    /** The portal's time zone, as set in HubSpot (default UTC): the daily count resets at its midnight. */
    public Builder timeZone(ZoneId timeZone) {
      this.timeZone = notNull(timeZone, "timeZone");
      return this;
    }

    /**
     * The share of the portal's daily limit this budget may use, in (0, 1] (default 0.5). The limit is
     * learned from {@code X-HubSpot-RateLimit-Daily}. Ignored when {@link #dailyCeiling} is set.
     */
    public Builder dailyShare(double share) {
      if (!(share > 0 && share <= 1)) {
        throw bad("dailyShare must be in (0, 1], was " + share);
      }
      this.dailyShare = share;
      return this;
    }

    /** At most this many calls per day, whatever the portal's limit; wins over {@link #dailyShare}. */
    public Builder dailyCeiling(long calls) {
      if (calls < 1) {
        throw bad("dailyCeiling must be at least 1, was " + calls);
      }
      this.dailyCeiling = calls;
      return this;
    }

    /**
     * Calls per rolling 10 seconds before a response tells the real limit (default 100, the lowest
     * tier); {@code X-HubSpot-RateLimit-Max} replaces it.
     */
    public Builder burstLimit(int perTenSeconds) {
      if (perTenSeconds < 1) {
        throw bad("burstLimit must be at least 1, was " + perTenSeconds);
      }
      this.burstLimit = perTenSeconds;
      return this;
    }

    /** Calls per 10-second window left unused as a safety margin (default 2). */
    public Builder burstHeadroom(int calls) {
      if (calls < 0) {
        throw bad("burstHeadroom must be at least 0, was " + calls);
      }
      this.burstHeadroom = calls;
      return this;
    }

    /** Searches in flight or answered within the last second (default 5, HubSpot's per-second limit). */
    public Builder searchPerSecond(int perSecond) {
      if (perSecond < 1) {
        throw bad("searchPerSecond must be at least 1, was " + perSecond);
      }
      this.searchPerSecond = perSecond;
      return this;
    }

    /**
     * The number of processes that use the app's burst limit and the daily ceiling together with
     * equal static shares (default 1): this budget allows {@code 1/n} of the usable burst, of the
     * daily ceiling and of the searches per second (at least one), and reads calls in HubSpot's
     * window up to the others' shares as theirs. The
     * fallback where no shared store exists; see {@link RateBudget#shared}.
     */
    public Builder workers(int n) {
      if (n < 1) {
        throw bad("workers must be at least 1, was " + n);
      }
      this.workers = n;
      return this;
    }

    /** A new budget with these settings, knowing nothing yet about today's usage. */
    public TokenBucketRateBudget build() {
      if (burstHeadroom >= burstLimit) {
        throw bad("burstHeadroom must be less than burstLimit (" + burstLimit + "), was " + burstHeadroom);
      }
      return new TokenBucketRateBudget(this);
    }

    /** An independent copy of these settings. */
    Builder copy() {
      Builder b = new Builder();
      b.clock = clock;
      b.sleeper = sleeper;
      b.timeZone = timeZone;
      b.dailyShare = dailyShare;
      b.dailyCeiling = dailyCeiling;
      b.burstLimit = burstLimit;
      b.burstHeadroom = burstHeadroom;
      b.searchPerSecond = searchPerSecond;
      b.workers = workers;
      b.ceilingKeptElsewhere = ceilingKeptElsewhere;
      return b;
    }

    Builder ceilingKeptElsewhere() {
      this.ceilingKeptElsewhere = true;
      return this;
    }

    Clock clock() {
      return clock;
    }

    Sleeper sleeper() {
      return sleeper;
    }

    ZoneId timeZone() {
      return timeZone;
    }

    int workers() {
      return workers;
    }

    private static <T> T notNull(T value, String name) {
      if (value == null) {
        throw bad(name + " must not be null");
      }
      return value;
    }

    private static HubSpotSyncException bad(String message) {
      return new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, message);
    }
  }
}
