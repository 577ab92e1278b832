package dev.hubspotsync.sql;

import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.sink.LinkBatch;
import java.sql.SQLException;
import java.util.List;

/**
 * How a sink's batches reach the warehouse fastest: a staging relation the guarded merge reads
 * (PostgreSQL: a binary {@code COPY} into a temporary table; DuckDB: the batch's Arrow vectors as
 * a view), a straight append for rows that cannot exist yet, and the rows of a link batch. Called
 * inside a unit of work only; thread-safe as the sink is (one unit per call).
 *
 * @param <U> the session's unit
 */
public interface SqlLoader<U extends SqlUnit> {
  /**
   * Makes the batch's rows readable under {@link Staged#relation()} until the stage is closed.
   * Column names and types are the batch's.
   */
  Staged stage(U unit, RecordBatch batch) throws SQLException;

  /**
   * Appends the batch's rows to {@code table} (quoted and qualified), none of whose ids exist yet;
   * the number of values changed so the warehouse takes them. By default: staged, then
   * {@code INSERT … SELECT}.
   */
  default int append(U unit, RecordBatch batch, String table, List<String> quotedColumns) throws SQLException {
    try (Staged staged = stage(unit, batch)) {
      String columns = String.join(", ", quotedColumns);
      unit.execute(Sql.of("INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM "
          + staged.relation()));
      return staged.valuesCleaned();
    }
  }

  /**
   * Appends the batch's links to the link table {@code table} (quoted and qualified): columns
   * {@code from_id, to_id, association_type_id, association_category, association_label,
   * _synced_at} (the batch's {@code syncedAt}).
   */
  void appendLinks(U unit, LinkBatch batch, String table) throws SQLException;

  /** Staged rows: where the merge reads them, and how many values were changed on the way. */
  interface Staged extends AutoCloseable {
    /** The relation's name as SQL (quoted). */
    String relation();

    /** Values changed so the warehouse would take them (e.g. NUL characters removed). */
    int valuesCleaned();

    /** Releases what the stage holds (e.g. drops a view); the unit goes on. */
    @Override
    void close() throws SQLException;

    /** A stage of these rows; {@code release} runs on {@link #close()}. */
    static Staged of(String relation, int valuesCleaned, Release release) {
      return new Staged() {
        @Override
        public String relation() {
          return relation;
        }

        @Override
        public int valuesCleaned() {
          return valuesCleaned;
        }

        @Override
        public void close() throws SQLException {
          release.run();
        }
      };
    }
  }

  /** What closing a stage does. */
  @FunctionalInterface
  interface Release {
    void run() throws SQLException;
  }
}
