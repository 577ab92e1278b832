package dev.hubspotsync;

import java.util.List;

/** The app's token lacks scopes a call needs (HubSpot's 403 {@code MISSING_SCOPES}). */
public class MissingScopesException extends HubSpotApiException {
  private static final long serialVersionUID = 1L;

  private final List<String> scopes;

  public MissingScopesException(String message, List<String> scopes, String correlationId) {
    super(ErrorCode.MISSING_SCOPES, message, false, 403, "MISSING_SCOPES", null, correlationId, null);
    this.scopes = List.copyOf(scopes);
  }

  /** The scopes HubSpot says are required (any one of them may suffice). */
  public List<String> scopes() {
    return scopes;
  }
}
