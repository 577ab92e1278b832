package dev.hubspotsync;

/**
 * A warehouse failed: a statement was rejected, a transaction could not commit, or the connection
 * broke. Thrown by sinks and state stores; its {@link #code()} is {@link ErrorCode#WAREHOUSE_FAILED}.
 * The message names the table or stream involved and never a password or token.
 */
public class WarehouseException extends HubSpotSyncException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;

  /**
   * @param sqlState the database's SQLSTATE code (e.g. {@code 40P01} for a deadlock); null if none
   * @param retryable true when the same operation may succeed if tried again unchanged
   */
  public WarehouseException(String message, String sqlState, boolean retryable, Throwable cause) {
    super(ErrorCode.WAREHOUSE_FAILED, message, retryable, cause);
    this.sqlState = sqlState;
  }

  /** The database's SQLSTATE code, e.g. {@code 40P01} for a deadlock; null when the failure had none. */
  public String sqlState() {
    return sqlState;
  }
}
