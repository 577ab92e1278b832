package dev.hubspotsync.benchmarks.torture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.testkit.FakeHubSpot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code java -jar hubspot-sync-cli.jar sync --config …} process, watched by the portal's call
 * counter: it is killed with SIGKILL ({@link Process#destroyForcibly()}) once the round has spent a
 * given number of calls, and the portal's OAuth tokens expire at other given counts.
 */
final class Child {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A run that takes longer than this is stuck; it is killed and reported. */
  static final Duration TIMEOUT = Duration.ofMinutes(15);
  /**
   * Calls between two token expiries: a token that expires again right after its refresh (a second
   * 401 in one call) is not what HubSpot's 30-minute tokens do.
   */
  static final long EXPIRY_SPACING = 20;

  /** How a launch ended. {@code exit} 137 = killed by us. */
  record Exit(int exit, boolean killed, boolean timedOut, long calls, int expiries, Duration took, String errorCode,
      String message) {
    boolean completed() {
      return exit == 0 && !killed;
    }
  }

  private Child() {}

  /**
   * Runs one sync. {@code killAt}: kill once the round's call count ({@code roundStart} is the
   * portal's count when the round began) reaches it, if the process still runs and has made at least
   * one call; {@code Long.MAX_VALUE} never. {@code expireAt}: round call counts at which every OAuth
   * access token expires (consumed from the front as they pass; points closer than
   * {@link #EXPIRY_SPACING} calls become one expiry).
   */
  static Exit run(Path cliJar, Path config, FakeHubSpot hubspot, long roundStart, long killAt, List<Long> expireAt,
      Path out, Path err) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // C1 only: most runs are short, and their JVM start dominates on a busy machine.
        "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", cliJar.toString(), "sync", "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    env.remove("JDK_JAVA_OPTIONS");
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("HUBSPOT_ACCESS_TOKEN");
    // An OAuth app, so that tokens can expire under the running process.
    env.put("HUBSPOT_CLIENT_ID", hubspot.spec().oauthClientId());
    env.put("HUBSPOT_CLIENT_SECRET", hubspot.spec().oauthClientSecret());
    env.put("HUBSPOT_REFRESH_TOKEN", hubspot.spec().oauthRefreshToken());
    long launchStart = hubspot.stats().totalCalls();
    long started = System.nanoTime();
    long deadline = started + TIMEOUT.toNanos();
    boolean killed = false;
    boolean timedOut = false;
    long lastExpiry = -EXPIRY_SPACING;
    int expiries = 0;
    Process p;
    try {
      p = pb.start();
      while (!p.waitFor(1, TimeUnit.MILLISECONDS)) {
        long total = hubspot.stats().totalCalls();
        long inRound = total - roundStart;
        if (!expireAt.isEmpty() && inRound >= expireAt.get(0) && inRound - lastExpiry >= EXPIRY_SPACING) {
          while (!expireAt.isEmpty() && inRound >= expireAt.get(0)) {
            expireAt.remove(0);
          }
          hubspot.expireAccessTokens();
          lastExpiry = inRound;
          expiries++;
        }
        if (!killed && inRound >= killAt && total > launchStart) {
          p.destroyForcibly();
          killed = true;
        }
        if (!killed && System.nanoTime() > deadline) {
          p.destroyForcibly();
          killed = true;
          timedOut = true;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a sync child ran", e);
    }
    int exit = p.exitValue();
    long calls = hubspot.stats().totalCalls() - launchStart;
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    // The kill may arrive after the run finished: then it did not happen.
    boolean reallyKilled = killed && exit == 137;
    String code = null;
    String message = null;
    if (!reallyKilled) {
      JsonNode line = lastJsonLine(out);
      if (line != null && line.has("error")) {
        code = line.path("error").path("code").asText(null);
        message = line.path("error").path("message").asText(null);
      } else if (line == null && exit != 0) {
        message = "no JSON line on stdout; stderr ends: " + tail(err);
      }
    }
    return new Exit(exit, reallyKilled, timedOut, calls, expiries, took, code, message);
  }

  private static JsonNode lastJsonLine(Path out) {
    try {
      List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).startsWith("{")) {
          return JSON.readTree(lines.get(i));
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  static String tail(Path file) {
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8);
      return s.length() <= 1500 ? s : s.substring(s.length() - 1500);
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
