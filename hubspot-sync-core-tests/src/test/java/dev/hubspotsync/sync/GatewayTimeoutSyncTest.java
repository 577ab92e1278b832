package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.testkit.PortalSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, as a new user met it: a portal whose gateway times out on every page or batch of more
 * than 50 items, with 1 % connection resets on top. A backfill of three types and two association
 * pairs must complete with every table equal to the portal, spending about the calls pages of 50
 * need (benchmarks' {@code GatewayTimeoutCalls} measures it at scale).
 */
class GatewayTimeoutSyncTest {

  @Test
  void aBackfillOfObjectsAndTwoPairsCompletesUnderA50ItemCeilingWithResets() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(2_000).companies(200).deals(200).tickets(0))) {
      f.hubspot.faults().everywhere().gatewayTimeoutAbove(50).connectionResets(0.01);

      SyncReport report = f.job("contacts", "companies", "deals").addAssociation("contacts", "companies")
          .addAssociation("contacts", "deals").build().run();

      assertThat(report.succeeded()).as(report.outcome()).isTrue();
      for (String type : new String[] {"contacts", "companies", "deals"}) {
        PortalTruth.assertSinkMatchesPortal(f, type);
      }
      f.assertLinksMatchPortal(f.sink, "contacts", "companies");
      f.assertLinksMatchPortal(f.sink, "contacts", "deals");
      PortalTruth.assertReportCallsMatchPortal(report, f.hubspot.stats());
      assertThat(f.client.pageSizes()).containsEntry("SEARCH contacts", 50);
      // 1,000 parents a call halve to 31 (62 is too many), then probe back up to between 31 and 50
      assertThat(f.client.pageSizes().get("ASSOCIATIONS_BATCH_READ contacts→companies")).isBetween(31, 50);
      assertThat(f.client.pageSizes().get("ASSOCIATIONS_BATCH_READ contacts→deals")).isBetween(31, 50);

      // pages of 50: 2,000 parents need 40 batch reads a pair; the rest is finding the ceiling from
      // 1,000 (five timed-out calls: 1,000, 500, 250, 125, 62), probing back up, and resets
      Map<ApiCall, Long> pair = report.association("contacts", "companies").calls();
      assertThat(pair.get(ApiCall.ASSOCIATIONS_BATCH_READ)).as("contacts → companies batch reads " + pair).isBetween(40L, 60L);
      long searches = report.stream("contacts").calls().get(ApiCall.SEARCH);
      assertThat(searches).as("contacts searches: 2,000 records at 50 a page").isBetween(41L, 50L);
    }
  }
}
