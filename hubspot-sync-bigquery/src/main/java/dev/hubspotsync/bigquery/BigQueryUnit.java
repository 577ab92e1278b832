package dev.hubspotsync.bigquery;

import com.google.cloud.bigquery.ConnectionProperty;
import com.google.cloud.bigquery.FieldValue;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.TableResult;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlUnit;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One unit of work in BigQuery: statements that change rows run as jobs of one BigQuery session,
 * inside {@code BEGIN TRANSACTION} … {@code COMMIT TRANSACTION}, so they commit together and each
 * reports its row count; queries run in that session once it has begun (they see the unit's own
 * changes), before it as plain jobs. DDL runs as a job of its own (BigQuery refuses DDL inside a
 * transaction); the kernel's DDL is idempotent ({@code IF NOT EXISTS}). Not thread-safe; one per
 * {@link BigQuerySession#unit} call.
 */
final class BigQueryUnit implements SqlUnit {
  private final BigQueryJobs jobs;
  private final List<Runnable> afterEnd = new ArrayList<>();
  private String sessionId;
  private boolean inTransaction;
  private int dmlStatements;

  BigQueryUnit(BigQueryJobs jobs) {
    this.jobs = jobs;
  }

  BigQueryJobs jobs() {
    return jobs;
  }

  @Override
  public long execute(Sql statement) throws SQLException {
    String text = BigQueryDialect.spell(statement.text());
    if (isDdl(text)) {
      jobs.run(config(text, statement.params(), false), "ddl");
      return 0;
    }
    begin();
    dmlStatements++;
    JobStatistics.QueryStatistics stats = jobs.run(config(text, statement.params(), true), "dml").getStatistics();
    Long affected = stats.getNumDmlAffectedRows();
    return affected == null ? 0 : affected;
  }

  @Override
  public List<Object[]> rows(Sql query) throws SQLException {
    String text = BigQueryDialect.spell(query.text());
    TableResult result = jobs.query(config(text, query.params(), inTransaction));
    List<Object[]> rows = new ArrayList<>();
    int width = result.getSchema() == null ? 0 : result.getSchema().getFields().size();
    for (FieldValueList row : result.iterateAll()) {
      Object[] values = new Object[width];
      for (int i = 0; i < width; i++) {
        values[i] = value(row.get(i), result.getSchema().getFields().get(i).getType().getStandardType());
      }
      rows.add(values);
    }
    return rows;
  }

  @Override
  public long[] longs(Sql query) throws SQLException {
    List<Object[]> rows = rows(query);
    long[] out = new long[rows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) rows.get(i)[0]).longValue();
    }
    return out;
  }

  /** Runs after the unit ended, committed or not (e.g. drops a staging table). */
  void afterEnd(Runnable action) {
    afterEnd.add(action);
  }

  /** DML statements run so far (each costs seconds and counts against the table's DML quota). */
  int dmlStatements() {
    return dmlStatements;
  }

  private void begin() throws SQLException {
    if (inTransaction) {
      return;
    }
    if (sessionId == null) {
      sessionId = jobs.openSession();
    }
    jobs.run(QueryJobConfiguration.newBuilder("BEGIN TRANSACTION").setUseLegacySql(false)
        .setConnectionProperties(session()).build(), "begin");
    inTransaction = true;
  }

  /** Commits what the unit changed; the job's id tells whether it did, should the answer be lost. */
  void commit() throws SQLException {
    if (inTransaction) {
      jobs.run(QueryJobConfiguration.newBuilder("COMMIT TRANSACTION").setUseLegacySql(false)
          .setConnectionProperties(session()).build(), "commit");
      inTransaction = false;
    }
  }

  /** Rolls back (best effort: a session that is never used again rolls back when it expires). */
  void rollback() {
    if (inTransaction) {
      inTransaction = false;
      try {
        jobs.run(QueryJobConfiguration.newBuilder("ROLLBACK TRANSACTION").setUseLegacySql(false)
            .setConnectionProperties(session()).build(), "rollback");
      } catch (SQLException | RuntimeException e) {
        sessionId = null; // the session is in an unknown state: do not reuse it
      }
    }
  }

  /** Runs the after-end actions; the session, if any, for the next unit. */
  String end() {
    for (Runnable action : afterEnd) {
      action.run();
    }
    afterEnd.clear();
    return inTransaction ? null : sessionId;
  }

  void reuse(String session) {
    this.sessionId = session;
  }

  private QueryJobConfiguration config(String text, List<Object> params, boolean inSession) {
    StringBuilder sql = new StringBuilder(text.length());
    List<QueryParameterValue> values = new ArrayList<>();
    int p = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'' || c == '`') {
        int j = i + 1;
        while (j < text.length() && text.charAt(j) != c) {
          j += text.charAt(j) == '\\' ? 2 : 1;
        }
        sql.append(text, i, Math.min(j + 1, text.length()));
        i = j;
      } else if (c == '?') {
        Object value = params.get(p++);
        if (value == null) {
          sql.append("NULL"); // an untyped NULL takes the type its place needs
        } else {
          sql.append('?');
          values.add(parameter(value));
        }
      } else {
        sql.append(c);
      }
    }
    QueryJobConfiguration.Builder config = QueryJobConfiguration.newBuilder(sql.toString()).setUseLegacySql(false)
        .setPositionalParameters(values);
    if (inSession) {
      config.setConnectionProperties(session());
    }
    return config.build();
  }

  private List<ConnectionProperty> session() {
    return List.of(ConnectionProperty.newBuilder().setKey("session_id").setValue(sessionId).build());
  }

  private static QueryParameterValue parameter(Object value) {
    if (value instanceof String s) {
      return QueryParameterValue.string(s);
    } else if (value instanceof Long || value instanceof Integer) {
      return QueryParameterValue.int64(((Number) value).longValue());
    } else if (value instanceof Boolean b) {
      return QueryParameterValue.bool(b);
    } else if (value instanceof Instant t) {
      // Instant.until overflows in nanoseconds beyond 2262; whole seconds and the micros of the second do not
      return QueryParameterValue.timestamp(t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000);
    }
    throw new IllegalArgumentException("No BigQuery parameter for a " + value.getClass().getName());
  }

  private static Object value(FieldValue value, StandardSQLTypeName type) {
    if (value == null || value.isNull()) {
      return null;
    }
    switch (type) {
      case INT64:
        return value.getLongValue();
      case BOOL:
        return value.getBooleanValue();
      case FLOAT64:
        return value.getDoubleValue();
      default:
        return value.getStringValue();
    }
  }

  private static boolean isDdl(String text) {
    String head = text.stripLeading().toUpperCase(java.util.Locale.ROOT);
    return head.startsWith("CREATE ") || head.startsWith("ALTER ") || head.startsWith("DROP ");
  }
}
