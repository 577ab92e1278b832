package dev.hubspotsync.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.testkit.InMemorySink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Heap a {@link SyncJob} needs to backfill 1,000,000 contacts into {@link InMemorySink#counting()},
 * run in a JVM capped at {@code -Xmx256m}: the largest heap in use (what each collection found
 * when it started, and a 10 ms sampler), the largest heap left after a garbage collection (what
 * the run really keeps), the peak of each heap pool, direct (Arrow) memory, the process's peak
 * resident set, GC count and time, wall time, records per second and per CPU-second of this JVM,
 * and that the sink ends with exactly one row per contact.
 *
 * <p>The portal (1,000,000 contacts take about 1.5 GB) runs in a JVM of its own, started here with
 * this JVM's class path and {@code FakeHubSpotMain --port 0 --contacts N --unlimited --index-lag-ms 0}
 * (heap {@code -Dbenchmark.portalXmx}, default 3g), and is stopped at the end, also when the run
 * fails (a shutdown hook covers Ctrl-C). The client's rate budget never waits (limits are off).
 * The job has its default settings (one stream, default memory limit for record batches), except
 * {@code backfillMethod} when {@code -Dbenchmark.backfill=LIST|SEARCH} is given (default AUTO, which
 * picks search when the property names fit in a search body, as contacts' do).
 *
 * <p>Run: {@code ./mvnw -q -B -pl benchmarks -am install -DskipTests && ./mvnw -q -B -pl benchmarks exec:exec
 * -Dbenchmark.main=dev.hubspotsync.benchmarks.BackfillHeap -Dbenchmark.xmx=256m -Dbenchmark.contacts=1000000}
 * (portal heap: {@code -Dbenchmark.portalXmx=3g}). With the default method the backfill reads
 * through search, which takes about 20 minutes here: the simulated portal scans all its records on
 * every search call. {@code -Dbenchmark.backfill=LIST} takes about a minute.
 */
public final class BackfillHeap {
  private static final long MB = 1024 * 1024;
  private static final Pattern URL = Pattern.compile("listening on (http://\\S+)");
  private static final Pattern TOKEN = Pattern.compile("token:\\s+(\\S+)");

  private BackfillHeap() {}

  public static void main(String[] args) throws Exception {
    int contacts = Integer.getInteger("benchmark.contacts", 1_000_000);
    String portalXmx = System.getProperty("benchmark.portalXmx", "3g");
    BackfillMethod method = BackfillMethod.valueOf(System.getProperty("benchmark.backfill", "AUTO"));
    System.out.printf("benchmark JVM: max heap %,d MB, %d CPUs; portal JVM: -Xmx%s, %,d contacts; backfill method %s%n",
        Runtime.getRuntime().maxMemory() / MB, Runtime.getRuntime().availableProcessors(), portalXmx, contacts, method);

    Portal portal = Portal.start(contacts, portalXmx);
    Thread killer = new Thread(portal::kill, "portal-killer");
    Runtime.getRuntime().addShutdownHook(killer);
    try {
      run(portal, contacts, method);
    } finally {
      portal.stop();
      Runtime.getRuntime().removeShutdownHook(killer);
    }
  }

  private static void run(Portal portal, int contacts, BackfillMethod method) {
    HeapWatch heap = new HeapWatch();
    long baseline = heap.liveAfterFullGc();
    System.out.printf("heap in use after a full GC before the run: %,d MB%n", baseline / MB);
    heap.start();

    InMemorySink sink = InMemorySink.counting();
    long step = Math.max(1, contacts / 10);
    AtomicLong nextMilestone = new AtomicLong(step);
    long t0 = System.nanoTime();
    long cpu0 = processCpuNanos();
    SyncReport report;
    try (HubSpotClient client = HubSpotClient.builder().baseUrl(portal.baseUrl)
        .credentials(HubSpotCredentials.privateApp(portal.token)).rateBudget(new Unpaced()).build()) {
      SyncJob job = SyncJob.builder().client(client).sink(sink).addObjectTypes("contacts").backfillMethod(method)
          .onProgress(p -> {
            if (p.phase().equals("backfill") && p.rowsRead() >= nextMilestone.get()) {
              nextMilestone.addAndGet(step);
              System.out.printf("  %,9d records  %5.1f s  heap now %4d MB, max %4d MB, max after GC %4d MB, "
                      + "%d GCs%n", p.rowsRead(), (System.nanoTime() - t0) / 1e9, heap.usedNow() / MB,
                  heap.maxUsed() / MB, heap.maxAfterGc() / MB, heap.gcCount());
            }
          }).build();
      report = job.run();
    } finally {
      heap.stop();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (processCpuNanos() - cpu0) / 1e9;
    SyncReport.StreamReport s = report.stream("contacts");
    long rows = sink.rowCount("contacts");
    long calls = report.calls().values().stream().mapToLong(Long::longValue).sum();
    System.out.printf("%nrun: %s, %,d records read, %,d written in %.1f s = %,.0f records/s; %,d calls %s%n",
        s.mode(), s.rowsRead(), s.rowsWritten(), seconds, s.rowsRead() / seconds, calls, report.calls());
    System.out.printf("sync JVM CPU (client, engine, sink, GC; the portal runs elsewhere): %.1f s = %,.0f records per "
        + "CPU-second%n", cpu, s.rowsRead() / cpu);
    System.out.printf("heap (limit %,d MB): max in use %,d MB (at the start of a GC, or sampled), max left after a GC %,d MB; "
            + "sum of heap pool peaks %,d MB (%s)%n", Runtime.getRuntime().maxMemory() / MB, heap.maxUsed() / MB,
        heap.maxAfterGc() / MB, heap.poolPeaks().values().stream().mapToLong(Long::longValue).sum() / MB,
        heap.poolPeaksMb());
    System.out.printf("GC: %,d collections, %,d ms; direct memory max %,d MB; process peak RSS (VmHWM) %s%n",
        heap.gcCount(), heap.gcMillis(), heap.maxDirect() / MB, vmHwm());
    long kept = heap.liveAfterFullGc();
    System.out.printf("after the run, sink still referenced: %,d MB in use after a full GC (%,d MB above the "
        + "baseline: the counting sink's id table)%n", kept / MB, (kept - baseline) / MB);
    System.out.printf("sink rowCount(contacts) = %,d (portal: %,d) -> %s%n", rows, contacts,
        rows == contacts ? "OK" : "MISMATCH");
    if (rows != contacts) {
      throw new IllegalStateException("the sink holds " + rows + " contacts, the portal " + contacts);
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String vmHwm() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
          .map(l -> l.replaceAll("\\s+", " ").substring("VmHWM: ".length())).findFirst().orElse("n/a");
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** The simulated portal in a JVM of its own. */
  private static final class Portal {
    final Process process;
    final String baseUrl;
    final String token;

    private Portal(Process process, String baseUrl, String token) {
      this.process = process;
      this.baseUrl = baseUrl;
      this.token = token;
    }

    static Portal start(int contacts, String xmx) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> cmd = List.of(java, "-Xmx" + xmx, "-cp", System.getProperty("java.class.path"),
          "dev.hubspotsync.testkit.FakeHubSpotMain", "--port", "0", "--contacts", Integer.toString(contacts),
          "--companies", "0", "--deals", "0", "--tickets", "0", "--calls", "0", "--subscriptions", "0",
          "--unlimited", "--index-lag-ms", "0");
      long t0 = System.nanoTime();
      Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      CompletableFuture<String[]> ready = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        String url = null;
        String token = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            Matcher m = URL.matcher(line);
            if (url == null && m.find()) {
              url = m.group(1);
            }
            Matcher t = TOKEN.matcher(line);
            if (token == null && t.find()) {
              token = t.group(1);
            }
            if (line.startsWith("Serving until killed") && url != null && token != null) {
              ready.complete(new String[] {url, token});
            } else if (!line.startsWith("  ")) {
              System.out.println("[portal] " + line);
            }
          }
        } catch (IOException e) {
          // the process is gone; handled below
        }
        ready.completeExceptionally(new IllegalStateException("the portal process ended before it served"));
      }, "portal-output");
      reader.setDaemon(true);
      reader.start();
      Portal portal = null;
      try {
        String[] r = ready.get(10, TimeUnit.MINUTES);
        portal = new Portal(process, r[0], r[1]);
        System.out.printf("portal: pid %d serving %s (generated and started in %.1f s)%n", process.pid(), r[0],
            (System.nanoTime() - t0) / 1e9);
        return portal;
      } finally {
        if (portal == null) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }

    /** Asks the portal to stop (its shutdown hook closes the server), then kills it if it lingers. */
    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      System.out.printf("portal: pid %d stopped (alive: %s)%n", process.pid(), process.isAlive());
    }

    void kill() {
      process.destroyForcibly();
    }
  }

  /** Heap figures of this JVM: a 10 ms sampler, GC notifications and the heap pools' peaks. */
  private static final class HeapWatch {
    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
    private final AtomicLong maxSampled = new AtomicLong();
    private final AtomicLong maxAfterGc = new AtomicLong();
    private final AtomicLong maxBeforeGc = new AtomicLong();
    private final AtomicLong maxDirect = new AtomicLong();
    private final BufferPoolMXBean direct;
    private long gcCountBefore;
    private long gcMillisBefore;
    private volatile boolean running;
    private Thread sampler;

    HeapWatch() {
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          heapPools.add(pool);
        }
      }
      direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
          .filter(b -> b.getName().equals("direct")).findFirst().orElse(null);
    }

    /** Heap in use after {@code System.gc()} (a full collection under G1). */
    long liveAfterFullGc() {
      System.gc();
      System.gc();
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    void start() {
      gcCountBefore = gcTotals()[0];
      gcMillisBefore = gcTotals()[1];
      heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
          if (!running || !n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            return;
          }
          GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
          long before = 0;
          long after = 0;
          for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage b = info.getGcInfo().getMemoryUsageBeforeGc().get(pool.getName());
            MemoryUsage a = info.getGcInfo().getMemoryUsageAfterGc().get(pool.getName());
            before += b == null ? 0 : b.getUsed();
            after += a == null ? 0 : a.getUsed();
          }
          maxBeforeGc.accumulateAndGet(before, Math::max);
          maxAfterGc.accumulateAndGet(after, Math::max);
        }, null, null);
      }
      running = true;
      sampler = new Thread(() -> {
        while (running) {
          maxSampled.accumulateAndGet(usedNow(), Math::max);
          if (direct != null) {
            maxDirect.accumulateAndGet(direct.getMemoryUsed(), Math::max);
          }
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "heap-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }

    void stop() {
      maxSampled.accumulateAndGet(usedNow(), Math::max);
      running = false;
    }

    long usedNow() {
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The most heap in use at any time: what the collections found when they started, or the sampler saw. */
    long maxUsed() {
      return Math.max(maxSampled.get(), maxBeforeGc.get());
    }

    long maxAfterGc() {
      return maxAfterGc.get();
    }

    long maxDirect() {
      return maxDirect.get();
    }

    Map<String, Long> poolPeaks() {
      Map<String, Long> peaks = new LinkedHashMap<>();
      heapPools.forEach(p -> peaks.put(p.getName(), p.getPeakUsage().getUsed()));
      return peaks;
    }

    String poolPeaksMb() {
      StringBuilder b = new StringBuilder();
      poolPeaks().forEach((name, bytes) -> b.append(b.length() == 0 ? "" : ", ").append(name).append(' ')
          .append(bytes / MB).append(" MB"));
      return b.toString();
    }

    long gcCount() {
      return gcTotals()[0] - gcCountBefore;
    }

    long gcMillis() {
      return gcTotals()[1] - gcMillisBefore;
    }

    private static long[] gcTotals() {
      long count = 0;
      long millis = 0;
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        count += Math.max(0, gc.getCollectionCount());
        millis += Math.max(0, gc.getCollectionTime());
      }
      return new long[] {count, millis};
    }
  }
}
