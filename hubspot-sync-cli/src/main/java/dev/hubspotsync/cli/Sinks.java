package dev.hubspotsync.cli;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.duckdb.DuckDbSink;
import dev.hubspotsync.postgres.PostgresSink;
import dev.hubspotsync.sink.WarehouseSink;

/** Opens the sink a config names. */
final class Sinks {
  private Sinks() {}

  /**
   * The config's sink, opened through the context; a setting the sink refuses becomes a config
   * error naming the file and {@code sink}.
   */
  static WarehouseSink open(SyncConfig config, Context ctx) {
    try {
      return ctx.sinks().apply(config.sink());
    } catch (HubSpotSyncException e) {
      if (e.code() == ErrorCode.BAD_CONFIGURATION) {
        throw ConfigNode.error(config.file().toString(), "sink", e.getMessage());
      }
      throw e;
    } catch (IllegalArgumentException e) {
      throw ConfigNode.error(config.file().toString(), "sink", e.getMessage());
    }
  }

  /** Builds the sink of the settings: a DuckDB file or a PostgreSQL URL. */
  static WarehouseSink open(SyncConfig.Sink s) {
    switch (s.type()) {
      case "duckdb": {
        DuckDbSink.Builder b = DuckDbSink.builder().file(s.file());
        if (s.schema() != null) {
          b.schema(s.schema());
        }
        if (s.tablePrefix() != null) {
          b.tablePrefix(s.tablePrefix());
        }
        return b.build();
      }
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
        throw new IllegalStateException("no sink of type " + s.type()); // SyncConfig accepts only the two above
    }
  }
}
