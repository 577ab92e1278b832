package dev.hubspotsync.testkit;

import dev.hubspotsync.testkit.internal.HttpFront;
import dev.hubspotsync.testkit.internal.PortalState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Set;

/**
 * A simulated HubSpot portal served over real HTTP on a loopback port. Any HubSpot client works
 * against it once its base URL is {@link #baseUrl()} and it sends {@link #token()}.
 *
 * <p>It reproduces what makes HubSpot hard to copy (hubspot-api.md): the 10,000-result search cap,
 * search-index lag, rate limits with their headers and 429 bodies, expiring OAuth tokens, missing
 * scopes, partial results (207 on the legacy paths, 200 with {@code errors} on 2026-09; both served), archive and association edits that do not bump the modified date,
 * and injectable faults. Tests change the portal through {@link #portal()}, move time with
 * {@link #clock()}, and compare a warehouse with {@link #snapshot()}.
 *
 * <pre>{@code
 * try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(1_000).build())) {
 *   HttpRequest list = HttpRequest.newBuilder(URI.create(hubspot.baseUrl() + "/crm/objects/2026-09/contacts?limit=100"))
 *       .header("Authorization", "Bearer " + hubspot.token()).build();
 *   ...
 * }
 * }</pre>
 *
 * Thread-safe. {@link #close()} stops the server; the object is unusable afterwards.
 */
public final class FakeHubSpot implements AutoCloseable {
  private final PortalSpec spec;
  private final PortalState state;
  private final Faults faults;
  private final HttpFront front;

  private FakeHubSpot(PortalSpec spec, int port) throws IOException {
    this.spec = spec;
    this.state = new PortalState(spec);
    this.faults = new Faults(spec.seed());
    this.front = new HttpFront(spec, state, faults, port);
  }

  /** Generates the portal and serves it on an ephemeral loopback port. */
  public static FakeHubSpot start(PortalSpec spec) {
    return start(spec, 0);
  }

  /** Generates the portal and serves it on {@code port} of 127.0.0.1 (0: any free port). */
  public static FakeHubSpot start(PortalSpec spec, int port) {
    try {
      return new FakeHubSpot(spec, port);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the simulated HubSpot portal on 127.0.0.1:" + port
          + " (is the port taken?): " + e.getMessage(), e);
    }
  }

  /** {@code http://127.0.0.1:<port>}, with no trailing slash. */
  public String baseUrl() {
    return front.baseUrl();
  }

  public int port() {
    return front.port();
  }

  /** The private-app token the portal accepts. */
  public String token() {
    return spec.privateAppToken();
  }

  public PortalSpec spec() {
    return spec;
  }

  /** Changes to the portal's data and schema. */
  public Portal portal() {
    return state;
  }

  /** The portal's clock: advance it to move lag, token expiry, rate windows and the daily reset. */
  public PortalClock clock() {
    return spec.clock();
  }

  public Faults faults() {
    return faults;
  }

  /**
   * The change journal: its switches (duplicates, URL lifetime, unknown fields), injected files, and
   * what it holds. Only a client-credentials token ({@link AuthKind#CLIENT_CREDENTIALS}) with the
   * journal scopes may call its API; its calls count toward no rate limit.
   */
  public PortalJournal journal() {
    return state.journal();
  }

  public PortalStats stats() {
    return front.stats();
  }

  public void resetStats() {
    front.resetStats();
  }

  /** Forgets today's usage and the rate windows. */
  public void resetRateLimits() {
    front.resetRateLimits();
  }

  /** The ground truth right now: every live and archived record and every association. */
  public PortalSnapshot snapshot() {
    return state.snapshot();
  }

  /** Accepts another private-app token, holding only {@code scopes}. */
  public void addPrivateAppToken(String token, Set<String> scopes) {
    front.addPrivateApp(token, scopes);
  }

  /** Accepts a service key holding only {@code scopes} (or changes the scopes of one it accepts). */
  public void addServiceKey(String key, Set<String> scopes) {
    front.addServiceKey(key, scopes);
  }

  /** API calls (any endpoint but the token endpoint) authenticated with {@code kind} since start. */
  public long calls(AuthKind kind) {
    return front.calls(kind);
  }

  /** OAuth access tokens issued since start for {@code kind}: the refresh-token or client-credentials grant. */
  public long tokensIssued(AuthKind kind) {
    return front.tokensIssued(kind);
  }

  /**
   * Ends the life of every OAuth access token issued so far, as if each had reached its
   * {@code expires_in} now: their next use gets 401 {@code EXPIRED_AUTHENTICATION}. The refresh token
   * keeps working, so a client that refreshes on that 401 carries on. Lets a test expire tokens at a
   * chosen moment when the clock cannot be moved (a client in another process on the real clock).
   */
  public void expireAccessTokens() {
    front.expireAccessTokens();
  }

  /**
   * From now on, search sorted by the modified date returns the records whose indexed modified date
   * lies within {@code window} of now out of order (see
   * {@link PortalSpec.Builder#searchOutOfOrderWithin}); {@link Duration#ZERO} turns it off.
   */
  public void searchOutOfOrderWithin(Duration window) {
    if (window == null || window.isNegative()) {
      throw new IllegalArgumentException("searchOutOfOrderWithin must be zero or positive, was " + window);
    }
    state.searchOutOfOrderWithin(window);
  }

  /** Changes how long search lags behind changes made from now on. */
  public void indexLag(Duration lag) {
    state.indexLag(lag);
  }

  @Override
  public void close() {
    front.close();
  }

  @Override
  public String toString() {
    return "FakeHubSpot[" + baseUrl() + ", " + spec + "]";
  }
}
