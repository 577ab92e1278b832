package dev.hubspotsync;

import java.time.Instant;

/**
 * The rate budget's daily ceiling is reached, so no further call is made today. Not a failure of
 * the data: stop at the last checkpoint and run again at {@link #resumeAt()}.
 */
public class RateBudgetExhaustedException extends HubSpotSyncException {
  private static final long serialVersionUID = 1L;

  private final Instant resumeAt;

  public RateBudgetExhaustedException(String message, Instant resumeAt) {
    super(ErrorCode.RATE_BUDGET_EXHAUSTED, message, true, null);
    this.resumeAt = resumeAt;
  }

  /** When the daily count resets (midnight in the portal's time zone). */
  public Instant resumeAt() {
    return resumeAt;
  }
}
