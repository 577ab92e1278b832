package dev.hubspotsync.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.batch.BatchAllocator;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL server of its own that checks passwords (scram-sha-256 for every user but the
 * superuser, through an {@code hba_file} given at start): a wrong password is a configuration error
 * naming the user and what to check, it never shows either password, and the rows loaded with the
 * right one stay.
 */
class WrongPasswordIT {
  private static final String RIGHT = "right-pw-1f3a-secret";
  private static final String WRONG = "wrong-pw-9c8d-secret";
  private static final List<ColumnMapping> COLUMNS = List.of(new ColumnMapping("email", "email", ColumnType.TEXT));

  @TempDir
  Path dir;

  @Test
  void aWrongPasswordIsAConfigErrorNamingTheUserAndKeepsWhatWasLoaded() throws Exception {
    Path hba = Files.writeString(dir.resolve("pg_hba.conf"), String.join("\n",
        "local all all trust",
        "host all postgres 127.0.0.1/32 trust",
        "host all postgres ::1/128 trust",
        "host all all 127.0.0.1/32 scram-sha-256",
        "host all all ::1/128 scram-sha-256",
        ""));
    try (EmbeddedPostgres server = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("data"))
        .setCleanDataDirectory(true).setServerConfig("hba_file", hba.toString()).start();
        BatchAllocator allocator = BatchAllocator.create(16L << 20)) {
      DataSource admin = server.getPostgresDatabase();
      execute(admin, "CREATE ROLE loader LOGIN PASSWORD '" + RIGHT + "'");
      execute(admin, "GRANT CREATE ON DATABASE postgres TO loader");
      String url = "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres";
      try (PostgresSink sink = PostgresSink.builder().jdbcUrl(url, "loader", RIGHT).schema("hubspot").build()) {
        sink.evolve("contacts", COLUMNS);
        try (RecordBatch batch = Batches.batch(allocator, "contacts", COLUMNS,
            Batches.record(1, Instant.parse("2026-01-01T00:00:00Z"), Map.of("email", "a@example.com")),
            Batches.record(2, Instant.parse("2026-01-01T00:00:00Z"), Map.of("email", "b@example.com")))) {
          assertThat(sink.write(batch, new Checkpoint("contacts", "{\"v\":1}")).written()).isEqualTo(2);
        }
      }

      try (PostgresSink wrong = PostgresSink.builder().jdbcUrl(url, "loader", WRONG).schema("hubspot").build()) {
        assertThat(wrong.toString()).doesNotContain(WRONG);
        assertThatThrownBy(() -> wrong.describe("contacts"))
            .isInstanceOfSatisfying(HubSpotSyncException.class, e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION);
              assertThat(e.retryable()).isFalse();
              assertThat(fullText(e)).doesNotContain(WRONG).doesNotContain(RIGHT);
            })
            .hasMessageContaining("127.0.0.1:" + server.getPort() + "/postgres")
            .hasMessageContaining("password authentication failed for user \"loader\"")
            .hasMessageContaining("SQLSTATE 28P01")
            .hasMessageContaining("Check the credentials");
      }

      try (Connection c = admin.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM hubspot.contacts")) {
        rs.next();
        assertThat(rs.getLong(1)).as("rows loaded with the right password").isEqualTo(2);
      }
    }
  }

  private static void execute(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String fullText(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      text.append(t).append('\n');
    }
    return text.toString();
  }
}
