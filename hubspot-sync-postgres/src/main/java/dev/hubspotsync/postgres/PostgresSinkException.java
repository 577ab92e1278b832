package dev.hubspotsync.postgres;

/**
 * PostgreSQL failed an operation of a {@link PostgresSink} or {@link PostgresStateStore} for a
 * reason other than its configuration (those throw {@link dev.hubspotsync.HubSpotSyncException}
 * with {@link dev.hubspotsync.ErrorCode#BAD_CONFIGURATION}). The transaction was rolled back: none
 * of the operation's rows or checkpoint were stored. The message names the operation and table and
 * carries the server's message; it never holds a password. The cause is the driver's
 * {@link java.sql.SQLException}.
 */
public class PostgresSinkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;
  private final boolean retryable;

  PostgresSinkException(String message, String sqlState, boolean retryable, Throwable cause) {
    super(message, cause);
    this.sqlState = sqlState;
    this.retryable = retryable;
  }

  /** PostgreSQL's SQLSTATE code, e.g. {@code 40P01} for a deadlock; null when the failure had none. */
  public String sqlState() {
    return sqlState;
  }

  /**
   * True when the same operation may succeed if tried again unchanged: a lost connection
   * (SQLSTATE class 08), a serialization failure or deadlock (40001, 40P01), or a server shutting
   * down (57P01–57P03).
   */
  public boolean retryable() {
    return retryable;
  }
}
