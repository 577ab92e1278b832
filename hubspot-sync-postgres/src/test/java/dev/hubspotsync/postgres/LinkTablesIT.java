package dev.hubspotsync.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinkTablesIT extends SinkTestBase {
  private static final Instant AT = Instant.parse("2026-11-01T12:00:00.123456Z");

  private List<Map<String, Object>> links(String from, String to) {
    String table = sink.linkTableName(from, to).orElseThrow();
    return TestPostgres.query("SELECT * FROM " + TestPostgres.quote(schema) + "." + TestPostgres.quote(table)
        + " ORDER BY from_id, to_id, association_type_id");
  }

  private static LinkRow link(long from, long to) {
    return new LinkRow(from, to, 279, "HUBSPOT_DEFINED", null);
  }

  @Test
  void storedLinksAreReplacedPerParent() {
    sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(1L, 2L),
        List.of(link(1, 10), link(1, 11), link(2, 20), new LinkRow(2, 20, 5, "USER_DEFINED", "Decision\u0000 maker")),
        AT), new Checkpoint("contacts_to_deals", "{\"p\":1}"));
    assertThat(sink.linkTableName("contacts", "deals")).contains("contacts_to_deals");
    assertThat(links("contacts", "deals")).extracting(r -> r.get("from_id"), r -> r.get("to_id"),
        r -> r.get("association_type_id"), r -> r.get("association_label")).containsExactly(
        org.assertj.core.groups.Tuple.tuple(1L, 10L, 279, null), org.assertj.core.groups.Tuple.tuple(1L, 11L, 279, null),
        org.assertj.core.groups.Tuple.tuple(2L, 20L, 5, "Decision maker"),
        org.assertj.core.groups.Tuple.tuple(2L, 20L, 279, null));
    assertThat(links("contacts", "deals").get(0)).containsEntry("_synced_at", AT)
        .containsEntry("association_category", "HUBSPOT_DEFINED");

    sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(1L, 3L), List.of(link(1, 12), link(3, 30)), AT),
        new Checkpoint("contacts_to_deals", "{\"p\":2}"));
    assertThat(links("contacts", "deals")).extracting(r -> r.get("from_id"), r -> r.get("to_id")).containsExactly(
        org.assertj.core.groups.Tuple.tuple(1L, 12L), org.assertj.core.groups.Tuple.tuple(2L, 20L),
        org.assertj.core.groups.Tuple.tuple(2L, 20L), org.assertj.core.groups.Tuple.tuple(3L, 30L));

    sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(2L), List.of(), AT),
        new Checkpoint("contacts_to_deals", "{\"p\":3}"));
    assertThat(links("contacts", "deals")).extracting(r -> r.get("from_id")).containsExactly(1L, 3L);
    assertThat(sink.checkpoint("contacts_to_deals")).contains(new Checkpoint("contacts_to_deals", "{\"p\":3}"));

    List<Map<String, Object>> columns = TestPostgres.query("SELECT column_name, data_type FROM "
        + "information_schema.columns WHERE table_schema = '" + schema + "' AND table_name = 'contacts_to_deals' "
        + "ORDER BY ordinal_position");
    assertThat(columns).extracting(r -> r.get("column_name") + " " + r.get("data_type")).containsExactly(
        "from_id bigint", "to_id bigint", "association_type_id integer", "association_category text",
        "association_label text", "_synced_at timestamp with time zone");
  }

  @Test
  void anInvalidBatchStoresNothing() {
    sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(1L), List.of(link(1, 10)), AT),
        new Checkpoint("contacts_to_deals", "a"));
    assertThatThrownBy(() -> sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(1L),
        List.of(link(2, 10)), AT), new Checkpoint("contacts_to_deals", "b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not among its parent ids");
    assertThatThrownBy(() -> sink.replaceAssociations(new LinkBatch("contacts", "deals", List.of(1L),
        List.of(link(1, 11), link(1, 11)), AT), new Checkpoint("contacts_to_deals", "c")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    assertThat(links("contacts", "deals")).extracting(r -> r.get("to_id")).containsExactly(10L);
    assertThat(sink.checkpoint("contacts_to_deals")).contains(new Checkpoint("contacts_to_deals", "a"));
  }

  @Test
  void customObjectPairsGetSanitizedTables() {
    sink.replaceAssociations(new LinkBatch("2-12345", "contacts", List.of(7L), List.of(link(7, 1)), AT),
        new Checkpoint("2-12345_to_contacts", "x"));
    assertThat(sink.linkTableName("2-12345", "contacts")).contains("_2_12345_to_contacts");
    assertThat(links("2-12345", "contacts")).hasSize(1);
  }
}
