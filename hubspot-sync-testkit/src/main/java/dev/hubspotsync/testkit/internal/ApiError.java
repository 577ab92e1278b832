package dev.hubspotsync.testkit.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An error response in HubSpot's standard shape (hubspot-api.md §7): {@code status}, {@code message},
 * {@code correlationId}, {@code category}, optional {@code subCategory}, {@code context},
 * {@code errors}, {@code links}. Thrown by endpoint code and written by the HTTP front.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final Map<String, Object> body;
  final Map<String, String> headers = new LinkedHashMap<>();
  /** Set on 429s: the limit that rejected the call. */
  dev.hubspotsync.testkit.RateLimitPolicy policy;

  ApiError(int status, Map<String, Object> body) {
    super(String.valueOf(body.get("message")), null, false, false);
    this.status = status;
    this.body = body;
  }

  static ApiError of(int status, String category, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "error");
    body.put("message", message);
    body.put("category", category);
    return new ApiError(status, body);
  }

  static ApiError validation(String message) {
    return of(400, "VALIDATION_ERROR", message);
  }

  ApiError subCategory(String subCategory) {
    body.put("subCategory", subCategory);
    return this;
  }

  ApiError context(String key, List<String> values) {
    @SuppressWarnings("unchecked")
    Map<String, Object> ctx = (Map<String, Object>) body.computeIfAbsent("context", k -> new LinkedHashMap<>());
    ctx.put(key, values);
    return this;
  }

  ApiError put(String key, Object value) {
    body.put(key, value);
    return this;
  }

  ApiError header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public int status() {
    return status;
  }
}
