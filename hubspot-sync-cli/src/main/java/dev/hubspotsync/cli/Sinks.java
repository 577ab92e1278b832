package dev.hubspotsync.cli;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.bigquery.BigQuerySink;
import dev.hubspotsync.duckdb.DuckDbSink;
import dev.hubspotsync.postgres.PostgresSink;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.snowflake.SnowflakeSink;

/** Opens the sink a config names. */
final class Sinks {
  private Sinks() {}

  /**
   * The config's sink, opened through the context; a setting the sink refuses becomes a config
   * error naming the file and {@code sink}.
   */
  static WarehouseSink open(SyncConfig config, Context ctx) {
    return open(config, ctx, true);
  }

  /**
   * As {@link #open(SyncConfig, Context)}; with {@code create} false, a DuckDB file that does not
   * exist yet is not created: an empty in-memory database of the same schema and prefix stands in
   * for it (for the commands that only read).
   */
  static WarehouseSink open(SyncConfig config, Context ctx, boolean create) {
    SyncConfig.Sink s = config.sink();
    if (!create && s.type().equals("duckdb") && !java.nio.file.Files.exists(s.file())) {
      s = new SyncConfig.Sink(s.type(), null, null, null, null, s.schema(), s.tablePrefix());
    }
    try {
      return ctx.sinks().apply(s);
    } catch (HubSpotSyncException e) {
      if (e.code() == ErrorCode.BAD_CONFIGURATION) {
        throw ConfigNode.error(config.file().toString(), "sink", e.getMessage());
      }
      throw e;
    } catch (IllegalArgumentException e) {
      throw ConfigNode.error(config.file().toString(), "sink", e.getMessage());
    }
  }

  /**
   * Builds the sink of the settings: a DuckDB file (in memory when {@code file} is null), a PostgreSQL
   * URL, a BigQuery dataset or a Snowflake account.
   */
  static WarehouseSink open(SyncConfig.Sink s) {
    switch (s.type()) {
      case "duckdb": {
        DuckDbSink.Builder b = s.file() != null ? DuckDbSink.builder().file(s.file()) : DuckDbSink.builder().inMemory();
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
      case "bigquery": {
        SyncConfig.BigQuery q = s.bigquery();
        BigQuerySink.Builder b = BigQuerySink.builder().project(q.project()).dataset(s.schema());
        if (q.location() != null) {
          b.location(q.location());
        }
        if (q.credentialsFile() != null) {
          b.credentialsFile(q.credentialsFile());
        }
        if (q.host() != null) {
          b.host(q.host());
        }
        if (q.coalesceRows() != null) {
          b.coalesceRows(q.coalesceRows());
        }
        if (q.coalesceAge() != null) {
          b.coalesceAge(q.coalesceAge());
        }
        if (s.tablePrefix() != null) {
          b.tablePrefix(s.tablePrefix());
        }
        return b.build();
      }
      case "snowflake": {
        SyncConfig.Snowflake sf = s.snowflake();
        SnowflakeSink.Builder b = SnowflakeSink.builder().user(s.user()).database(sf.database());
        if (sf.account() != null) {
          b.account(sf.account());
        }
        if (sf.endpoint() != null) {
          b.endpoint(sf.endpoint());
        }
        if (sf.privateKeyFile() != null) {
          b.privateKeyFile(sf.privateKeyFile(), sf.passphrase());
        } else {
          b.password(s.password());
        }
        if (sf.warehouse() != null) {
          b.warehouse(sf.warehouse());
        }
        if (sf.role() != null) {
          b.role(sf.role());
        }
        if (sf.coalesceRows() != null) {
          b.coalesceRows(sf.coalesceRows());
        }
        if (sf.coalesceAge() != null) {
          b.coalesceAge(sf.coalesceAge());
        }
        if (s.schema() != null) {
          b.schema(s.schema());
        }
        if (s.tablePrefix() != null) {
          b.tablePrefix(s.tablePrefix());
        }
        return b.build(); // platform detection stays off: the sink turns it off on every connection
      }
      default:
        throw new IllegalStateException("no sink of type " + s.type()); // SyncConfig accepts only the four above
    }
  }
}
