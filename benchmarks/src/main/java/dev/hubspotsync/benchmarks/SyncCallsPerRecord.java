package dev.hubspotsync.benchmarks;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.Row;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * API calls a {@link SyncJob} spends per record read, per object type and endpoint: a backfill of
 * a portal with 100,000 contacts (plus companies and deals), then incremental runs after 10
 * changed contacts (the goal: at most 2 calls per object type, properties plus one search), the
 * same with the recycle-bin pass forced ({@code archivedPassEvery(Duration.ZERO)}), 10,000
 * contacts changed in one millisecond (a bulk import), and the quiet runs after it until the
 * import has left the overlap window; last, a backfill through the list API into a second sink,
 * to compare with the default (search by id floor when the properties fit).
 *
 * <p>The portal runs in this JVM on a fixed {@link PortalClock} that only the benchmark moves;
 * rate limits are off ({@code PortalSpec.unlimited()}, and the client's budget never waits),
 * search sees changes at once ({@code indexLag(Duration.ZERO)} on the portal). The job has its
 * default settings (overlap 10 min, index lag 2 min, recycle-bin pass hourly, reconciliation
 * weekly, pages of 100/200) except that its clock is the portal's. Calls are counted three ways
 * and cross-checked: per object type (a proxy around the client, which makes the job's parallel
 * streams call one at a time, so wall times here are not throughput figures), per run
 * ({@link SyncReport#calls()}) and by the portal ({@code FakeHubSpot.stats()}). Every changed
 * contact is checked to arrive in the sink with its new value.
 *
 * <p>Run: {@code ./mvnw -q -B -pl benchmarks -am install -DskipTests && ./mvnw -q -B -pl benchmarks exec:exec
 * -Dbenchmark.main=dev.hubspotsync.benchmarks.SyncCallsPerRecord} (knob: {@code -Dbenchmark.contacts=100000};
 * companies are contacts / 100, deals contacts / 66; heap 1 GB, about a minute).
 */
public final class SyncCallsPerRecord {
  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private static final List<String> TYPES = List.of("contacts", "companies", "deals");

  private SyncCallsPerRecord() {}

  public static void main(String[] args) throws Exception {
    int contacts = Integer.getInteger("benchmark.contacts", 100_000);
    PortalClock clock = PortalClock.fixed(T0);
    long t0 = System.nanoTime();
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(contacts).companies(contacts / 100)
        .deals(contacts / 66).tickets(0).calls(0).subscriptions(0).unlimited().indexLag(Duration.ZERO).clock(clock)
        .build())) {
      System.out.printf("portal: %,d contacts, %,d companies, %,d deals (started in %.1f s); rate limits off, "
              + "portal index lag 0, job defaults except clock = the portal's%n", contacts, contacts / 100, contacts / 66,
          (System.nanoTime() - t0) / 1e9);
      HubSpotClient raw = HubSpotClient.builder().baseUrl(hubspot.baseUrl())
          .credentials(HubSpotCredentials.privateApp(hubspot.token())).clock(clock.asClock())
          .sleeper(d -> clock.advance(d)).rateBudget(new Unpaced()).build();
      PerType perType = new PerType(raw);
      HubSpotClient client = perType.proxy();
      InMemorySink sink = InMemorySink.create();
      UnaryOperator<SyncJob.Builder> defaults = b -> b;
      Bench bench = new Bench(hubspot, sink, client, perType, clock);

      bench.run("1. backfill", defaults);

      List<Long> ids = hubspot.portal().ids("contacts");
      clock.advance(Duration.ofMinutes(1));
      List<Long> changed = bench.change(ids, 10, 0);
      clock.advance(Duration.ofMinutes(3)); // past the job's 2-minute index lag, well inside the hourly bin pass
      bench.run("2. incremental, 10 contacts changed (goal)", defaults);
      bench.checkChanged(changed);

      clock.advance(Duration.ofMinutes(1));
      changed = bench.change(ids, 10, 5);
      clock.advance(Duration.ofMinutes(3));
      bench.run("3. incremental, 10 contacts changed, archivedPassEvery(ZERO)", b -> b.archivedPassEvery(Duration.ZERO));
      bench.checkChanged(changed);

      clock.advance(Duration.ofMinutes(1));
      List<Long> bulk = new ArrayList<>();
      for (int i = 0; i < ids.size() && bulk.size() < 10_000; i += Math.max(1, ids.size() / 10_000)) {
        bulk.add(ids.get(i));
      }
      long ms = hubspot.portal().bulkUpdate("contacts", bulk, Map.of("firstname", "Bulk"));
      System.out.printf("%n(bulk import: %,d contacts modified at %s)%n", bulk.size(), Instant.ofEpochMilli(ms));
      clock.advance(Duration.ofMinutes(3));
      bench.run("4. incremental, 10,000 contacts changed in one millisecond", defaults);
      bench.checkChanged(bulk);

      clock.advance(Duration.ofMinutes(3));
      bench.run("5. incremental, no changes, bulk import still inside the 10-min overlap", defaults);

      clock.advance(Duration.ofMinutes(15));
      bench.run("6. incremental, no changes, 15 min later (window starts 10 min before run 5's cursor)", defaults);

      clock.advance(Duration.ofMinutes(3));
      bench.run("7. incremental, no changes, bulk import out of the window", defaults);

      bench.run("8. backfill with backfillMethod(LIST), into a second, empty sink (for comparison with run 1)",
          b -> b.backfillMethod(BackfillMethod.LIST), InMemorySink.create());

      long live = hubspot.snapshot().live("contacts").size();
      if (sink.rowCount("contacts") != live) {
        throw new IllegalStateException("sink has " + sink.rowCount("contacts") + " contacts, portal " + live);
      }
      System.out.printf("%nsink holds all %,d live contacts; every changed contact carries its new value%n", live);
      raw.close();
    }
  }

  /** One portal, sink and client; runs jobs and prints what each cost. */
  private static final class Bench {
    private final FakeHubSpot hubspot;
    private final InMemorySink sink;
    private final HubSpotClient client;
    private final PerType perType;
    private final PortalClock clock;

    Bench(FakeHubSpot hubspot, InMemorySink sink, HubSpotClient client, PerType perType, PortalClock clock) {
      this.hubspot = hubspot;
      this.sink = sink;
      this.client = client;
      this.perType = perType;
      this.clock = clock;
    }

    /** Updates {@code n} contacts spread over the id range, starting at offset {@code shift}. */
    List<Long> change(List<Long> ids, int n, int shift) {
      List<Long> changed = new ArrayList<>();
      String value = "Changed-" + clock.millis();
      for (int i = 0; i < n; i++) {
        long id = ids.get((int) ((long) ids.size() * i / n) + shift);
        hubspot.portal().update("contacts", id, Map.of("firstname", value));
        changed.add(id);
      }
      return changed;
    }

    /** The sink holds each id with the portal's current first name. */
    void checkChanged(List<Long> ids) {
      Map<Long, String> truth = new HashMap<>();
      hubspot.snapshot().records().get("contacts").forEach(r -> truth.put(r.id(), r.properties().get("firstname")));
      for (long id : ids) {
        Row row = sink.row("contacts", id).orElseThrow(() -> new IllegalStateException("contact " + id + " missing"));
        if (!truth.get(id).equals(row.get("firstname"))) {
          throw new IllegalStateException("contact " + id + " has firstname " + row.get("firstname")
              + " in the sink, the portal " + truth.get(id));
        }
      }
    }

    void run(String title, UnaryOperator<SyncJob.Builder> settings) {
      run(title, settings, sink);
    }

    void run(String title, UnaryOperator<SyncJob.Builder> settings, InMemorySink into) {
      hubspot.resetStats();
      perType.reset();
      SyncJob job = settings.apply(SyncJob.builder().client(client).sink(into).addObjectTypes(TYPES.toArray(String[]::new))
          .clock(clock.asClock())).build();
      long start = System.nanoTime();
      SyncReport report = job.run();
      double seconds = (System.nanoTime() - start) / 1e9;

      System.out.printf("%n== %s (portal time %s; %.1f s wall, calls serialized by the counting proxy)%n", title,
          clock.now(), seconds);
      long totalRead = 0;
      long totalCalls = 0;
      for (String type : TYPES) {
        SyncReport.StreamReport s = report.stream(type);
        Map<String, Long> calls = perType.counts.getOrDefault(type, Map.of());
        long n = calls.values().stream().mapToLong(Long::longValue).sum();
        totalRead += s.rowsRead();
        totalCalls += n;
        System.out.printf("  %-9s %-11s read %,7d written %,7d archived %,3d | %,5d calls %s | %s records/call%n", type,
            s.mode(), s.rowsRead(), s.rowsWritten(), s.archivedRows(), n, calls,
            n == 0 ? "-" : String.format("%,.1f", (double) s.rowsRead() / n));
      }
      Map<ApiCall, Long> reported = new TreeMap<>(report.calls());
      Map<Endpoint, Long> served = new TreeMap<>(hubspot.stats().calls());
      long reportedTotal = reported.values().stream().mapToLong(Long::longValue).sum();
      boolean match = reportedTotal == hubspot.stats().totalCalls() && totalCalls == reportedTotal
          && reported.entrySet().stream().allMatch(e -> hubspot.stats().calls(Endpoint.valueOf(e.getKey().name())) == e.getValue());
      System.out.printf("  total     read %,d in %,d calls = %,.1f records/call; report.calls() %s; portal served %s: %s%n",
          totalRead, totalCalls, totalCalls == 0 ? 0.0 : (double) totalRead / totalCalls, reported, served,
          match ? "counts agree" : "COUNTS DIFFER");
      if (title.contains("(goal)")) {
        boolean ok = TYPES.stream().allMatch(t -> perType.counts.getOrDefault(t, Map.of()).values().stream()
            .mapToLong(Long::longValue).sum() <= 2);
        System.out.printf("  goal: <= 2 calls per object type: %s%n", ok ? "met" : "NOT met");
      }
    }
  }

  /**
   * Counts the client's HTTP requests per object type: every client method whose first argument
   * is an object type is attributed to it, by the difference of {@link HubSpotClient#calls()}
   * around it (retries and 414 splits included). List calls of the recycle bin are counted as
   * {@code LIST_ARCHIVED}. The engine calls the client from one thread, so the differences are exact.
   */
  private static final class PerType implements InvocationHandler {
    private final HubSpotClient target;
    final Map<String, Map<String, Long>> counts = new LinkedHashMap<>();

    PerType(HubSpotClient target) {
      this.target = target;
    }

    HubSpotClient proxy() {
      return (HubSpotClient) Proxy.newProxyInstance(HubSpotClient.class.getClassLoader(),
          new Class<?>[] {HubSpotClient.class}, this);
    }

    void reset() {
      counts.clear();
    }

    @Override
    public synchronized Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      boolean typed = args != null && args.length > 0 && args[0] instanceof String
          && method.getDeclaringClass() == HubSpotClient.class;
      Map<ApiCall, Long> before = typed ? target.calls() : null;
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      } finally {
        if (typed) {
          boolean archivedList = method.getName().equals("listPage") && Boolean.TRUE.equals(args[4]);
          Map<String, Long> mine = counts.computeIfAbsent((String) args[0], k -> new TreeMap<>());
          target.calls().forEach((call, n) -> {
            long d = n - before.getOrDefault(call, 0L);
            if (d > 0) {
              mine.merge(call == ApiCall.LIST && archivedList ? "LIST_ARCHIVED" : call.name(), d, Long::sum);
            }
          });
        }
      }
    }
  }
}
