package dev.hubspotsync.snowflake.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stand-in's whole translation, rule by rule, and what it refuses. */
class SnowflakeToDuckDbTest {
  private static final List<SnowflakeToDuckDb.TempTable> NONE = List.of();

  @Test
  void typeNamesBecomeDuckDbsOutsideQuotedIdentifiersAndLiterals() {
    assertThat(SnowflakeToDuckDb.translate("CREATE TABLE IF NOT EXISTS \"S\".\"t\" (\"id\" BIGINT PRIMARY KEY, "
        + "\"n\" NUMBER(38,9), \"k\" NUMBER, \"f\" FLOAT, \"at\" TIMESTAMP_TZ, \"l\" TIMESTAMP_LTZ, "
        + "\"w\" TIMESTAMP_NTZ, \"FLOAT\" VARCHAR DEFAULT 'NUMBER(1,2)')", NONE))
        .isEqualTo("CREATE TABLE IF NOT EXISTS \"S\".\"t\" (\"id\" BIGINT PRIMARY KEY, \"n\" DECIMAL(38,9), "
            + "\"k\" DECIMAL(38,0), \"f\" DOUBLE, \"at\" TIMESTAMPTZ, \"l\" TIMESTAMPTZ, \"w\" TIMESTAMP, "
            + "\"FLOAT\" VARCHAR DEFAULT 'NUMBER(1,2)')");
  }

  @Test
  void functionsDuckDbSpellsDifferently() {
    assertThat(SnowflakeToDuckDb.translate("SELECT DATE_PART(EPOCH_MICROSECOND, \"u\"), CURRENT_TIMESTAMP() FROM t",
        NONE)).isEqualTo("SELECT epoch_us( \"u\"), current_timestamp FROM t");
  }

  @Test
  void theMergeWithQualifyRunsVerbatim() {
    String merge = "MERGE INTO \"S\".\"c\" AS t USING (SELECT \"id\", \"u\" FROM \"S\".\"x\" QUALIFY ROW_NUMBER() "
        + "OVER (PARTITION BY \"id\" ORDER BY \"u\" DESC NULLS LAST) = 1) AS s ON t.\"id\" = s.\"id\" WHEN MATCHED "
        + "AND (t.\"u\" IS NULL OR t.\"u\" <= s.\"u\") THEN UPDATE SET \"u\" = s.\"u\" WHEN NOT MATCHED THEN INSERT "
        + "(\"id\", \"u\") VALUES (s.\"id\", s.\"u\")";
    assertThat(SnowflakeToDuckDb.translate(merge, NONE)).isEqualTo(merge);
  }

  @Test
  void temporaryTablesMoveToTheSessionsTempCatalog() {
    String create = "CREATE TEMPORARY TABLE IF NOT EXISTS \"S\".\"stage\" (\"id\" BIGINT)";
    SnowflakeToDuckDb.TempTable temp = SnowflakeToDuckDb.tempTable(create);

    assertThat(temp).isEqualTo(new SnowflakeToDuckDb.TempTable("\"S\".\"stage\"", "temp.main.\"stage\""));
    assertThat(SnowflakeToDuckDb.createTemp(create)).isEqualTo("CREATE TEMPORARY TABLE IF NOT EXISTS \"stage\" "
        + "(\"id\" BIGINT)");
    assertThat(SnowflakeToDuckDb.translate("DELETE FROM \"S\".\"stage\"", List.of(temp)))
        .isEqualTo("DELETE FROM temp.main.\"stage\"");
  }

  @Test
  void copyIntoFromTheUserStageReadsItsFolderAsText() {
    SnowflakeToDuckDb.Copy copy = SnowflakeToDuckDb.copy("COPY INTO \"S\".\"t\" (\"id\", \"a,b\") FROM "
        + "@~/hubspot-sync/f1/ FILE_FORMAT = (TYPE = CSV COMPRESSION = GZIP FIELD_DELIMITER = ',' "
        + "FIELD_OPTIONALLY_ENCLOSED_BY = '\"' EMPTY_FIELD_AS_NULL = TRUE NULL_IF = () ESCAPE_UNENCLOSED_FIELD = NONE "
        + "SKIP_HEADER = 0 DATE_FORMAT = 'YYYY-MM-DD' TIMESTAMP_FORMAT = 'YYYY-MM-DD\"T\"HH24:MI:SS.FF6TZH:TZM') "
        + "ON_ERROR = ABORT_STATEMENT PURGE = TRUE");

    assertThat(copy).isEqualTo(new SnowflakeToDuckDb.Copy("\"S\".\"t\"", List.of("\"id\"", "\"a,b\""),
        "hubspot-sync/f1/"));
    assertThat(copy.insert(Path.of("/stage/f1"))).isEqualTo("INSERT INTO \"S\".\"t\" (\"id\", \"a,b\") SELECT * "
        + "FROM read_csv('/stage/f1/*', header = false, auto_detect = false, columns = {'c0': 'VARCHAR', 'c1': "
        + "'VARCHAR'}, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false, compression = 'gzip', "
        + "strict_mode = true)");
  }

  @Test
  void copyOptionsItCannotHonourAreRefused() {
    assertThatThrownBy(() -> SnowflakeToDuckDb.copy("COPY INTO t (a) FROM @~/f/ FILE_FORMAT = (TYPE = CSV "
        + "COMPRESSION = GZIP) ON_ERROR = CONTINUE"))
        .isInstanceOf(SnowflakeToDuckDb.Unsupported.class).hasMessageContaining("ON_ERROR = CONTINUE");
    assertThatThrownBy(() -> SnowflakeToDuckDb.copy("COPY INTO t (a) FROM @~/f/ FILE_FORMAT = (TYPE = PARQUET)"))
        .isInstanceOf(SnowflakeToDuckDb.Unsupported.class).hasMessageContaining("TYPE = PARQUET");
    assertThatThrownBy(() -> SnowflakeToDuckDb.copy("COPY INTO t FROM @my_stage/f/ FILE_FORMAT = (TYPE = CSV)"))
        .isInstanceOf(SnowflakeToDuckDb.Unsupported.class).hasMessageContaining("@~/");
  }

  @Test
  void snowflakeOnlyConstructsFailLoudly() {
    for (String sql : List.of("CREATE TABLE t (v VARIANT)", "SELECT IFF(a, 1, 2) FROM t",
        "CREATE TEMPORARY TABLE s LIKE \"t\"", "TRUNCATE TABLE t", "INSERT ALL INTO a INTO b SELECT 1")) {
      assertThatThrownBy(() -> SnowflakeToDuckDb.translate(sql, NONE)).as(sql)
          .isInstanceOf(SnowflakeToDuckDb.Unsupported.class)
          .hasMessageStartingWith("The Snowflake stand-in cannot execute this faithfully");
    }
  }

  @Test
  void aScriptingBlockOfPlainStatementsRunsStatementByStatement() {
    assertThat(SnowflakeToDuckDb.scriptStatements("EXECUTE IMMEDIATE $$\nBEGIN\n  ALTER TABLE t ADD COLUMN x FLOAT;\n"
        + "  UPDATE t SET x = CAST(\"a;b\" AS FLOAT);\nEND;\n$$"))
        .containsExactly("ALTER TABLE t ADD COLUMN x FLOAT", "UPDATE t SET x = CAST(\"a;b\" AS FLOAT)");
    assertThatThrownBy(() -> SnowflakeToDuckDb.scriptStatements("EXECUTE IMMEDIATE $$ BEGIN LET x := 1; END; $$"))
        .isInstanceOf(SnowflakeToDuckDb.Unsupported.class).hasMessageContaining("control flow");
  }
}
