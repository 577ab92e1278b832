package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared budget as Airflow uses it: {@code sync --only STREAM} in real child processes (the
 * CLI's main on the test classpath), one portal's processes sharing its budget through a PostgreSQL
 * table, against FakeHubSpot over HTTP with a small burst limit and a small daily ceiling.
 */
class SharedBudgetProcessesIT {
  private static final List<String> STREAMS = List.of("contacts", "companies", "deals", "tickets");
  private static EmbeddedPostgres postgres;

  @TempDir
  Path dir;
  private final List<FakeHubSpot> portals = new ArrayList<>();
  private final List<Child> children = new ArrayList<>();

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @AfterEach
  void stop() {
    children.forEach(c -> c.process.destroyForcibly());
    portals.forEach(FakeHubSpot::close);
  }

  /** A child process and the lines of its stderr, read as they come. */
  record Child(String name, Process process, BlockingQueue<String> err, Path out) {
    /** Waits (on the process's output, at most {@code timeout}) for a line matching {@code pattern}. */
    Matcher await(Pattern pattern, Duration timeout) throws InterruptedException {
      long end = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < end) {
        String line = err.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null) {
          break;
        }
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return m;
        }
      }
      throw new AssertionError(name + " printed no line matching " + pattern + " within " + timeout);
    }

    int exit() throws InterruptedException {
      assertThat(process.waitFor(90, TimeUnit.SECONDS)).as(name + " finished").isTrue();
      return process.exitValue();
    }

    JsonNode report() throws IOException {
      List<String> lines = Files.readAllLines(out);
      assertThat(lines).as(name + " printed one JSON line").hasSize(1);
      return Json.MAPPER.readTree(lines.get(0));
    }
  }

  private FakeHubSpot portal(long id, String token) {
    FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().portalId(id).privateAppToken(token).seed(id)
        .contacts(1_500).companies(1_500).deals(1_500).tickets(1_500).calls(0).subscriptions(0)
        .burstLimit(60).dailyLimit(100_000).build());
    hubspot.faults().everywhere().latency(Duration.ofMillis(20));
    portals.add(hubspot);
    return hubspot;
  }

  private Path config(String name, FakeHubSpot hubspot, String schema, String shared, String ceiling) throws IOException {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, String.join("\n",
        "portal:",
        "  baseUrl: " + hubspot.baseUrl(),
        "objects: [" + String.join(", ", STREAMS) + "]",
        "sink:",
        "  type: postgres",
        "  url: " + postgres.getJdbcUrl("postgres", "postgres"),
        "  schema: " + schema,
        "budget:",
        "  shared: " + shared,
        "  burstLimit: 60",
        ceiling == null ? "" : "  dailyCeiling: " + ceiling,
        "  renewEvery: 1s",
        "  leaseTtl: 12s",
        "sync:",
        "  backfillMethod: list",
        "  listPageSize: 10",
        "  progressEvery: 1h",
        ""));
    return file;
  }

  private Child start(String name, Path config, FakeHubSpot hubspot, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", // the test classpath may quiet it; the budget logs its slices

        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    command.addAll(List.of("--config", config.toString()));
    Path out = dir.resolve(name + ".out");
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile());
    pb.environment().put("HUBSPOT_ACCESS_TOKEN", hubspot.token());
    Process p = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    // Also kept in target/ for a failure's post-mortem.
    Path log = Path.of("target", "shared-budget-it", name + ".err");
    Files.createDirectories(log.getParent());
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
          var copy = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(line);
          copy.write(line);
          copy.newLine();
          copy.flush();
        }
      } catch (IOException e) {
        // the process ended
      }
    }, name + "-stderr");
    reader.setDaemon(true);
    reader.start();
    Child child = new Child(name, p, lines, out);
    children.add(child);
    return child;
  }

  @Test
  void fourProcessesOfOnePortalStopExactlyAtTheCeilingWithoutA429() throws Exception {
    FakeHubSpot hubspot = portal(1, "pat-one");
    Path config = config("one", hubspot, "ceiling", "sink", "150");
    List<Child> four = new ArrayList<>();
    for (String stream : STREAMS) {
      four.add(start(stream, config, hubspot, "sync", "--only", stream));
    }
    for (Child c : four) {
      assertThat(c.exit()).as(c.name() + " exits 75 at the daily ceiling").isEqualTo(ExitCode.BUDGET_EXHAUSTED.code());
      JsonNode share = c.report().get("budgetShare");
      assertThat(share.get("mode").asText()).isEqualTo("shared");
      assertThat(share.get("dailyCeiling").asLong()).isEqualTo(150);
      assertThat(c.report().get("resumeAt").asText()).endsWith("T00:00:00Z");
    }
    assertThat(hubspot.stats().dailyUsed()).as("the portal's calls today").isEqualTo(150);
    assertThat(hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isZero();
    long spent = 0;
    for (Child c : four) {
      spent += c.report().get("budgetShare").get("dailySpent").asLong();
    }
    assertThat(spent).as("the processes' own counts").isEqualTo(150);
  }

  @Test
  void theOthersTakeOverAKilledProcesssSliceWithinItsLease() throws Exception {
    FakeHubSpot hubspot = portal(2, "pat-two");
    Path config = config("two", hubspot, "kill", "sink", null);
    List<Child> four = new ArrayList<>();
    for (String stream : STREAMS) {
      four.add(start(stream, config, hubspot, "sync", "--only", stream));
    }
    // Until each process has a slice beside three others.
    Pattern shared = Pattern.compile("now has ([1-9]\\d*) of \\d+ burst calls per 10 s; 4 processes live");
    for (Child c : four) {
      c.await(shared, Duration.ofSeconds(60));
    }
    Child killed = four.get(3);
    killed.process().destroyForcibly(); // SIGKILL: no lease given back
    long killedAt = System.nanoTime();
    killed.process().waitFor();

    Pattern third = Pattern.compile("now has (\\d+) of (\\d+) burst calls per 10 s; 3 processes live");
    for (Child c : four.subList(0, 3)) {
      Matcher m = c.await(third, Duration.ofSeconds(40));
      assertThat(Integer.parseInt(m.group(1))).as(c.name() + "'s new slice").isGreaterThanOrEqualTo(Integer.parseInt(m.group(2)) / 3);
    }
    Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
    assertThat(takeover).as("the three took over the killed one's slice").isLessThan(Duration.ofSeconds(30));

    // A second process for a stream that one is running exits at once with "retry soon".
    Child twin = start("twin", config, hubspot, "sync", "--only", "contacts");
    assertThat(twin.exit()).isEqualTo(ExitCode.TEMPORARY_FAILURE.code());
    assertThat(twin.report().get("error").get("message").asText()).contains("Another process is syncing contacts");
    assertThat(hubspot.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isZero();

    // status lists the live processes' leases and the portal's day.
    Child status = start("status", config, hubspot, "status", "--json");
    assertThat(status.exit()).isZero();
    JsonNode budget = status.report().get("sharedBudget");
    assertThat(budget.get("processes").asInt()).as(budget.toString()).isEqualTo(3);
    assertThat(budget.get("leases").findValuesAsText("description"))
        .allMatch(d -> d.matches("pid \\d+: (contacts|companies|deals)"));
    assertThat(budget.get("today").get("claimed").asLong()).isPositive();
  }

  @Test
  void twoPortalsOfThreeProcessesEachKeepTheirOwnBudgets() throws Exception {
    FakeHubSpot first = portal(3, "pat-three");
    FakeHubSpot second = portal(4, "pat-four");
    String store = postgres.getJdbcUrl("postgres", "postgres");
    Path one = config("first", first, "first", store, "90");
    Path two = config("second", second, "second", store, "60");
    List<Child> six = new ArrayList<>();
    for (String stream : STREAMS.subList(0, 3)) {
      six.add(start("first-" + stream, one, first, "sync", "--only", stream));
      six.add(start("second-" + stream, two, second, "sync", "--only", stream));
    }
    for (Child c : six) {
      assertThat(c.exit()).as(c.name()).isEqualTo(ExitCode.BUDGET_EXHAUSTED.code());
      // as of the process's last exchange with the store: the others may have claimed more since
      assertThat(c.report().get("budgetShare").get("portalClaimedToday").asLong())
          .isBetween(1L, c.name().startsWith("first") ? 90L : 60L);
      assertThat(c.report().get("budgetShare").get("dailyCeiling").asLong()).isEqualTo(c.name().startsWith("first") ? 90 : 60);
    }
    assertThat(first.stats().dailyUsed()).isEqualTo(90);
    assertThat(second.stats().dailyUsed()).isEqualTo(60);
    for (FakeHubSpot p : portals) {
      assertThat(p.stats().rejected(RateLimitPolicy.TEN_SECONDLY_ROLLING)).isZero();
    }
    for (Child c : six) {
      assertThat(c.report().get("budgetShare").get("processes").asInt()).as("processes of " + c.name() + "'s portal")
          .isBetween(1, 3);
    }
  }
}
