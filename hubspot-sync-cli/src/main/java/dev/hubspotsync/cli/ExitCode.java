package dev.hubspotsync.cli;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;

/**
 * The process exit codes of every command (docs/cli.md). Schedulers switch on them, so they never
 * change: 0 done, 1 failed, 2 bad command line or config, 3 authentication, 69 retry soon, 75
 * daily budget reached.
 */
public enum ExitCode {
  /** The command did what it was asked. */
  OK(0),
  /** Failed, and running it again unchanged will fail again (HubSpot rejected a request, an unreadable answer, a warehouse error that is not transient, anything unexpected). */
  FAILED(1),
  /** Bad command line or bad config file; the message names the option or key. */
  BAD_CONFIGURATION(2),
  /** HubSpot refused the credentials, or the app lacks scopes. */
  AUTHENTICATION(3),
  /** A temporary failure (HubSpot unavailable or throttling, a transient warehouse error, interrupted): retry soon. */
  TEMPORARY_FAILURE(69),
  /** The rate budget's daily ceiling is reached: run again at the reset ({@code resumeAt}). */
  BUDGET_EXHAUSTED(75);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  /** The number the process exits with. */
  public int code() {
    return code;
  }

  /** The exit code for a failure. */
  public static ExitCode of(Throwable failure) {
    if (!(failure instanceof HubSpotSyncException e)) {
      return FAILED;
    }
    return of(e.code(), e.retryable());
  }

  /** The exit code for an error code; {@code retryable} matters only for warehouse failures. */
  public static ExitCode of(ErrorCode code, boolean retryable) {
    switch (code) {
      case BAD_CONFIGURATION:
        return BAD_CONFIGURATION;
      case INVALID_AUTHENTICATION:
      case MISSING_SCOPES:
        return AUTHENTICATION;
      case RATE_BUDGET_EXHAUSTED:
        return BUDGET_EXHAUSTED;
      case HUBSPOT_UNAVAILABLE:
      case RATE_LIMITED:
      case INTERRUPTED:
        return TEMPORARY_FAILURE;
      case WAREHOUSE_FAILED:
        return retryable ? TEMPORARY_FAILURE : FAILED;
      case HUBSPOT_REJECTED:
      case UNEXPECTED_RESPONSE:
      default:
        return FAILED;
    }
  }
}
