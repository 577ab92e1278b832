package dev.hubspotsync.ratelimit;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where the processes of one portal share a rate budget ({@link SharedRateBudget}): a lease per
 * process, holding its slice of the app's 10-second burst and its claims on the day's ceiling, and
 * a row per portal and day with the calls granted so far. A store every process can reach already
 * (the PostgreSQL of the sink or of the state store) holds them; no coordinator of our own runs.
 *
 * <p>The store only keeps rows and serializes changes; {@link SharedRateBudget} decides. An
 * implementation must run each {@link #exchange} atomically with respect to every other exchange
 * of the same portal, in every process (PostgreSQL: a transaction under an advisory lock).
 * Implementations are thread-safe; {@link #close()} frees what the store opened itself.
 */
public interface BudgetLeases extends AutoCloseable {

  /**
   * In one atomic step: forgets the portal's leases that expired before {@code now}, reads the live
   * ones and the portal's row for {@code day}, passes them to {@code decide}, and stores what it
   * returns (the caller's lease, and the day's new totals; either may be null to leave it as is).
   *
   * @return what was read, before the change
   * @throws dev.hubspotsync.HubSpotSyncException when the store fails; the budget passes it on
   */
  State exchange(String portal, LocalDate day, Instant now, Function<State, Change> decide);

  /** Frees what the store opened itself; a caller's connection pool stays open. */
  @Override
  default void close() {}

  /**
   * One process's lease on a portal's budget.
   *
   * @param holder the process, unique among the portal's processes (host, pid, a random part)
   * @param app the app whose burst the slice is of (processes with other credentials have other bursts)
   * @param expiresAt when the lease lapses unless renewed; then its slice is free again
   * @param wantsBurst whether the process made (or waited for) a burst call lately
   * @param burstSlice the burst calls per window the process may make now
   * @param burstHeld the most calls the process can have in HubSpot's window until its next
   *     renewal: its slice, or more while calls made under a larger slice age out
   * @param day the day of the daily counts
   * @param dailyClaimed calls of the day's ceiling the process claimed
   * @param dailySpent calls it made of them (as of its last renewal)
   * @param description what the process runs, for {@code status} (never a secret)
   */
  record Lease(String holder, String app, Instant joinedAt, Instant expiresAt, boolean wantsBurst, int burstSlice,
      int burstHeld, LocalDate day, long dailyClaimed, long dailySpent, String description) {
    public Lease {
      Objects.requireNonNull(holder, "holder");
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(joinedAt, "joinedAt");
      Objects.requireNonNull(expiresAt, "expiresAt");
      Objects.requireNonNull(day, "day");
    }

    /** Claimed calls not yet spent, on {@code today}. */
    public long unspent(LocalDate today) {
      return day.equals(today) ? Math.max(0, dailyClaimed - dailySpent) : 0;
    }
  }

  /**
   * A portal's day.
   *
   * @param granted calls of the ceiling claimed by every process today, dead ones included
   * @param reported the highest usage HubSpot's headers reported today ({@code Daily − Daily-Remaining}), or -1
   * @param ceiling the day's ceiling as last known, or -1
   */
  record Day(LocalDate day, long granted, long reported, long ceiling) {
    public static Day empty(LocalDate day) {
      return new Day(day, 0, -1, -1);
    }
  }

  /** What an exchange reads: the portal's live leases (every app) and its row for the day. */
  record State(List<Lease> leases, Day day) {
    public State {
      leases = List.copyOf(leases);
      Objects.requireNonNull(day, "day");
    }
  }

  /** What an exchange stores; a null part is left as it is. */
  record Change(Lease lease, Day day) {
    public static final Change NONE = new Change(null, null);
  }
}
