package dev.hubspotsync.benchmarks.torture;

import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One pass of the torture: a fresh portal of the seed's spec, a fresh warehouse, rounds of portal
 * edits each followed by a sync in a child process (round 0 is the backfill), then a final clean run
 * (no faults, no kill) and the check against the portal's ground truth. The torture pass injects
 * faults and kills children at planned call counts; the replay pass (same seed, same edits) does
 * neither, and measures the calls each round costs when nothing goes wrong.
 */
final class Scenario {
  /** Changes search sees later than list does; the runs stop this far behind now (more than the portal's lag). */
  static final Duration PORTAL_INDEX_LAG = Duration.ofMillis(100);
  static final Duration SYNC_INDEX_LAG = Duration.ofMillis(500);

  /** What one pass did and found. */
  record Result(String name, List<TruthCheck.Violation> violations, long calls, long[] roundCalls, int launches,
      int kills, int retryableExits, int expiries, long faultsInjected, long oauthCalls, Map<String, Integer> edits,
      Duration took) {}

  private final Torture.Settings settings;
  private final boolean torture;
  private final Warehouse warehouse;
  private final Path dir;
  private final long[] plannedCalls;
  private final PrintStream log;
  private final List<TruthCheck.Violation> launchViolations = new ArrayList<>();
  private int launches;
  private int kills;
  private int retryable;
  private int expiries;

  /**
   * @param plannedCalls the replay's calls per round (kills and token expiries are spread over them);
   *     null for the replay itself
   */
  Scenario(Torture.Settings settings, boolean torture, Warehouse warehouse, Path dir, long[] plannedCalls,
      PrintStream log) {
    this.settings = settings;
    this.torture = torture;
    this.warehouse = warehouse;
    this.dir = dir;
    this.plannedCalls = plannedCalls;
    this.log = log;
  }

  static PortalSpec spec(Torture.Settings s) {
    int records = s.records();
    int companies = Math.max(10, records * 8 / 100);
    int deals = Math.max(10, records * 12 / 100);
    return PortalSpec.builder().seed(s.seed()).contacts(records - companies - deals).companies(companies).deals(deals)
        .tickets(0).calls(0).subscriptions(0).unlimited().oauthBurstLimit(10_000).indexLag(PORTAL_INDEX_LAG).build();
  }

  Result run() throws IOException, SQLException {
    long began = System.nanoTime();
    String name = torture ? "torture" : "replay";
    Files.createDirectories(dir);
    int rounds = settings.rounds();
    long[] roundCalls = new long[rounds + 2];
    Mutator mutator = new Mutator(settings.seed(), settings.records(), rounds);
    try (FakeHubSpot hubspot = FakeHubSpot.start(spec(settings))) {
      Path normal = config(hubspot, "sync.yaml", false);
      Path sweep = config(hubspot, "sweep.yaml", true);
      mutator.setUp(hubspot.portal());
      List<List<Long>> killPlan = torture ? plan(settings.kills(), 1) : null;
      List<List<Long>> expiryPlan = torture ? plan(Math.max(rounds + 1, settings.kills() / 3), 2) : null;
      long carried = 0;
      long lastEdit = 0;
      for (int round = 0; round <= rounds; round++) {
        if (round > 0) {
          mutator.mutate(hubspot.portal(), hubspot::snapshot, round);
          lastEdit = System.nanoTime();
        }
        if (torture) {
          faults(hubspot);
        }
        long start = hubspot.stats().totalCalls();
        List<Long> kills = torture ? new ArrayList<>(killPlan.get(round)) : new ArrayList<>();
        if (torture) {
          // Kills a round could not use (its runs finished first) move to the next round.
          SplittableRandom r = new SplittableRandom(settings.seed() * 7919 + round);
          for (long i = 0; i < carried; i++) {
            kills.add(1 + r.nextLong(Math.max(1, plannedCalls[round])));
          }
          Collections.sort(kills);
        }
        List<Long> expire = torture ? new ArrayList<>(expiryPlan.get(round)) : new ArrayList<>();
        boolean isSweep = round > 0 && round % 4 == 0;
        carried = round(round, isSweep ? sweep : normal, hubspot, start, kills, expire, round == rounds);
        roundCalls[round] = hubspot.stats().totalCalls() - start;
        log.printf("  %s round %d%s: %,d calls, %d launches so far, %d kills so far%n", name, round,
            isSweep ? " (sweep)" : "", roundCalls[round], launches, this.kills);
      }
      // The final clean run: no faults, no kill, reconciliation and association full scans.
      hubspot.faults().clear();
      settle(lastEdit);
      long start = hubspot.stats().totalCalls();
      Child.Exit last = launch(hubspot, sweep, start, Long.MAX_VALUE, new ArrayList<>(), rounds + 1);
      roundCalls[rounds + 1] = hubspot.stats().totalCalls() - start;
      List<TruthCheck.Violation> violations = new ArrayList<>(launchViolations);
      if (!last.completed()) {
        violations.add(new TruthCheck.Violation("final clean run failed", 1, 1,
            List.of("exit " + last.exit() + " " + last.errorCode() + ": " + last.message())));
      }
      PortalSnapshot truth = hubspot.snapshot();
      violations.addAll(TruthCheck.check(warehouse, truth, mutator.gone()));
      long calls = 0;
      for (long c : roundCalls) {
        calls += c;
      }
      return new Result(name, violations, calls, roundCalls, launches, kills, retryable, expiries,
          hubspot.stats().faultsInjected(), hubspot.stats().calls(dev.hubspotsync.testkit.Endpoint.OAUTH_TOKEN),
          new LinkedHashMap<>(mutator.counts()), Duration.ofNanos(System.nanoTime() - began));
    }
  }

  /**
   * Launches until a run of the round completes, killing children at the planned call counts.
   * Returns how many planned kills were not used (the runs finished first); the last round uses them
   * up with extra launches.
   */
  private long round(int round, Path config, FakeHubSpot hubspot, long start, List<Long> kills, List<Long> expire,
      boolean lastRound) {
    int failuresInARow = 0;
    while (true) {
      long killAt = kills.isEmpty() ? Long.MAX_VALUE : kills.get(0);
      Child.Exit exit = launch(hubspot, config, start, killAt, expire, round);
      if (exit.killed() && !exit.timedOut()) {
        kills.remove(0);
        failuresInARow = 0;
        continue;
      }
      if (exit.completed()) {
        break;
      }
      failuresInARow++;
      if (exit.exit() == 69 && !exit.timedOut()) {
        retryable++;
      } else {
        launchViolations.add(new TruthCheck.Violation("run failed", 1, 0, List.of("round " + round + ": exit "
            + exit.exit() + (exit.timedOut() ? " (timed out)" : "") + " " + exit.errorCode() + ": " + exit.message())));
      }
      if (failuresInARow >= 5) {
        launchViolations.add(new TruthCheck.Violation("round given up", 1, 0,
            List.of("round " + round + " failed 5 times in a row; last: " + exit.message())));
        break;
      }
    }
    // Kills the round could not place (its run completed first).
    long left = kills.size();
    if (!lastRound || left == 0) {
      return left;
    }
    SplittableRandom r = new SplittableRandom(settings.seed() * 104_729 + round);
    for (long i = 0; i < left; i++) {
      long since = hubspot.stats().totalCalls() - start;
      launch(hubspot, config, start, since + 1 + r.nextLong(Math.max(1, plannedCalls[round] / 4)), expire, round);
    }
    return 0;
  }

  private Child.Exit launch(FakeHubSpot hubspot, Path config, long roundStart, long killAt, List<Long> expire,
      int round) {
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    Child.Exit exit = Child.run(settings.cliJar(), config, hubspot, roundStart, killAt, expire, out, err);
    launches++;
    expiries += exit.expiries();
    if (exit.killed()) {
      kills++;
    }
    if (!exit.completed() && !exit.killed()) {
      try {
        Files.copy(err, dir.resolve("failed-run-" + launches + "-stderr.txt"), StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (settings.verbose()) {
      log.printf("    round %d launch %d: %s after %,d calls, %.1f s%s%n", round, launches,
          exit.killed() ? "killed" : "exit " + exit.exit(), exit.calls(), exit.took().toMillis() / 1000.0,
          exit.message() != null ? " (" + exit.errorCode() + ": " + exit.message() + ")" : "");
    }
    return exit;
  }

  /**
   * Per round, {@code total} call counts spread over the rounds in proportion to the calls each cost
   * in the replay (the backfill gets the most), drawn uniformly within the round's calls.
   */
  private List<List<Long>> plan(int total, int salt) {
    int rounds = settings.rounds();
    long sum = 0;
    for (int i = 0; i <= rounds; i++) {
      sum += plannedCalls[i];
    }
    SplittableRandom r = new SplittableRandom(settings.seed() * 31 + salt);
    List<List<Long>> out = new ArrayList<>();
    int given = 0;
    for (int i = 0; i <= rounds; i++) {
      int n = i == rounds ? total - given : (int) Math.round((double) total * plannedCalls[i] / Math.max(1, sum));
      n = Math.max(0, Math.min(n, total - given));
      given += n;
      List<Long> points = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        points.add(1 + r.nextLong(Math.max(1, plannedCalls[i])));
      }
      Collections.sort(points);
      out.add(points);
    }
    return out;
  }

  /** Every kind of fault the brief names, at rates that leave most calls alone. */
  private static void faults(FakeHubSpot hubspot) {
    hubspot.faults().everywhere().serverErrors(0.02).htmlBodies(0.5).connectionResets(0.01).rateLimited(0.01)
        .gatewayTimeoutAbove(50, 0.05);
  }

  /**
   * Before the final run, lets the last edits age past the run's index lag: the CLI in another
   * process reads the real clock, which the test cannot move.
   */
  private static void settle(long lastEdit) {
    long wait = lastEdit + SYNC_INDEX_LAG.plusMillis(200).toNanos() - System.nanoTime();
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000 + 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /**
   * The CLI config. Ordinary rounds keep the library's hourly recycle-bin pass (so within a test only
   * the backfill reads the bin) and no reconciliation, scheduled link full scan or backstop scan of
   * the boosted pair; a sweep (every fourth round, and the final run) does all four on every run.
   */
  private Path config(FakeHubSpot hubspot, String name, boolean sweep) throws IOException {
    String yaml = "portal: { baseUrl: \"" + hubspot.baseUrl() + "\" }\n"
        + "objects: [" + String.join(", ", Torture.TYPES) + "]\n"
        + "associations: [" + String.join(", ", Torture.PAIRS.stream().map(p -> p.get(0) + "->" + p.get(1)).toList()) + "]\n"
        + warehouse.configYaml()
        + "budget: { dailyCeiling: 100000000, burstLimit: 5000, searchPerSecond: 50 }\n"
        + "sync: { overlap: 2s, indexLag: " + SYNC_INDEX_LAG.toMillis() + "ms, archivedPassEvery: " + (sweep ? "0s" : "1h")
        + ", reconcileEvery: " + (sweep ? "0s" : "7d") + ", associationFullScanEvery: " + (sweep ? "0s" : "7d")
        + ", associationBackstopEvery: " + (sweep ? "0s" : "7d")
        + ", concurrency: 3, progressEvery: 1h, memoryLimitMb: 64 }\n";
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }
}
