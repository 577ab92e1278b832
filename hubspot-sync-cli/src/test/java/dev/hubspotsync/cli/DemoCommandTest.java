package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo} end to end on a small portal: backfill, edits, incremental sync, SQL checks. */
class DemoCommandTest {
  @TempDir
  Path dir;

  @Test
  void theDemoRunsEndToEndAndEveryCheckPasses() {
    CliHarness cli = new CliHarness(null, dir);
    Path folder = dir.resolve("demo");

    CliHarness.Run run = cli.run("demo", "--dir", folder.toString(), "--contacts", "500", "--companies", "60",
        "--deals", "120", "--tickets", "30");

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).contains("verified: 500 contacts in warehouse = 500 in portal")
        .contains("verified: 499 contacts in warehouse = 499 in portal")
        .contains("verified: all 60 deals of the same-millisecond bulk update arrived")
        .contains("verified: 10 new contact-deal links are in \"contacts_to_deals\"")
        .contains("verified: contacts and contacts_to_deals ran incrementally")
        .contains("favorite_snack")
        .containsPattern("verified: all [\\d,]+ HubSpot calls went to HubSpot's 2026-09 paths, none to v1, v3 or v4")
        .containsPattern("All \\d+ checks passed")
        .doesNotContain("FAILED");
    assertThat(folder.resolve("hubspot.duckdb")).exists();
    assertThat(folder.resolve("sync.yaml")).exists();

    // The config it wrote works with the other commands (status reads only the warehouse).
    CliHarness.Run status = cli.run("status", "--config", folder.resolve("sync.yaml").toString());
    assertThat(status.exit()).as(status.toString()).isZero();
    assertThat(status.out()).containsPattern("(?m)^contacts_to_deals +incremental \\(CDC boost\\)");
  }

  @Test
  void theDemoRefusesAFolderThatHoldsAWarehouse() throws Exception {
    Files.writeString(dir.resolve("hubspot.duckdb"), "");

    CliHarness.Run run = new CliHarness(null, dir).run("demo", "--dir", dir.toString(), "--contacts", "200");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("already exists; give the demo an empty --dir");
  }
}
