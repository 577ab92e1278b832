package dev.hubspotsync.bigquery;

/**
 * The local BigQuery stand-in for code outside this package (the benchmarks, through this module's
 * test jar): start it, give a client or sink {@link #host()} and {@code NoCredentials}, close it.
 */
public final class LocalBigQueryServer implements AutoCloseable {
  private final LocalBigQuery local;

  private LocalBigQueryServer(LocalBigQuery local) {
    this.local = local;
  }

  /** A new stand-in on 127.0.0.1 and a free port. */
  public static LocalBigQueryServer start() {
    return new LocalBigQueryServer(LocalBigQuery.start());
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String host() {
    return local.host();
  }

  @Override
  public void close() {
    local.close();
  }
}
