package dev.hubspotsync.bigquery;

import com.google.cloud.bigquery.BigQueryException;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.sql.SqlSession;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Units of work of one sink: a {@link BigQueryUnit} each, holding locks of this JVM (one per table,
 * one for DDL) until it ends, with BigQuery sessions kept for the next unit. Writers in other
 * processes are ordered by BigQuery itself: of two transactions changing one table, one is aborted
 * ("concurrent update"), which is retryable. Thread-safe.
 */
final class BigQuerySession implements SqlSession<BigQueryUnit> {
  private final BigQueryJobs jobs;
  private final String dataset;
  private static final int ATTEMPTS = 3;
  private final ReentrantLock ddlLock = new ReentrantLock();
  private final ReentrantLock stateLock = new ReentrantLock();
  private final Map<String, ReentrantLock> tableLocks = new ConcurrentHashMap<>();
  private final Deque<String> idleSessions = new ConcurrentLinkedDeque<>();

  /** @param dataset {@code project.dataset}, for messages */
  BigQuerySession(BigQueryJobs jobs, String dataset) {
    this.jobs = jobs;
    this.dataset = dataset;
  }

  @Override
  public <T> T unit(String action, List<Lock> locks, Work<BigQueryUnit, T> work) {
    List<ReentrantLock> held = new ArrayList<>();
    boolean writes = false;
    for (Lock lock : locks) {
      held.add(lock.isDdl() ? ddlLock : tableLocks.computeIfAbsent(lock.table(), t -> new ReentrantLock()));
      writes |= !lock.isDdl();
    }
    if (writes) {
      // Every write stores a checkpoint in the one state table, where two transactions would conflict.
      held.add(stateLock);
    }
    int locked = 0;
    try {
      for (ReentrantLock lock : held) {
        lock.lock();
        locked++;
      }
      for (int attempt = 1; ; attempt++) {
        try {
          return attempt(work);
        } catch (SQLException e) {
          if (attempt >= ATTEMPTS || !isConflict(String.valueOf(e.getMessage()))) {
            throw e;
          }
          // Another process's transaction changed one of these tables: BigQuery aborted ours; run it again.
        }
      }
    } catch (SQLException e) {
      throw failure(action, e);
    } finally {
      for (int i = locked - 1; i >= 0; i--) {
        held.get(i).unlock();
      }
    }
  }

  private <T> T attempt(Work<BigQueryUnit, T> work) throws SQLException {
    BigQueryUnit unit = new BigQueryUnit(jobs);
    String session = idleSessions.poll();
    if (session != null) {
      unit.reuse(session);
    }
    try {
      T result = work.run(unit);
      unit.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      unit.rollback();
      throw e;
    } finally {
      String reusable = unit.end();
      if (reusable != null) {
        idleSessions.push(reusable);
      }
    }
  }

  private static boolean isConflict(String message) {
    String lower = message.toLowerCase(Locale.ROOT);
    return lower.contains("concurrent update") || lower.contains("could not serialize")
        || lower.contains("transaction is aborted");
  }

  /** The failure as users see it: what failed, in which dataset, why, and what to do. */
  WarehouseException failure(String action, SQLException e) {
    BigQueryException cause = e.getCause() instanceof BigQueryException b ? b : null;
    String reason = cause == null || cause.getReason() == null ? String.valueOf(e.getSQLState()) : cause.getReason();
    String message = String.valueOf(e.getMessage());
    int code = cause == null ? e.getErrorCode() : cause.getCode();
    boolean conflict = isConflict(message);
    boolean retryable = conflict || (cause != null && cause.isRetryable()) || code >= 500
        || reason.equals("backendError") || reason.equals("internalError") || reason.equals("rateLimitExceeded")
        || reason.equals("jobRateLimitExceeded");
    String advice;
    if (reason.equals("accessDenied") || code == 403 && !reason.equals("rateLimitExceeded")
        && !reason.equals("quotaExceeded")) {
      advice = "grant the sink's account roles/bigquery.dataEditor on dataset " + dataset
          + " and roles/bigquery.jobUser on its project (docs/bigquery.md)";
    } else if (reason.equals("notFound") || code == 404) {
      advice = "check the project, dataset and location settings; a table the sink created may have been dropped";
    } else if (reason.equals("quotaExceeded")) {
      advice = "a BigQuery quota is spent: raise coalesceRows/coalesceAge so fewer, larger loads run, or wait for the quota to reset";
    } else if (conflict) {
      advice = "another transaction changed the same table; run again (one writer per table avoids this)";
    } else if (retryable) {
      advice = "run again; BigQuery reported a transient failure";
    } else {
      advice = "the statement was rejected; see the reason above";
    }
    return new WarehouseException("BigQuery (dataset " + dataset + ") failed to " + action + ": " + message
        + " [" + reason + "]; " + (retryable ? "retryable: " : "") + advice, null, retryable, e);
  }
}
