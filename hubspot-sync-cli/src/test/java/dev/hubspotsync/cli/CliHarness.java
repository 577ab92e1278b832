package dev.hubspotsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.testkit.FakeHubSpot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs the CLI in-process against a FakeHubSpot in virtual time: the client, the budget and the
 * portal share the portal's clock, and waits advance it instead of sleeping.
 */
final class CliHarness {
  final FakeHubSpot hubspot;
  final Path dir;
  final Map<String, String> env = new HashMap<>();
  Function<SyncConfig.Sink, WarehouseSink> sinks = Sinks::open;
  boolean terminal;

  CliHarness(FakeHubSpot hubspot, Path dir) {
    this.hubspot = hubspot;
    this.dir = dir;
    if (hubspot != null) {
      env.put("HUBSPOT_ACCESS_TOKEN", hubspot.token());
    }
  }

  /** What one command line did. */
  record Run(int exit, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }

    JsonNode json() {
      try {
        List<String> lines = outLines();
        if (lines.size() != 1) {
          throw new AssertionError("stdout is not one line but " + lines.size() + ":\n" + out + "\nstderr:\n" + err);
        }
        return Json.MAPPER.readTree(lines.get(0));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      Context ctx = new Context(o, e, Map.copyOf(env),
          hubspot != null ? hubspot.clock().asClock() : java.time.Clock.systemUTC(),
          d -> {
            if (hubspot != null) {
              hubspot.clock().advance(d);
            }
          },
          terminal, sinks);
      int exit = new Cli(ctx).execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }

  /** Writes a config file into the test's folder and returns its path as a string. */
  String config(String name, String text) {
    try {
      Path file = dir.resolve(name);
      Files.writeString(file, text.replace("BASE_URL", hubspot != null ? hubspot.baseUrl() : "http://127.0.0.1:9"));
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
