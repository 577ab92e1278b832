package dev.hubspotsync.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.RateBudgetExhaustedException;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.sink.WarehouseSink;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One sync run from a config, as {@code sync} and {@code demo} do it: opens the client and the
 * sink, checks the object types, runs the job with progress on stderr, closes both, and says how it
 * ended. Failures are results here, not exceptions.
 */
final class SyncRun {

  /**
   * How a run ended.
   *
   * @param report the run's report; for a failed run the one the sink recorded, if it keeps runs
   * @param failure what stopped it, or null
   * @param resumeAt when the daily budget resets, if that stopped it
   * @param budget this process's share of the portal's budget ({@link ProcessBudget#json()}), or null
   * @param budgetLine the same for the summary on stderr, or null
   */
  record Result(SyncReport report, RuntimeException failure, ExitCode exit, Instant resumeAt, ObjectNode budget,
      String budgetLine) {

    Result(SyncReport report, RuntimeException failure, ExitCode exit, Instant resumeAt) {
      this(report, failure, exit, resumeAt, null, null);
    }

    Result withBudget(ProcessBudget b) {
      return b == null ? this : new Result(report, failure, exit, resumeAt, b.json(), b.describe());
    }

    /** The {@code sync} command's stdout line: the report plus {@code exitCode}, {@code resumeAt} and {@code error}. */
    ObjectNode json(Secrets secrets) {
      ObjectNode json;
      if (report != null) {
        json = Json.tree(report);
      } else {
        json = Json.object();
        json.putNull("runId");
        json.put("outcome", failure instanceof HubSpotSyncException h ? h.code().name() : "FAILED");
      }
      json.put("exitCode", exit.code());
      if (resumeAt != null) {
        json.put("resumeAt", resumeAt.toString());
      }
      if (budget != null) {
        json.set("budgetShare", budget);
      }
      if (failure != null) {
        ObjectNode error = json.putObject("error");
        error.put("code", failure instanceof HubSpotSyncException h ? h.code().name() : failure.getClass().getSimpleName());
        error.put("retryable", failure instanceof HubSpotSyncException h && h.retryable());
        error.put("message", secrets.mask(message(failure)));
      }
      return json;
    }
  }

  private SyncRun() {}

  static Result run(SyncConfig config, Context ctx, Consumer<SyncJob.Builder> customize) {
    HubSpotClient client = null;
    WarehouseSink sink = null;
    ProcessBudget budget = null;
    ProgressReporter progress = null;
    Optional<SyncReport> before = Optional.empty();
    try {
      budget = ProcessBudget.open(config, ctx, lockedStreams(config));
      client = Setup.client(config, ctx, budget.budget());
      sink = Sinks.open(config, ctx);
      Setup.checkObjectTypes(config, client);
      before = lastRun(sink);
      progress = new ProgressReporter(ctx.err(), ctx.clock(), client, ctx.terminal(), Setup.progressEvery(config));
      SyncJob.Builder job = Setup.job(config, client, sink, ctx).onProgress(progress)
          // The CLI prints progress itself (with calls and budget); the engine's own log line would repeat it.
          .progressEvery(Duration.ofDays(365))
          .onDrift(d -> d.describe().lines().forEach(l -> ctx.err().println("schema drift: " + l)));
      customize.accept(job);
      SyncReport report = job.build().run();
      progress.finish();
      return new Result(report, null, ExitCode.OK, null).withBudget(budget);
    } catch (RuntimeException e) {
      if (progress != null) {
        progress.finish();
      }
      SyncReport failed = null;
      if (sink != null) {
        String previous = before.map(SyncReport::runId).orElse(null);
        failed = lastRun(sink).filter(r -> !r.runId().equals(previous)).orElse(null);
      }
      return new Result(failed, e, ExitCode.of(e), resumeAt(e, client)).withBudget(budget);
    } finally {
      closeQuietly(sink, ctx.err());
      closeQuietly(client, ctx.err());
      closeQuietly(budget, ctx.err());
    }
  }

  /**
   * The names two processes must not run at once: the object types ({@code objects:all} for all of
   * them) and the pairs ({@code from->to}).
   */
  static List<String> lockedStreams(SyncConfig config) {
    List<String> streams = new ArrayList<>(config.allObjects() ? List.of("objects:all") : List.of());
    streams.addAll(config.streams());
    return streams;
  }

  private static Optional<SyncReport> lastRun(WarehouseSink sink) {
    try {
      return sink.lastRun();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The reset time when the daily budget stopped the run: from the exception, or the budget's next reset. */
  private static Instant resumeAt(Throwable failure, HubSpotClient client) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RateBudgetExhaustedException e) {
        return e.resumeAt();
      }
    }
    if (ExitCode.of(failure) == ExitCode.BUDGET_EXHAUSTED && client != null) {
      return client.rateBudget().usage().resetsAt();
    }
    return null;
  }

  static String message(Throwable failure) {
    String m = failure.getMessage();
    return m != null ? m : failure.getClass().getName();
  }

  /** The human summary on stderr: how the run ended, each stream and pair, calls and budget. */
  static void printSummary(Result result, PrintStream err, Secrets secrets) {
    SyncReport r = result.report();
    if (result.failure() != null) {
      err.println("hubspot-sync: " + describe(result.exit()) + ": " + secrets.mask(message(result.failure())));
      if (result.resumeAt() != null) {
        err.println("hubspot-sync: daily budget reached; resume at " + result.resumeAt());
      }
    }
    if (r == null) {
      return;
    }
    err.printf("run %s %s in %s%n", r.runId(), r.outcome(),
        ProgressReporter.human(Duration.between(r.startedAt(), r.finishedAt())));
    for (SyncReport.StreamReport s : r.streams()) {
      err.printf("  %-22s %-11s %,9d read %,9d written %,6d archived %,6d calls  %s%n", s.objectType(), s.mode(),
          s.rowsRead(), s.rowsWritten(), s.archivedRows(), sum(s.calls()), ProgressReporter.human(s.duration()));
    }
    for (SyncReport.AssociationReport a : r.associations()) {
      err.printf("  %-22s %-11s %,9d parents %,7d links %,6d calls  (%s)%n", a.pair(), a.mode(), a.parentsRead(),
          a.linksStored(), sum(a.calls()), a.reason());      if (a.backstop() != null) {
        err.printf("  %-22s %s%n", "", backstop(a.backstop()));
      }
    }
    r.notes().forEach(n -> err.println("  note: " + n));
    err.printf("  %,d calls in all; budget used today %s%n", sum(r.calls()), budget(r));
    if (result.budgetLine() != null) {
      err.println("  " + result.budgetLine());
    }
  }

  /** One line on a pair's latest backstop scan: when, and what it found that the incremental runs missed. */
  static String backstop(SyncReport.Backstop b) {
    String found = b.linksAdded() < 0 ? "the sink cannot read its links back, so what it found is unknown"
        : String.format("found %,d links missed and %,d stale", b.linksAdded(), b.linksRemoved());
    return String.format("backstop scan begun %s%s: %,d parents, %s", b.startedAt(), b.complete() ? "" : " (under way)",
        b.parentsCompared(), found);
  }

    static String budget(SyncReport r) {
    String used = r.budgetUsedToday() >= 0 ? String.format("%,d", r.budgetUsedToday()) : "unknown";
    String ceiling = r.budgetDailyCeiling() >= 0 ? String.format(" of %,d", r.budgetDailyCeiling()) : "";
    return used + ceiling + (r.budgetResetsAt() != null ? " (resets " + r.budgetResetsAt() + ")" : "");
  }

  static long sum(Map<ApiCall, Long> calls) {
    return calls == null ? 0 : calls.values().stream().mapToLong(Long::longValue).sum();
  }

  static String describe(ExitCode exit) {
    switch (exit) {
      case BAD_CONFIGURATION: return "bad configuration";
      case AUTHENTICATION: return "authentication failed";
      case TEMPORARY_FAILURE: return "temporary failure, retry later";
      case BUDGET_EXHAUSTED: return "stopped at the daily budget";
      default: return "failed";
    }
  }

  private static void closeQuietly(AutoCloseable c, PrintStream err) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      err.println("hubspot-sync: warning: closing " + c.getClass().getSimpleName() + " failed: " + e.getMessage());
    }
  }
}
