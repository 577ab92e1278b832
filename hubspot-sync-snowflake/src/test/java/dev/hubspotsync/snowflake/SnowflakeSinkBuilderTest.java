package dev.hubspotsync.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's checks and the driver properties it makes; nothing here connects. */
class SnowflakeSinkBuilderTest {
  @TempDir
  Path dir;

  @Test
  void keyPairIsTheDriversJwtAuthenticatorWithTheKeyFileAndPassphrase() throws Exception {
    Path key = Files.writeString(dir.resolve("rsa_key.p8"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
    SnowflakeSink.Builder builder = SnowflakeSink.builder().account("MyOrg-MyAccount").user("HUBSPOT_SYNC")
        .privateKeyFile(key, "pass-phrase").warehouse("LOADING").database("ANALYTICS").role("LOADER");

    assertThat(builder.url()).isEqualTo("jdbc:snowflake://myorg-myaccount.snowflakecomputing.com/");
    assertThat(builder.properties()).containsEntry("authenticator", "SNOWFLAKE_JWT")
        .containsEntry("private_key_file", key.toAbsolutePath().toString())
        .containsEntry("private_key_file_pwd", "pass-phrase").containsEntry("db", "ANALYTICS")
        .containsEntry("warehouse", "LOADING").containsEntry("role", "LOADER").doesNotContainKey("password")
        .doesNotContainKey("ssl");
    assertThat(builder.toString()).contains("key pair").doesNotContain("pass-phrase");
    try (SnowflakeSink sink = builder.build()) {
      assertThat(sink.toString()).isEqualTo("SnowflakeSink[account MyOrg-MyAccount, database ANALYTICS, "
          + "warehouse LOADING, schema=HUBSPOT]");
    }
  }

  @Test
  void missingSettingsAndUnsafeEndpointsAreBadConfiguration() {
    assertBad(SnowflakeSink.builder().user("U").password("p").database("D"), "needs an account");
    assertBad(SnowflakeSink.builder().account("a b").user("U").password("p").database("D"),
        "'a b' is not an account identifier");
    assertBad(SnowflakeSink.builder().account("a").password("p").database("D"), "needs a user(…) and a database(…)");
    assertBad(SnowflakeSink.builder().account("a").user("U").database("D"), "needs credentials");
    assertBad(SnowflakeSink.builder().account("a").user("U").database("D").privateKeyFile(dir.resolve("none.p8"),
        null), "none.p8 does not exist or is not readable");
    assertBad(SnowflakeSink.builder().endpoint(URI.create("http://snowflake.example.com")).user("U").password("p")
        .database("D"), "plain HTTP is only for a local stand-in");
  }

  private static void assertBad(SnowflakeSink.Builder builder, String message) {
    assertThatThrownBy(builder::build).isInstanceOf(HubSpotSyncException.class).hasMessageContaining(message)
        .satisfies(e -> assertThat(((HubSpotSyncException) e).code()).isEqualTo(ErrorCode.BAD_CONFIGURATION));
  }
}
