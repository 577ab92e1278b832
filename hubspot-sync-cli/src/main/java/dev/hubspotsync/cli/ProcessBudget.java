package dev.hubspotsync.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.postgres.PostgresBudgetLeases;
import dev.hubspotsync.postgres.PostgresStreamLocks;
import dev.hubspotsync.ratelimit.BudgetLeases;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.ratelimit.SharedRateBudget;
import dev.hubspotsync.ratelimit.TokenBucketRateBudget;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;

/**
 * A process's rate budget and stream locks, as {@code budget.shared} / {@code budget.workers} and
 * the sink say: a {@link SharedRateBudget} over {@link PostgresBudgetLeases} when shared, the
 * template budget split {@code workers} ways otherwise; and the PostgreSQL locks of the run's
 * streams wherever a PostgreSQL database is at hand (the sink's or the shared store's). Closing
 * leaves the shared budget (unspent claims go back) and releases the locks.
 */
final class ProcessBudget implements AutoCloseable {
  private final RateBudget budget;
  private final SharedRateBudget shared;
  private final PostgresBudgetLeases leases;
  private final PostgresStreamLocks locks;
  private final int workers;

  private ProcessBudget(RateBudget budget, SharedRateBudget shared, PostgresBudgetLeases leases, PostgresStreamLocks locks,
      int workers) {
    this.budget = budget;
    this.shared = shared;
    this.leases = leases;
    this.locks = locks;
    this.workers = workers;
  }

  /**
   * Takes the locks of {@code streams} (fails with a retry-soon warehouse error naming the streams
   * another process holds) and builds the budget.
   */
  static ProcessBudget open(SyncConfig config, Context ctx, List<String> streams) {
    SyncConfig.Budget b = config.budget();
    Store store = store(config);
    PostgresStreamLocks locks = null;
    PostgresBudgetLeases leases = null;
    try {
      if (store != null) {
        locks = PostgresStreamLocks.open(store.url(), store.user(), store.password(), store.schema(), store.prefix());
        String target = target(config.sink());
        List<String> busy = locks.tryLock(streams.stream().map(s -> target + " " + s).toList());
        if (!busy.isEmpty()) {
          List<String> names = busy.stream().map(s -> s.substring(target.length() + 1)).toList();
          throw new WarehouseException("Another process is syncing " + String.join(", ", names) + " into this warehouse; "
              + "two processes never run one stream at once. Retry once it has finished (exit 69: retry soon), or give "
              + "this run other streams with --only.", null, true, null);
        }
      }
      TokenBucketRateBudget.Builder template = Setup.budgetTemplate(config, ctx);
      if (b.shared() == null) {
        int n = b.workers() != null ? b.workers() : 1;
        return new ProcessBudget(template.workers(n).build(), null, null, locks, n);
      }
      if (store == null) {
        throw ConfigNode.error(config.file().toString(), "budget.shared", "is sink, but the sink is " + config.sink().type()
            + ", not PostgreSQL; give a jdbc:postgresql: URL every process can reach, or use budget.workers: N");
      }
      leases = store.leases();
      String app = fingerprint(config, ctx);
      SharedRateBudget.Builder sb = RateBudget.shared(leases, template)
          .portal(b.portal() != null ? b.portal() : "portal-" + app).app("app-" + app)
          .description("pid " + ProcessHandle.current().pid() + ": " + String.join(", ", streams));
      if (b.renewEvery() != null) {
        sb.renewEvery(b.renewEvery());
      }
      if (b.leaseTtl() != null) {
        sb.leaseTtl(b.leaseTtl());
      }
      SharedRateBudget budget;
      try {
        budget = sb.build();
      } catch (HubSpotSyncException e) {
        throw ConfigNode.error(config.file().toString(), "budget", e.getMessage());
      }
      return new ProcessBudget(budget, budget, leases, locks, 1);
    } catch (RuntimeException e) {
      closeAll(null, leases, locks);
      throw e;
    }
  }

  RateBudget budget() {
    return budget;
  }

  /** This process's slice and the portal's totals, for the run's JSON line and summary. */
  ObjectNode json() {
    ObjectNode n = Json.object();
    if (shared != null) {
      SharedRateBudget.Share s = shared.share();
      n.put("mode", "shared").put("portal", s.portal()).put("holder", s.holder()).put("processes", s.processes())
          .put("burstSlice", s.burstSlice()).put("burstUsable", s.burstUsable()).put("dailyClaimed", s.dailyClaimed())
          .put("dailySpent", s.dailySpent()).put("portalClaimedToday", s.portalGranted())
          .put("portalReportedToday", s.portalReported()).put("dailyCeiling", s.dailyCeiling());
    } else {
      RateBudget.Usage u = budget.usage();
      n.put("mode", workers > 1 ? "workers" : "single").put("workers", workers).put("burstSlice", u.burstLimit())
          .put("dailyCeiling", u.dailyCeiling()).put("portalReportedToday", u.usedToday());
    }
    return n;
  }

  /** One line for the summary on stderr. */
  String describe() {
    if (shared != null) {
      SharedRateBudget.Share s = shared.share();
      return String.format("shared budget of %s: this process %d of %d burst calls per 10 s, %,d calls claimed today; "
          + "%d processes live, %,d of %s claimed by all", s.portal(), s.burstSlice(), s.burstUsable(), s.dailyClaimed(),
          s.processes(), s.portalGranted(), s.dailyCeiling() < 0 ? "no ceiling" : String.format("%,d", s.dailyCeiling()));
    }
    RateBudget.Usage u = budget.usage();
    return workers > 1 ? String.format("budget split %d ways: this process %d burst calls per 10 s, daily ceiling %s",
        workers, u.burstLimit(), u.dailyCeiling() < 0 ? "none" : String.format("%,d", u.dailyCeiling())) : null;
  }

  @Override
  public void close() {
    closeAll(shared, leases, locks);
  }

  private static void closeAll(SharedRateBudget shared, PostgresBudgetLeases leases, PostgresStreamLocks locks) {
    try {
      if (shared != null) {
        shared.close();
      }
    } finally {
      try {
        if (leases != null) {
          leases.close();
        }
      } finally {
        if (locks != null) {
          locks.close();
        }
      }
    }
  }

  /** The portal's live leases and today's row (for {@code status}); null when the budget is not shared. */
  static BudgetLeases.State sharedState(SyncConfig config, Context ctx) {
    Store store = store(config);
    if (config.budget().shared() == null || store == null) {
      return null;
    }
    String portal = config.budget().portal() != null ? config.budget().portal() : "portal-" + fingerprint(config, ctx);
    ZoneId zone = config.budget().timeZone() != null ? config.budget().timeZone() : ZoneOffset.UTC;
    LocalDate today = ctx.clock().instant().atZone(zone).toLocalDate();
    try (PostgresBudgetLeases leases = store.leases()) {
      return leases.read(portal, today, ctx.clock().instant());
    }
  }

  /** The warehouse a stream is written to, in the stream locks' names: a hash, so no URL or password shows. */
  private static String target(SyncConfig.Sink sink) {
    String where = sink.type() + "\n" + (sink.file() != null ? sink.file().toAbsolutePath() : sink.url()) + "\n"
        + sink.schema() + "\n" + sink.tablePrefix();
    return "sink-" + sha256(where);
  }

  /** The PostgreSQL database of locks and leases: the shared URL, or the PostgreSQL sink's; null if neither. */
  private static Store store(SyncConfig config) {
    SyncConfig.Sink sink = config.sink();
    String shared = config.budget().shared();
    if (shared != null && !shared.equals("sink")) {
      return new Store(shared, null, null, null, null); // schema hubspot: the processes of every portal meet there
    }
    if (sink.type().equals("postgres")) {
      return new Store(sink.url(), sink.user(), sink.password(), sink.schema(), sink.tablePrefix());
    }
    return null;
  }

  private record Store(String url, String user, String password, String schema, String prefix) {
    PostgresBudgetLeases leases() {
      PostgresBudgetLeases.Builder b = PostgresBudgetLeases.builder().jdbcUrl(url, user, password);
      if (schema != null) {
        b.schema(schema);
      }
      if (prefix != null) {
        b.tablePrefix(prefix);
      }
      return b.build();
    }
  }

  /**
   * A name for the app and portal the credentials reach, the same in every process with the same
   * credentials and base URL: 12 hex digits of a SHA-256 over them, which cannot be turned back
   * into the secret.
   */
  static String fingerprint(SyncConfig config, Context ctx) {
    HubSpotCredentials credentials = Setup.credentials(config, ctx);
    HubSpotCredentials.Environment env = config.credentials().environment();
    StringBuilder text = new StringBuilder("hubspot-sync budget\n").append(config.baseUrl() != null ? config.baseUrl() : "")
        .append('\n').append(credentials.kind().configName());
    for (String variable : env.variables(credentials.kind())) {
      text.append('\n').append(ctx.env().getOrDefault(variable, ""));
    }
    return sha256(text.toString());
  }

  private static String sha256(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "SHA-256 is missing from this Java runtime", false, e);
    }
  }
}
