package dev.hubspotsync.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel's portable SQL in BigQuery's spelling, on the text (the stand-in proves it runs). */
class BigQueryDialectTest {
  @Test
  void doubleQuotedNamesBecomeBackticksAndLiteralsStay() {
    assertThat(BigQueryDialect.spell("SELECT \"a\"\"b\", 'x\"y' FROM `p.d.t` WHERE \"c`d\" = ?"))
        .isEqualTo("SELECT `a\"b`, 'x\"y' FROM `p.d.t` WHERE `c\\`d` = ?");
  }

  @Test
  void createTableKeysAreNotEnforcedDefaultsComeFirstAndTheTableIsClustered() {
    assertThat(BigQueryDialect.spell("CREATE TABLE IF NOT EXISTS `p.d.t` (\"id\" BIGINT PRIMARY KEY, "
        + "\"_hs_archived\" BOOL NOT NULL DEFAULT FALSE, added_at TIMESTAMP NOT NULL DEFAULT now())"))
        .isEqualTo("CREATE TABLE IF NOT EXISTS `p.d.t` (`id` INT64, `_hs_archived` BOOL DEFAULT FALSE NOT NULL, "
            + "added_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP() NOT NULL, PRIMARY KEY (`id`) NOT ENFORCED) CLUSTER BY `id`");
    assertThat(BigQueryDialect.spell("CREATE TABLE IF NOT EXISTS `p.d.l` (from_id BIGINT NOT NULL, to_id BIGINT NOT NULL, "
        + "name STRING NOT NULL UNIQUE, PRIMARY KEY (from_id, to_id))"))
        .isEqualTo("CREATE TABLE IF NOT EXISTS `p.d.l` (from_id INT64 NOT NULL, to_id INT64 NOT NULL, "
            + "name STRING NOT NULL, PRIMARY KEY (from_id, to_id) NOT ENFORCED) CLUSTER BY from_id");
  }

  @Test
  void theUpsertDeduplicatesByIdAndGuardsAgainstOlderRows() {
    String merge = new BigQueryDialect("p", "d").upsert("`p.d.t`", "`p.d.s`", List.of("id", "_hs_updated_at", "x"));
    assertThat(merge).contains("QUALIFY ROW_NUMBER() OVER (PARTITION BY \"id\" ORDER BY \"_hs_updated_at\" DESC) = 1")
        .contains("WHEN MATCHED AND (T.\"_hs_updated_at\" IS NULL OR T.\"_hs_updated_at\" <= S.\"_hs_updated_at\")")
        .contains("WHEN NOT MATCHED THEN INSERT");
  }

  @Test
  void namesLongerThan300BytesAreRefused() {
    assertThatThrownBy(() -> BigQueryDialect.NAMES.quote("x".repeat(301))).hasMessageContaining("300");
  }
}
