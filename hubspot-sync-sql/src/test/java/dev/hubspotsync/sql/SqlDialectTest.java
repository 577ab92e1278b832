package dev.hubspotsync.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.batch.ColumnType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kernel's default SQL forms and its identifier rules, without a warehouse. */
class SqlDialectTest {
  private static final Identifiers FOLDING = new Identifiers("Duck", 20, "the sink keeps names within 20", true);

  @Test
  void theGuardedUpsertReplacesOnlyRowsAtLeastAsNewAndQuotesEveryName() {
    String upsert = dialect(types()).upsert("t", "s", List.of("id", "_hs_updated_at", "a\"b"));
    assertThat(upsert).isEqualTo("INSERT INTO t AS t (\"id\", \"_hs_updated_at\", \"a\"\"b\") SELECT \"id\", "
        + "\"_hs_updated_at\", \"a\"\"b\" FROM s ON CONFLICT (\"id\") DO UPDATE SET \"_hs_updated_at\" = "
        + "EXCLUDED.\"_hs_updated_at\", \"a\"\"b\" = EXCLUDED.\"a\"\"b\" WHERE t.\"_hs_updated_at\" IS NULL OR "
        + "t.\"_hs_updated_at\" <= EXCLUDED.\"_hs_updated_at\"");
    assertThat(dialect(types()).upsertRow("st", List.of("stream", "checkpoint"), List.of("?", "?")))
        .isEqualTo("INSERT INTO st (stream, checkpoint) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET "
            + "checkpoint = EXCLUDED.checkpoint");
  }

  @Test
  void aDialectWithoutATypeNameIsRefusedNamingTheType() {
    Map<ColumnType, String> types = types();
    types.remove(ColumnType.DATE);
    assertThatThrownBy(() -> dialect(types)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no type name for DATE");
  }

  @Test
  void identifiersAreCheckedQuotedAndComparedAsTheWarehouseDoes() {
    assertThat(FOLDING.quote("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(FOLDING.key("AbC")).isEqualTo("abc");
    assertThat(new Identifiers("Pg", 20, "at most 20", false).key("AbC")).isEqualTo("AbC");
    assertThatThrownBy(() -> FOLDING.check("é1234567890123456789", "column name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("The Duck column name 'é1234567890123456789' is 21 UTF-8 bytes long; the sink keeps names within 20");
    FOLDING.check("é123456789012345678", "column name"); // 20 bytes: kept
    assertThatThrownBy(() -> FOLDING.check("a\0", "schema name")).hasMessage("A Duck schema name cannot hold a NUL character");
    assertThatThrownBy(() -> FOLDING.quote("")).hasMessage("A Duck identifier must not be empty");
    assertThat(Identifiers.checkPrefix("raw_1")).isEqualTo("raw_1");
    assertThatThrownBy(() -> Identifiers.checkPrefix("Raw")).hasMessageContaining("tablePrefix must be at most 30");
  }

  private static Map<ColumnType, String> types() {
    Map<ColumnType, String> types = new EnumMap<>(ColumnType.class);
    for (ColumnType type : ColumnType.values()) {
      types.put(type, type.name());
    }
    return types;
  }

  private static SqlDialect dialect(Map<ColumnType, String> types) {
    return new SqlDialect(FOLDING, types) {
      @Override
      public String qualified(String table) {
        return identifiers().quote(table);
      }

      @Override
      public List<String> sessionSettings() {
        return List.of();
      }

      @Override
      public Sql schemaExists() {
        return Sql.of("SELECT 1");
      }

      @Override
      public String createSchema() {
        return "";
      }

      @Override
      public Sql relations() {
        return Sql.of("SELECT ''");
      }

      @Override
      public String epochMicros(String expression) {
        return expression;
      }
    };
  }
}
