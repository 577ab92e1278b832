package dev.hubspotsync;

/**
 * The root of every exception hubspot-sync throws. Carries a stable {@link ErrorCode} and whether
 * retrying the same operation later can succeed. Messages name the object, property or setting
 * involved and what to do; they never contain a token or secret.
 */
public class HubSpotSyncException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final boolean retryable;

  public HubSpotSyncException(ErrorCode code, String message) {
    this(code, message, false, null);
  }

  public HubSpotSyncException(ErrorCode code, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.retryable = retryable;
  }

  public ErrorCode code() {
    return code;
  }

  /** True when the same operation may succeed if tried again later, unchanged. */
  public boolean retryable() {
    return retryable;
  }
}
