package dev.hubspotsync.testkit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Faults the portal injects, per endpoint or everywhere. Random faults draw from a generator seeded
 * by the portal's seed, so the same sequence of calls meets the same faults. Scripted faults
 * ({@link Rules#failNext}) hit the next calls exactly. Changeable while the portal runs; thread-safe.
 *
 * <pre>{@code
 * hubspot.faults().on(Endpoint.LIST).serverErrors(0.05).latency(Duration.ofMillis(30));
 * hubspot.faults().on(Endpoint.SEARCH).failNext(2, Fault.SERVER_ERROR_HTML);
 * hubspot.faults().everywhere().gatewayTimeoutAbove(50);
 * }</pre>
 */
public final class Faults {
  private final Map<Endpoint, Rules> byEndpoint = new EnumMap<>(Endpoint.class);
  private final Rules everywhere = new Rules();
  private final SplittableRandom random;

  Faults(long seed) {
    this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
  }

  /** Rules for one endpoint (they apply in addition to {@link #everywhere()}). */
  public synchronized Rules on(Endpoint endpoint) {
    return byEndpoint.computeIfAbsent(endpoint, e -> new Rules());
  }

  /** Rules for every endpoint. */
  public Rules everywhere() {
    return everywhere;
  }

  /** Removes every rule and scripted fault. */
  public synchronized void clear() {
    byEndpoint.clear();
    everywhere.reset();
  }

  /** What the server does to one response; decided once per call. Used by the portal's HTTP front. */
  public record Decision(Fault fault, int status, Duration latency, Duration dripPause) {
    public static final Decision NONE = new Decision(null, 0, Duration.ZERO, Duration.ZERO);
  }

  /**
   * Decides the faults for one call. {@code pageSize} is the limit or number of inputs the call asks
   * for (0 when it has none).
   */
  public synchronized Decision decide(Endpoint endpoint, int pageSize) {
    Rules specific = byEndpoint.get(endpoint);
    Duration latency = everywhere.latency.plus(specific == null ? Duration.ZERO : specific.latency);
    for (Rules r : specific == null ? new Rules[] {everywhere} : new Rules[] {specific, everywhere}) {
      Fault scripted = r.pollScripted();
      if (scripted != null) {
        return decision(scripted, r, latency);
      }
    }
    for (Rules r : specific == null ? new Rules[] {everywhere} : new Rules[] {specific, everywhere}) {
      if (r.gatewayTimeoutAbove > 0 && pageSize > r.gatewayTimeoutAbove
          && (r.gatewayTimeoutShare >= 1 || random.nextDouble() < r.gatewayTimeoutShare)) {
        return decision(Fault.GATEWAY_TIMEOUT, r, latency);
      }
      if (r.serverErrorRate > 0 && random.nextDouble() < r.serverErrorRate) {
        return decision(random.nextDouble() < r.htmlShare ? Fault.SERVER_ERROR_HTML : Fault.SERVER_ERROR_JSON, r, latency);
      }
      if (r.rateLimitedRate > 0 && random.nextDouble() < r.rateLimitedRate) {
        return decision(Fault.RATE_LIMITED, r, latency);
      }
      if (r.resetRate > 0 && random.nextDouble() < r.resetRate) {
        return decision(Fault.CONNECTION_RESET, r, latency);
      }
      if (r.dripRate > 0 && random.nextDouble() < r.dripRate) {
        return decision(Fault.SLOW_DRIP, r, latency);
      }
    }
    return latency.isZero() ? Decision.NONE : new Decision(null, 0, latency, Duration.ZERO);
  }

  private Decision decision(Fault fault, Rules r, Duration latency) {
    int status;
    switch (fault) {
      case SERVER_ERROR_JSON:
      case SERVER_ERROR_HTML:
        int[] statuses = {500, 502, 503, 504, 524};
        status = statuses[random.nextInt(statuses.length)];
        break;
      case GATEWAY_TIMEOUT:
        status = 504;
        break;
      case RATE_LIMITED:
        status = 429;
        break;
      default:
        status = 200;
    }
    return new Decision(fault, status, latency, r.dripPause);
  }

  /** Fault rules of one scope. Setters return {@code this} for chaining. */
  public static final class Rules {
    private volatile Duration latency = Duration.ZERO;
    private volatile double serverErrorRate;
    private volatile double htmlShare = 0.3;
    private volatile int gatewayTimeoutAbove;
    private volatile double gatewayTimeoutShare = 1;
    private volatile double rateLimitedRate;
    private volatile double resetRate;
    private volatile double dripRate;
    private volatile Duration dripPause = Duration.ofMillis(50);
    private final Deque<Fault> scripted = new ArrayDeque<>();

    Rules() {}

    /** Every response waits this long (through the portal's {@link dev.hubspotsync.Sleeper}). */
    public Rules latency(Duration latency) {
      this.latency = latency;
      return this;
    }

    /** Share of calls answered with a 500, 502, 503, 504 or 524. */
    public Rules serverErrors(double rate) {
      this.serverErrorRate = rate(rate, "serverErrors");
      return this;
    }

    /** Share of injected 5xx responses whose body is HTML rather than JSON (default 0.3). */
    public Rules htmlBodies(double share) {
      this.htmlShare = rate(share, "htmlBodies");
      return this;
    }

    /** Calls asking for more than {@code pageSize} records or inputs get a 504, as large pages do. */
    public Rules gatewayTimeoutAbove(int pageSize) {
      return gatewayTimeoutAbove(pageSize, 1);
    }

    /** A {@code share} of the calls asking for more than {@code pageSize} records or inputs get a 504. */
    public Rules gatewayTimeoutAbove(int pageSize, double share) {
      this.gatewayTimeoutShare = rate(share, "gatewayTimeoutAbove share");
      this.gatewayTimeoutAbove = pageSize;
      return this;
    }

    /** Share of calls answered 429 ({@link Fault#RATE_LIMITED}), whatever the portal's own limits. */
    public Rules rateLimited(double rate) {
      this.rateLimitedRate = rate(rate, "rateLimited");
      return this;
    }

    /** Share of calls whose connection is closed part-way through the body. */
    public Rules connectionResets(double rate) {
      this.resetRate = rate(rate, "connectionResets");
      return this;
    }

    /** Share of calls whose body drips out in small chunks, {@code pause} apart. */
    public Rules slowDrip(double rate, Duration pause) {
      this.dripRate = rate(rate, "slowDrip");
      this.dripPause = pause;
      return this;
    }

    /** The next {@code times} calls in this scope get {@code fault}, before any random rule. */
    public Rules failNext(int times, Fault fault) {
      synchronized (scripted) {
        for (int i = 0; i < times; i++) {
          scripted.add(fault);
        }
      }
      return this;
    }

    private Fault pollScripted() {
      synchronized (scripted) {
        return scripted.poll();
      }
    }

    void reset() {
      latency = Duration.ZERO;
      serverErrorRate = 0;
      htmlShare = 0.3;
      gatewayTimeoutAbove = 0;
      gatewayTimeoutShare = 1;
      rateLimitedRate = 0;
      resetRate = 0;
      dripRate = 0;
      synchronized (scripted) {
        scripted.clear();
      }
    }

    private static double rate(double r, String name) {
      if (r < 0 || r > 1) {
        throw new IllegalArgumentException(name + " must be within [0, 1], was " + r);
      }
      return r;
    }
  }
}
