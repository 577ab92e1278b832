package dev.hubspotsync.benchmarks;

import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How fast the simulated portal starts, how much heap it holds, and how many records per second it
 * serves in list pages of 100 records × 20 properties over keep-alive HTTP/1.1 connections.
 *
 * <p>Run: {@code ./mvnw -q -B -pl benchmarks -am install -DskipTests && ./mvnw -q -B -pl benchmarks exec:exec}
 * (optional: {@code -Dbenchmark.contacts=100000 -Dbenchmark.threads=4 -Dbenchmark.passes=6}; the heap is capped at 1 GB).
 */
public final class FakeHubSpotThroughput {
  private static final List<String> PROPERTIES = List.of("email", "firstname", "lastname", "phone", "company",
      "jobtitle", "city", "country", "lifecyclestage", "hs_lead_status", "hs_email_optout", "hs_analytics_num_visits",
      "date_of_birth", "favorite_color", "preferred_channel", "ice_cream_flavors", "nps_score", "renewal_date",
      "last_demo_at", "is_vip");

  /**
   * The portal caches each record's JSON for the projection it was last served with; rotating the
   * property order makes a new projection, so "cold" passes serialize every record afresh (a first
   * sync) and "cached" passes repeat the previous pass's projection (a re-read).
   */
  private static String properties(int rotation) {
    List<String> rotated = new ArrayList<>(PROPERTIES);
    java.util.Collections.rotate(rotated, rotation);
    return String.join(",", rotated);
  }

  private FakeHubSpotThroughput() {}

  public static void main(String[] args) throws Exception {
    int contacts = Integer.getInteger("benchmark.contacts", 100_000);
    int threads = Integer.getInteger("benchmark.threads", 4);
    int passes = Integer.getInteger("benchmark.passes", 6);

    long heapBefore = usedHeap();
    long t0 = System.nanoTime();
    FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(contacts).companies(contacts / 20)
        .deals(contacts / 12).tickets(contacts / 25).calls(contacts / 10).subscriptions(contacts / 100)
        .unlimited().indexLag(Duration.ZERO).build());
    double startSeconds = (System.nanoTime() - t0) / 1e9;
    long heapMb = (usedHeap() - heapBefore) / (1024 * 1024);
    System.out.printf("portal: %,d contacts (+ companies, deals, tickets, calls, custom objects), started in %.2f s, "
        + "heap held %,d MB (max heap %,d MB)%n", contacts, startSeconds, heapMb,
        Runtime.getRuntime().maxMemory() / (1024 * 1024));

    List<Long> ids = hubspot.portal().ids("contacts");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (hubspot) {
      for (int pass = 0; pass <= 2 * passes; pass++) { // pass 0 warms up the JIT
        boolean cold = pass % 2 == 1 || pass == 0;
        String props = properties(pass % 2 == 1 ? pass : pass - 1);
        hubspot.resetStats();
        long serverCpuBefore = serverCpuNanos();
        long start = System.nanoTime();
        List<Future<long[]>> parts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          long from = ids.get(ids.size() * i / threads);
          long to = i == threads - 1 ? Long.MAX_VALUE : ids.get(ids.size() * (i + 1) / threads);
          parts.add(pool.submit(() -> scan(http, hubspot, props, from, to)));
        }
        long records = 0;
        long bytes = 0;
        for (Future<long[]> f : parts) {
          long[] r = f.get();
          records += r[0];
          bytes += r[1];
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double serverCpu = (serverCpuNanos() - serverCpuBefore) / 1e9;
        if (records != ids.size()) {
          throw new IllegalStateException("read " + records + " records, expected " + ids.size());
        }
        System.out.printf("%-16s %,d records in %,d list calls, %.2f s: %,.0f records/s, %,.0f MB/s;"
                + " server CPU %.2f s = %,.0f records/s per core%n",
            pass == 0 ? "warm-up:" : (cold ? "cold pass " : "cached pass ") + (pass + 1) / 2 + ":", records,
            hubspot.stats().calls(Endpoint.LIST), seconds, records / seconds, bytes / seconds / 1e6,
            serverCpu, records / serverCpu);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Pages the list endpoint from id {@code from} (inclusive) to {@code to} (exclusive). */
  private static long[] scan(HttpClient http, FakeHubSpot hubspot, String props, long from, long to) throws Exception {
    long records = 0;
    long bytes = 0;
    String after = Long.toString(from);
    while (after != null) {
      HttpRequest req = HttpRequest.newBuilder(URI.create(hubspot.baseUrl() + "/crm/v3/objects/contacts?limit=100&after="
          + java.net.URLEncoder.encode(after, java.nio.charset.StandardCharsets.UTF_8) + "&properties=" + props))
          .header("Authorization", "Bearer " + hubspot.token()).build();
      HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body()));
      }
      byte[] body = r.body();
      bytes += body.length;
      after = null;
      for (long id : ids(body)) {
        if (id >= to) {
          return new long[] {records, bytes};
        }
        records++;
      }
      after = nextAfter(body);
    }
    return new long[] {records, bytes};
  }

  private static final byte[] ID = "{\"id\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] AFTER = "\"after\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Record ids in a page, found by scanning bytes: the client must not be the bottleneck. */
  private static List<Long> ids(byte[] body) {
    List<Long> out = new ArrayList<>(100);
    for (int i = indexOf(body, ID, 0); i >= 0; i = indexOf(body, ID, i + 1)) {
      long v = 0;
      for (int j = i + ID.length; body[j] != '"'; j++) {
        v = v * 10 + (body[j] - '0');
      }
      out.add(v);
    }
    return out;
  }

  private static String nextAfter(byte[] body) {
    int i = lastIndexOf(body, AFTER); // paging comes last
    if (i < 0) {
      return null;
    }
    int start = i + AFTER.length;
    int end = start;
    while (body[end] != '"') {
      end++;
    }
    return new String(body, start, end - start, java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static int lastIndexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = hay.length - needle.length; i >= 0; i--) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** CPU time of the portal's HTTP threads: what serving costs, apart from the client sharing the machine. */
  private static long serverCpuNanos() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long total = 0;
    for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info != null && (info.getThreadName().startsWith("fake-hubspot-") || info.getThreadName().startsWith("HTTP-Dispatcher"))) {
        total += Math.max(0, mx.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
