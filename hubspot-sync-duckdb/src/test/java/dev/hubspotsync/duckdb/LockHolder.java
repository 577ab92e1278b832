package dev.hubspotsync.duckdb;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Run in a process of its own by the tests: opens a DuckDB file with a sink, says {@code ready} on
 * stdout, and holds the file until its stdin closes.
 */
public final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws IOException {
    try (DuckDbSink sink = DuckDbSink.builder().file(Path.of(args[0])).build()) {
      sink.describe("contacts");
      System.out.println("ready");
      System.out.flush();
      while (System.in.read() >= 0) {
        // Holds the file until the test closes our stdin.
      }
    }
  }
}
