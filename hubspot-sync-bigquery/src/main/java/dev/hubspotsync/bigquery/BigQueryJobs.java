package dev.hubspotsync.bigquery;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.JobStatus;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.TableDataWriteChannel;
import com.google.cloud.bigquery.TableResult;
import com.google.cloud.bigquery.WriteChannelConfiguration;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs BigQuery jobs under ids the sink chooses, so a job whose answer was lost (a timeout, a
 * broken connection, a 5xx after the job was accepted) is looked up by its id instead of being run
 * again: a job that committed is never applied twice, one that never arrived is run. Failures become
 * {@link SQLException}s that keep the {@link BigQueryException} (the session translates them).
 * Thread-safe.
 */
final class BigQueryJobs {
  private final BigQuery bigquery;
  private final String project;
  private final String location;
  private final String prefix = "hubspot_sync_" + UUID.randomUUID().toString().replace("-", "") + "_";
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong dmlStatements = new AtomicLong();
  private final AtomicLong jobsRun = new AtomicLong();

  BigQueryJobs(BigQuery bigquery, String project, String location) {
    this.bigquery = bigquery;
    this.project = project;
    this.location = location;
  }

  BigQuery client() {
    return bigquery;
  }

  /** A new job id: the sink's own prefix, what the job does, a sequence number. */
  JobId newJobId(String kind) {
    JobId.Builder id = JobId.newBuilder().setProject(project).setJob(prefix + kind + "_" + sequence.incrementAndGet());
    if (location != null) {
      id.setLocation(location);
    }
    return id.build();
  }

  /** Runs the job to its end; its failure as an exception. */
  Job run(QueryJobConfiguration config, String kind) throws SQLException {
    if (kind.equals("dml")) {
      dmlStatements.incrementAndGet();
    }
    return run(JobInfo.of(newJobId(kind), config));
  }

  /** Runs a query and returns all of its rows. */
  TableResult query(QueryJobConfiguration config) throws SQLException {
    Job job = run(config, "query");
    try {
      return job.getQueryResults();
    } catch (BigQueryException e) {
      throw failed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while reading the results of job " + job.getJobId().getJob(), e);
    }
  }

  /** A new session (its first job begins nothing); its id. */
  String openSession() throws SQLException {
    Job job = run(QueryJobConfiguration.newBuilder("SELECT 1").setUseLegacySql(false).setCreateSession(true).build(),
        "session");
    JobStatistics.QueryStatistics stats = job.getStatistics();
    if (stats.getSessionInfo() == null || stats.getSessionInfo().getSessionId() == null) {
      throw new SQLException("BigQuery created no session for job " + job.getJobId().getJob());
    }
    return stats.getSessionInfo().getSessionId();
  }

  /** Loads newline-delimited JSON with a load job (free, unlike DML) and waits for it. */
  Job load(WriteChannelConfiguration config, byte[] rows) throws SQLException {
    JobId id = newJobId("load");
    try {
      TableDataWriteChannel writer = bigquery.writer(id, config);
      try (writer) {
        ByteBuffer buffer = ByteBuffer.wrap(rows);
        while (buffer.hasRemaining()) {
          writer.write(buffer);
        }
      }
      return finish(writer.getJob() == null ? lookUp(id) : writer.getJob());
    } catch (IOException e) {
      Job known = lookUp(id);
      if (known == null) {
        throw new SQLException("load job " + id.getJob() + " failed before BigQuery accepted it: " + e.getMessage(), e);
      }
      return finish(known);
    } catch (BigQueryException e) {
      throw failed(e);
    }
  }

  long dmlStatements() {
    return dmlStatements.get();
  }

  long jobs() {
    return jobsRun.get();
  }

  private Job run(JobInfo info) throws SQLException {
    JobId id = info.getJobId();
    jobsRun.incrementAndGet();
    Job job;
    try {
      job = bigquery.create(info);
    } catch (BigQueryException e) {
      // Did the job arrive? Then it ran (or runs): wait for it rather than run it twice.
      Job known = e.getCode() == 409 || e.isRetryable() || e.getCode() >= 500 || e.getCode() == 0 ? lookUp(id) : null;
      if (known == null) {
        throw failed(e);
      }
      job = known;
    }
    return finish(job);
  }

  private Job lookUp(JobId id) throws SQLException {
    try {
      return bigquery.getJob(id);
    } catch (BigQueryException e) {
      throw failed(e);
    }
  }

  private Job finish(Job job) throws SQLException {
    try {
      // The answer to an insert can already say DONE; waiting would then cost two more calls.
      Job done = job.getStatus() != null && job.getStatus().getState() == JobStatus.State.DONE ? job : job.waitFor();
      if (done == null) {
        throw new SQLException("BigQuery job " + job.getJobId().getJob() + " no longer exists");
      }
      BigQueryError error = done.getStatus().getError();
      if (error != null) {
        throw failed(new BigQueryException(0, error.getMessage(), error));
      }
      return done;
    } catch (BigQueryException e) {
      throw failed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for job " + job.getJobId().getJob(), e);
    }
  }

  private static SQLException failed(BigQueryException e) {
    return new SQLException(e.getMessage(), e.getReason(), e.getCode(), e);
  }
}
