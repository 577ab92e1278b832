package dev.hubspotsync.snowflake;

import dev.hubspotsync.snowflake.standin.SnowflakeStandIn;

/** Sinks on a stand-in, and their tables as the stand-in's DuckDB names them. */
final class TestSinks {
  private TestSinks() {}

  /** A builder for a sink on the stand-in, password authentication. */
  static SnowflakeSink.Builder builder(SnowflakeStandIn standIn) {
    return SnowflakeSink.builder().endpoint(standIn.endpoint()).account("standin").user("LOADER")
        .password("not-a-secret").database("ANALYTICS").warehouse("LOADING");
  }

  /** The table quoted with the sink's schema. */
  static String table(SnowflakeSink sink, String table) {
    return SnowflakeDialect.NAMES.quote(sink.schema()) + "." + SnowflakeDialect.NAMES.quote(table);
  }
}
