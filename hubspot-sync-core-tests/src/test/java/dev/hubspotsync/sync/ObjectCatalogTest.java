package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.HubSpotApiException;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.client.ObjectCatalog;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.PortalSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The 2026 object catalog and {@code allObjectTypes()} over HTTP against the simulated portal: the
 * activatable objects follow the object library's switches (off: skipped with a note, no 403),
 * standard objects the portal does not serve are skipped with a note, and a custom object named like
 * a standard one never takes its place. Issue 13, "the 2026 object catalog" (hubspot-api.md §10.5).
 */
class ObjectCatalogTest {

  @Test
  void theCatalogNamesEveryStandardObjectOnceWithItsId() {
    assertThat(ObjectCatalog.standardObjects()).extracting(ObjectCatalog.StandardObject::objectTypeId).doesNotHaveDuplicates()
        .contains("0-1", "0-2", "0-3", "0-5", "0-136", "0-53", "0-123", "0-142", "0-101", "0-69", "0-162", "0-410",
            "0-420", "0-421");
    assertThat(ObjectCatalog.standardObjects()).filteredOn(ObjectCatalog.StandardObject::activatable)
        .extracting(ObjectCatalog.StandardObject::name).containsExactly("services", "courses", "listings", "appointments");
    assertThat(ObjectCatalog.find("LEAD")).get().extracting(ObjectCatalog.StandardObject::objectTypeId).isEqualTo("0-136");
    assertThat(ObjectCatalog.find("0-420")).get().extracting(ObjectCatalog.StandardObject::name).isEqualTo("listings");
    assertThat(ObjectCatalog.find("payments")).get().extracting(ObjectCatalog.StandardObject::name).isEqualTo("commerce_payments");
    assertThat(ObjectCatalog.knownWithoutPortal("2-7265468")).isTrue();
    assertThat(ObjectCatalog.knownWithoutPortal("p24081953_subscriptions")).isTrue();
    assertThat(ObjectCatalog.knownWithoutPortal("widgets")).isFalse();
  }

  /** One standard call: the switches of the four activatable objects; the portal counts it toward the day. */
  @Test
  void theEnablementEndpointSaysWhichActivatableObjectsAreOn() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().activateObjects("services", "0-420"))) {
      long before = f.hubspot.stats().dailyUsed();

      Map<String, Boolean> on = f.client.objectLibraryEnablement();

      assertThat(on).isEqualTo(Map.of("0-162", true, "0-410", false, "0-420", true, "0-421", false));
      assertThat(f.hubspot.stats().calls(Endpoint.OBJECT_LIBRARY_ENABLEMENT)).isEqualTo(1);
      assertThat(f.hubspot.stats().dailyUsed()).as("counted in the daily limit").isEqualTo(before + 1);
      assertThat(f.client.calls()).containsEntry(ApiCall.OBJECT_LIBRARY_ENABLEMENT, 1L);
    }
  }

  /**
   * Services switched off (a new account's default): {@code all} leaves it and the other activatable
   * objects out with a note and never calls their paths; standard objects the simulator does not
   * model answer 404 and are noted; the custom object {@code subscriptions} is synced by its 2-… id
   * and HubSpot's commerce subscriptions are asked for by {@code 0-69}.
   */
  @Test
  void allSkipsActivatableObjectsSwitchedOffWithANote() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(20).companies(5).deals(5).tickets(5).calls(5)
        .subscriptions(4).count("services", 6))) {
      SyncReport report = f.job().allObjectTypes().build().run();

      String custom = f.hubspot.portal().objectTypeId("subscriptions");
      assertThat(report.succeeded()).isTrue();
      assertThat(report.streams()).extracting(SyncReport.StreamReport::objectType)
          .containsExactlyInAnyOrder("contacts", "companies", "deals", "tickets", "calls", custom);
      assertThat(report.notes()).anySatisfy(n -> assertThat(n).startsWith("services (0-162) skipped: switched off"));
      assertThat(report.notes()).anySatisfy(n -> assertThat(n).startsWith("listings (0-420) skipped: switched off"));
      assertThat(report.notes()).anySatisfy(n -> assertThat(n).startsWith("leads (0-136) skipped: HubSpot answered 404"));
      assertThat(report.notes()).anySatisfy(n -> assertThat(n).startsWith("subscriptions (0-69) skipped: HubSpot answered 404"));
      assertThat(report.notes()).noneMatch(n -> n.contains("403"));
      assertThat(f.sink.rowCount(custom)).isEqualTo(4);
      assertThat(f.sink.describe("services")).as("no services table").isEmpty();
    }
  }

  /** Switched on, services is synced like any standard object. */
  @Test
  void allSyncsAnActivatableObjectSwitchedOn() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(20).companies(5).deals(5).tickets(5).calls(5)
        .subscriptions(4).count("services", 6).activateObjects("services"))) {
      SyncReport report = f.job().allObjectTypes().build().run();

      assertThat(report.streams()).extracting(SyncReport.StreamReport::objectType).contains("services");
      assertThat(report.notes()).noneMatch(n -> n.startsWith("services"));
      assertThat(report.notes()).anySatisfy(n -> assertThat(n).startsWith("courses (0-410) skipped: switched off"));
      f.assertSinkMatchesPortal("services", "hs_name");
      assertThat(f.sink.rowCount("services")).isEqualTo(6);
    }
  }

  /**
   * A credential that may read contacts' schema but not their records: under {@code all} the
   * properties call passes, the reads answer 403, and contacts (and calls, read with the same scope)
   * are left out with a note; every other object is synced and the run succeeds.
   */
  @Test
  void allLeavesOutAnObjectWhoseReadsHubSpotRefuses() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().contacts(20).companies(5).deals(5).tickets(5).calls(5)
        .subscriptions(0))) {
      java.util.Set<String> scopes = new java.util.HashSet<>(PortalSpec.ALL_SCOPES);
      scopes.remove("crm.objects.contacts.read");
      f.hubspot.addPrivateAppToken("pat-no-contact-records", scopes);
      try (HubSpotClient client = HubSpotClient.builder().baseUrl(f.hubspot.baseUrl())
          .credentials(HubSpotCredentials.privateApp("pat-no-contact-records")).clock(f.hubspot.clock().asClock())
          .sleeper(d -> f.hubspot.clock().advance(d)).build()) {
        SyncReport report = f.job().client(client).allObjectTypes().build().run();

        assertThat(report.succeeded()).isTrue();
        assertThat(report.streams()).extracting(SyncReport.StreamReport::objectType)
            .contains("companies", "deals", "tickets").doesNotContain("contacts", "calls");
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).startsWith("contacts left out of this run:")
            .contains("crm.objects.contacts.read"));
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).startsWith("calls left out of this run:"));
        assertThat(f.sink.rowCount("companies")).isEqualTo(5);
      }
    }
  }

  /** Named explicitly while switched off, the object is an error HubSpot's way: a 403 that says so. */
  @Test
  void anActivatableObjectNamedWhileSwitchedOffFailsWith403() {
    try (SyncFixture f = new SyncFixture(PortalSpec.builder().count("services", 3))) {
      assertThatThrownBy(() -> f.run("services"))
          .isInstanceOfSatisfying(HubSpotApiException.class, e -> assertThat(e.status()).isEqualTo(403))
          .hasMessageContaining("services").hasMessageContaining("not activated");
      assertThat(List.copyOf(f.hubspot.spec().activatedObjects())).isEmpty();
    }
  }
}
