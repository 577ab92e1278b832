package dev.hubspotsync.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.testkit.AssociationSnapshot;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every typed operation over real HTTP against the simulated portal. */
class HubSpotClientTest {
  private FakeHubSpot hubspot;
  private ClientFixture fixture;
  private HubSpotClient client;

  @BeforeEach
  void start() {
    hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(250).companies(20).deals(40).tickets(10).calls(10)
        .subscriptions(5).associationPageSize(20).indexLag(Duration.ZERO)
        .clock(PortalClock.fixed(Instant.parse("2026-11-01T12:00:00Z"))).build());
    fixture = new ClientFixture(hubspot);
    client = fixture.client();
  }

  @AfterEach
  void stop() {
    client.close();
    hubspot.close();
  }

  @Test
  void listPagesReadEveryLiveRecordOnceWithTypedFields() {
    List<CrmRecord> all = new ArrayList<>();
    String after = null;
    do {
      ObjectPage page = client.listPage("contacts", List.of("email", "nps_score"), 100, after, false);
      all.addAll(page.results());
      after = page.nextAfter();
    } while (after != null);

    List<RecordSnapshot> truth = hubspot.snapshot().live("contacts");
    assertThat(all).extracting(CrmRecord::id).containsExactlyElementsOf(truth.stream().map(RecordSnapshot::id).toList());
    assertThat(hubspot.stats().calls(Endpoint.LIST)).isEqualTo(3);
    CrmRecord first = all.get(0);
    RecordSnapshot expected = truth.get(0);
    assertThat(first.properties()).containsEntry("email", expected.properties().get("email"));
    assertThat(first.properties()).containsKey("nps_score"); // null values are kept as null
    assertThat(first.createdAt()).isEqualTo(expected.createdAt());
    assertThat(first.updatedAt()).isEqualTo(expected.updatedAt());
    assertThat(first.archived()).isFalse();
  }

  @Test
  void archivedListCarriesArchivedAt() {
    long id = hubspot.portal().ids("deals").get(0);
    hubspot.portal().archive("deals", id);
    ObjectPage page = client.listPage("deals", List.of("dealname"), 10, null, true);
    assertThat(page.results()).singleElement().satisfies(r -> {
      assertThat(r.id()).isEqualTo(id);
      assertThat(r.archived()).isTrue();
      assertThat(r.archivedAt()).isEqualTo(Instant.parse("2026-11-01T12:00:00Z"));
    });
  }

  @Test
  void searchReturnsTotalRecordsAndNextOffset() {
    SearchPage page = client.search("contacts", SearchRequest.builder()
        .addFilterGroup(SearchRequest.Filter.of("lastmodifieddate", "GTE", "0"))
        .sortAscending("lastmodifieddate").addProperties(List.of("email")).limit(100).build());

    assertThat(page.total()).isEqualTo(250);
    assertThat(page.results()).hasSize(100);
    assertThat(page.nextAfter()).isEqualTo(100);
    assertThat(page.results()).isSortedAccordingTo((a, b) -> a.updatedAt().compareTo(b.updatedAt()));
    SearchPage last = client.search("contacts", SearchRequest.builder()
        .addFilterGroup(SearchRequest.Filter.of("lastmodifieddate", "GTE", "0")).limit(100).after(200).build());
    assertThat(last.results()).hasSize(50);
    assertThat(last.nextAfter()).isEqualTo(-1);
  }

  @Test
  void batchReadReportsUnknownIds() {
    List<Long> ids = new ArrayList<>(hubspot.portal().ids("companies").subList(0, 3));
    ids.add(1L);
    BatchReadResult r = client.batchRead("companies", ids, List.of("name"), false);
    assertThat(r.found()).extracting(CrmRecord::id).containsExactlyElementsOf(ids.subList(0, 3));
    assertThat(r.notFound()).containsExactly("1");
  }

  @Test
  void propertiesSchemasLabelsAndUsage() {
    List<PropertyDefinition> props = client.properties("contacts", false);
    assertThat(props).extracting(PropertyDefinition::name).contains("email", "lastmodifieddate", "ice_cream_flavors");
    assertThat(props).filteredOn(p -> p.name().equals("ice_cream_flavors")).singleElement()
        .satisfies(p -> {
          assertThat(p.type()).isEqualTo("enumeration");
          assertThat(p.fieldType()).isEqualTo("checkbox");
          assertThat(p.options()).contains("chocolate");
        });
    assertThat(client.schemas()).singleElement().satisfies(s -> {
      assertThat(s.objectTypeId()).isEqualTo(hubspot.portal().objectTypeId("subscriptions"));
      assertThat(s.properties()).extracting(PropertyDefinition::name).contains("plan_name");
    });
    assertThat(client.associationLabels("contacts", "companies")).extracting(AssociationLabel::typeId)
        .containsExactlyInAnyOrder(279, 1, 143);
    DailyUsage usage = client.dailyUsage();
    assertThat(usage.limit()).isEqualTo(hubspot.spec().dailyLimit());
    assertThat(usage.used()).isEqualTo(hubspot.stats().dailyUsed());
    assertThat(usage.resetsAt()).isEqualTo(Instant.parse("2026-11-02T00:00:00Z"));
  }

  @Test
  void associationsFollowPerRecordPagingAndTreatNoAssociationsAsEmpty() {
    long whale = hubspot.portal().ids("companies").get(0);
    long lonely = hubspot.portal().create("companies", Map.of("name", "Lonely"));
    Set<Long> expected = hubspot.snapshot().associations("companies", "contacts").stream()
        .filter(a -> a.fromId() == whale).map(AssociationSnapshot::toId).collect(Collectors.toSet());
    assertThat(expected.size()).isGreaterThan(20);

    Map<Long, List<AssociationLink>> links = client.associations("companies", "contacts", List.of(whale, lonely));

    assertThat(links.get(lonely)).isEmpty();
    assertThat(new HashSet<>(links.get(whale).stream().map(AssociationLink::toId).toList())).isEqualTo(expected);
    int pages = (expected.size() + 19) / 20;
    assertThat(hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).isEqualTo(pages);
  }

  @Test
  void associationsOfManyParentsGoAThousandPerCall() {
    List<Long> contacts = hubspot.portal().ids("contacts"); // 250 parents → 1 call (no contact has > 20 companies)
    Map<Long, List<AssociationLink>> links = client.associations("contacts", "companies", contacts);
    assertThat(links).hasSize(250);
    assertThat(hubspot.stats().calls(Endpoint.ASSOCIATIONS_BATCH_READ)).isEqualTo(1);
    long withPrimary = links.values().stream().filter(l -> l.stream().anyMatch(a -> a.typeId() == 1)).count();
    long truth = hubspot.snapshot().associations("contacts", "companies").stream().filter(a -> a.typeId() == 1)
        .map(AssociationSnapshot::fromId).distinct().count();
    assertThat(withPrimary).isEqualTo(truth);
  }
}
