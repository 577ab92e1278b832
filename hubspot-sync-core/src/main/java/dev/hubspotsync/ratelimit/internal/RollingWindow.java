package dev.hubspotsync.ratelimit.internal;

import java.util.Arrays;

/**
 * The times (epoch milliseconds, oldest first) of the calls made in a rolling window. A call made at
 * {@code t} leaves the window at {@code t + span}, as HubSpot counts it. Calls that left are kept for
 * a further {@code retain} milliseconds, so that a response's headers, which describe the window as
 * it was when the request arrived, can be compared with the calls made since some earlier time. Not
 * thread-safe: the owner guards it.
 */
public final class RollingWindow {
  private final long span;
  private final long retain;
  private long[] times = new long[64];
  private int start;
  private int end;

  public RollingWindow(long spanMillis, long retainMillis) {
    this.span = spanMillis;
    this.retain = retainMillis;
  }

  /** Calls still in the window at {@code now}. */
  public int size(long now) {
    forget(now);
    return end - firstInWindow(now);
  }

  /** Calls made after {@code time} (exclusive) that are still remembered. */
  public int countAfter(long time) {
    return end - firstAfter(time);
  }

  /** Records a call at {@code now}. A clock that stepped back is treated as standing still, so the log stays ordered. */
  public void add(long now) {
    long t = end > start ? Math.max(now, times[end - 1]) : now;
    room(1);
    times[end++] = t;
  }

  /**
   * Moves one call recorded at {@code sent} (or the first one after it) to {@code now}: the call was
   * answered now, so HubSpot admitted it at some moment up to now and counts it until
   * {@code now + span} at the latest. Restamping every answered call this way keeps the window at
   * least as full as HubSpot's, whatever the latency and whichever call was answered.
   */
  public void restamp(long sent, long now) {
    forget(now);
    int at = firstAfter(sent - 1);
    if (at < end) {
      System.arraycopy(times, at + 1, times, at, end - at - 1);
      end--;
    }
    add(now);
  }

  /**
   * Records {@code n} calls this process did not make (another process using the same app). They are
   * given the time of the oldest call in the window, or {@code now} if it is empty, so they leave
   * when the window next frees.
   */
  public void addUnknown(int n, long now) {
    forget(now);
    int at = firstInWindow(now);
    long t = at < end ? times[at] : now;
    room(n);
    System.arraycopy(times, at, times, at + n, end - at);
    Arrays.fill(times, at, at + n, t);
    end += n;
  }

  /** The oldest call still in the window, or -1 if it is empty. */
  public long oldest(long now) {
    forget(now);
    int at = firstInWindow(now);
    return at < end ? times[at] : -1;
  }

  /**
   * Milliseconds from {@code now} until fewer than {@code limit} calls are in the window, so that
   * one more fits; 0 if one fits now. Never more than the span (a clock that stepped back).
   */
  public long waitForRoom(int limit, long now) {
    if (size(now) < limit) {
      return 0;
    }
    // Once the call at index end - limit leaves, limit - 1 remain.
    long leaves = times[end - limit] + span;
    return Math.min(span, Math.max(1, leaves - now));
  }

  private int firstInWindow(long now) {
    return firstAfter(now - span);
  }

  /** The index of the first call made after {@code time}. */
  private int firstAfter(long time) {
    int lo = start;
    int hi = end;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] <= time) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void forget(long now) {
    start = firstAfter(now - span - retain);
  }

  private void room(int n) {
    if (end + n <= times.length) {
      return;
    }
    int size = end - start;
    long[] target = size + n > times.length / 2 ? new long[Math.max(times.length * 2, size + n)] : times;
    System.arraycopy(times, start, target, 0, size);
    times = target;
    start = 0;
    end = size;
  }

  @Override
  public String toString() {
    return "RollingWindow[span=" + span + "ms, calls=" + Arrays.toString(Arrays.copyOfRange(times, start, end)) + "]";
  }
}
