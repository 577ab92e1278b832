package dev.hubspotsync.benchmarks;

import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RateLimitPolicy;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 18 in real time: CLI processes ({@code java -jar hubspot-sync-cli.jar sync --only STREAM})
 * of one portal sharing its budget through a PostgreSQL table ({@code budget.shared: sink}), against
 * FakeHubSpot with 250 ms latency and a burst limit of 100 per 10 s.
 *
 * <ol>
 *   <li>4 processes of one portal, one stream each: the share of the burst used in steady state
 *       (calls in a 60-second span against 100 per 10 s) and the 429s;
 *   <li>one of them SIGKILLed: seconds until each of the other three logs its larger slice, and
 *       the share used by the three afterwards;
 *   <li>2 portals × 3 processes: each portal's share and 429s.
 * </ol>
 *
 * <p>Run (after building the CLI jar): see benchmarks/RESULTS.md, "Shared budget".
 */
public final class SharedBudgetProcesses {
  private static final List<String> STREAMS = List.of("contacts", "companies", "deals", "tickets");
  private static final Pattern SLICE = Pattern.compile("now has (\\d+) of (\\d+) burst calls per 10 s; (\\d+) processes live");
  private static final int LIMIT = 100;

  private SharedBudgetProcesses() {}

  record Child(String name, Process process, Map<String, Long> events) {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(System.getProperty("cli.jar", "hubspot-sync-cli/target/hubspot-sync-cli-0.1.0-SNAPSHOT.jar"));
    int latencyMs = Integer.getInteger("benchmark.latencyMs", 250);
    int records = Integer.getInteger("benchmark.records", 20_000);
    Path dir = Files.createTempDirectory("shared-budget-bench");
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      String url = pg.getJdbcUrl("postgres", "postgres");
      System.out.printf("latency %d ms, burst limit %d per 10 s, %,d records per stream, page size 20%n", latencyMs, LIMIT,
          records);

      // 1 and 2: four processes of one portal, then one SIGKILLed.
      try (FakeHubSpot hubspot = portal(1, "pat-bench-one", records, latencyMs)) {
        Path config = config(dir, "one", hubspot, url, "one");
        List<Child> four = new ArrayList<>();
        long t0 = System.nanoTime();
        for (String s : STREAMS) {
          four.add(start(jar, dir, s, config, hubspot, t0));
        }
        Thread.sleep(30_000); // joining: the first process's calls age out, the slices settle
        long c1 = hubspot.stats().dailyUsed();
        Thread.sleep(60_000);
        long c2 = hubspot.stats().dailyUsed();
        System.out.printf("4 processes, 1 portal: %d calls in 60 s = %.1f %% of the burst; 429s: %d (burst), %d (search)%n",
            c2 - c1, 100.0 * (c2 - c1) / (6.0 * LIMIT), hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING),
            hubspot.stats().rejected(RateLimitPolicy.SECONDLY));
        System.out.printf("  first 30 s (joining): %d calls = %.1f %%%n", c1, 100.0 * c1 / (3.0 * LIMIT));

        Child killed = four.get(3);
        four.forEach(c -> c.events().remove("3 live")); // a slice beside two others while joining does not count
        long killedAt = System.nanoTime();
        killed.process().destroyForcibly();
        killed.process().waitFor();
        long deadline = killedAt + Duration.ofSeconds(60).toNanos();
        List<Child> three = four.subList(0, 3);
        while (System.nanoTime() < deadline && !three.stream().allMatch(c -> c.events().containsKey("3 live"))) {
          Thread.sleep(100);
        }
        for (Child c : three) {
          Long at = c.events().get("3 live");
          System.out.printf("  SIGKILL of %s: %s took its larger slice after %s%n", killed.name(), c.name(),
              at == null ? "NEVER (60 s)" : String.format("%.1f s", (at - killedAt) / 1e9));
        }
        Thread.sleep(10_000);
        long k1 = hubspot.stats().dailyUsed();
        Thread.sleep(30_000);
        long k2 = hubspot.stats().dailyUsed();
        System.out.printf("  3 processes after the take-over: %d calls in 30 s = %.1f %% of the burst; 429s in all: %d%n",
            k2 - k1, 100.0 * (k2 - k1) / (3.0 * LIMIT), hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING));
        four.forEach(c -> c.process().destroyForcibly());
      }

      // 3: two portals, three processes each.
      try (FakeHubSpot first = portal(2, "pat-bench-two", records, latencyMs);
          FakeHubSpot second = portal(3, "pat-bench-three", records, latencyMs)) {
        Path one = config(dir, "first", first, url, "first");
        Path two = config(dir, "second", second, url, "second");
        List<Child> six = new ArrayList<>();
        long t0 = System.nanoTime();
        for (String s : STREAMS.subList(0, 3)) {
          six.add(start(jar, dir, "first-" + s, one, first, t0));
          six.add(start(jar, dir, "second-" + s, two, second, t0));
        }
        Thread.sleep(30_000);
        long a1 = first.stats().dailyUsed();
        long b1 = second.stats().dailyUsed();
        Thread.sleep(60_000);
        long a2 = first.stats().dailyUsed();
        long b2 = second.stats().dailyUsed();
        System.out.printf("2 portals x 3 processes: first %.1f %% of its burst, second %.1f %%; 429s %d and %d%n",
            100.0 * (a2 - a1) / (6.0 * LIMIT), 100.0 * (b2 - b1) / (6.0 * LIMIT),
            first.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING),
            second.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING));
        six.forEach(c -> c.process().destroyForcibly());
      }
    }
  }

  private static FakeHubSpot portal(long id, String token, int records, int latencyMs) {
    FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().portalId(id).privateAppToken(token).seed(id)
        .contacts(records).companies(records).deals(records).tickets(records).calls(0).subscriptions(0)
        .burstLimit(LIMIT).serverThreads(32).build());
    hubspot.faults().everywhere().latency(Duration.ofMillis(latencyMs));
    return hubspot;
  }

  private static Path config(Path dir, String name, FakeHubSpot hubspot, String url, String schema) throws IOException {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, String.join("\n", "portal:", "  baseUrl: " + hubspot.baseUrl(),
        "objects: [" + String.join(", ", STREAMS) + "]", "sink:", "  type: postgres", "  url: " + url, "  schema: " + schema,
        "budget:", "  shared: sink", "sync:", "  backfillMethod: list", "  listPageSize: 20", "  progressEvery: 1h", ""));
    return file;
  }

  private static Child start(Path jar, Path dir, String stream, Path config, FakeHubSpot hubspot, long t0)
      throws IOException {
    String only = stream.contains("-") ? stream.substring(stream.indexOf('-') + 1) : stream;
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-jar", jar.toString(), "sync", "--config", config.toString(), "--only", only)
        .redirectOutput(dir.resolve(stream + ".out").toFile());
    pb.environment().put("HUBSPOT_ACCESS_TOKEN", hubspot.token());
    Process p = pb.start();
    Map<String, Long> events = new ConcurrentHashMap<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
          var log = Files.newBufferedWriter(dir.resolve(stream + ".err"))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          log.write(line);
          log.newLine();
          Matcher m = SLICE.matcher(line);
          if (m.find() && Integer.parseInt(m.group(1)) > 0) {
            events.putIfAbsent(m.group(3) + " live", System.nanoTime());
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }, stream);
    reader.setDaemon(true);
    reader.start();
    return new Child(stream, p, events);
  }
}
