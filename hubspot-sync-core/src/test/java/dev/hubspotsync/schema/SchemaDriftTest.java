package dev.hubspotsync.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.client.PropertyDefinition;
import dev.hubspotsync.schema.SchemaDrift.TypeChange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaDriftTest {

  private static final ColumnNamer NAMER = ColumnNamer.forDialect(63);

  private static PropertyDefinition property(String name, String type) {
    return new PropertyDefinition(name, name, type, "text", "contactinformation", false, false, false, false,
        List.of());
  }

  private static PropertyDefinition archived(String name, String type) {
    return new PropertyDefinition(name, name, type, "text", "contactinformation", false, false, false, true,
        List.of());
  }

  private static ColumnMapping column(String name, ColumnType type) {
    return new ColumnMapping(name, name, type);
  }

  private static final List<ColumnMapping> STORED = List.of(
      column("email", ColumnType.TEXT),
      column("nps_score", ColumnType.DOUBLE),
      column("old_field", ColumnType.TEXT));

  @Test
  void firstRunAddsEveryPropertyInSortedOrder() {
    SchemaDrift drift = SchemaDrift.analyze("contacts",
        List.of(property("lastname", "string"), property("createdate", "datetime"), property("Email", "string")),
        List.of(), NAMER);

    assertThat(drift.added()).containsExactly(
        new ColumnMapping("Email", "email", ColumnType.TEXT),
        column("createdate", ColumnType.TIMESTAMP),
        column("lastname", ColumnType.TEXT));
    assertThat(drift.removed()).isEmpty();
    assertThat(drift.retyped()).isEmpty();
    assertThat(drift.isEmpty()).isFalse();
    assertThat(drift.columnsAfter()).isEqualTo(drift.added());
  }

  @Test
  void detectsAddedRemovedAndRetypedProperties() {
    List<PropertyDefinition> live = List.of(
        property("email", "string"),
        property("nps_score", "string"),
        property("favorite_food", "enumeration"));

    SchemaDrift drift = SchemaDrift.analyze("contacts", live, STORED, NAMER);

    assertThat(drift.objectType()).isEqualTo("contacts");
    assertThat(drift.added()).containsExactly(column("favorite_food", ColumnType.TEXT));
    assertThat(drift.removed()).containsExactly(column("old_field", ColumnType.TEXT));
    assertThat(drift.retyped()).containsExactly(
        new TypeChange("nps_score", "nps_score", ColumnType.DOUBLE, ColumnType.TEXT, "string"));
    assertThat(drift.isEmpty()).isFalse();
  }

  @Test
  void aTypeChangeKeepsTheStoredTypeAndTheRemovedColumnStays() {
    SchemaDrift drift = SchemaDrift.analyze("contacts",
        List.of(property("email", "string"), property("nps_score", "string"), property("favorite_food", "string")),
        STORED, NAMER);

    assertThat(drift.columnsAfter()).containsExactly(
        column("email", ColumnType.TEXT),
        column("nps_score", ColumnType.DOUBLE),
        column("old_field", ColumnType.TEXT),
        column("favorite_food", ColumnType.TEXT));
  }

  @Test
  void aTypeChangeWithinTheSameColumnTypeIsNoDrift() {
    SchemaDrift drift = SchemaDrift.analyze("contacts",
        List.of(property("email", "phone_number"), property("nps_score", "number"), property("old_field", "enumeration")),
        STORED, NAMER);

    assertThat(drift.isEmpty()).isTrue();
    assertThat(drift.columnsAfter()).isEqualTo(STORED);
    assertThat(drift.describe()).isEqualTo("contacts: no schema changes");
  }

  @Test
  void aRemovedPropertyThatComesBackKeepsItsColumn() {
    List<ColumnMapping> stored = List.of(column("email", ColumnType.TEXT), column("old_field", ColumnType.TEXT));

    SchemaDrift gone = SchemaDrift.analyze("contacts", List.of(property("email", "string")), stored, NAMER);
    assertThat(gone.removed()).containsExactly(column("old_field", ColumnType.TEXT));
    assertThat(gone.columnsAfter()).isEqualTo(stored);

    // The sink keeps the column, so the next run's stored mapping still has it.
    SchemaDrift back = SchemaDrift.analyze("contacts",
        List.of(property("email", "string"), property("old_field", "string"), property("Old Field", "string")),
        gone.columnsAfter(), NAMER);
    assertThat(back.removed()).isEmpty();
    assertThat(back.added()).containsExactly(new ColumnMapping("Old Field", "old_field_2", ColumnType.TEXT));
    assertThat(back.columnsAfter()).extracting(ColumnMapping::property)
        .containsExactly("email", "old_field", "Old Field")
        .doesNotHaveDuplicates();
    assertThat(back.columnsAfter()).extracting(ColumnMapping::column).doesNotHaveDuplicates();
  }

  @Test
  void anArchivedPropertyCountsAsRemovedAndGetsNoColumn() {
    SchemaDrift drift = SchemaDrift.analyze("contacts",
        List.of(property("email", "string"), property("nps_score", "number"), archived("old_field", "string"),
            archived("never_stored", "string")),
        STORED, NAMER);

    assertThat(drift.added()).isEmpty();
    assertThat(drift.removed()).containsExactly(column("old_field", ColumnType.TEXT));
  }

  @Test
  void emptyOnlyWhenNothingChanged() {
    List<PropertyDefinition> same = List.of(
        property("old_field", "string"), property("email", "string"), property("nps_score", "number"));

    assertThat(SchemaDrift.analyze("contacts", same, STORED, NAMER).isEmpty()).isTrue();
    assertThat(SchemaDrift.analyze("contacts", same.subList(0, 2), STORED, NAMER).isEmpty()).isFalse();
    List<PropertyDefinition> more = new ArrayList<>(same);
    more.add(property("x", "string"));
    assertThat(SchemaDrift.analyze("contacts", more, STORED, NAMER).isEmpty()).isFalse();
    List<PropertyDefinition> retyped = List.of(
        property("old_field", "string"), property("email", "bool"), property("nps_score", "number"));
    assertThat(SchemaDrift.analyze("contacts", retyped, STORED, NAMER).isEmpty()).isFalse();
  }

  @Test
  void describeGivesOneLinePerChange() {
    SchemaDrift drift = SchemaDrift.analyze("contacts",
        List.of(property("email", "string"), property("nps_score", "string"), property("favorite_food", "string"),
            property("First Name", "string")),
        STORED, NAMER);

    assertThat(drift.describe().lines()).containsExactly(
        "contacts: added \"First Name\" as first_name (TEXT)",
        "contacts: added favorite_food (TEXT)",
        "contacts: removed old_field (column kept)",
        "contacts: nps_score changed to string (column stays DOUBLE)");
  }

  @Test
  void aLegacyDecimalColumnConvertsToDouble() {
    List<ColumnMapping> legacy = List.of(
        column("email", ColumnType.TEXT),
        column("amount", ColumnType.DECIMAL),
        column("nps_score", ColumnType.DECIMAL),
        column("gone", ColumnType.DECIMAL));

    SchemaDrift drift = SchemaDrift.analyze("deals",
        List.of(property("email", "string"), property("amount", "number"), property("nps_score", "string"),
            property("new_one", "number")),
        legacy, NAMER);

    assertThat(drift.converted()).containsExactly(
        column("amount", ColumnType.DOUBLE), column("nps_score", ColumnType.DOUBLE), column("gone", ColumnType.DOUBLE));
    // Compared as DOUBLE: amount is no drift, nps_score is retyped from DOUBLE, gone is removed.
    assertThat(drift.retyped()).containsExactly(
        new TypeChange("nps_score", "nps_score", ColumnType.DOUBLE, ColumnType.TEXT, "string"));
    assertThat(drift.removed()).containsExactly(column("gone", ColumnType.DOUBLE));
    assertThat(drift.added()).containsExactly(column("new_one", ColumnType.DOUBLE));
    assertThat(drift.columnsAfter()).containsExactly(
        column("email", ColumnType.TEXT), column("amount", ColumnType.DOUBLE), column("nps_score", ColumnType.DOUBLE),
        column("gone", ColumnType.DOUBLE), column("new_one", ColumnType.DOUBLE));
    assertThat(drift.evolveColumns()).containsExactly(
        column("amount", ColumnType.DOUBLE), column("nps_score", ColumnType.DOUBLE), column("gone", ColumnType.DOUBLE),
        column("new_one", ColumnType.DOUBLE));
    assertThat(drift.stored()).isEqualTo(legacy);
    assertThat(drift.describe().lines()).containsExactly(
        "deals: added new_one (DOUBLE)",
        "deals: removed gone (column kept)",
        "deals: nps_score changed to string (column stays DOUBLE)",
        "deals: amount converted from DECIMAL to DOUBLE",
        "deals: nps_score converted from DECIMAL to DOUBLE",
        "deals: gone converted from DECIMAL to DOUBLE");
  }

  @Test
  void onlyAConversionIsStillADrift() {
    SchemaDrift drift = SchemaDrift.analyze("deals", List.of(property("amount", "number")),
        List.of(column("amount", ColumnType.DECIMAL)), NAMER);

    assertThat(drift.isEmpty()).isFalse();
    assertThat(drift.added()).isEmpty();
    assertThat(drift.retyped()).isEmpty();
    assertThat(drift.evolveColumns()).containsExactly(column("amount", ColumnType.DOUBLE));
    assertThat(SchemaDrift.analyze("deals", List.of(property("amount", "number")), drift.columnsAfter(), NAMER)
        .isEmpty()).isTrue();
  }

  @Test
  void conversionsAreTheStoredDecimalsABatchHasAsDouble() {
    List<ColumnMapping> stored = List.of(column("a", ColumnType.DECIMAL), column("b", ColumnType.DECIMAL),
        column("c", ColumnType.TEXT));
    List<Column> batch = List.of(new Column("a", ColumnType.DOUBLE, "a"), new Column("b", ColumnType.DECIMAL, "b"),
        new Column("c", ColumnType.TEXT, "c"));

    assertThat(SchemaDrift.conversions(stored, batch)).containsExactly(column("a", ColumnType.DOUBLE));
    assertThat(SchemaDrift.conversions(List.of(column("a", ColumnType.DOUBLE)), batch)).isEmpty();
  }

  @Test
  void describeCannotBeMadeToForgeLogLines() {
    String hostile = "x\ncontacts: removed email (column kept)\u202E";

    SchemaDrift drift = SchemaDrift.analyze("contacts", List.of(property(hostile, "string")), List.of(), NAMER);

    assertThat(drift.describe().lines()).containsExactly(
        "contacts: added \"x\\u000Acontacts: removed email (column kept)\\u202E\" as x_contacts_removed_email_column_kept_ (TEXT)");
  }

  @Test
  void theListsAreImmutableCopies() {
    List<ColumnMapping> added = new ArrayList<>(List.of(column("a", ColumnType.TEXT)));
    SchemaDrift drift = new SchemaDrift("deals", added, List.of(), List.of(), List.of());
    added.clear();

    assertThat(drift.added()).hasSize(1);
    assertThatThrownBy(() -> drift.columnsAfter().add(column("b", ColumnType.TEXT)))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
