package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sink.type: bigquery}: the shipped example config loads as documented. */
class BigQueryCliTest {

  @Test
  void theExampleConfigLoadsWithTheKeyFileFromTheEnvironment() {
    SyncConfig config = SyncConfig.load(Path.of("..", "examples", "bigquery", "sync.yaml"),
        Map.of("GOOGLE_APPLICATION_CREDENTIALS", "/secrets/loader.json"));

    SyncConfig.Sink sink = config.sink();
    assertThat(sink.type()).isEqualTo("bigquery");
    assertThat(sink.schema()).as("the dataset").isEqualTo("hubspot");
    assertThat(sink.bigquery()).isEqualTo(new SyncConfig.BigQuery("my-analytics-project", "EU",
        Path.of("/secrets/loader.json"), null, 50_000, Duration.ofMinutes(3)));
  }
}
