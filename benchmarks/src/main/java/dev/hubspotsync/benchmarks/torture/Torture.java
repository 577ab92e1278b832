package dev.hubspotsync.benchmarks.torture;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The crash-and-fault torture of the CLI's {@code sync} (issue 12): a simulated portal of
 * {@code records} records with associations, edited between runs; each run a {@code java -jar}
 * child process meeting server errors with HTML bodies, 504s on large pages, connection resets,
 * 429s and expiring OAuth tokens, and killed with SIGKILL at {@code kills} seeded moments (measured
 * in portal calls, so a seed replays the same kills). After a final clean run the warehouse must
 * equal the portal's ground truth ({@link TruthCheck}), and the calls spent must stay within
 * {@code maxCallsRatio} of a replay of the same seed and edits without kills and faults.
 *
 * <p>{@code TortureIT} runs a small one in {@code verify}; the full one is {@link #main}, with the
 * command in benchmarks/RESULTS.md. Needs the shaded CLI jar ({@code hubspot-sync-cli} packaged).
 */
public final class Torture {
  static final List<String> TYPES = List.of("contacts", "companies", "deals");
  static final List<List<String>> PAIRS = List.of(List.of("contacts", "companies"), List.of("contacts", "deals"));

  /** The warehouses the CLI can write. */
  public enum Sink { DUCKDB, POSTGRES }

  /**
   * One torture's knobs.
   *
   * @param records records in the portal (80 % contacts, 8 % companies, 12 % deals)
   * @param kills SIGKILLs across the rounds
   * @param rounds rounds of edits after the backfill; every fourth also reconciles and full-scans links
   * @param postgresUrl a JDBC URL with credentials, or null for an embedded server
   * @param maxCallsRatio the most calls the torture may spend per call of the replay
   */
  public record Settings(long seed, int records, int kills, int rounds, Sink sink, Path cliJar, Path workDir,
      String postgresUrl, double maxCallsRatio, boolean verbose) {}

  /** The torture's findings: its violations (calls ratio included) and both passes' figures. */
  public record Outcome(Settings settings, Scenario.Result torture, Scenario.Result replay, double callsRatio,
      List<TruthCheck.Violation> violations) {

    /** A readable account: what was done, what it cost, and every violated invariant with examples. */
    public String report() {
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "torture %s: seed %d, %,d records, %d rounds%n", settings.sink(),
          settings.seed(), settings.records(), settings.rounds()));
      for (Scenario.Result r : List.of(replay, torture)) {
        b.append(String.format(Locale.ROOT, "  %-7s %,7d calls (per round %s), %d launches, %d kills, %d exits 69, "
                + "%d token expiries, %,d faults injected, %d token calls, %.0f s%n", r.name(), r.calls(),
            java.util.Arrays.toString(r.roundCalls()), r.launches(), r.kills(), r.retryableExits(), r.expiries(),
            r.faultsInjected(), r.oauthCalls(), r.took().toMillis() / 1000.0));
      }
      b.append("  edits: ").append(describe(torture.edits())).append('\n');
      long extra = torture.calls() - replay.calls();
      long faults = torture.faultsInjected();
      long tokens = 2L * torture.expiries();
      b.append(String.format(Locale.ROOT, "  calls ratio torture/replay: %.3f (limit %.2f); %,d extra calls: ~%,d retries of "
              + "injected faults, ~%,d for expired tokens (401 + refresh), ~%,d re-done after kills (%.1f per kill)%n",
          callsRatio, settings.maxCallsRatio(), extra, faults, tokens, extra - faults - tokens,
          (extra - faults - tokens) / (double) Math.max(1, torture.kills())));
      if (!replay.violations().isEmpty()) {
        b.append("  the replay (no kills, no faults) already violates:\n");
        replay.violations().forEach(v -> b.append("    ").append(v).append('\n'));
      }
      b.append(violations.isEmpty() ? "  torture: every invariant holds\n" : "  torture violates:\n");
      violations.forEach(v -> b.append("    ").append(v).append('\n'));
      return b.toString();
    }
  }

  private Torture() {}

  /** Runs the replay, then the torture, then compares; {@code log} gets a line per round. */
  public static Outcome run(Settings settings, PrintStream log) throws IOException, SQLException {
    EmbeddedPostgres embedded = null;
    String postgres = settings.postgresUrl();
    try {
      if (settings.sink() == Sink.POSTGRES && postgres == null) {
        embedded = EmbeddedPostgres.builder().start();
        postgres = embedded.getJdbcUrl("postgres", "postgres");
      }
      long suffix = System.currentTimeMillis() % 1_000_000;
      Scenario.Result replay = new Scenario(settings, false, warehouse(settings, postgres, "replay", suffix),
          settings.workDir().resolve("replay"), null, log).run();
      Scenario.Result torture = new Scenario(settings, true, warehouse(settings, postgres, "torture", suffix),
          settings.workDir().resolve("torture"), replay.roundCalls(), log).run();
      double ratio = (double) torture.calls() / Math.max(1, replay.calls());
      List<TruthCheck.Violation> violations = new ArrayList<>(torture.violations());
      if (ratio > settings.maxCallsRatio()) {
        violations.add(new TruthCheck.Violation("calls ratio", 1, 1, List.of(String.format(Locale.ROOT,
            "%,d calls vs %,d without kills and faults: %.3f > %.2f", torture.calls(), replay.calls(), ratio,
            settings.maxCallsRatio()))));
      }
      if (settings.sink() == Sink.POSTGRES && embedded == null) {
        dropSchemas(postgres, suffix);
      }
      return new Outcome(settings, torture, replay, ratio, violations);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private static Warehouse warehouse(Settings s, String postgres, String pass, long suffix) {
    if (s.sink() == Sink.DUCKDB) {
      return new Warehouse.DuckDb(s.workDir().resolve(pass).resolve("warehouse.duckdb"));
    }
    return new Warehouse.Postgres(postgres, schema(s, pass, suffix));
  }

  private static String schema(Settings s, String pass, long suffix) {
    return "torture_" + s.seed() + "_" + pass + "_" + suffix;
  }

  private static void dropSchemas(String url, long suffix) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      var rs = s.executeQuery("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'torture\\_%\\_" + suffix + "'");
      List<String> names = new ArrayList<>();
      while (rs.next()) {
        names.add(rs.getString(1));
      }
      for (String n : names) {
        s.execute("DROP SCHEMA " + Warehouse.quote(n) + " CASCADE");
      }
    }
  }

  /**
   * The full run: {@code -Dtorture.records=50000 -Dtorture.kills=100 -Dtorture.rounds=20
   * -Dtorture.sinks=duckdb,postgres -Dtorture.seed=1 -Dcli.jar=… -Dtorture.dir=…}. Exit 0 when every
   * invariant held for every sink, 1 otherwise.
   */
  public static void main(String[] args) throws Exception {
    List<Sink> sinks = List.of(System.getProperty("torture.sinks", "duckdb,postgres").split(",")).stream()
        .map(s -> Sink.valueOf(s.trim().toUpperCase(Locale.ROOT))).toList();
    Path dir = System.getProperty("torture.dir") != null ? Path.of(System.getProperty("torture.dir"))
        : Files.createTempDirectory("torture");
    boolean ok = true;
    StringBuilder summary = new StringBuilder();
    for (Sink sink : sinks) {
      Settings s = settings(sink, dir.resolve(sink.name().toLowerCase(Locale.ROOT)), 50_000, 100, 20);
      System.out.printf("%n=== %s: %,d records, %d kills, %d rounds, seed %d, in %s%n", sink, s.records(), s.kills(),
          s.rounds(), s.seed(), s.workDir());
      Outcome o = run(s, System.out);
      System.out.print(o.report());
      summary.append(o.report());
      ok &= o.violations().isEmpty();
    }
    System.out.printf("%n=== summary%n%s", summary);
    System.exit(ok ? 0 : 1);
  }

  /** Settings from {@code torture.*} system properties, with the given defaults. */
  public static Settings settings(Sink sink, Path workDir, int records, int kills, int rounds) {
    String jar = System.getProperty("cli.jar", "hubspot-sync-cli/target/hubspot-sync-cli-0.1.0-SNAPSHOT.jar");
    Path cliJar = Path.of(jar).toAbsolutePath();
    if (!Files.isRegularFile(cliJar)) {
      throw new UncheckedIOException(new IOException("The CLI jar " + cliJar + " does not exist: build it first "
          + "(./mvnw -pl hubspot-sync-cli -am package -DskipTests) or point -Dcli.jar at it"));
    }
    String pg = System.getenv("HUBSPOT_SYNC_TEST_POSTGRES_URL");
    return new Settings(Long.getLong("torture.seed", 1), Integer.getInteger("torture.records", records),
        Integer.getInteger("torture.kills", kills), Integer.getInteger("torture.rounds", rounds), sink, cliJar, workDir,
        pg == null || pg.isBlank() ? null : pg, Double.parseDouble(System.getProperty("torture.maxCallsRatio", "1.05")),
        Boolean.getBoolean("torture.verbose"));
  }

  static String describe(Map<String, Integer> m) {
    return m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }
}
