package dev.hubspotsync.client;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Counts the HTTP requests the built-in client sends from the current thread while some work
 * runs, per endpoint, retries included: how the sync engine attributes calls to the stream that
 * made them. Clients of other implementations are not counted.
 */
public final class CallsOnThisThread {
  private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

  private CallsOnThisThread() {}

  /**
   * Runs {@code work}, adding each request it sends from this thread to {@code into} as it is
   * sent (so {@code work} can read its own count). Counts nest: an outer count includes an inner
   * one. {@code into} must only be used from this thread while the work runs.
   */
  public static <T> T count(Map<ApiCall, Long> into, Supplier<T> work) {
    Scope outer = CURRENT.get();
    CURRENT.set(new Scope(into, outer));
    try {
      return work.get();
    } finally {
      CURRENT.set(outer);
    }
  }

  /** Called by the client for every request it sends. */
  static void record(ApiCall call) {
    for (Scope s = CURRENT.get(); s != null; s = s.outer()) {
      s.counts().merge(call, 1L, Long::sum);
    }
  }

  /** An empty map to count into, ordered by endpoint. */
  public static Map<ApiCall, Long> newCounts() {
    return new EnumMap<>(ApiCall.class);
  }

  private record Scope(Map<ApiCall, Long> counts, Scope outer) {}
}
