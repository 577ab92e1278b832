package dev.hubspotsync.postgres;

import dev.hubspotsync.ratelimit.BudgetLeases;
import dev.hubspotsync.sql.JdbcUnit;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlSession.Lock;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@link BudgetLeases} in two PostgreSQL tables, so that processes of one portal on any machine
 * share its rate budget through the database they already use (the sink's, or a state store's):
 *
 * <ul>
 *   <li>{@code _hubspot_sync_budget_leases} (portal, holder) → app, joined_at, expires_at,
 *       wants_burst, burst_slice, burst_held, day, daily_claimed, daily_spent, description;
 *   <li>{@code _hubspot_sync_budget_days} (portal, day) → granted, reported, ceiling, updated_at.
 * </ul>
 *
 * <p>Both live in the configured schema with the configured prefix and are created if absent. An
 * exchange is one transaction under a transaction-level advisory lock of the portal, so exchanges
 * of one portal run one after another in every process; expired leases are deleted in it. Days
 * older than a week are deleted when a day row is first written. Thread-safe.
 */
public final class PostgresBudgetLeases implements BudgetLeases {
  public static final String LEASES_TABLE = "_hubspot_sync_budget_leases";
  public static final String DAYS_TABLE = "_hubspot_sync_budget_days";
  private static final String LEASE_COLUMNS = "holder, app, joined_at, expires_at, wants_burst, burst_slice, burst_held, "
      + "day, daily_claimed, daily_spent, description";

  private final Database db;
  private final String leases;
  private final String days;
  private volatile boolean setUp;

  private PostgresBudgetLeases(Database db) {
    this.db = db;
    this.leases = db.dialect().qualified(db.prefix() + LEASES_TABLE);
    this.days = db.dialect().qualified(db.prefix() + DAYS_TABLE);
  }

  /** A builder: give it {@link Builder#dataSource} or {@link Builder#jdbcUrl}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public State exchange(String portal, LocalDate day, Instant now, Function<State, Change> decide) {
    Objects.requireNonNull(portal, "portal");
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(now, "now");
    setUp();
    return db.unit("share the rate budget of portal " + portal, List.of(), u -> {
      u.rows(Sql.of("SELECT pg_advisory_xact_lock(" + PostgresDialect.lockKey("budget", db.schema(), portal) + ")"));
      u.execute(Sql.of("DELETE FROM " + leases + " WHERE portal = ? AND expires_at < ?", portal, now));
      State state = read(u, portal, day);
      Change change = decide.apply(state);
      if (change.lease() != null) {
        write(u, portal, change.lease());
      }
      if (change.day() != null) {
        write(u, portal, change.day(), state.day().granted() == 0 && state.day().reported() < 0);
      }
      return state;
    });
  }

  /** The portal's live leases and its day, read without changing anything (for {@code status}). */
  public State read(String portal, LocalDate day, Instant now) {
    return exchange(portal, day, now, s -> Change.NONE);
  }

  private State read(JdbcUnit u, String portal, LocalDate day) throws SQLException {
    List<Lease> live = new ArrayList<>();
    for (Object[] r : u.rows(Sql.of("SELECT " + LEASE_COLUMNS + " FROM " + leases + " WHERE portal = ? ORDER BY holder",
        portal))) {
      live.add(new Lease((String) r[0], (String) r[1], instant(r[2]), instant(r[3]), (Boolean) r[4],
          ((Number) r[5]).intValue(), ((Number) r[6]).intValue(), ((Date) r[7]).toLocalDate(), ((Number) r[8]).longValue(),
          ((Number) r[9]).longValue(), (String) r[10]));
    }
    List<Object[]> rows = u.rows(Sql.of("SELECT granted, reported, ceiling FROM " + days + " WHERE portal = ? AND day = ?",
        portal, day));
    Day d = rows.isEmpty() ? Day.empty(day) : new Day(day, ((Number) rows.get(0)[0]).longValue(),
        ((Number) rows.get(0)[1]).longValue(), ((Number) rows.get(0)[2]).longValue());
    return new State(live, d);
  }

  private void write(JdbcUnit u, String portal, Lease l) throws SQLException {
    u.execute(Sql.of("INSERT INTO " + leases + " (portal, " + LEASE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        + "ON CONFLICT (portal, holder) DO UPDATE SET app = EXCLUDED.app, joined_at = EXCLUDED.joined_at, "
        + "expires_at = EXCLUDED.expires_at, wants_burst = EXCLUDED.wants_burst, burst_slice = EXCLUDED.burst_slice, "
        + "burst_held = EXCLUDED.burst_held, day = EXCLUDED.day, daily_claimed = EXCLUDED.daily_claimed, "
        + "daily_spent = EXCLUDED.daily_spent, description = EXCLUDED.description",
        portal, l.holder(), l.app(), l.joinedAt(), l.expiresAt(), l.wantsBurst(), l.burstSlice(), l.burstHeld(), l.day(),
        l.dailyClaimed(), l.dailySpent(), l.description()));
  }

  private void write(JdbcUnit u, String portal, Day d, boolean first) throws SQLException {
    if (first) {
      u.execute(Sql.of("DELETE FROM " + days + " WHERE portal = ? AND day < ?", portal, d.day().minusDays(7)));
    }
    u.execute(Sql.of("INSERT INTO " + days + " (portal, day, granted, reported, ceiling, updated_at) VALUES (?, ?, ?, ?, ?, now()) "
        + "ON CONFLICT (portal, day) DO UPDATE SET granted = EXCLUDED.granted, reported = EXCLUDED.reported, "
        + "ceiling = EXCLUDED.ceiling, updated_at = now()", portal, d.day(), d.granted(), d.reported(), d.ceiling()));
  }

  private static Instant instant(Object value) {
    return value instanceof Timestamp t ? t.toInstant() : ((java.time.OffsetDateTime) value).toInstant();
  }

  private void setUp() {
    if (setUp) {
      return;
    }
    db.unit("create " + leases + " and " + days, List.of(Lock.ddl()), u -> {
      if (u.rows(db.dialect().schemaExists()).isEmpty()) {
        u.execute(Sql.of(db.dialect().createSchema()));
      }
      u.execute(Sql.of("CREATE TABLE IF NOT EXISTS " + leases + " (portal TEXT NOT NULL, holder TEXT NOT NULL, "
          + "app TEXT NOT NULL, joined_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL, wants_burst BOOLEAN NOT NULL, "
          + "burst_slice INTEGER NOT NULL, burst_held INTEGER NOT NULL, day DATE NOT NULL, daily_claimed BIGINT NOT NULL, "
          + "daily_spent BIGINT NOT NULL, description TEXT NOT NULL, PRIMARY KEY (portal, holder))"));
      u.execute(Sql.of("CREATE TABLE IF NOT EXISTS " + days + " (portal TEXT NOT NULL, day DATE NOT NULL, "
          + "granted BIGINT NOT NULL, reported BIGINT NOT NULL, ceiling BIGINT NOT NULL, updated_at TIMESTAMPTZ NOT NULL, "
          + "PRIMARY KEY (portal, day))"));
      return null;
    });
    setUp = true;
  }

  /** Closes the connections the store opened itself (from a JDBC URL); a caller's DataSource stays open. */
  @Override
  public void close() {
    db.close();
  }

  @Override
  public String toString() {
    return db.describe("PostgresBudgetLeases");
  }

  /** Collects the store's settings; {@link #build()} copies them. Not thread-safe. */
  public static final class Builder extends ConnectionBuilder<Builder> {
    private Builder() {
      super(new Database.Settings());
    }

    /** Does not connect; the first exchange creates the schema and tables if absent. */
    public PostgresBudgetLeases build() {
      return new PostgresBudgetLeases(Database.open(settings.copy(), "PostgresBudgetLeases"));
    }
  }
}
