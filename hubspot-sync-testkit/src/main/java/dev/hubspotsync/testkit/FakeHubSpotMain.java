package dev.hubspotsync.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The standalone simulated portal: {@code java -jar hubspot-sync-testkit-<version>.jar --port 8089
 * --contacts 100000 --token pat-local-demo}. Prints its base URL and the token it accepts, then
 * serves until killed. {@code --demo} serves on a free port, makes a short tour of what it serves
 * over HTTP, prints it, and exits.
 */
public final class FakeHubSpotMain {
  private static final String USAGE = String.join("\n",
      "usage: java -jar hubspot-sync-testkit.jar [options]",
      "  --port N            port on 127.0.0.1 (default 8089; 0 = any free port)",
      "  --contacts N        records to generate (also --companies, --deals, --tickets, --calls, --subscriptions, --services)",
      "  --activate T        switch an activatable object on (services, courses, listings, appointments); repeatable",
      "  --token T           private-app token to accept (default pat-local-demo)",
      "  --seed N            data seed (default 1)",
      "  --tier T            FREE, STARTER, PROFESSIONAL, ENTERPRISE, API_LIMIT_INCREASE (default PROFESSIONAL)",
      "  --burst-limit N     calls per 10 s per app (overrides the tier)",
      "  --daily-limit N     calls per day (overrides the tier)",
      "  --unlimited         switch every rate limit off",
      "  --index-lag-ms N    search-index lag in milliseconds (default 2000)",
      "  --search-out-of-order-ms N  search sorted by modified date returns records modified in the last N ms out of order (default 0)",
      "  --server-errors R   share of calls answered with a 5xx, 0..1 (default 0)",
      "  --demo              serve on a free port, tour the endpoints, print what they return, exit",
      "  --help              this text");

  private FakeHubSpotMain() {}

  public static void main(String[] args) throws Exception {
    PortalSpec.Builder spec = PortalSpec.builder();
    int port = 8089;
    boolean demo = false;
    double serverErrors = 0;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--help": System.out.println(USAGE); return;
          case "--demo": demo = true; break;
          case "--unlimited": spec.unlimited(); break;
          case "--port": port = Integer.parseInt(value(args, ++i, a)); break;
          case "--token": spec.privateAppToken(value(args, ++i, a)); break;
          case "--seed": spec.seed(Long.parseLong(value(args, ++i, a))); break;
          case "--tier": spec.tier(Tier.valueOf(value(args, ++i, a).toUpperCase(Locale.ROOT))); break;
          case "--burst-limit": spec.burstLimit(Integer.parseInt(value(args, ++i, a))); break;
          case "--daily-limit": spec.dailyLimit(Long.parseLong(value(args, ++i, a))); break;
          case "--index-lag-ms": spec.indexLag(Duration.ofMillis(Long.parseLong(value(args, ++i, a)))); break;
          case "--activate": spec.activateObjects(value(args, ++i, a)); break;
          case "--search-out-of-order-ms":
            spec.searchOutOfOrderWithin(Duration.ofMillis(Long.parseLong(value(args, ++i, a))));
            break;
          case "--server-errors": serverErrors = Double.parseDouble(value(args, ++i, a)); break;
          default:
            if (a.startsWith("--") && List.of("contacts", "companies", "deals", "tickets", "calls", "subscriptions", "services")
                .contains(a.substring(2))) {
              spec.count(a.substring(2), Integer.parseInt(value(args, ++i, a)));
            } else {
              throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
      }
    } catch (IllegalArgumentException e) { // includes NumberFormatException
      System.err.println("error: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
    }
    if (demo) {
      port = 0;
    }
    long started = System.nanoTime();
    FakeHubSpot hubspot = FakeHubSpot.start(spec.build(), port);
    long startMillis = (System.nanoTime() - started) / 1_000_000;
    hubspot.faults().everywhere().serverErrors(serverErrors);
    describe(hubspot, startMillis, System.out);
    if (demo) {
      try (hubspot) {
        tour(hubspot, System.out);
      }
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(hubspot::close));
    System.out.println("Serving until killed (Ctrl-C).");
    Thread.currentThread().join();
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  static void describe(FakeHubSpot hubspot, long startMillis, PrintStream out) {
    PortalSpec s = hubspot.spec();
    PortalSnapshot snap = hubspot.snapshot();
    out.println("FakeHubSpot, a simulated HubSpot portal, listening on " + hubspot.baseUrl()
        + " (started in " + startMillis + " ms)");
    out.println("  token:   " + hubspot.token() + "   (send it as: Authorization: Bearer " + hubspot.token() + ")");
    out.println("  oauth:   POST /oauth/2026-09/token with client_id=" + s.oauthClientId()
        + ", client_secret and grant_type=refresh_token (with refresh_token) or client_credentials (with scope)"
        + " from the PortalSpec; access tokens last "
        + s.oauthTokenLifetime().toMinutes() + " min");
    out.println("  portal:  " + s.portalId() + ", tier " + s.tier() + ": " + s.burstLimit() + " calls/10 s, "
        + s.dailyLimit() + " calls/day, search " + s.searchPerSecond() + "/s"
        + (s.rateLimited() ? "" : " (limits OFF)") + "; search index lag " + s.indexLag().toMillis() + " ms");
    StringBuilder objects = new StringBuilder();
    for (String type : snap.records().keySet()) {
      objects.append(objects.length() == 0 ? "" : ", ").append(type).append(' ')
          .append(snap.live(type).size()).append(" (").append(hubspot.portal().objectTypeId(type)).append(')');
    }
    out.println("  objects: " + objects);
    out.println("  links:   " + snap.associations().size() + " directed associations");
    out.println("  serves:  HubSpot's 2026-09 paths below, and the same on the legacy v3/v4/v1 paths (which answer 207 where 2026-09 answers 200)");
    out.println("           GET  /crm/objects/2026-09/{type}                 list (limit<=100, after, properties, archived, associations)");
    out.println("           GET  /crm/objects/2026-09/{type}/{id}            one record");
    out.println("           POST /crm/objects/2026-09/{type}/search          search (limit<=200, 10,000-result cap, 5/s)");
    out.println("           POST /crm/objects/2026-09/{type}/batch/read      batch read (<=100 inputs, unknown ids in errors)");
    out.println("           GET  /crm/properties/2026-09/{type}              property definitions");
    out.println("           GET  /crm-object-schemas/2026-09/schemas         custom object schemas");
    out.println("           POST /crm/associations/2026-09/{from}/{to}/batch/read   associations");
    out.println("           GET  /crm/associations/2026-09/{from}/{to}/labels       association types");
    out.println("           GET  /crm/limits/2026-09/records                 records per object type");
    out.println("           POST /oauth/2026-09/token                        OAuth tokens");
    out.println("           GET  /account-info/2026-09/api-usage/daily/private-apps  daily usage");
    out.println("  try:     curl -H 'Authorization: Bearer " + hubspot.token() + "' '" + hubspot.baseUrl()
        + "/crm/objects/2026-09/contacts?limit=2'");
  }

  /** A few real HTTP calls against the portal, printed: what a client sees. */
  static void tour(FakeHubSpot hubspot, PrintStream out) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String base = hubspot.baseUrl();
    String auth = "Bearer " + hubspot.token();
    Map<String, HttpRequest> calls = new LinkedHashMap<>();
    calls.put("List 2 contacts", HttpRequest.newBuilder(URI.create(base
        + "/crm/objects/2026-09/contacts?limit=2&properties=email,lifecyclestage,ice_cream_flavors,nps_score")).header("Authorization", auth).build());
    calls.put("Search deals modified since 2 days ago, newest first", post(base + "/crm/objects/2026-09/deals/search", auth,
        "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_lastmodifieddate\",\"operator\":\"GTE\",\"value\":\""
            + (hubspot.clock().millis() - Duration.ofDays(2).toMillis()) + "\"}]}],"
            + "\"sorts\":[{\"propertyName\":\"hs_lastmodifieddate\",\"direction\":\"DESCENDING\"}],\"limit\":1}"));
    calls.put("Search contacts on the wrong cursor property (hs_lastmodifieddate): zero rows, as on HubSpot",
        post(base + "/crm/objects/2026-09/contacts/search", auth,
            "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"0\"}]}],\"limit\":1}"));
    calls.put("Search past the 10,000-result cap", post(base + "/crm/objects/2026-09/contacts/search", auth,
        "{\"limit\":100,\"after\":\"10000\"}"));
    long company = hubspot.portal().ids("companies").stream().findFirst().orElse(0L);
    calls.put("Associations of company " + company + " and of an unknown id (200 with errors)",
        post(base + "/crm/associations/2026-09/companies/contacts/batch/read", auth,
            "{\"inputs\":[{\"id\":\"" + company + "\"},{\"id\":\"1\"}]}"));
    calls.put("A wrong token", HttpRequest.newBuilder(URI.create(base + "/crm/objects/2026-09/contacts"))
        .header("Authorization", "Bearer wrong").build());
    for (Map.Entry<String, HttpRequest> call : calls.entrySet()) {
      HttpResponse<String> r = http.send(call.getValue(), HttpResponse.BodyHandlers.ofString());
      out.println();
      out.println("== " + call.getKey());
      out.println(call.getValue().method() + " " + call.getValue().uri().toString().replace(base, "") + "  ->  HTTP "
          + r.statusCode() + r.headers().firstValue("X-HubSpot-RateLimit-Remaining")
              .map(v -> "  (burst remaining " + v + ")").orElse(""));
      String body = r.body();
      out.println(body.length() > 900 ? body.substring(0, 900) + " …(" + body.length() + " bytes)" : body);
    }
    PortalStats stats = hubspot.stats();
    out.println();
    out.println("Calls served: " + stats.totalCalls() + ", counted against today's limit: " + stats.dailyUsed());
  }

  private static HttpRequest post(String url, String auth, String json) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
  }
}
