package dev.hubspotsync.ratelimit;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.RateBudgetExhaustedException;
import dev.hubspotsync.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RateBudget} that several processes of one portal share through a store they can all
 * reach ({@link BudgetLeases}, e.g. a PostgreSQL table), with no coordinator of its own. Build one
 * with {@code RateBudget.shared(leases, template)…build()}, one per process, and close it when the
 * process is done.
 *
 * <h2>Slices and leases</h2>
 * <ul>
 *   <li>Each process holds a <b>lease</b>, renewed every {@code renewEvery} (default 5 s) while it
 *       makes calls, lapsing {@code leaseTtl} (default 20 s) after its last renewal. A process
 *       killed without closing its budget (SIGKILL) frees its share once its lease lapses; the live
 *       ones see that at their next renewal, so within {@code leaseTtl + renewEvery}.
 *   <li><b>Burst</b> (per app): the usable burst (HubSpot's limit less the headroom) is divided
 *       equally among the live leases of the same app that made or waited for a burst call lately;
 *       a process that only reads associations (exempt) holds none. A lease also publishes how many
 *       calls the process can still have in HubSpot's window ({@code burstHeld}): its slice, or
 *       more while calls made under a larger slice age out. A process grows its slice only into
 *       what the others do not hold, so the slices in force never add up to more than the limit,
 *       even while processes join, leave or die. A slice grows to at most twice the calls the process
 *       has in the window (plus a few) at each renewal, so a process that cannot use a large slice
 *       does not hold it against the others.
 *   <li><b>Day</b> (per portal): calls are made only from <b>claims</b> on the day's ceiling,
 *       taken in blocks from the portal's row in the store. A claim never takes the total past the
 *       ceiling: the portal's usage counts as the larger of the calls claimed today (dead processes'
 *       claims included) and HubSpot's {@code Daily − Daily-Remaining} plus the claims the live
 *       processes have not spent, so HubSpot's headers stay the truth (other integrations' calls
 *       count too). Blocks shrink as the ceiling nears; when nothing is left, {@link #acquire}
 *       throws {@link RateBudgetExhaustedException}. {@link #close()} gives unspent claims back.
 *   <li><b>Search</b> (per account, per second): an equal part for each live process, at least one
 *       (so with more processes than {@code searchPerSecond}, searches can draw 429s).
 * </ul>
 *
 * <p>Within the process, a {@link TokenBucketRateBudget} built from the template paces the calls
 * in the slice (search, headers, 429s, the first-call probe all as there); its daily ceiling is
 * this budget's to keep. The template's {@code dailyCeiling} or {@code dailyShare} is the whole
 * portal's ceiling; every process of a portal should use the same settings. Lease times come from
 * the template's clock, so the processes' clocks must agree to well within a second (NTP).
 *
 * <p>Renewals happen inside {@link #acquire}, while a caller waits or before a call, not on a
 * thread of their own: a process that makes no calls for longer than the lease lets it lapse,
 * and takes a slice again on its next call. Thread-safe. A failing store fails the call that
 * needed it (the store's exception, e.g. a retryable warehouse failure).
 */
public final class SharedRateBudget implements RateBudget, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedRateBudget.class);
  /** A budget leaving keeps its calls counted for a window and a second, until they age out of HubSpot's. */
  private static final long LEAVE_MILLIS = TokenBucketRateBudget.BURST_WINDOW_MILLIS + 1_000;
  /** A process that made no burst call for this long gives its slice up at its next renewal. */
  private static final long WANTS_BURST_FOR_MILLIS = 30_000;
  private static final int MIN_CLAIM = 8;
  /** Long ago, without overflowing {@code now - NEVER}. */
  private static final long NEVER = Long.MIN_VALUE / 2;

  private final TokenBucketRateBudget local;
  private final BudgetLeases leases;
  private final String portal;
  private final String app;
  private final String holder;
  private final String description;
  private final Clock clock;
  private final Sleeper sleeper;
  private final ZoneId timeZone;
  private final long renewMillis;
  private final long ttlMillis;

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock; the lock is held across store exchanges, so only one runs at a time.
  private Instant joinedAt;
  private long renewedAt = NEVER;
  /** When a claim was last refused: the store is asked again only after a renewal period. */
  private long refusedAt = NEVER;
  private boolean publishedWants;
  private long standardWantedAt = Long.MIN_VALUE;
  private int slice;
  private LocalDate day;
  private long claimed;
  private long spent;
  private long reportedHigh = -1;
  private long portalDailyLimit = -1;
  private boolean closed;
  private Share share;

  private SharedRateBudget(Builder b) {
    this.leases = b.leases;
    this.portal = b.portal;
    this.app = b.app;
    this.holder = b.holder;
    this.description = b.description;
    this.clock = b.template.clock();
    this.sleeper = b.template.sleeper();
    this.timeZone = b.template.timeZone();
    this.renewMillis = b.renewEvery.toMillis();
    this.ttlMillis = b.leaseTtl.toMillis();
    Sleeper renewing = d -> {
      sleeper.sleep(Duration.ofMillis(Math.min(d.toMillis(), renewMillis)));
      renewIfDue();
    };
    this.local = b.template.copy().sleeper(renewing).ceilingKeptElsewhere().build();
    this.local.share(0, 0, 1);
    this.share = new Share(portal, holder, 0, 0, local.burstUsable(), 0, 0, 0, -1, -1, null);
  }

  @Override
  public void acquire(CallKind kind) {
    Objects.requireNonNull(kind, "kind");
    if (kind == CallKind.EXEMPT) {
      return; // the change journal counts toward no limit (CallKind.EXEMPT)
    }
    reserve(kind, true);
    try {
      local.acquire(kind);
    } catch (RuntimeException e) {
      unreserve();
      throw e;
    }
  }

  @Override
  public boolean tryAcquire(CallKind kind) {
    Objects.requireNonNull(kind, "kind");
    if (kind == CallKind.EXEMPT) {
      return true;
    }
    if (!reserve(kind, false)) {
      return false;
    }
    boolean acquired = false;
    try {
      acquired = local.tryAcquire(kind);
    } finally {
      if (!acquired) {
        unreserve();
      }
    }
    return acquired;
  }

  @Override
  public void onResponse(CallKind kind, RateLimitHeaders headers) {
    local.onResponse(kind, headers);
    if (headers.daily().isPresent() && headers.dailyRemaining().isPresent()) {
      long reported = Math.max(0, headers.daily().getAsLong() - headers.dailyRemaining().getAsLong());
      lock.lock();
      try {
        rollDay(clock.millis());
        portalDailyLimit = headers.daily().getAsLong();
        reportedHigh = Math.max(reportedHigh, reported);
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public Duration onThrottled(CallKind kind, ThrottlePolicy policy, Duration retryAfter) {
    return local.onThrottled(kind, policy, retryAfter);
  }

  @Override
  public void onNoResponse(CallKind kind) {
    local.onNoResponse(kind);
  }

  @Override
  public Usage usage() {
    Usage inner = local.usage();
    lock.lock();
    try {
      long used = Math.max(reportedHigh, share.portalReported());
      return new Usage(used >= 0 ? used : inner.usedToday(), ceiling(), inner.resetsAt(), slice);
    } finally {
      lock.unlock();
    }
  }

  /** This process's share and the portal's totals as of the last renewal, with this process's own counts as of now. */
  public Share share() {
    lock.lock();
    try {
      Share s = share;
      return new Share(s.portal(), s.holder(), s.processes(), s.burstSlice(), s.burstUsable(), claimed, spent,
          s.portalGranted(), s.portalReported(), s.dailyCeiling(), s.renewedAt());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Leaves: gives unspent claims back to the portal's day and lets the lease lapse once this
   * process's calls have aged out of HubSpot's window. Later calls throw.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (joinedAt == null) {
        return;
      }
      long now = clock.millis();
      rollDay(now);
      int inWindow = local.burstInWindow();
      long giveBack = claimed - spent;
      leases.exchange(portal, day, Instant.ofEpochMilli(now), st -> {
        BudgetLeases.Day d = st.day();
        BudgetLeases.Day back = giveBack > 0 && d.granted() >= giveBack
            ? new BudgetLeases.Day(day, d.granted() - giveBack, d.reported(), d.ceiling()) : null;
        return new BudgetLeases.Change(new BudgetLeases.Lease(holder, app, joinedAt, Instant.ofEpochMilli(now + LEAVE_MILLIS),
            false, 0, inWindow, day, spent, spent, description), back);
      });
      claimed = spent;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    Share s = share();
    return "SharedRateBudget[portal=" + portal + ", holder=" + holder + ", processes=" + s.processes() + ", burstSlice="
        + s.burstSlice() + " of " + s.burstUsable() + ", dailyClaimed=" + s.dailyClaimed() + ", portalGranted="
        + s.portalGranted() + ", dailyCeiling=" + s.dailyCeiling() + "]";
  }

  // ---- reserving a call ----

  /** Takes one call of this process's daily claims (claiming more first if needed). */
  private boolean reserve(CallKind kind, boolean blocking) {
    lock.lock();
    try {
      if (closed) {
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "The shared rate budget of portal " + portal
            + " was closed; build a new one to make more calls");
      }
      long now = clock.millis();
      rollDay(now);
      if (kind == CallKind.STANDARD) {
        standardWantedAt = now;
      }
      boolean announce = kind == CallKind.STANDARD && !publishedWants;
      boolean unlimited = dailyUnlimited();
      boolean refusedLately = now - refusedAt < renewMillis;
      if (!unlimited && claimed - spent <= 0 && !refusedLately) {
        exchange(now, claimSize());
        if (claimed - spent <= 0) {
          refusedAt = now;
        }
      } else if (announce || now - renewedAt >= renewMillis) {
        exchange(now, 0);
      }
      if (unlimited) {
        spent++;
        return true;
      }
      if (claimed - spent <= 0) {
        if (!blocking) {
          return false;
        }
        throw exhausted();
      }
      spent++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void unreserve() {
    lock.lock();
    try {
      spent = Math.max(0, spent - 1);
    } finally {
      lock.unlock();
    }
  }

  private void renewIfDue() {
    lock.lock();
    try {
      long now = clock.millis();
      boolean announce = standardWantedAt > renewedAt && !publishedWants;
      if (!closed && (announce || now - renewedAt >= renewMillis)) {
        rollDay(now);
        exchange(now, 0);
      }
    } finally {
      lock.unlock();
    }
  }

  /** No daily ceiling at all: none configured and HubSpot sends no daily headers (OAuth apps). */
  private boolean dailyUnlimited() {
    return ceiling() < 0 && local.usage().usedToday() >= 0;
  }

  private long claimSize() {
    return Math.max(MIN_CLAIM, slice);
  }

  // ---- the exchange: renew the lease, claim calls, learn the division ----

  private void exchange(long now, long wantDaily) {
    int usable = local.burstUsable();
    int inWindow = local.burstInWindow();
    boolean wants = standardWantedAt != Long.MIN_VALUE && now - standardWantedAt < WANTS_BURST_FOR_MILLIS;
    long myCeiling = ceiling();
    if (joinedAt == null) {
      joinedAt = Instant.ofEpochMilli(now);
    }
    Instant at = Instant.ofEpochMilli(now);
    int[] burst = new int[2];
    long[] daily = new long[4];
    BudgetLeases.State state = leases.exchange(portal, day, at, st -> {
      // Burst: an equal part of the usable burst among the app's processes that want one, grown only into what the others do not hold.
      List<String> wanting = new ArrayList<>();
      int othersHeld = 0;
      for (BudgetLeases.Lease l : st.leases()) {
        if (l.holder().equals(holder) || !l.app().equals(app)) {
          continue;
        }
        othersHeld += l.burstHeld();
        if (l.wantsBurst()) {
          wanting.add(l.holder());
        }
      }
      int target = 0;
      if (wants) {
        wanting.add(holder);
        wanting.sort(null);
        int n = wanting.size();
        target = usable / n + (wanting.indexOf(holder) < usable % n ? 1 : 0);
      }
      // Slow start: a slice grows to at most twice the calls the process has in the window, so a process
      // that cannot use a large slice (one stream, long latency) does not hold it against the others.
      int cap = 2 * inWindow + MIN_CLAIM;
      int newSlice = Math.max(0, Math.min(Math.min(target, cap), usable - othersHeld));
      burst[0] = newSlice;
      burst[1] = othersHeld;

      // Day: the portal's usage is what was claimed, or what HubSpot reports plus the live processes' unspent claims.
      BudgetLeases.Day d = st.day();
      long ceiling = myCeiling >= 0 ? myCeiling : d.ceiling();
      long reported = Math.max(d.reported(), reportedHigh);
      long unspentElsewhere = 0;
      int live = 1;
      for (BudgetLeases.Lease l : st.leases()) {
        if (!l.holder().equals(holder)) {
          unspentElsewhere += l.unspent(day);
          live++;
        }
      }
      // While HubSpot reports no more than was claimed, the claims explain every call: they are the usage.
      // Beyond that, others (other integrations, earlier runs) called too, and the unspent claims come on top.
      long used = reported <= d.granted() ? d.granted()
          : Math.max(d.granted(), reported + unspentElsewhere + Math.max(0, claimed - spent));
      long grant = 0;
      if (wantDaily > 0) {
        if (ceiling < 0) {
          grant = 1; // today's usage and ceiling unknown: one call at a time finds them out
        } else {
          long left = ceiling - used;
          grant = left <= 0 ? 0 : Math.min(wantDaily, Math.min(left, (left + 2L * live - 1) / (2L * live)));
        }
      }
      daily[0] = grant;
      daily[1] = d.granted() + grant;
      daily[2] = ceiling;
      daily[3] = live;
      BudgetLeases.Day next = new BudgetLeases.Day(day, d.granted() + grant, reported, ceiling);
      BudgetLeases.Lease mine = new BudgetLeases.Lease(holder, app, joinedAt, Instant.ofEpochMilli(now + ttlMillis), wants,
          newSlice, Math.max(newSlice, inWindow), day, claimed + grant, spent, description);
      return new BudgetLeases.Change(mine, next);
    });
    int previous = slice;
    slice = burst[0];
    claimed += daily[0];
    renewedAt = now;
    publishedWants = wants;
    // Search's per-second limit is the account's: an equal part for each live process, at least one.
    local.share(slice, Math.max(0, usable - slice), Math.max(1, local.searchPerSecond() / (int) daily[3]));
    long reported = Math.max(state.day().reported(), reportedHigh);
    share = new Share(portal, holder, (int) daily[3], slice, usable, claimed, spent, daily[1], reported, daily[2], at);
    if (previous != slice) {
      int others = burst[1];
      LOG.info("Shared rate budget of portal {}: this process ({}) now has {} of {} burst calls per 10 s; {} processes "
          + "live, the others hold {}", portal, holder, slice, usable, daily[3], others);
    }
  }

  private RateBudgetExhaustedException exhausted() {
    Instant resumeAt = day.plusDays(1).atStartOfDay(timeZone).toInstant();
    return new RateBudgetExhaustedException("Daily rate budget exhausted for portal " + portal + ": " + share.portalGranted()
        + " of " + share.dailyCeiling() + " calls claimed today by the " + share.processes()
        + " processes sharing it (HubSpot reports " + share.portalReported() + " used). The count resets at " + resumeAt
        + " (midnight " + timeZone.getId() + "); stop at the last checkpoint and run again then, or raise "
        + "dailyCeiling/dailyShare.", resumeAt);
  }

  private void rollDay(long now) {
    LocalDate today = Instant.ofEpochMilli(now).atZone(timeZone).toLocalDate();
    if (day == null || today.isAfter(day)) {
      day = today;
      claimed = 0;
      spent = 0;
      reportedHigh = -1;
      refusedAt = NEVER;
    }
  }

  /** The portal's daily ceiling: the template's {@code dailyCeiling}, or its share of HubSpot's limit; -1 if unknown. */
  private long ceiling() {
    return local.configuredCeiling(portalDailyLimit);
  }

  /**
   * One process's share of a portal's budget, as of its last renewal.
   *
   * @param processes live processes of the portal (this one included)
   * @param burstSlice this process's burst calls per 10 s
   * @param burstUsable the app's burst calls per 10 s, all processes together (limit less headroom)
   * @param dailyClaimed calls of today's ceiling this process claimed
   * @param dailySpent calls it made
   * @param portalGranted calls claimed today by every process of the portal
   * @param portalReported HubSpot's latest {@code Daily − Daily-Remaining}, or -1
   * @param dailyCeiling the portal's ceiling, or -1 when none is known
   * @param renewedAt the last renewal, or null before the first
   */
  public record Share(String portal, String holder, int processes, int burstSlice, int burstUsable, long dailyClaimed,
      long dailySpent, long portalGranted, long portalReported, long dailyCeiling, Instant renewedAt) {}

  /**
   * Settings of a {@link SharedRateBudget}. Setters validate at once and throw
   * {@link HubSpotSyncException} with {@link ErrorCode#BAD_CONFIGURATION}. Not thread-safe.
   */
  public static final class Builder {
    private final BudgetLeases leases;
    private final TokenBucketRateBudget.Builder template;
    private String portal;
    private String app = "default";
    private String holder = defaultHolder();
    private String description = "";
    private Duration renewEvery = Duration.ofSeconds(5);
    private Duration leaseTtl = Duration.ofSeconds(20);

    Builder(BudgetLeases leases, TokenBucketRateBudget.Builder template) {
      this.leases = Objects.requireNonNull(leases, "leases");
      this.template = Objects.requireNonNull(template, "template");
    }

    /** The portal the budget is of (required): every process with this name shares the day's ceiling. */
    public Builder portal(String name) {
      this.portal = text(name, "portal");
      return this;
    }

    /** The app (credentials) whose burst the processes share (default "default"). */
    public Builder app(String name) {
      this.app = text(name, "app");
      return this;
    }

    /** This process's name among the portal's (default host, pid and a random part); unique. */
    public Builder holder(String name) {
      this.holder = text(name, "holder");
      return this;
    }

    /** What the process runs, shown by status (e.g. its streams); never a secret. */
    public Builder description(String text) {
      this.description = Objects.requireNonNull(text, "description");
      return this;
    }

    /** How often the lease is renewed while calls are made (default 5 s). */
    public Builder renewEvery(Duration every) {
      this.renewEvery = positive(every, "renewEvery");
      return this;
    }

    /**
     * How long a lease lasts unrenewed (default 20 s): how soon a killed process's share is free.
     * Must exceed {@code renewEvery} by at least HubSpot's 10-second window plus a second, so that
     * a lapsed lease's calls have left HubSpot's window before others take its slice.
     */
    public Builder leaseTtl(Duration ttl) {
      this.leaseTtl = positive(ttl, "leaseTtl");
      return this;
    }

    /** A new budget; it joins the portal's leases at its first call. */
    public SharedRateBudget build() {
      if (portal == null) {
        throw bad("portal is missing: name the portal whose budget the processes share");
      }
      if (leaseTtl.toMillis() < renewEvery.toMillis() + LEAVE_MILLIS) {
        throw bad("leaseTtl (" + leaseTtl.toMillis() + " ms) must be at least renewEvery (" + renewEvery.toMillis()
            + " ms) plus " + LEAVE_MILLIS + " ms, so a lapsed lease's calls have left HubSpot's 10-second window");
      }
      return new SharedRateBudget(this);
    }

    private static String defaultHolder() {
      String host = System.getenv().getOrDefault("HOSTNAME", "host");
      return host + "/" + ProcessHandle.current().pid() + "/"
          + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    private static String text(String value, String name) {
      if (value == null || value.isBlank()) {
        throw bad(name + " must not be empty");
      }
      return value;
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw bad(name + " must be a positive duration, was " + d);
      }
      return d;
    }

    private static HubSpotSyncException bad(String message) {
      return new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "SharedRateBudget: " + message);
    }
  }
}
