package dev.hubspotsync.schema;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.PropertyDefinition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ColumnNamerTest {

  private static final ColumnNamer POSTGRES = ColumnNamer.forDialect(63);

  static final List<String> HOSTILE = List.of(
      "\"; drop table x; --",
      "quote\"inside",
      "it's",
      "back`tick",
      "[bracketed]",
      "with space",
      "  leading and trailing  ",
      "Größe",
      "名前",
      "住所",
      "Ünïcödé Ñame",
      "😀 smile",
      "select",
      "from",
      "SELECT",
      "id",
      "ID",
      "_hs_archived",
      "_HS_ARCHIVED",
      "_synced_at",
      "_sync_run_id",
      "_hs_unparsed",
      "123abc",
      "9",
      "",
      "   ",
      "___",
      "line\nbreak",
      "nul\u0000byte",
      "rtl\u202Eoverride",
      "a".repeat(300),
      "é".repeat(300),
      "名".repeat(300),
      "x".repeat(62) + "名前",
      "1" + "z".repeat(299));

  private static PropertyDefinition property(String name) {
    return property(name, "string");
  }

  private static PropertyDefinition property(String name, String type) {
    return new PropertyDefinition(name, name, type, "text", "contactinformation", false, false, false, false,
        List.of());
  }

  private static List<PropertyDefinition> properties(String... names) {
    return Stream.of(names).map(ColumnNamerTest::property).toList();
  }

  private static Map<String, String> columnsByProperty(List<ColumnMapping> mappings) {
    return mappings.stream().collect(Collectors.toMap(ColumnMapping::property, ColumnMapping::column));
  }

  private static void assertValid(String column, int maxBytes) {
    assertThat(column).matches("[a-z_][a-z0-9_]*");
    assertThat(column.getBytes(UTF_8).length).as("bytes of %s", column).isLessThanOrEqualTo(maxBytes);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "First Name|first_name",
      "first-name|first_name",
      "first_name|first_name",
      "FooBAR|foobar",
      "a - b|a_b",
      "a__b|a__b",
      "\"; drop table x; --|_drop_table_x_",
      "Größe|grosse",
      "Café Crème|cafe_creme",
      "Ærøskøbing|aeroskobing",
      "İstanbul|istanbul",
      "ＦＵＬＬ width|full_width",
      "名前|_property",
      "名前 name|_name",
      "123abc|_123abc",
      "9|_9",
      "select|select",
      "from|from",
      "id|id",
      "_hs_archived|_hs_archived",
  })
  void sanitizesToLowercaseAsciiIdentifiers(String propertyName, String expected) {
    assertThat(POSTGRES.sanitize(propertyName)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "___", "名前", "😀", "\u0301"})
  void aNameWithNoLetterOrDigitBecomesProperty(String propertyName) {
    assertThat(POSTGRES.sanitize(propertyName)).isEqualTo("_property");
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 30, 63, 255, 300})
  void hostileNamesGiveValidDistinctColumnsWithinTheDialectLength(int maxBytes) {
    ColumnNamer namer = ColumnNamer.forDialect(maxBytes);

    List<ColumnMapping> mappings = namer.assign(
        HOSTILE.stream().map(ColumnNamerTest::property).toList(), List.of());

    assertThat(mappings).extracting(ColumnMapping::property).containsExactlyInAnyOrderElementsOf(HOSTILE);
    Set<String> seen = new HashSet<>();
    for (ColumnMapping mapping : mappings) {
      assertValid(mapping.column(), maxBytes);
      assertThat(SystemColumns.isSystem(mapping.column())).as(mapping.column()).isFalse();
      assertThat(seen.add(mapping.column().toLowerCase(Locale.ROOT))).as("unique %s", mapping.column()).isTrue();
    }
    for (String name : HOSTILE) {
      assertValid(namer.sanitize(name), maxBytes);
    }
  }

  @Test
  void longMultiByteNamesAreCutByBytes() {
    assertThat(POSTGRES.sanitize("a".repeat(300))).isEqualTo("a".repeat(63));
    assertThat(POSTGRES.sanitize("é".repeat(300))).isEqualTo("e".repeat(63));
    assertThat(POSTGRES.sanitize("1" + "z".repeat(299))).isEqualTo("_1" + "z".repeat(61));
    assertThat(ColumnNamer.forDialect(255).sanitize("ß".repeat(200))).hasSize(255);
  }

  @Test
  void systemColumnNamesAreSuffixedNotTaken() {
    List<ColumnMapping> mappings = POSTGRES.assign(properties("id", "ID", "_hs_archived", "_synced_at"), List.of());

    assertThat(columnsByProperty(mappings)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "ID", "id_2",
        "id", "id_3",
        "_hs_archived", "_hs_archived_2",
        "_synced_at", "_synced_at_2"));
  }

  @Test
  void collisionsResolveTheSameWayWhateverTheInputOrder() {
    List<String> names = new ArrayList<>(List.of("First Name", "first_name", "first-name", "FIRST NAME"));
    Map<String, String> expected = Map.of(
        // Sorted: "FIRST NAME" < "First Name" < "first-name" < "first_name".
        "FIRST NAME", "first_name",
        "First Name", "first_name_2",
        "first-name", "first_name_3",
        "first_name", "first_name_4");
    Random random = new Random(7);
    for (int i = 0; i < 24; i++) {
      Collections.shuffle(names, random);
      List<ColumnMapping> mappings = POSTGRES.assign(properties(names.toArray(String[]::new)), List.of());
      assertThat(columnsByProperty(mappings)).as("order %s", names).isEqualTo(expected);
      assertThat(mappings).extracting(ColumnMapping::property)
          .containsExactly("FIRST NAME", "First Name", "first-name", "first_name");
    }
  }

  @Test
  void existingColumnsKeepTheirNamesWhenCollidingPropertiesArriveLater() {
    List<ColumnMapping> firstRun = POSTGRES.assign(properties("first_name"), List.of());
    assertThat(firstRun).containsExactly(new ColumnMapping("first_name", "first_name", ColumnType.TEXT));

    List<ColumnMapping> secondRun = POSTGRES.assign(properties("First Name", "first_name", "first-name"), firstRun);
    assertThat(secondRun).containsExactly(
        new ColumnMapping("first_name", "first_name", ColumnType.TEXT),
        new ColumnMapping("First Name", "first_name_2", ColumnType.TEXT),
        new ColumnMapping("first-name", "first_name_3", ColumnType.TEXT));

    List<ColumnMapping> thirdRun = POSTGRES.assign(properties("first-name", "First Name", "first_name"), secondRun);
    assertThat(thirdRun).isEqualTo(secondRun);
  }

  @Test
  void existingMappingsAreKeptUnchangedEvenWhenTheTypeChangedOrThePropertyIsGone() {
    List<ColumnMapping> existing = List.of(
        new ColumnMapping("nps_score", "nps_score", ColumnType.DECIMAL),
        new ColumnMapping("old_field", "old_field", ColumnType.TEXT));

    List<ColumnMapping> mappings = POSTGRES.assign(
        List.of(property("zeta", "bool"), property("nps_score", "string"), property("alpha", "datetime")), existing);

    assertThat(mappings).containsExactly(
        new ColumnMapping("nps_score", "nps_score", ColumnType.DECIMAL),
        new ColumnMapping("old_field", "old_field", ColumnType.TEXT),
        new ColumnMapping("alpha", "alpha", ColumnType.TIMESTAMP),
        new ColumnMapping("zeta", "zeta", ColumnType.BOOLEAN));
  }

  @Test
  void aNewPropertyDoesNotTakeAColumnOfARemovedOne() {
    List<ColumnMapping> existing = List.of(new ColumnMapping("Old Field", "old_field", ColumnType.TEXT));

    List<ColumnMapping> mappings = POSTGRES.assign(properties("old_field"), existing);

    assertThat(mappings).containsExactly(
        new ColumnMapping("Old Field", "old_field", ColumnType.TEXT),
        new ColumnMapping("old_field", "old_field_2", ColumnType.TEXT));
  }

  @Test
  void takenNamesCompareCaseInsensitively() {
    List<ColumnMapping> existing = List.of(new ColumnMapping("legacy", "First_Name", ColumnType.TEXT));

    List<ColumnMapping> mappings = POSTGRES.assign(properties("first name"), existing);

    assertThat(mappings.get(1).column()).isEqualTo("first_name_2");
  }

  @Test
  void newTypesComeFromTheHubSpotType() {
    List<ColumnMapping> mappings = POSTGRES.assign(List.of(
        property("a", "number"), property("b", "bool"), property("c", "date"), property("d", "datetime"),
        property("e", "enumeration"), property("f", "phone_number"), property("g", null)), List.of());

    assertThat(mappings).extracting(ColumnMapping::type).containsExactly(
        ColumnType.DOUBLE, ColumnType.BOOLEAN, ColumnType.DATE, ColumnType.TIMESTAMP,
        ColumnType.TEXT, ColumnType.TEXT, ColumnType.TEXT);
  }

  @Test
  void aSuffixTruncatesTheBaseSoTheNameStaysWithin63Bytes() {
    String shared = "very_long_property_name_".repeat(3); // 72 characters
    List<String> names = IntStream.rangeClosed(1, 12).mapToObj(i -> shared + "variant_" + i).toList();

    List<ColumnMapping> mappings = POSTGRES.assign(properties(names.toArray(String[]::new)), List.of());

    Map<String, String> columns = columnsByProperty(mappings);
    String base = shared.substring(0, 63);
    // Sorted order: variant_1, variant_10, variant_11, variant_12, variant_2, …
    assertThat(columns.get(shared + "variant_1")).isEqualTo(base);
    assertThat(columns.get(shared + "variant_10")).isEqualTo(base.substring(0, 61) + "_2");
    assertThat(columns.get(shared + "variant_9")).isEqualTo(base.substring(0, 60) + "_12");
    assertThat(columns.values()).doesNotHaveDuplicates()
        .allSatisfy(column -> assertValid(column, 63));
  }

  @Test
  void aSuffixedNameDoesNotStealAnotherPropertysExactName() {
    List<ColumnMapping> mappings = POSTGRES.assign(properties("a_b_2", "a b", "a_b"), List.of());

    // Sorted: "a b" < "a_b" < "a_b_2"; the first two take a_b and a_b_2, so the last is suffixed too.
    assertThat(columnsByProperty(mappings)).isEqualTo(Map.of("a b", "a_b", "a_b", "a_b_2", "a_b_2", "a_b_2_2"));
  }

  @Test
  void aPropertyListedTwiceGetsOneColumn() {
    List<ColumnMapping> mappings = POSTGRES.assign(
        List.of(property("email", "string"), property("email", "number")), List.of());

    assertThat(mappings).containsExactly(new ColumnMapping("email", "email", ColumnType.TEXT));
  }

  @Test
  void theResultIsImmutable() {
    List<ColumnMapping> mappings = POSTGRES.assign(properties("a"), new ArrayList<>());

    assertThatThrownBy(() -> mappings.add(new ColumnMapping("b", "b", ColumnType.TEXT)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aDialectTooShortForNamesIsRefused() {
    assertThatThrownBy(() -> ColumnNamer.forDialect(8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBytes=8")
        .hasMessageContaining("at least 16");
  }

  @Test
  void manyRandomNamesStayValidAndDistinct() {
    Random random = new Random(42);
    String alphabet = "aA_ -.\"'9é名😀ßİ\n";
    List<String> names = IntStream.range(0, 2_000)
        .mapToObj(i -> random.ints(1 + random.nextInt(90), 0, alphabet.length())
            .mapToObj(alphabet::charAt).map(String::valueOf).collect(Collectors.joining()))
        .distinct().toList();
    ColumnNamer namer = ColumnNamer.forDialect(30);

    List<ColumnMapping> once = namer.assign(properties(names.toArray(String[]::new)), List.of());
    List<String> reversed = new ArrayList<>(names);
    Collections.reverse(reversed);
    List<ColumnMapping> again = namer.assign(properties(reversed.toArray(String[]::new)), List.of());

    assertThat(again).isEqualTo(once);
    assertThat(once).extracting(ColumnMapping::column).doesNotHaveDuplicates()
        .allSatisfy(column -> assertValid(column, 30))
        .noneMatch(SystemColumns::isSystem);
    assertThat(once.stream().map(ColumnMapping::property).collect(Collectors.toSet()))
        .isEqualTo(names.stream().collect(Collectors.toSet()));
    assertThat(once).extracting(ColumnMapping::property).isSorted();
  }
}
