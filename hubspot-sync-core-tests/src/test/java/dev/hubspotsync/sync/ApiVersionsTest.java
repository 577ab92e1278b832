package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.ApiVersion;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.PortalStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A backfill and an incremental run over a portal that changed in between (an edit, an archive,
 * link edits), once per API generation: the warehouse equals the portal either way,
 * and every request went to the generation's own paths (the simulator's count of the versions its
 * paths named), so a default run sends nothing to {@code /v1/}, {@code /v3/} or {@code /v4/}.
 */
class ApiVersionsTest {
  private static final Map<ApiVersion, Set<String>> PATH_VERSIONS = Map.of(
      ApiVersion.V2026_09, Set.of("2026-09"), ApiVersion.LEGACY, Set.of("v3", "v4"));

  @ParameterizedTest
  @EnumSource(ApiVersion.class)
  void aRunOfEitherGenerationKeepsTheWarehouseEqualToThePortalAndUsesOnlyItsPaths(ApiVersion version) {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(300).companies(40).deals(60).tickets(0).calls(0)
        .subscriptions(0), InMemorySink.create(), version)) {
      f.hubspot.resetStats();
      SyncReport first = run(f);
      assertThat(first.outcome()).isEqualTo("succeeded");

      List<Long> contacts = f.hubspot.portal().ids("contacts");
      List<Long> companies = f.hubspot.portal().ids("companies");
      f.hubspot.portal().update("contacts", contacts.get(3), Map.of("firstname", "Ada"));
      f.hubspot.portal().archive("contacts", contacts.get(4));
      f.hubspot.portal().dissociate("contacts", contacts.get(5), "companies", linkedCompany(f, contacts.get(5)));
      f.hubspot.portal().associate("contacts", contacts.get(8), "companies", companies.get(9));
      f.hubspot.clock().advance(Duration.ofHours(25)); // past the daily archived pass and reconciliation
      SyncReport second = run(f);

      assertThat(second.outcome()).isEqualTo("succeeded");
      assertThat(second.stream("contacts").mode()).isEqualTo("incremental");
      f.assertSinkMatchesPortal("contacts", "firstname");
      f.assertSinkMatchesPortal("companies", "name");
      f.assertSinkMatchesPortal("deals", "dealname");
      f.assertLinksMatchPortal(f.sink, "contacts", "companies");
      f.assertLinksMatchPortal(f.sink, "deals", "contacts");
      PortalStats stats = f.hubspot.stats();
      assertThat(stats.versions().keySet()).as("the versions the run's paths named").isEqualTo(PATH_VERSIONS.get(version));
      assertThat(stats.versions().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(stats.totalCalls());
    }
  }

  private static long linkedCompany(SyncFixture f, long contact) {
    return f.hubspot.snapshot().associations("contacts", "companies").stream().filter(a -> a.fromId() == contact)
        .findFirst().orElseThrow().toId();
  }

  private static SyncReport run(SyncFixture f) {
    return f.job("contacts", "companies", "deals").addAssociation("contacts", "companies").addAssociation("deals", "contacts")
        .archivedPassEvery(Duration.ofDays(1)).reconcileEvery(Duration.ofDays(1)).build().run();
  }
}
