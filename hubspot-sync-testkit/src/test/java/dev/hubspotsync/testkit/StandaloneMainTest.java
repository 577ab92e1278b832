package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The standalone jar's pieces that do not exit: describe, tour, and serving on a chosen port. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StandaloneMainTest {
  private static final Instant START = Instant.parse("2026-03-02T12:00:00Z");

  private static PortalSpec.Builder small() {
    return PortalSpec.builder().contacts(50).companies(10).deals(10).tickets(5).calls(5).subscriptions(5)
        .clock(PortalClock.fixed(START));
  }

  private static String capture(ThrowingPrinter printer) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      printer.print(out);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @FunctionalInterface
  private interface ThrowingPrinter {
    void print(PrintStream out) throws Exception;
  }

  @Test
  void describeShowsTheBaseUrlTheTokenAndThePortalButNoOauthSecrets() throws Exception {
    PortalSpec spec = small().privateAppToken("pat-describe-me").oauthApp("cid-x", "secret-x-123", "refresh-x-456")
        .burstLimit(42).build();
    try (FakeHubSpot hubspot = FakeHubSpot.start(spec)) {
      String out = capture(o -> FakeHubSpotMain.describe(hubspot, 0, o));

      assertThat(out).contains(hubspot.baseUrl());
      assertThat(out).contains("pat-describe-me");
      assertThat(out).contains("Authorization: Bearer pat-describe-me");
      assertThat(out).contains("started in 0 ms");
      assertThat(out).contains(Long.toString(spec.portalId()));
      assertThat(out).contains("42 calls/10 s");
      assertThat(out).contains("contacts 50 (0-1)");
      assertThat(out).contains("client_id=cid-x");
      assertThat(out).doesNotContain("secret-x-123").doesNotContain("refresh-x-456");
    }
  }

  @Test
  void describeFlagsAPortalWithLimitsOff() throws Exception {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().unlimited().build())) {
      assertThat(capture(o -> FakeHubSpotMain.describe(hubspot, 7, o)))
          .contains("(limits OFF)").contains("started in 7 ms");
    }
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      assertThat(capture(o -> FakeHubSpotMain.describe(hubspot, 7, o))).doesNotContain("limits OFF");
    }
  }

  @Test
  void tourShowsSuccessValidationPartialAndAuthenticationOutcomes() throws Exception {
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build())) {
      String out = capture(o -> FakeHubSpotMain.tour(hubspot, o));

      assertThat(out).contains("->  HTTP 200").contains("->  HTTP 400").contains("->  HTTP 401");
      int partial = out.indexOf("and of an unknown id (200 with errors)");
      assertThat(partial).as(out).isNotNegative();
      assertThat(out.substring(partial).lines().skip(1).findFirst().orElse(""))
          .startsWith("POST /crm/associations/2026-09/companies/contacts/batch/read").contains("->  HTTP 200");
      List<String> lines = out.lines().toList();
      int wrongToken = lines.indexOf("== A wrong token");
      assertThat(wrongToken).as(out).isNotNegative();
      assertThat(lines.get(wrongToken + 1)).startsWith("GET /crm/objects/2026-09/contacts").endsWith("HTTP 401");
      assertThat(lines.get(wrongToken + 2)).contains("INVALID_AUTHENTICATION");
      int pastCap = lines.indexOf("== Search past the 10,000-result cap");
      assertThat(pastCap).as(out).isNotNegative();
      assertThat(lines.get(pastCap + 1)).startsWith("POST /crm/objects/2026-09/contacts/search").endsWith("HTTP 400");
      assertThat(out).contains("(burst remaining ");

      PortalStats stats = hubspot.stats();
      assertThat(out).contains("Calls served: " + stats.totalCalls() + ", counted against today's limit: "
          + stats.dailyUsed());
      assertThat(stats.totalCalls()).isGreaterThanOrEqualTo(6);
      assertThat(stats.dailyUsed()).as("the 401 is not counted").isEqualTo(stats.totalCalls() - 1);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void startsOnAChosenPortOfTheLoopbackAddress() throws IOException {
    int port = freePort();
    try (FakeHubSpot hubspot = FakeHubSpot.start(small().build(), port)) {
      assertThat(hubspot.port()).isEqualTo(port);
      assertThat(hubspot.baseUrl()).isEqualTo("http://127.0.0.1:" + port);

      Http.Reply r = new Http("http://127.0.0.1:" + port, hubspot.token()).get("/crm/v3/objects/contacts?limit=2");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().path("results").size()).isEqualTo(2);
    }
  }

  @Test
  void startingOnATakenPortFailsNamingThePort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> FakeHubSpot.start(small().build(), port))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("is the port taken?");
    }
  }

  @Test
  void portZeroPicksAFreePort() {
    try (FakeHubSpot a = FakeHubSpot.start(small().build(), 0);
        FakeHubSpot b = FakeHubSpot.start(small().build())) {
      assertThat(a.port()).isPositive();
      assertThat(b.port()).isPositive().isNotEqualTo(a.port());
      assertThat(a.baseUrl()).isEqualTo("http://127.0.0.1:" + a.port());
    }
  }
}
