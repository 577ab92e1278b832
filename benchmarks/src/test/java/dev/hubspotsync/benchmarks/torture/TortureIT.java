package dev.hubspotsync.benchmarks.torture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The torture at verify size: 3,000 records, 10 SIGKILLs, 5 rounds of edits, faults on, once per
 * warehouse. Every invariant of {@link TruthCheck} and the calls ratio must hold; the report lists
 * each violation with examples. The full size is {@link Torture#main} (benchmarks/RESULTS.md); the
 * same knobs work here as system properties ({@code -Dtorture.records=…}).
 */
class TortureIT {
  @TempDir
  Path dir;

  @Test
  void duckDbEqualsThePortalAfterKillsAndFaults() throws Exception {
    torture(Torture.Sink.DUCKDB);
  }

  @Test
  void postgresEqualsThePortalAfterKillsAndFaults() throws Exception {
    torture(Torture.Sink.POSTGRES);
  }

  private void torture(Torture.Sink sink) throws Exception {
    Torture.Settings settings = Torture.settings(sink, dir, 3_000, 10, 5);
    Torture.Outcome outcome = Torture.run(settings, System.out);
    System.out.print(outcome.report());

    assertThat(outcome.torture().kills()).as("SIGKILLs").isGreaterThanOrEqualTo(settings.kills());
    assertThat(outcome.violations().isEmpty()).as("invariants violated:%n%s", outcome.report()).isTrue();
  }
}
