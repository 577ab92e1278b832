package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CRM search ({@code POST /crm/v3/objects/{type}/search}, hubspot-api.md §2) over real HTTP: operators per
 * property type, filter-group logic, sorting, offset paging, totals, returned properties, the contacts
 * cursor-property pitfall, the association pseudo-filter, and a full GTE-cursor incremental walk.
 */
class SearchTest {
  private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");

  /** A generated portal (300 contacts, 60 companies, 90 deals, ...), only read by the tests below. */
  @RegisterExtension
  static final FakeHubSpotExtension GENERATED = FakeHubSpotExtension.with(() -> PortalSpec.builder()
      .clock(PortalClock.fixed(START)).unlimited().build());

  // ---- a portal with five hand-made contacts, A..E, created one second apart -------------------------

  private static final Instant DEMO_X = Instant.parse("2025-01-10T00:00:00Z");
  private static final Instant DEMO_Y = Instant.parse("2025-02-10T00:00:00Z");
  private static final Instant DEMO_Z = Instant.parse("2025-03-10T12:30:00.250Z");

  private static FakeHubSpot probes;
  private static final Map<String, Long> PROBE = new LinkedHashMap<>();
  private static final Map<String, Instant> CREATED = new LinkedHashMap<>();

  @BeforeAll
  static void createProbes() {
    probes = FakeHubSpot.start(emptySpec().build());
    probe("A", Map.of("firstname", "Ana", "nps_score", "5", "lifecyclestage", "lead", "hs_lead_status", "NEW",
        "last_demo_at", DEMO_Y.toString(), "favorite_color", "Blue"));
    probe("B", Map.of("firstname", "Zoe", "nps_score", "10", "lifecyclestage", "customer", "hs_lead_status", "OPEN",
        "last_demo_at", DEMO_Z.toString(), "favorite_color", "Blue Sky"));
    probe("C", Map.of("firstname", "Mia", "nps_score", "1", "lifecyclestage", "customer",
        "last_demo_at", DEMO_X.toString(), "favorite_color", "GREEN"));
    probe("D", Map.of("firstname", "Ben", "lifecyclestage", "subscriber", "hs_lead_status", "OPEN"));
    probe("E", Map.of("firstname", "Eve", "nps_score", "", "lifecyclestage", "other"));
  }

  private static void probe(String name, Map<String, String> properties) {
    probes.clock().advance(Duration.ofSeconds(1));
    CREATED.put(name, probes.clock().now());
    PROBE.put(name, probes.portal().create("contacts", properties));
  }

  @AfterAll
  static void stopProbes() {
    probes.close();
  }

  static PortalSpec.Builder emptySpec() {
    return PortalSpec.builder().contacts(0).companies(0).deals(0).tickets(0).calls(0).subscriptions(0)
        .clock(PortalClock.fixed(START)).unlimited().indexLag(Duration.ZERO);
  }

  // ---- operators ----------------------------------------------------------------------------------

  static Stream<Arguments> numberCases() {
    return Stream.of(
        cases("EQ", List.of(f("nps_score", "EQ", "5")), "A"),
        cases("EQ compares numbers, not text", List.of(f("nps_score", "EQ", "5.0")), "A"),
        cases("NEQ", List.of(f("nps_score", "NEQ", "5"), has("nps_score")), "B", "C"),
        cases("GT", List.of(f("nps_score", "GT", "5")), "B"),
        cases("GT is numeric (10 > 9)", List.of(f("nps_score", "GT", "9")), "B"),
        cases("GTE", List.of(f("nps_score", "GTE", "5")), "A", "B"),
        cases("LT", List.of(f("nps_score", "LT", "5")), "C"),
        cases("LTE", List.of(f("nps_score", "LTE", "5")), "A", "C"),
        cases("BETWEEN is inclusive", List.of(between("nps_score", "1", "5")), "A", "C"),
        cases("IN", List.of(in("nps_score", "IN", "1", "10")), "B", "C"),
        cases("NOT_IN", List.of(in("nps_score", "NOT_IN", "1", "10"), has("nps_score")), "A"),
        cases("HAS_PROPERTY", List.of(has("nps_score")), "A", "B", "C"),
        cases("NOT_HAS_PROPERTY (unset or cleared)", List.of(notHas("nps_score")), "D", "E"));
  }

  static Stream<Arguments> datetimeCases() {
    return Stream.of(
        cases("EQ epoch ms", List.of(f("last_demo_at", "EQ", ms(DEMO_Z))), "B"),
        cases("EQ ISO", List.of(f("last_demo_at", "EQ", DEMO_Z.toString())), "B"),
        cases("GT epoch ms", List.of(f("last_demo_at", "GT", ms(DEMO_Y))), "B"),
        cases("GT ISO", List.of(f("last_demo_at", "GT", DEMO_Y.toString())), "B"),
        cases("GT exact ms excludes it", List.of(f("last_demo_at", "GT", ms(DEMO_Z)))),
        cases("GTE exact ms includes it", List.of(f("last_demo_at", "GTE", ms(DEMO_Z))), "B"),
        cases("GT ISO without millis sees the 250 ms", List.of(f("last_demo_at", "GT", "2025-03-10T12:30:00Z")), "B"),
        cases("GTE epoch ms", List.of(f("last_demo_at", "GTE", ms(DEMO_Y))), "A", "B"),
        cases("GTE ISO", List.of(f("last_demo_at", "GTE", DEMO_Y.toString())), "A", "B"),
        cases("LT epoch ms", List.of(f("last_demo_at", "LT", ms(DEMO_Y))), "C"),
        cases("LT ISO", List.of(f("last_demo_at", "LT", DEMO_Y.toString())), "C"),
        cases("LTE epoch ms", List.of(f("last_demo_at", "LTE", ms(DEMO_Y))), "A", "C"),
        cases("LTE ISO", List.of(f("last_demo_at", "LTE", DEMO_Y.toString())), "A", "C"),
        cases("BETWEEN ISO..ms", List.of(between("last_demo_at", DEMO_X.toString(), ms(DEMO_Y))), "A", "C"),
        cases("IN ms and ISO", List.of(in("last_demo_at", "IN", ms(DEMO_X), DEMO_Z.toString())), "B", "C"),
        cases("NEQ", List.of(f("last_demo_at", "NEQ", ms(DEMO_Y)), has("last_demo_at")), "B", "C"),
        cases("NOT_IN", List.of(in("last_demo_at", "NOT_IN", DEMO_Y.toString()), has("last_demo_at")), "B", "C"),
        cases("HAS_PROPERTY", List.of(has("last_demo_at")), "A", "B", "C"),
        cases("NOT_HAS_PROPERTY", List.of(notHas("last_demo_at")), "D", "E"));
  }

  /** createdate is a datetime HubSpot derives from the record itself. */
  static Stream<Arguments> createdateCases() {
    return Stream.of(
        cases("GTE epoch ms", List.of(f("createdate", "GTE", ms(created("C")))), "C", "D", "E"),
        cases("GT ISO", List.of(f("createdate", "GT", created("C").toString())), "D", "E"),
        cases("LT epoch ms", List.of(f("createdate", "LT", ms(created("C")))), "A", "B"),
        cases("LTE ISO", List.of(f("createdate", "LTE", created("C").toString())), "A", "B", "C"),
        cases("BETWEEN ISO..ms", List.of(between("createdate", created("B").toString(), ms(created("D")))),
            "B", "C", "D"),
        cases("EQ epoch ms", List.of(f("createdate", "EQ", ms(created("D")))), "D"),
        cases("IN", List.of(in("createdate", "IN", ms(created("A")), created("E").toString())), "A", "E"),
        cases("NEQ ISO", List.of(f("createdate", "NEQ", created("A").toString())), "B", "C", "D", "E"),
        cases("NOT_IN", List.of(in("createdate", "NOT_IN", ms(created("A")), ms(created("B")))), "C", "D", "E"));
  }

  static Stream<Arguments> enumerationCases() {
    return Stream.of(
        cases("EQ", List.of(f("lifecyclestage", "EQ", "customer")), "B", "C"),
        cases("EQ is case-sensitive (Customer)", List.of(f("lifecyclestage", "EQ", "Customer"))),
        cases("EQ is case-sensitive (CUSTOMER)", List.of(f("lifecyclestage", "EQ", "CUSTOMER"))),
        cases("EQ upper-case option", List.of(f("hs_lead_status", "EQ", "NEW")), "A"),
        cases("EQ upper-case option, lower-case value", List.of(f("hs_lead_status", "EQ", "new"))),
        cases("NEQ", List.of(f("lifecyclestage", "NEQ", "customer")), "A", "D", "E"),
        cases("IN", List.of(in("lifecyclestage", "IN", "lead", "customer")), "A", "B", "C"),
        cases("IN is case-sensitive", List.of(in("lifecyclestage", "IN", "LEAD", "Customer"))),
        cases("NOT_IN", List.of(in("lifecyclestage", "NOT_IN", "customer")), "A", "D", "E"),
        cases("HAS_PROPERTY", List.of(has("hs_lead_status")), "A", "B", "D"),
        cases("NOT_HAS_PROPERTY", List.of(notHas("hs_lead_status")), "C", "E"));
  }

  static Stream<Arguments> stringCases() {
    return Stream.of(
        cases("EQ lower-case", List.of(f("firstname", "EQ", "ana")), "A"),
        cases("EQ upper-case", List.of(f("firstname", "EQ", "ANA")), "A"),
        cases("EQ as stored", List.of(f("firstname", "EQ", "Ana")), "A"),
        cases("EQ is the whole value", List.of(f("favorite_color", "EQ", "blue")), "A"),
        cases("EQ case-insensitive, multi-word", List.of(f("favorite_color", "EQ", "BLUE SKY")), "B"),
        cases("EQ stored upper-case", List.of(f("favorite_color", "EQ", "green")), "C"),
        cases("NEQ", List.of(f("firstname", "NEQ", "ANA")), "B", "C", "D", "E"),
        cases("IN with lower-case values", List.of(in("firstname", "IN", "ana", "zoe")), "A", "B"),
        cases("IN with stored-case values matches nothing", List.of(in("firstname", "IN", "Ana", "Zoe"))),
        cases("IN matches only the lower-case values", List.of(in("firstname", "IN", "ana", "Zoe")), "A"),
        cases("NOT_IN with lower-case values", List.of(in("firstname", "NOT_IN", "ana", "zoe")), "C", "D", "E"),
        cases("HAS_PROPERTY", List.of(has("favorite_color")), "A", "B", "C"),
        cases("NOT_HAS_PROPERTY", List.of(notHas("favorite_color")), "D", "E"));
  }

  @ParameterizedTest(name = "number {0}")
  @MethodSource("numberCases")
  void numberOperators(String label, List<ObjectNode> filters, List<String> expected) {
    assertProbes(new Query().group(filters), expected);
  }

  @ParameterizedTest(name = "datetime {0}")
  @MethodSource("datetimeCases")
  void datetimeOperatorsTakeEpochMillisAndIsoValues(String label, List<ObjectNode> filters, List<String> expected) {
    assertProbes(new Query().group(filters), expected);
  }

  @ParameterizedTest(name = "createdate {0}")
  @MethodSource("createdateCases")
  void createdateOperators(String label, List<ObjectNode> filters, List<String> expected) {
    assertProbes(new Query().group(filters), expected);
  }

  @ParameterizedTest(name = "enumeration {0}")
  @MethodSource("enumerationCases")
  void enumerationOperatorsAreCaseSensitive(String label, List<ObjectNode> filters, List<String> expected) {
    assertProbes(new Query().group(filters), expected);
  }

  @ParameterizedTest(name = "string {0}")
  @MethodSource("stringCases")
  void stringOperatorsAreCaseInsensitiveButInNeedsLowerCase(String label, List<ObjectNode> filters,
      List<String> expected) {
    assertProbes(new Query().group(filters), expected);
  }

  @Test
  void filtersInAGroupAreAndedAndGroupsAreOred() {
    ObjectNode customer = f("lifecyclestage", "EQ", "customer");
    ObjectNode above5 = f("nps_score", "GT", "5");
    ObjectNode ben = f("firstname", "EQ", "ben");
    assertProbes(new Query().group(List.of(customer, above5)).group(List.of(ben)), List.of("B", "D"));
    assertProbes(new Query().group(List.of(customer, above5, ben)), List.of());
    assertProbes(new Query().group(List.of(customer)), List.of("B", "C"));
    // Overlapping groups: a record matching both appears once and counts once.
    JsonNode both = ok(search(probes, "contacts", new Query()
        .group(List.of(f("nps_score", "GTE", "5"))).group(List.of(f("nps_score", "LTE", "5")))));
    assertThat(names(both)).containsExactly("A", "B", "C");
    assertThat(both.path("total").asInt()).isEqualTo(3);
  }

  // ---- sorting ------------------------------------------------------------------------------------

  @Test
  void sortsByOnePropertyInObjectForm() {
    assertProbes(new Query().group(List.of(has("nps_score"))).sort("nps_score", "ASCENDING"), List.of("C", "A", "B"));
    assertProbes(new Query().group(List.of(has("nps_score"))).sort("nps_score", "DESCENDING"), List.of("B", "A", "C"));
    assertProbes(new Query().group(List.of(has("last_demo_at"))).sort("last_demo_at", "ASCENDING"),
        List.of("C", "A", "B"));
    assertProbes(new Query().sort("firstname", "ASCENDING"), List.of("A", "D", "E", "C", "B"));
    assertProbes(new Query().sort("firstname", "DESCENDING"), List.of("B", "C", "E", "D", "A"));
  }

  @Test
  void sortsByOnePropertyInStringForm() {
    assertProbes(new Query().sort("-createdate"), List.of("E", "D", "C", "B", "A"));
    assertProbes(new Query().sort("createdate"), List.of("A", "B", "C", "D", "E"));
    assertProbes(new Query().group(List.of(has("nps_score"))).sort("-nps_score"), List.of("B", "A", "C"));
  }

  @Test
  void withoutSortsResultsComeOldestCreatedFirst() {
    FakeHubSpot hubspot = GENERATED.hubspot();
    List<Long> got = new ArrayList<>();
    String after = null;
    do {
      JsonNode page = ok(search(hubspot, "contacts", new Query().limit(200).after(after)));
      got.addAll(ids(page));
      after = page.path("paging").path("next").path("after").asText(null);
    } while (after != null);

    List<RecordSnapshot> live = hubspot.snapshot().live("contacts");
    List<Long> byCreated = live.stream()
        .sorted(Comparator.comparing(RecordSnapshot::createdAt).thenComparingLong(RecordSnapshot::id))
        .map(RecordSnapshot::id).toList();
    List<Long> byId = live.stream().map(RecordSnapshot::id).toList();
    assertThat(byCreated).as("generated creation order differs from id order").isNotEqualTo(byId);
    assertThat(got).containsExactlyElementsOf(byCreated);
  }

  // ---- paging and total -----------------------------------------------------------------------------

  @Test
  void offsetPagingWithIntegerAfterCoversEveryMatchOnceAndTotalIsTheMatchCount() {
    FakeHubSpot hubspot = GENERATED.hubspot();
    List<RecordSnapshot> customers = hubspot.snapshot().live("contacts").stream()
        .filter(r -> "customer".equals(r.properties().get("lifecyclestage"))).toList();
    assertThat(customers.size()).isGreaterThan(14);

    List<Long> got = new ArrayList<>();
    int offset = 0;
    while (true) {
      JsonNode page = ok(search(hubspot, "contacts", new Query()
          .group(List.of(f("lifecyclestage", "EQ", "customer"))).limit(7)
          .after(offset == 0 ? null : Integer.toString(offset))));
      assertThat(page.path("total").asInt()).isEqualTo(customers.size());
      assertThat(page.path("results").size()).isLessThanOrEqualTo(7);
      got.addAll(ids(page));
      JsonNode next = page.path("paging").path("next");
      if (next.isMissingNode()) {
        assertThat(got).hasSize(customers.size());
        break;
      }
      assertThat(page.path("results").size()).isEqualTo(7);
      offset += 7;
      assertThat(next.path("after").asText()).as("after is an integer offset").isEqualTo(Integer.toString(offset));
    }
    assertThat(got).doesNotHaveDuplicates();
    assertThat(new TreeSet<>(got))
        .isEqualTo(customers.stream().map(RecordSnapshot::id).collect(Collectors.toCollection(TreeSet::new)));
  }

  @Test
  void limitDefaultsToTenAndGoesUpTo200() {
    FakeHubSpot hubspot = GENERATED.hubspot();
    int live = hubspot.snapshot().live("contacts").size();

    JsonNode dflt = ok(search(hubspot, "contacts", new Query()));
    assertThat(dflt.path("results").size()).isEqualTo(10);
    assertThat(dflt.path("total").asInt()).isEqualTo(live);
    assertThat(dflt.path("paging").path("next").path("after").asText()).isEqualTo("10");

    JsonNode max = ok(search(hubspot, "contacts", new Query().limit(200)));
    assertThat(max.path("results").size()).isEqualTo(200);
    assertThat(max.path("paging").path("next").path("after").asText()).isEqualTo("200");

    JsonNode last = ok(search(hubspot, "contacts", new Query().limit(200).after("200")));
    assertThat(last.path("results").size()).isEqualTo(live - 200);
    assertThat(last.has("paging")).as("no paging on the last page").isFalse();
    assertThat(last.path("total").asInt()).isEqualTo(live);
  }

  // ---- returned properties ---------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "contacts | firstname,lastname,email,lastmodifieddate,hs_object_id,createdate",
      "companies | name,domain,createdate,hs_lastmodifieddate,hs_object_id",
      "deals | dealname,amount,closedate,pipeline,dealstage,createdate,hs_lastmodifieddate,hs_object_id"})
  void withoutPropertiesResultsCarryTheTypesDefaultSearchProperties(String type, String defaults) {
    FakeHubSpot hubspot = GENERATED.hubspot();
    JsonNode page = ok(search(hubspot, type, new Query().limit(50)));
    Map<Long, RecordSnapshot> truth = byId(hubspot.snapshot().live(type));
    assertThat(page.path("results").size()).isEqualTo(50);
    for (JsonNode r : page.path("results")) {
      assertThat(fieldNames(r.path("properties"))).containsExactlyInAnyOrder(defaults.split(","));
      RecordSnapshot snap = truth.get(Long.parseLong(r.path("id").asText()));
      assertThat(r.path("properties").path("hs_object_id").asText()).isEqualTo(Long.toString(snap.id()));
      assertThat(Instant.parse(r.path("createdAt").asText())).isEqualTo(snap.createdAt());
      assertThat(Instant.parse(r.path("updatedAt").asText())).isEqualTo(snap.updatedAt());
      assertThat(r.path("archived").asBoolean(true)).isFalse();
    }
  }

  @Test
  void requestedPropertiesComeBackAndNeverAssociations() {
    FakeHubSpot hubspot = GENERATED.hubspot();
    PortalSnapshot snap = hubspot.snapshot();
    Set<Long> withCompanies = snap.associations("contacts", "companies").stream()
        .map(AssociationSnapshot::fromId).collect(Collectors.toSet());
    Map<Long, RecordSnapshot> truth = byId(snap.live("contacts"));

    JsonNode page = ok(search(hubspot, "contacts", new Query()
        .props("city", "nps_score", "lifecyclestage", "no_such_property").limit(100)));
    int associated = 0;
    for (JsonNode r : page.path("results")) {
      long id = Long.parseLong(r.path("id").asText());
      associated += withCompanies.contains(id) ? 1 : 0;
      JsonNode props = r.path("properties");
      assertThat(fieldNames(props)).contains("city", "nps_score", "lifecyclestage", "hs_object_id")
          .doesNotContain("email", "firstname", "lastname", "no_such_property");
      RecordSnapshot s = truth.get(id);
      for (String p : List.of("city", "nps_score", "lifecyclestage")) {
        assertThat(props.path(p).isNull() ? null : props.path(p).asText()).as(id + "." + p)
            .isEqualTo(s.properties().get(p));
      }
      assertThat(r.has("associations")).as("search results carry no associations").isFalse();
      assertThat(r.has("propertiesWithHistory")).isFalse();
    }
    assertThat(associated).as("most of these contacts do have companies").isGreaterThan(50);
  }

  // ---- cursor properties -------------------------------------------------------------------------------

  @Test
  void gteOnLastModifiedIncludesRecordsAtExactlyTheCursorMillisecondWhileGtSkipsThem() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(emptySpec().build())) {
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        hubspot.clock().advance(Duration.ofSeconds(1));
        ids.add(hubspot.portal().create("contacts", Map.of("firstname", "c" + i)));
      }
      hubspot.clock().advance(Duration.ofMinutes(1));
      long cursor = hubspot.portal().bulkUpdate("contacts", ids.subList(0, 3), Map.of("lastname", "imported"));
      hubspot.clock().advance(Duration.ofMillis(1));
      hubspot.portal().update("contacts", ids.get(3), Map.of("lastname", "later"));

      JsonNode gte = ok(search(hubspot, "contacts", new Query()
          .group(List.of(f("lastmodifieddate", "GTE", Long.toString(cursor)))).sort("lastmodifieddate", "ASCENDING")));
      assertThat(ids(gte)).containsExactlyElementsOf(ids);
      assertThat(Instant.parse(gte.path("results").get(0).path("properties").path("lastmodifieddate").asText()))
          .isEqualTo(Instant.ofEpochMilli(cursor));

      JsonNode gt = ok(search(hubspot, "contacts", new Query()
          .group(List.of(f("lastmodifieddate", "GT", Long.toString(cursor)))).sort("lastmodifieddate", "ASCENDING")));
      assertThat(ids(gt)).containsExactly(ids.get(3));
      assertThat(gt.path("total").asInt()).isEqualTo(1);
    }
  }

  @Test
  void contactsSearchedOnHsLastmodifieddateReturnZeroRowsSilently() {
    FakeHubSpot hubspot = GENERATED.hubspot();
    int live = hubspot.snapshot().live("contacts").size();

    Http.Reply wrong = search(hubspot, "contacts", new Query()
        .group(List.of(f("hs_lastmodifieddate", "GTE", "1"))).sort("hs_lastmodifieddate", "ASCENDING"));
    assertThat(wrong.status()).as("no error, just nothing (airbyte PR #85019)").isEqualTo(200);
    assertThat(wrong.json().path("total").asInt()).isZero();
    assertThat(wrong.json().path("results").size()).isZero();
    assertThat(wrong.json().has("paging")).isFalse();

    JsonNode right = ok(search(hubspot, "contacts", new Query()
        .group(List.of(f("lastmodifieddate", "GTE", "1"))).sort("lastmodifieddate", "ASCENDING")));
    assertThat(right.path("total").asInt()).isEqualTo(live);
  }

  @ParameterizedTest
  @ValueSource(strings = {"deals", "companies"})
  void hsLastmodifieddateWorksForDealsAndCompanies(String type) {
    FakeHubSpot hubspot = GENERATED.hubspot();
    List<RecordSnapshot> live = hubspot.snapshot().live(type);
    Instant median = live.stream().map(RecordSnapshot::updatedAt).sorted().toList().get(live.size() / 2);
    long expected = live.stream().filter(r -> !r.updatedAt().isBefore(median)).count();

    JsonNode all = ok(search(hubspot, type, new Query().group(List.of(f("hs_lastmodifieddate", "GTE", "1")))));
    assertThat(all.path("total").asInt()).isEqualTo(live.size());
    JsonNode half = ok(search(hubspot, type, new Query()
        .group(List.of(f("hs_lastmodifieddate", "GTE", ms(median)))).limit(200)));
    assertThat(half.path("total").asLong()).isEqualTo(expected);
    assertThat(ids(half)).hasSize((int) expected);
  }

  // ---- archived records, association filter --------------------------------------------------------------

  @Test
  void archivedRecordsNeverAppear() {
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().contacts(40).companies(5).deals(0).tickets(0)
        .calls(0).subscriptions(0).clock(PortalClock.fixed(START)).unlimited().indexLag(Duration.ZERO).build())) {
      List<Long> ids = hubspot.portal().ids("contacts");
      long gone = ids.get(7);
      hubspot.clock().advance(Duration.ofMinutes(1));
      hubspot.portal().archive("contacts", gone);
      hubspot.clock().advance(Duration.ofMinutes(1));

      JsonNode byId = ok(search(hubspot, "contacts", new Query()
          .group(List.of(f("hs_object_id", "EQ", Long.toString(gone))))));
      assertThat(byId.path("total").asInt()).isZero();
      JsonNode all = ok(search(hubspot, "contacts", new Query().limit(100)));
      assertThat(all.path("total").asInt()).isEqualTo(39).isEqualTo(hubspot.snapshot().live("contacts").size());
      assertThat(ids(all)).hasSize(39).doesNotContain(gone);
      JsonNode email = ok(search(hubspot, "contacts", new Query()
          .group(List.of(has("email")), List.of(notHas("email")))));
      assertThat(email.path("total").asInt()).isEqualTo(39);

      // Sanity: the record is still there, in the recycle bin.
      Http.Reply bin = new Http(hubspot).get("/crm/v3/objects/contacts?archived=true&limit=100");
      assertThat(bin.status()).isEqualTo(200);
      assertThat(ids(bin.json())).containsExactly(gone);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"associations.companies", "associations.company"})
  void associationPseudoFilterFindsContactsOfACompany(String pseudoProperty) {
    FakeHubSpot hubspot = GENERATED.hubspot();
    Map<Long, Set<Long>> contactsByCompany = new TreeMap<>();
    for (AssociationSnapshot a : hubspot.snapshot().associations("contacts", "companies")) {
      contactsByCompany.computeIfAbsent(a.toId(), k -> new TreeSet<>()).add(a.fromId());
    }
    Iterator<Map.Entry<Long, Set<Long>>> biggestFirst = contactsByCompany.entrySet().stream()
        .sorted((x, y) -> Integer.compare(y.getValue().size(), x.getValue().size())).iterator();
    Map.Entry<Long, Set<Long>> big = biggestFirst.next();
    Map.Entry<Long, Set<Long>> other = biggestFirst.next();
    assertThat(big.getValue()).hasSizeGreaterThan(10);

    for (Map.Entry<Long, Set<Long>> company : List.of(big, other)) {
      JsonNode page = ok(search(hubspot, "contacts", new Query()
          .group(List.of(f(pseudoProperty, "EQ", Long.toString(company.getKey())))).limit(200)));
      assertThat(page.path("total").asInt()).isEqualTo(company.getValue().size());
      assertThat(new TreeSet<>(ids(page))).isEqualTo(company.getValue());
    }
  }

  // ---- a full incremental walk ------------------------------------------------------------------------------

  /**
   * The connector recipe (§2 "Boundary behaviour", §9 GT vs GTE): sort by the modified date ascending,
   * filter GTE the cursor, page with {@code after} up to a window cap (10,000 in HubSpot, 20 here), then
   * restart the window from the newest modified date seen; de-duplicate by id.
   */
  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({"contacts, lastmodifieddate", "deals, hs_lastmodifieddate", "companies, hs_lastmodifieddate"})
  void incrementalWalkWithGteCursorAndIdDedupYieldsEveryRecordOnce(String type, String cursorProperty) {
    FakeHubSpot hubspot = GENERATED.hubspot();
    int windowCap = 20;
    int pageSize = 10;
    long cursor = 1;
    Map<Long, Instant> seen = new LinkedHashMap<>();
    int fetched = 0;
    int windows = 0;
    boolean done = false;
    while (!done) {
      assertThat(++windows).as("windows").isLessThan(100);
      long newest = cursor;
      int offset = 0;
      while (true) {
        JsonNode page = ok(search(hubspot, type, new Query()
            .group(List.of(f(cursorProperty, "GTE", Long.toString(cursor))))
            .sort(cursorProperty, "ASCENDING").props(cursorProperty).limit(pageSize)
            .after(offset == 0 ? null : Integer.toString(offset))));
        long previous = Long.MIN_VALUE;
        for (JsonNode r : page.path("results")) {
          long id = Long.parseLong(r.path("id").asText());
          Instant modified = Instant.parse(r.path("properties").path(cursorProperty).asText());
          assertThat(modified.toEpochMilli()).as("ascending, never before the cursor")
              .isGreaterThanOrEqualTo(Math.max(cursor, previous));
          previous = modified.toEpochMilli();
          Instant before = seen.putIfAbsent(id, modified);
          assertThat(before == null || before.equals(modified)).as("a re-read record is unchanged").isTrue();
          newest = Math.max(newest, modified.toEpochMilli());
          fetched++;
        }
        JsonNode next = page.path("paging").path("next");
        if (next.isMissingNode()) {
          done = true;
          break;
        }
        offset = Integer.parseInt(next.path("after").asText());
        if (offset >= windowCap) {
          break;
        }
      }
      if (!done) {
        assertThat(newest).as("each window moves the cursor forward").isGreaterThan(cursor);
        cursor = newest;
      }
    }

    Map<Long, Instant> truth = new HashMap<>();
    for (RecordSnapshot r : hubspot.snapshot().live(type)) {
      truth.put(r.id(), r.updatedAt());
    }
    assertThat(windows).isGreaterThan(2);
    assertThat(fetched).as("GTE re-reads the records at the cursor millisecond").isGreaterThan(seen.size());
    assertThat(seen).isEqualTo(truth);
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  /** A search body under construction. */
  static final class Query {
    final ObjectNode node = Http.JSON.createObjectNode();
    private ArrayNode groups;

    @SafeVarargs
    final Query group(List<ObjectNode>... anded) {
      for (List<ObjectNode> filters : anded) {
        if (groups == null) {
          groups = node.putArray("filterGroups");
        }
        ArrayNode fs = groups.addObject().putArray("filters");
        filters.forEach(fs::add);
      }
      return this;
    }

    Query sort(String property, String direction) {
      node.putArray("sorts").addObject().put("propertyName", property).put("direction", direction);
      return this;
    }

    Query sort(String stringForm) {
      node.putArray("sorts").add(stringForm);
      return this;
    }

    Query props(String... names) {
      ArrayNode a = node.putArray("properties");
      for (String n : names) {
        a.add(n);
      }
      return this;
    }

    Query limit(int limit) {
      node.put("limit", limit);
      return this;
    }

    Query after(String after) {
      if (after != null) {
        node.put("after", after);
      }
      return this;
    }
  }

  static ObjectNode f(String property, String operator, String value) {
    return Http.JSON.createObjectNode().put("propertyName", property).put("operator", operator).put("value", value);
  }

  static ObjectNode between(String property, String low, String high) {
    return f(property, "BETWEEN", low).put("highValue", high);
  }

  static ObjectNode in(String property, String operator, String... values) {
    ObjectNode n = Http.JSON.createObjectNode().put("propertyName", property).put("operator", operator);
    ArrayNode a = n.putArray("values");
    for (String v : values) {
      a.add(v);
    }
    return n;
  }

  static ObjectNode has(String property) {
    return Http.JSON.createObjectNode().put("propertyName", property).put("operator", "HAS_PROPERTY");
  }

  static ObjectNode notHas(String property) {
    return Http.JSON.createObjectNode().put("propertyName", property).put("operator", "NOT_HAS_PROPERTY");
  }

  private static Arguments cases(String label, List<ObjectNode> filters, String... expected) {
    return Arguments.of(label + " " + filters, filters, List.of(expected));
  }

  private static String ms(Instant i) {
    return Long.toString(i.toEpochMilli());
  }

  private static Instant created(String probe) {
    return START.plusSeconds(1 + List.of("A", "B", "C", "D", "E").indexOf(probe));
  }

  static Http.Reply search(FakeHubSpot hubspot, String type, Query q) {
    return new Http(hubspot).post("/crm/v3/objects/" + type + "/search", q.node);
  }

  static JsonNode ok(Http.Reply r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static List<Long> ids(JsonNode page) {
    List<Long> out = new ArrayList<>();
    for (JsonNode r : page.path("results")) {
      out.add(Long.parseLong(r.path("id").asText()));
    }
    return out;
  }

  private static void assertProbes(Query q, List<String> expected) {
    assertThat(CREATED.values()).as("probe creation times")
        .containsExactly(created("A"), created("B"), created("C"), created("D"), created("E"));
    JsonNode page = ok(search(probes, "contacts", q.limit(100)));
    assertThat(names(page)).as(q.node.toString()).containsExactlyElementsOf(expected);
    assertThat(page.path("total").asInt()).isEqualTo(expected.size());
  }

  private static List<String> names(JsonNode page) {
    Map<Long, String> byId = new HashMap<>();
    PROBE.forEach((name, id) -> byId.put(id, name));
    return ids(page).stream().map(id -> byId.getOrDefault(id, "?" + id)).toList();
  }

  private static Map<Long, RecordSnapshot> byId(List<RecordSnapshot> records) {
    Map<Long, RecordSnapshot> out = new HashMap<>();
    records.forEach(r -> out.put(r.id(), r));
    return out;
  }

  static Set<String> fieldNames(JsonNode object) {
    Set<String> out = new HashSet<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
