package dev.hubspotsync.cli;

import dev.hubspotsync.Sleeper;
import dev.hubspotsync.sink.WarehouseSink;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;

/**
 * What a command runs with: where it writes, the environment it reads variables and credentials
 * from, the clock and sleeper of its HubSpot client and rate budget, whether stderr is a terminal,
 * and how a configured sink is opened. {@link #system()} is the real process; tests inject their own.
 *
 * @param out the command's result (one JSON line for {@code sync}, tables for the others)
 * @param err logs, progress and error messages
 */
record Context(PrintStream out, PrintStream err, Map<String, String> env, Clock clock, Sleeper sleeper, boolean terminal,
    Function<SyncConfig.Sink, WarehouseSink> sinks) {

  static Context system() {
    return new Context(System.out, System.err, System.getenv(), Clock.systemUTC(), Sleeper.system(),
        System.console() != null, Sinks::open);
  }

  Context withTime(Clock newClock, Sleeper newSleeper) {
    return new Context(out, err, env, newClock, newSleeper, terminal, sinks);
  }

  Context withEnv(Map<String, String> newEnv) {
    return new Context(out, err, newEnv, clock, sleeper, terminal, sinks);
  }
}
