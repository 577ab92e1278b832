package dev.hubspotsync.cli;

import dev.hubspotsync.postgres.PostgresSink;
import dev.hubspotsync.sink.WarehouseSink;

/** Opens the sink a config names. */
final class Sinks {
  private Sinks() {}

  static WarehouseSink open(SyncConfig.Sink s) {
    switch (s.type()) {
      case "postgres": {
        PostgresSink.Builder b = PostgresSink.builder();
        if (s.user() != null || s.password() != null) {
          b.jdbcUrl(s.url(), s.user(), s.password());
        } else {
          b.jdbcUrl(s.url());
        }
        if (s.schema() != null) {
          b.schema(s.schema());
        }
        if (s.tablePrefix() != null) {
          b.tablePrefix(s.tablePrefix());
        }
        return b.build();
      }
      default:
        throw new IllegalStateException("sink type " + s.type() + " is not wired yet");
    }
  }
}
