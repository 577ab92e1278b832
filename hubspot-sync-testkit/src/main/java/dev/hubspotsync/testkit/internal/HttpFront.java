package dev.hubspotsync.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.Fault;
import dev.hubspotsync.testkit.Faults;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.PortalStats;
import dev.hubspotsync.testkit.RateLimitPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The HTTP side of the simulated portal, on the JDK's HTTP server bound to loopback. Order of checks
 * for a call: URL length (414), authentication (401), rate limits (429), an activatable object
 * switched off (403), object type (404), scopes (403), injected faults, then the endpoint.
 */
public final class HttpFront implements AutoCloseable {
  private static final String JSON_TYPE = "application/json;charset=utf-8";

  static {
    // The JDK server leaves Nagle's algorithm on: headers and body leave as two packets and every
    // call stalls ~40 ms on the client's delayed ACK. The flag is read once, before the first server.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final PortalSpec spec;
  private final PortalState portal;
  private final Faults faults;
  private final Auth auth;
  private final RateLimiter limiter;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Api api;
  private final JournalApi journal;
  private final Map<Endpoint, LongAdder> calls = new EnumMap<>(Endpoint.class);
  private final Map<RateLimitPolicy, LongAdder> rejected = new EnumMap<>(RateLimitPolicy.class);
  private final LongAdder faultsInjected = new LongAdder();
  private final Map<String, LongAdder> versions = new java.util.concurrent.ConcurrentHashMap<>();
  private final SplittableRandom ids;

  public HttpFront(PortalSpec spec, PortalState portal, Faults faults, int port) throws IOException {
    this.spec = spec;
    this.portal = portal;
    this.faults = faults;
    this.auth = new Auth(spec);
    this.limiter = new RateLimiter(spec);
    this.ids = new SplittableRandom(spec.seed() + 3);
    for (Endpoint e : Endpoint.values()) {
      calls.put(e, new LongAdder());
    }
    for (RateLimitPolicy p : RateLimitPolicy.values()) {
      rejected.put(p, new LongAdder());
    }
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(spec.serverThreads(), r -> {
      Thread t = new Thread(r, "fake-hubspot-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    this.api = new Api(portal, baseUrl());
    this.journal = new JournalApi(portal, baseUrl());
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public void addPrivateApp(String token, java.util.Set<String> scopes) {
    auth.addPrivateApp(token, scopes);
  }

  public void addServiceKey(String key, java.util.Set<String> scopes) {
    auth.addServiceKey(key, scopes);
  }

  public long calls(dev.hubspotsync.testkit.AuthKind kind) {
    return auth.calls(kind);
  }

  public long tokensIssued(dev.hubspotsync.testkit.AuthKind kind) {
    return auth.tokensIssued(kind);
  }

  /** Every OAuth access token issued so far expires now. */
  public void expireAccessTokens() {
    auth.expireAccessTokens(portal.now());
  }

  /** Calls per API version the caller's paths named ({@code 2026-09}, {@code v3}, {@code v4}, {@code v1}). */
  private Map<String, Long> versionCounts() {
    Map<String, Long> out = new java.util.TreeMap<>();
    versions.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  public PortalStats stats() {
    Map<Endpoint, Long> c = new EnumMap<>(Endpoint.class);
    calls.forEach((k, v) -> c.put(k, v.sum()));
    Map<RateLimitPolicy, Long> r = new EnumMap<>(RateLimitPolicy.class);
    rejected.forEach((k, v) -> r.put(k, v.sum()));
    return new PortalStats(Map.copyOf(c), Map.copyOf(r), faultsInjected.sum(), limiter.dailyUsed(portal.now()),
        versionCounts());
  }

  public void resetStats() {
    calls.values().forEach(LongAdder::reset);
    rejected.values().forEach(LongAdder::reset);
    faultsInjected.reset();
    versions.clear();
  }

  /** Forgets today's usage and the burst windows, as if a new day had begun. */
  public void resetRateLimits() {
    limiter.reset();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---- one call ---------------------------------------------------------------------------------------

  /** {@code version}: the path's version segment as sent ({@code 2026-09}, {@code v3}, {@code v4}, {@code v1}). */
  record Route(Endpoint endpoint, List<String> params, String version) {
    /** 2026-09 drops the 207 multi-status answers: partial results come as 200 with {@code errors}. */
    int status(int legacyStatus) {
      return legacyStatus == 207 && !version.startsWith("v") ? 200 : legacyStatus;
    }
  }

  /** The date versions served; objects, properties, schemas and associations answer the same in each. */
  private static final java.util.Set<String> DATED = java.util.Set.of("2026-03", "2026-09");

  private record Response(int status, String contentType, byte[] body, Map<String, String> headers) {}

  private void handle(HttpExchange ex) {
    String correlationId;
    synchronized (ids) {
      correlationId = new UUID(ids.nextLong(), ids.nextLong()).toString();
    }
    Endpoint endpoint = Endpoint.UNKNOWN;
    Auth.App app = null;
    Faults.Decision decision = Faults.Decision.NONE;
    Response response;
    try {
      String rawPath = ex.getRequestURI().getRawPath();
      String rawQuery = ex.getRequestURI().getRawQuery();
      Route route = route(ex.getRequestMethod(), rawPath);
      endpoint = route.endpoint();
      calls.get(endpoint).increment();
      versions.computeIfAbsent(route.version(), v -> new LongAdder()).increment();
      int uriLength = rawPath.length() + (rawQuery == null ? 0 : rawQuery.length() + 1);
      if (uriLength > spec.maxUrlLength()) {
        // §1 "URL length": long property lists fail with 414 from the edge, as HTML.
        response = html(414, "Request-URI Too Large");
      } else {
        byte[] body = readBody(ex);
        Map<String, String> query = parseForm(rawQuery);
        long now = portal.now();
        if (endpoint == Endpoint.JOURNAL_FILE) {
          // a pre-signed link: no Authorization, no limits (hubspot-journal.md §2.1, §3); the file host
          // fails like any server, but never with HubSpot's 429
          decision = faults.decide(endpoint, 0);
          if (decision.fault() == Fault.RATE_LIMITED) {
            decision = Faults.Decision.NONE;
          }
          if (decision.fault() != null) {
            faultsInjected.increment();
          }
          response = injectedError(decision, null, endpoint);
          if (response == null) {
            response = reply(journal.file(route.params().get(0), query, now));
          }
        } else if (endpoint == Endpoint.OAUTH_TOKEN) {
          response = ok(Api.json(auth.token(parseForm(new String(body, StandardCharsets.UTF_8)), now,
              !route.version().startsWith("v"))));
        } else if (endpoint == Endpoint.UNKNOWN) {
          throw ApiError.of(404, "OBJECT_NOT_FOUND", "No endpoint matches " + ex.getRequestMethod() + " " + rawPath);
        } else {
          app = auth.authenticate(ex.getRequestHeaders().getFirst("Authorization"), now);
          if ((endpoint == Endpoint.JOURNAL || endpoint == Endpoint.JOURNAL_SUBSCRIPTIONS)
              && app.credential() != dev.hubspotsync.testkit.AuthKind.CLIENT_CREDENTIALS) {
            // §10.3, §10.4: only a project app's client-credentials token reads the journal
            throw ApiError.of(401, "INVALID_AUTHENTICATION", "The webhooks journal API accepts only an OAuth access "
                + "token of a project app obtained with the client-credentials grant; this call used a "
                + app.credential().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " credential.");
          }
          try {
            limiter.admit(app, RateLimiter.Lane.of(endpoint), now);
          } catch (ApiError e) {
            rejected.get(e.policy).increment();
            throw e;
          }
          List<ObjectTypeDef> types = new ArrayList<>();
          for (String p : typeParams(route)) {
            requireActivated(p);
            types.add(api.type(p));
          }
          Auth.requireScopes(app, endpoint == Endpoint.JOURNAL_SUBSCRIPTIONS
              ? List.of(JournalApi.subscriptionScopes(route.params().get(0))) : scopes(endpoint, types));
          decision = faults.decide(endpoint, pageSize(endpoint, query, body));
          if (!decision.latency().isZero()) {
            spec.sleeper().sleep(decision.latency());
          }
          if (decision.fault() != null) {
            faultsInjected.increment();
          }
          response = injectedError(decision, app, endpoint);
          if (response == null) {
            response = route.endpoint() == Endpoint.JOURNAL_SUBSCRIPTIONS
                ? reply(journal.subscriptions(route.params(), body, app)) : dispatch(route, types, query, body, now);
            if (decision.fault() == Fault.PARTIAL_ERROR) {
              response = partialError(response, route);
            }
          }
        }
      }
    } catch (ApiError e) {
      Map<String, Object> body = new LinkedHashMap<>(e.body);
      body.put("correlationId", correlationId);
      response = new Response(e.status, JSON_TYPE, Api.json(reorder(body)), e.headers);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      response = html(503, "Service Unavailable");
    } catch (RuntimeException e) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", "error");
      body.put("message", "internal error in the simulated portal: " + e);
      body.put("correlationId", correlationId);
      body.put("category", "INTERNAL_ERROR");
      response = new Response(500, JSON_TYPE, Api.json(body), Map.of());
    }
    send(ex, response, endpoint, app, correlationId, decision);
  }

  private static Map<String, Object> reorder(Map<String, Object> body) {
    // status, message, correlationId first, as HubSpot writes them.
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : List.of("status", "message", "correlationId")) {
      if (body.containsKey(k)) {
        out.put(k, body.get(k));
      }
    }
    out.putAll(body);
    return out;
  }

  private Response dispatch(Route route, List<ObjectTypeDef> types, Map<String, String> query, byte[] body,
      long now) {
    switch (route.endpoint()) {
      case LIST: return ok(api.list(types.get(0), query, route.version()));
      case GET_OBJECT: return ok(api.get(types.get(0), route.params().get(1), query));
      case SEARCH: return ok(api.search(types.get(0), body));
      case BATCH_READ: {
        Api.Result r = api.batchRead(types.get(0), body, query);
        return new Response(route.status(r.status()), JSON_TYPE, r.body(), Map.of());
      }
      case PROPERTIES: return ok(api.properties(types.get(0), query));
      case SCHEMAS: return ok(api.schemas());
      case ASSOCIATIONS_BATCH_READ: {
        Api.Result r = api.associationsBatchRead(types.get(0), types.get(1), body);
        return new Response(route.status(r.status()), JSON_TYPE, r.body(), Map.of());
      }
      case ASSOCIATION_LABELS: return ok(api.associationLabels(types.get(0), types.get(1)));
      case RECORD_LIMITS: return ok(api.recordLimits());
      case DAILY_USAGE:
        return ok(api.dailyUsage(spec.dailyLimit(), limiter.dailyUsed(now), now, limiter.nextReset(now)));
      case OBJECT_LIBRARY_ENABLEMENT: return ok(api.objectLibraryEnablement(spec.activatedObjects()));
      case JOURNAL: return reply(journal.read(route.params(), query, body, now));
      default: throw new IllegalStateException("unrouted " + route);
    }
  }

  private static List<String> typeParams(Route route) {
    switch (route.endpoint()) {
      case LIST:
      case GET_OBJECT:
      case SEARCH:
      case BATCH_READ:
      case PROPERTIES:
        return route.params().subList(0, 1);
      case ASSOCIATIONS_BATCH_READ:
      case ASSOCIATION_LABELS:
        return route.params().subList(0, 2);
      default:
        return List.of();
    }
  }

  private static List<List<String>> scopes(Endpoint endpoint, List<ObjectTypeDef> types) {
    List<List<String>> out = new ArrayList<>();
    switch (endpoint) {
      case PROPERTIES:
        out.add(List.of(types.get(0).schemaScope, types.get(0).readScope));
        break;
      case SCHEMAS:
        out.add(List.of("crm.schemas.custom.read"));
        break;
      case DAILY_USAGE:
      case RECORD_LIMITS:
      case OBJECT_LIBRARY_ENABLEMENT:
        break;
      case JOURNAL:
        out.add(JournalApi.READ);
        break;
      default:
        for (ObjectTypeDef t : types) {
          out.add(List.of(t.readScope));
        }
    }
    return out;
  }

  /**
   * An activatable object (§10.5) switched off in the object library answers 403 on its paths,
   * whether or not the portal models its records. The body is our assumption: live HubSpot's text
   * for this case is not documented.
   */
  private void requireActivated(String typeSegment) {
    dev.hubspotsync.client.ObjectCatalog.find(typeSegment)
        .filter(o -> o.activatable() && !spec.activatedObjects().contains(o.objectTypeId()))
        .ifPresent(o -> {
          throw ApiError.of(403, "FORBIDDEN", "The " + o.name() + " object (" + o.objectTypeId()
              + ") is not activated for this account. Activate it in the object library to use its APIs.");
        });
  }

  /** How many records or inputs a call asks for: large pages are what time out (§9, 504s). */
  private static int pageSize(Endpoint endpoint, Map<String, String> query, byte[] body) {
    try {
      switch (endpoint) {
        case LIST: {
          String limit = query.get("limit");
          return limit != null && Values.isDigits(limit) && limit.length() < 10 ? Integer.parseInt(limit) : 10;
        }
        case SEARCH:
          return body.length == 0 ? 10 : Api.JSON.readTree(body).path("limit").asInt(10);
        case BATCH_READ:
        case ASSOCIATIONS_BATCH_READ:
          return body.length == 0 ? 0 : Api.JSON.readTree(body).path("inputs").size();
        default:
          return 0;
      }
    } catch (IOException e) {
      return 0; // the endpoint reports the malformed body
    }
  }

  private Response injectedError(Faults.Decision d, Auth.App app, Endpoint endpoint) {
    if (d.fault() == null) {
      return null;
    }
    switch (d.fault()) {
      case SERVER_ERROR_JSON: {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("message", "internal error");
        body.put("category", "INTERNAL_ERROR");
        throw new ApiError(d.status(), body);
      }
      case SERVER_ERROR_HTML:
      case GATEWAY_TIMEOUT:
        return html(d.status(), reason(d.status()));
      case RATE_LIMITED:
        throw limiter.injected(app, endpoint == Endpoint.SEARCH);
      default:
        return null; // reset and drip happen while the body is written
    }
  }

  /**
   * A batch answer with its first result moved into {@code errors} as a failure other than "not
   * found", as HubSpot reports items it could not read; other answers pass unchanged.
   */
  private static Response partialError(Response r, Route route) {
    if (route.endpoint() != Endpoint.BATCH_READ && route.endpoint() != Endpoint.ASSOCIATIONS_BATCH_READ) {
      return r;
    }
    try {
      ObjectNode answer =
          (ObjectNode) Api.JSON.readTree(r.body());
      ArrayNode results = (ArrayNode) answer.path("results");
      if (results.isEmpty()) {
        return r;
      }
      JsonNode first = results.remove(0);
      String id = first.has("from") ? first.path("from").path("id").asText() : first.path("id").asText();
      ArrayNode errors = answer.has("errors")
          ? (ArrayNode) answer.get("errors") : answer.putArray("errors");
      ObjectNode error = errors.addObject().put("status", "error")
          .put("category", "INTERNAL_ERROR").put("message", "Could not read this item; try again.");
      error.putObject("context").putArray("ids").add(id);
      answer.put("numErrors", errors.size());
      return new Response(route.status(207), JSON_TYPE, Api.JSON.writeValueAsBytes(answer), r.headers());
    } catch (IOException | ClassCastException e) {
      return r;
    }
  }

  private static String reason(int status) {
    switch (status) {
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      case 504: return "Gateway Timeout";
      case 524: return "A timeout occurred";
      default: return "Error";
    }
  }

  private static Response reply(JournalApi.Reply r) {
    return new Response(r.status(), r.contentType(), r.body(), Map.of());
  }

  private static Response ok(byte[] body) {
    return new Response(200, JSON_TYPE, body, Map.of());
  }

  private static Response html(int status, String reason) {
    String page = "<html>\r\n<head><title>" + status + " " + reason + "</title></head>\r\n<body>\r\n<center><h1>"
        + status + " " + reason + "</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";
    return new Response(status, "text/html", page.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  private void send(HttpExchange ex, Response r, Endpoint endpoint, Auth.App app, String correlationId,
      Faults.Decision decision) {
    try (ex) {
      var headers = ex.getResponseHeaders();
      headers.set("Content-Type", r.contentType());
      headers.set("X-HubSpot-Correlation-Id", correlationId);
      if (app != null && RateLimiter.Lane.of(endpoint) == RateLimiter.Lane.BURST) { // exempt endpoints: no rate-limit headers (§2)
        limiter.headers(app, portal.now()).forEach(headers::set);
      }
      r.headers().forEach(headers::set);
      byte[] body = r.body();
      String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
      if (accept != null && accept.contains("gzip") && body.length > 1024 && decision.fault() == null) {
        body = gzip(body);
        headers.set("Content-Encoding", "gzip");
      }
      Fault fault = decision.fault();
      ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
      OutputStream out = ex.getResponseBody();
      if (fault == Fault.CONNECTION_RESET) {
        out.write(body, 0, body.length / 2);
        out.flush();
        // Closing with bytes still owed makes the JDK server drop the connection: the client sees a
        // truncated body on a dead socket.
        return;
      }
      if (fault == Fault.SLOW_DRIP) {
        int chunk = Math.max(1, body.length / 16);
        for (int off = 0; off < body.length; off += chunk) {
          out.write(body, off, Math.min(chunk, body.length - off));
          out.flush();
          spec.sleeper().sleep(decision.dripPause());
        }
        return;
      }
      out.write(body);
    } catch (IOException e) {
      // the client went away, or a reset fault closed the connection on purpose
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- request plumbing --------------------------------------------------------------------------------

  /**
   * Maps a path of either generation to its endpoint. A 2026-09 path is first rewritten to the
   * legacy one it mirrors ({@code /crm/objects/2026-09/…} → {@code /crm/v3/objects/…}, associations
   * → v4, OAuth → v1), so both generations reach the same code on the same data; the route keeps the
   * version the caller used, which decides the batch reads' 207-or-200 answer.
   */
  static Route route(String method, String rawPath) {
    List<String> s = new ArrayList<>();
    for (String part : rawPath.split("/")) {
      if (!part.isEmpty()) {
        s.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
      }
    }
    if (!s.isEmpty() && s.get(0).startsWith("webhooks-journal")) {
      return journalRoute(method, s);
    }
    String version = undate(s);
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    int n = s.size();
    if (n >= 4 && s.get(0).equals("crm") && s.get(1).equals("v3") && s.get(2).equals("objects")) {
      if (n == 4 && get) {
        return new Route(Endpoint.LIST, List.of(s.get(3)), version);
      }
      if (n == 5 && post && s.get(4).equals("search")) {
        return new Route(Endpoint.SEARCH, List.of(s.get(3)), version);
      }
      if (n == 5 && get) {
        return new Route(Endpoint.GET_OBJECT, List.of(s.get(3), s.get(4)), version);
      }
      if (n == 6 && post && s.get(4).equals("batch") && s.get(5).equals("read")) {
        return new Route(Endpoint.BATCH_READ, List.of(s.get(3)), version);
      }
    }
    if (n == 4 && get && s.get(0).equals("crm") && s.get(1).equals("v3") && s.get(2).equals("properties")) {
      return new Route(Endpoint.PROPERTIES, List.of(s.get(3)), version);
    }
    if (n == 3 && get && s.get(1).equals("v3") && s.get(2).equals("schemas")
        && (s.get(0).equals("crm") || s.get(0).equals("crm-object-schemas"))) {
      return new Route(Endpoint.SCHEMAS, List.of(), version);
    }
    if (n >= 6 && s.get(0).equals("crm") && s.get(1).equals("v4") && s.get(2).equals("associations")) {
      if (n == 7 && post && s.get(5).equals("batch") && s.get(6).equals("read")) {
        return new Route(Endpoint.ASSOCIATIONS_BATCH_READ, List.of(s.get(3), s.get(4)), version);
      }
      if (n == 6 && get && s.get(5).equals("labels")) {
        return new Route(Endpoint.ASSOCIATION_LABELS, List.of(s.get(3), s.get(4)), version);
      }
    }
    if (get && s.equals(List.of("crm", "v3", "limits", "records"))) {
      return new Route(Endpoint.RECORD_LIMITS, List.of(), version);
    }
    if (post && s.equals(List.of("oauth", "v1", "token"))) {
      return new Route(Endpoint.OAUTH_TOKEN, List.of(), version);
    }
    if (get && s.equals(List.of("account-info", "v3", "api-usage", "daily", "private-apps"))) {
      return new Route(Endpoint.DAILY_USAGE, List.of(), version);
    }
    if (get && s.equals(List.of("crm", "v3", "object-library", "enablement"))) { // dated only: 2026-03
      return new Route(Endpoint.OBJECT_LIBRARY_ENABLEMENT, List.of(), version);
    }
    return new Route(Endpoint.UNKNOWN, List.of(), version);
  }

  /** The journal versions served; 2027-03-beta has the same paths and shapes (hubspot-journal.md §1). */
  private static final java.util.Set<String> JOURNAL_VERSIONS = java.util.Set.of("2026-03", "2027-03-beta");

  /** Journal reads, subscriptions and file downloads; params name the operation first. */
  private static Route journalRoute(String method, List<String> s) {
    if (s.size() == 2 && s.get(0).equals(JournalApi.FILES) && method.equals("GET")) {
      return new Route(Endpoint.JOURNAL_FILE, List.of(s.get(1)), "");
    }
    if (s.size() < 3 || !s.get(0).equals("webhooks-journal") || !JOURNAL_VERSIONS.contains(s.get(2))) {
      return new Route(Endpoint.UNKNOWN, List.of(), "");
    }
    String version = s.get(2);
    List<String> rest = s.subList(3, s.size());
    int n = rest.size();
    boolean get = method.equals("GET");
    List<String> op = null;
    if (s.get(1).equals("journal") || s.get(1).equals("journal-local")) {
      if (get && n == 1 && (rest.get(0).equals("earliest") || rest.get(0).equals("latest"))) {
        op = List.of(rest.get(0));
      } else if (get && n == 3 && rest.get(0).equals("offset") && rest.get(2).equals("next")) {
        op = List.of("next", rest.get(1));
      } else if (get && n == 3 && rest.get(0).equals("batch") && (rest.get(1).equals("earliest") || rest.get(1).equals("latest"))) {
        op = List.of("batch-" + rest.get(1), rest.get(2));
      } else if (get && n == 4 && rest.get(0).equals("batch") && rest.get(2).equals("next")) {
        op = List.of("batch-next", rest.get(1), rest.get(3));
      } else if (method.equals("POST") && n == 2 && rest.equals(List.of("batch", "read"))) {
        op = List.of("batch-read");
      }
      return op == null ? new Route(Endpoint.UNKNOWN, List.of(), version) : new Route(Endpoint.JOURNAL, op, version);
    }
    if (s.get(1).equals("subscriptions")) {
      if (n == 0 && get) {
        op = List.of("list");
      } else if (n == 0 && method.equals("POST")) {
        op = List.of("create");
      } else if (n == 1 && get) {
        op = List.of("get", rest.get(0));
      } else if (n == 1 && method.equals("DELETE")) {
        op = List.of("delete", rest.get(0));
      } else if (n == 2 && method.equals("DELETE") && rest.get(0).equals("portals")) {
        op = List.of("delete-portal", rest.get(1));
      }
      return op == null ? new Route(Endpoint.UNKNOWN, List.of(), version) : new Route(Endpoint.JOURNAL_SUBSCRIPTIONS, op, version);
    }
    return new Route(Endpoint.UNKNOWN, List.of(), version);
  }

  /**
   * Rewrites a date-versioned path in place to the legacy path it mirrors and returns the version
   * the caller used ({@code 2026-09}, {@code v3}, …; empty when the path names none).
   */
  private static String undate(List<String> s) {
    if (s.size() >= 3 && s.get(0).equals("crm") && DATED.contains(s.get(2))) {
      String version = s.remove(2); // crm/objects/2026-09/… → crm/v3/objects/…
      s.add(1, s.get(1).equals("associations") ? "v4" : "v3");
      return version;
    }
    if (s.size() >= 2 && DATED.contains(s.get(1))) {
      String version = s.get(1); // crm-object-schemas, account-info → v3; oauth → v1
      s.set(1, s.get(0).equals("oauth") ? "v1" : "v3");
      return version;
    }
    for (String part : s.subList(0, Math.min(3, s.size()))) {
      if (part.matches("v\\d")) {
        return part;
      }
    }
    return "";
  }

  private static byte[] readBody(HttpExchange ex) {
    try (InputStream raw = ex.getRequestBody()) {
      String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
      InputStream in = encoding != null && encoding.contains("gzip") ? new GZIPInputStream(raw) : raw;
      return in.readAllBytes();
    } catch (IOException e) {
      throw ApiError.validation("Could not read the request body: " + e.getMessage());
    }
  }

  static Map<String, String> parseForm(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.merge(k, v, (a, b) -> a + "," + b); // repeated params (properties=a&properties=b) join like a list
    }
    return out;
  }

  private static byte[] gzip(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    }
    return out.toByteArray();
  }
}
