package dev.hubspotsync.snowflake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.snowflake.standin.SnowflakeStandIn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key-pair authentication, the documented default: the real driver reads the PKCS#8 key file and
 * logs in with a JWT signed by it, which the stand-in checks against the public key.
 */
class KeyPairLoginTest {
  @TempDir
  Path dir;

  @Test
  void theDriverLogsInWithAJwtSignedByTheKeyFile() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    Path key = dir.resolve("rsa_key.p8");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate()
            .getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------")); // as docs/snowflake.md says

    try (SnowflakeStandIn standIn = SnowflakeStandIn.start();
        SnowflakeSink sink = SnowflakeSink.builder().endpoint(standIn.endpoint()).account("standin").user("LOADER")
            .privateKeyFile(key, null).database("ANALYTICS").build()) {
      assertThat(sink.checkpoint("contacts")).isEmpty();

      JsonNode login = standIn.logins().get(0).path("data");
      assertThat(login.path("AUTHENTICATOR").asText()).isEqualTo("SNOWFLAKE_JWT");
      assertThat(login.has("PASSWORD")).isFalse();
      String[] jwt = login.path("TOKEN").asText().split("\\.");
      assertThat(jwt).hasSize(3);
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(pair.getPublic());
      rsa.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
      assertThat(rsa.verify(Base64.getUrlDecoder().decode(jwt[2]))).as("JWT signed by the key file").isTrue();
      JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt[1]));
      assertThat(claims.path("sub").asText()).isEqualTo("STANDIN.LOADER");
    }
  }
}
