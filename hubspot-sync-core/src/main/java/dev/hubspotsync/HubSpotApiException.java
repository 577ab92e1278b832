package dev.hubspotsync;

/**
 * HubSpot answered with an error. Carries the HTTP status and, when HubSpot's error body had them,
 * its {@code category}, {@code subCategory} and {@code correlationId} (quote the last one to HubSpot
 * support). Any of those may be null: HTML and empty error bodies have none.
 */
public class HubSpotApiException extends HubSpotSyncException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String category;
  private final String subCategory;
  private final String correlationId;

  public HubSpotApiException(ErrorCode code, String message, boolean retryable, int status, String category,
      String subCategory, String correlationId, Throwable cause) {
    super(code, message, retryable, cause);
    this.status = status;
    this.category = category;
    this.subCategory = subCategory;
    this.correlationId = correlationId;
  }

  public int status() {
    return status;
  }

  public String category() {
    return category;
  }

  public String subCategory() {
    return subCategory;
  }

  public String correlationId() {
    return correlationId;
  }
}
