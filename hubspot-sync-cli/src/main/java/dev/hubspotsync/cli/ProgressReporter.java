package dev.hubspotsync.cli;

import dev.hubspotsync.SyncProgress;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.ratelimit.RateBudget;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Progress of a running sync on stderr, as a {@code SyncJob} progress listener: every
 * {@code progressEvery} a plain line (records/s, calls used, budget left, ETA when the total is
 * known); on a terminal one bar redrawn in place a few times a second instead. Called on the
 * streams' loader threads; thread-safe.
 */
final class ProgressReporter implements Consumer<SyncProgress> {
  private static final long REDRAW_MILLIS = 250;
  private static final int BAR_WIDTH = 24;

  private final PrintStream err;
  private final Clock clock;
  private final HubSpotClient client;
  private final boolean terminal;
  private final long everyMillis;
  private final Map<String, SyncProgress> latest = new LinkedHashMap<>();
  private long lastPrintAt;
  private boolean barShown;

  ProgressReporter(PrintStream err, Clock clock, HubSpotClient client, boolean terminal, Duration every) {
    this.err = err;
    this.clock = clock;
    this.client = client;
    this.terminal = terminal;
    this.everyMillis = every.toMillis();
    this.lastPrintAt = clock.millis();
  }

  @Override
  public synchronized void accept(SyncProgress p) {
    latest.put(p.objectType(), p);
    long now = clock.millis();
    if (now - lastPrintAt < (terminal ? REDRAW_MILLIS : everyMillis)) {
      return;
    }
    lastPrintAt = now;
    if (terminal) {
      err.print("\r" + bar() + " " + line() + "\u001b[K");
      err.flush();
      barShown = true;
    } else {
      err.println("progress: " + line());
    }
  }

  /** Ends a redrawn bar's line, so what follows starts on a fresh one. */
  synchronized void finish() {
    if (barShown) {
      err.println();
      barShown = false;
    }
  }

  /** E.g. {@code contacts backfill 12,400/20,000 62% 1,850/s ETA 4s | deals incremental 300 | 412 calls | budget left 312,088 of 312,500}. */
  synchronized String line() {
    List<String> parts = new ArrayList<>();
    for (SyncProgress p : latest.values()) {
      StringBuilder s = new StringBuilder(p.objectType()).append(' ').append(p.phase()).append(' ')
          .append(String.format("%,d", p.rowsRead()));
      if (p.total() > 0) {
        s.append(String.format("/%,d %d%%", p.total(), Math.min(100, p.rowsRead() * 100 / p.total())));
      }
      s.append(String.format(" %,d/s", Math.round(p.recordsPerSecond())));
      if (p.eta() != null && p.rowsRead() < p.total()) {
        s.append(" ETA ").append(human(p.eta()));
      }
      parts.add(s.toString());
    }
    long calls = client.calls().values().stream().mapToLong(Long::longValue).sum();
    parts.add(String.format("%,d calls", calls));
    RateBudget.Usage usage = client.rateBudget().usage();
    if (usage.dailyCeiling() > 0 && usage.usedToday() >= 0) {
      parts.add(String.format("budget left %,d of %,d", Math.max(0, usage.dailyCeiling() - usage.usedToday()),
          usage.dailyCeiling()));
    }
    return String.join(" | ", parts);
  }

  private String bar() {
    long read = 0;
    long total = 0;
    for (SyncProgress p : latest.values()) {
      if (p.total() > 0) {
        read += Math.min(p.rowsRead(), p.total());
        total += p.total();
      }
    }
    int filled = total > 0 ? (int) (read * BAR_WIDTH / total) : 0;
    return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "]";
  }

  /** {@code 42s}, {@code 3m05s}, {@code 2h10m}. */
  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
