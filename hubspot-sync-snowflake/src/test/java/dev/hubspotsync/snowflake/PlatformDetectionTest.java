package dev.hubspotsync.snowflake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubspotsync.snowflake.standin.SnowflakeStandIn;
import org.junit.jupiter.api.Test;

/**
 * The Snowflake driver probes cloud metadata addresses (169.254.169.254 and others) on connect
 * unless platform detection is off. This JVM has it off (surefire's argLine and environment), the
 * sink turns it off on every connection itself, and the driver's login reports detection as disabled.
 */
class PlatformDetectionTest {
  @Test
  void platformDetectionIsOffInThisJvmAndInTheSinkBeforeAnyConnection() {
    assertThat(System.getProperty("net.snowflake.jdbc.disablePlatformDetection")).as("-D system property")
        .isEqualTo("true");
    assertThat(System.getenv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION")).as("environment variable").isEqualTo("true");

    SnowflakeSink.Builder builder = SnowflakeSink.builder().account("xy12345").user("U").password("p")
        .database("D");
    assertThat(builder.properties()).containsEntry(SnowflakeSink.DISABLE_PLATFORM_DETECTION, "true");
    assertThat(builder.enablePlatformDetection().properties()).doesNotContainKey(
        SnowflakeSink.DISABLE_PLATFORM_DETECTION);
  }

  @Test
  void theDriverLogsInWithDetectionDisabledAndOnlyTo127001() {
    try (SnowflakeStandIn standIn = SnowflakeStandIn.start(); SnowflakeSink sink = TestSinks.builder(standIn).build()) {
      assertThat(standIn.endpoint().getHost()).isEqualTo("127.0.0.1");
      assertThat(sink.checkpoint("contacts")).isEmpty();

      assertThat(standIn.logins()).isNotEmpty();
      for (JsonNode login : standIn.logins()) {
        JsonNode environment = login.path("data").path("CLIENT_ENVIRONMENT");
        assertThat(environment.isMissingNode()).as("CLIENT_ENVIRONMENT in " + login).isFalse();
        assertThat(environment.path("PLATFORM").toString()).as("PLATFORM in " + environment)
            .isEqualTo("[\"disabled\"]");
      }
    }
  }
}
