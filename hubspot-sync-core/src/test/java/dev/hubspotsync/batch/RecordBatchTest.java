package dev.hubspotsync.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordBatchTest {
  private static final Instant SYNCED_AT = Instant.parse("2024-03-01T12:00:00.123456789Z");
  private static final List<ColumnMapping> MAPPINGS = List.of(
      new ColumnMapping("email", "email", ColumnType.TEXT),
      new ColumnMapping("amount", "amount", ColumnType.DECIMAL),
      new ColumnMapping("hs_is_unworked", "hs_is_unworked", ColumnType.BOOLEAN),
      new ColumnMapping("closedate", "close_date", ColumnType.DATE),
      new ColumnMapping("hs_lastmodifieddate", "hs_lastmodifieddate", ColumnType.TIMESTAMP),
      new ColumnMapping("num_notes", "num_notes", ColumnType.BIGINT));

  private final BatchAllocator allocator = BatchAllocator.create(256L << 20);
  private final ObjectMapper json = new ObjectMapper();

  @AfterEach
  void allocatorHasNoLeaks() {
    assertThat(allocator.allocatedBytes()).isZero();
    allocator.close();
  }

  private RecordBatch.Builder builder(List<ColumnMapping> mappings) {
    return RecordBatch.builder("deals", mappings, allocator, SYNCED_AT, "run-7");
  }

  private static CrmRecord record(long id, String updatedAt, Map<String, String> properties) {
    return new CrmRecord(id, properties, Instant.parse("2020-01-01T00:00:00Z"),
        updatedAt == null ? null : Instant.parse(updatedAt), false, null);
  }

  private static Map<String, String> props(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  @Test
  void columnsAreTheSystemColumnsThenOnePerMappingInOrder() {
    try (RecordBatch batch = builder(MAPPINGS).build()) {
      assertThat(batch.objectType()).isEqualTo("deals");
      assertThat(batch.columns()).hasSize(SystemColumns.ALL.size() + MAPPINGS.size());
      assertThat(batch.columns().subList(0, SystemColumns.ALL.size())).isEqualTo(SystemColumns.ALL);
      assertThat(batch.columns().subList(SystemColumns.ALL.size(), batch.columns().size())).containsExactly(
          new Column("email", ColumnType.TEXT, "email"),
          new Column("amount", ColumnType.DECIMAL, "amount"),
          new Column("hs_is_unworked", ColumnType.BOOLEAN, "hs_is_unworked"),
          new Column("close_date", ColumnType.DATE, "closedate"),
          new Column("hs_lastmodifieddate", ColumnType.TIMESTAMP, "hs_lastmodifieddate"),
          new Column("num_notes", ColumnType.BIGINT, "num_notes"));
      assertThat(batch.rowCount()).isZero();
      assertThat(batch.arrow().getRowCount()).isZero();
    }
  }

  @Test
  void storesSystemColumnsAndTypedValues() {
    CrmRecord live = new CrmRecord(101, props("email", "a@example.com", "amount", "1234.5", "hs_is_unworked", "true",
        "closedate", "2024-02-29", "hs_lastmodifieddate", "2024-02-01T10:00:00.5+01:00", "num_notes", "3"),
        Instant.parse("2023-05-06T07:08:09.123Z"), Instant.parse("2024-02-01T09:00:00.5Z"), false, null);
    CrmRecord archived = new CrmRecord(102, props("email", null), Instant.parse("2023-01-01T00:00:00Z"),
        Instant.parse("2024-02-02T00:00:00Z"), true, Instant.parse("2024-02-03T04:05:06.7891234Z"));
    try (RecordBatch batch = builder(MAPPINGS).add(live).add(archived).build()) {
      assertThat(batch.rowCount()).isEqualTo(2);
      assertThat(batch.id(0)).isEqualTo(101);
      assertThat(batch.value(0, SystemColumns.ID)).isEqualTo(101L);
      assertThat(batch.updatedAt(0)).isEqualTo("2024-02-01T09:00:00.5Z");
      assertThat(batch.archived(0)).isFalse();
      assertThat(batch.value(0, SystemColumns.CREATED_AT)).isEqualTo(Instant.parse("2023-05-06T07:08:09.123Z"));
      assertThat(batch.value(0, SystemColumns.ARCHIVED)).isEqualTo(false);
      assertThat(batch.value(0, SystemColumns.ARCHIVED_AT)).isNull();
      assertThat(batch.value(0, SystemColumns.UNPARSED)).isNull();
      assertThat(batch.value(0, SystemColumns.SYNCED_AT)).isEqualTo(Instant.parse("2024-03-01T12:00:00.123456Z"));
      assertThat(batch.value(0, SystemColumns.RUN_ID)).isEqualTo("run-7");
      assertThat(batch.value(0, "email")).isEqualTo("a@example.com");
      assertThat(batch.value(0, "amount")).isEqualTo(new BigDecimal("1234.500000000"));
      assertThat(batch.value(0, "hs_is_unworked")).isEqualTo(true);
      assertThat(batch.value(0, "close_date")).isEqualTo(LocalDate.of(2024, 2, 29));
      assertThat(batch.value(0, "hs_lastmodifieddate")).isEqualTo(Instant.parse("2024-02-01T09:00:00.5Z"));
      assertThat(batch.value(0, "num_notes")).isEqualTo(3L);

      assertThat(batch.id(1)).isEqualTo(102);
      assertThat(batch.archived(1)).isTrue();
      assertThat(batch.value(1, SystemColumns.ARCHIVED_AT)).isEqualTo(Instant.parse("2024-02-03T04:05:06.789123Z"));
      assertThat(batch.value(1, SystemColumns.SYNCED_AT)).isEqualTo(Instant.parse("2024-03-01T12:00:00.123456Z"));
      for (int c = SystemColumns.ALL.size(); c < batch.columns().size(); c++) {
        assertThat(batch.value(1, c)).as(batch.columns().get(c).name()).isNull();
      }
      assertThat(batch.unparsedCount()).isZero();
    }
  }

  @Test
  void recordsWithoutCreatedOrUpdatedTimeHaveNullsThere() {
    try (RecordBatch batch = builder(MAPPINGS).add(new CrmRecord(5, Map.of(), null, null, false, null)).build()) {
      assertThat(batch.updatedAt(0)).isNull();
      assertThat(batch.value(0, SystemColumns.CREATED_AT)).isNull();
    }
  }

  @Test
  void unknownColumnNameIsRejectedNamingIt() {
    try (RecordBatch batch = builder(MAPPINGS).add(record(1, "2024-01-01T00:00:00Z", Map.of())).build()) {
      assertThatThrownBy(() -> batch.value(0, "closedate"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'closedate'")
          .hasMessageContaining("deals")
          .hasMessageContaining("close_date");
      assertThatThrownBy(() -> batch.value(1, "email")).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> batch.value(0, 99)).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void unparsedValuesGoToHsUnparsedAsJsonWithTheRawText() throws Exception {
    String nasty = "12 \"quoted\" \\ back\nslash é 😀";
    CrmRecord bad = record(1, "2024-01-01T00:00:00Z", props("email", "x@example.com", "amount", nasty,
        "hs_is_unworked", "yes", "closedate", "31/12/2024", "hs_lastmodifieddate", "2024-01-01T00:00:00",
        "num_notes", "2.5"));
    CrmRecord partlyBad = record(2, "2024-01-01T00:00:00Z", props("amount", "0.0000000001", "closedate", "2024-12-31"));
    CrmRecord good = record(3, "2024-01-01T00:00:00Z", props("amount", "7"));
    try (RecordBatch batch = builder(MAPPINGS).add(bad).add(partlyBad).add(good).build()) {
      assertThat(batch.unparsedCount()).isEqualTo(6);

      JsonNode first = json.readTree((String) batch.value(0, SystemColumns.UNPARSED));
      assertThat(first.size()).isEqualTo(5);
      assertThat(first.get("amount").textValue()).isEqualTo(nasty);
      assertThat(first.get("hs_is_unworked").textValue()).isEqualTo("yes");
      assertThat(first.get("closedate").textValue()).isEqualTo("31/12/2024");
      assertThat(first.get("hs_lastmodifieddate").textValue()).isEqualTo("2024-01-01T00:00:00");
      assertThat(first.get("num_notes").textValue()).isEqualTo("2.5");
      assertThat(batch.value(0, "email")).isEqualTo("x@example.com");
      assertThat(batch.value(0, "amount")).isNull();
      assertThat(batch.value(0, "hs_is_unworked")).isNull();
      assertThat(batch.value(0, "close_date")).isNull();

      // keyed by the HubSpot property, not the column name
      JsonNode second = json.readTree((String) batch.value(1, SystemColumns.UNPARSED));
      assertThat(second.toString()).isEqualTo("{\"amount\":\"0.0000000001\"}");
      assertThat(batch.value(1, "close_date")).isEqualTo(LocalDate.of(2024, 12, 31));

      assertThat(batch.value(2, SystemColumns.UNPARSED)).isNull();
      assertThat(batch.value(2, "amount")).isEqualTo(new BigDecimal("7.000000000"));
    }
  }

  @Test
  void valuesParseByTheStoredColumnTypeNotTheCurrentPropertyType() {
    // "amount" was a number when its column was made; HubSpot now calls it a string.
    List<ColumnMapping> stored = List.of(new ColumnMapping("amount", "amount", ColumnType.DECIMAL));
    try (RecordBatch batch = builder(stored)
        .add(record(1, "2024-01-01T00:00:00Z", props("amount", "12.5")))
        .add(record(2, "2024-01-01T00:00:00Z", props("amount", "about twelve")))
        .build()) {
      assertThat(batch.value(0, "amount")).isEqualTo(new BigDecimal("12.500000000"));
      assertThat(batch.value(1, "amount")).isNull();
      assertThat(batch.value(1, SystemColumns.UNPARSED)).isEqualTo("{\"amount\":\"about twelve\"}");
    }
  }

  @Test
  void keepsOnlyTheNewestVersionOfEachId() {
    RecordBatch.Builder builder = builder(MAPPINGS)
        .add(record(7, "2024-01-01T00:00:10Z", props("email", "v1")))
        .add(record(8, "2024-01-01T00:00:00Z", props("email", "other")))
        .add(record(7, "2024-01-01T00:00:20Z", props("email", "v2")))
        .add(record(7, "2024-01-01T00:00:15Z", props("email", "v3-older")));
    assertThat(builder.size()).isEqualTo(2);
    try (RecordBatch batch = builder.build()) {
      assertThat(batch.rowCount()).isEqualTo(2);
      // the id keeps the row of its first version
      assertThat(batch.id(0)).isEqualTo(7);
      assertThat(batch.value(0, "email")).isEqualTo("v2");
      assertThat(batch.updatedAt(0)).isEqualTo("2024-01-01T00:00:20Z");
      assertThat(batch.id(1)).isEqualTo(8);
    }
  }

  @Test
  void onEqualUpdatedAtTheLastAddedWins() {
    try (RecordBatch batch = builder(MAPPINGS)
        .add(record(7, "2024-01-01T00:00:10Z", props("email", "first")))
        .add(record(7, "2024-01-01T00:00:10Z", props("email", "second")))
        .add(record(7, "2024-01-01T00:00:10Z", props("email", "third")))
        .build()) {
      assertThat(batch.rowCount()).isEqualTo(1);
      assertThat(batch.value(0, "email")).isEqualTo("third");
    }
  }

  @Test
  void aMissingUpdatedAtNeverReplacesAKnownOne() {
    try (RecordBatch batch = builder(MAPPINGS)
        .add(record(7, null, props("email", "unknown-1")))
        .add(record(7, "2024-01-01T00:00:10Z", props("email", "dated")))
        .add(record(7, null, props("email", "unknown-2")))
        .build()) {
      assertThat(batch.value(0, "email")).isEqualTo("dated");
    }
  }

  @Test
  void arrowVectorsMatchTheColumns() {
    try (RecordBatch batch = builder(MAPPINGS)
        .add(record(1, "2024-01-01T00:00:00Z", props("amount", "1.25", "closedate", "2024-01-02")))
        .add(record(2, "2024-01-01T00:00:00Z", props()))
        .build()) {
      VectorSchemaRoot root = batch.arrow();
      assertThat(root.getRowCount()).isEqualTo(2);
      List<FieldVector> vectors = root.getFieldVectors();
      assertThat(vectors).hasSize(batch.columns().size());
      for (int i = 0; i < vectors.size(); i++) {
        assertThat(vectors.get(i).getName()).isEqualTo(batch.columns().get(i).name());
        assertThat(vectors.get(i).getValueCount()).isEqualTo(2);
        Class<?> expected;
        switch (batch.columns().get(i).type()) {
          case TEXT: expected = VarCharVector.class; break;
          case DOUBLE: expected = Float8Vector.class; break;
          case DECIMAL: expected = DecimalVector.class; break;
          case BOOLEAN: expected = BitVector.class; break;
          case DATE: expected = DateDayVector.class; break;
          case TIMESTAMP: expected = TimeStampMicroTZVector.class; break;
          default: expected = BigIntVector.class; break;
        }
        assertThat(vectors.get(i)).as(batch.columns().get(i).name()).isInstanceOf(expected);
        if (vectors.get(i) instanceof TimeStampMicroTZVector) {
          assertThat(((TimeStampMicroTZVector) vectors.get(i)).getTimeZone()).isEqualTo("UTC");
        }
      }
      ArrowType.Decimal decimal = (ArrowType.Decimal) root.getVector("amount").getField().getType();
      assertThat(decimal.getPrecision()).isEqualTo(38);
      assertThat(decimal.getScale()).isEqualTo(9);
      assertThat(((DecimalVector) root.getVector("amount")).getObject(0)).isEqualTo(new BigDecimal("1.250000000"));
      assertThat(((DateDayVector) root.getVector("close_date")).get(0))
          .isEqualTo((int) LocalDate.of(2024, 1, 2).toEpochDay());
      assertThat(root.getVector("amount").isNull(1)).isTrue();
      assertThat(root.getVector(SystemColumns.ID).getField().isNullable()).isFalse();
      assertThat(root.getVector("amount").getField().isNullable()).isTrue();
      assertThat(((TimeStampMicroTZVector) root.getVector(SystemColumns.SYNCED_AT)).get(1))
          .isEqualTo(1_709_294_400_123_456L);
    }
  }

  @Test
  void closeReleasesTheArrowMemoryAndIsIdempotent() {
    RecordBatch batch = builder(MAPPINGS).add(record(1, "2024-01-01T00:00:00Z", props("email", "a"))).build();
    assertThat(allocator.allocatedBytes()).isPositive();
    batch.close();
    assertThat(allocator.allocatedBytes()).isZero();
    batch.close();
    assertThat(allocator.allocatedBytes()).isZero();
    assertThatThrownBy(batch::rowCount).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(batch::arrow).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> batch.value(0, 0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aBuilderBuildsOnce() {
    RecordBatch.Builder builder = builder(MAPPINGS).add(record(1, "2024-01-01T00:00:00Z", props()));
    builder.build().close();
    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("already built");
    assertThatThrownBy(() -> builder.add(record(2, "2024-01-01T00:00:00Z", props())))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void mappingsMayNotCollideWithSystemColumnsOrEachOther() {
    assertThatThrownBy(() -> builder(List.of(new ColumnMapping("id", "id", ColumnType.TEXT))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("system column 'id'");
    assertThatThrownBy(() -> builder(List.of(new ColumnMapping("a", "x", ColumnType.TEXT),
        new ColumnMapping("b", "x", ColumnType.TEXT))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'").hasMessageContaining("a and b");
  }

  @Test
  void aBatchThatDoesNotFitTheLimitFailsWithoutLeaking() {
    try (BatchAllocator small = BatchAllocator.create(16 * 1024)) {
      RecordBatch.Builder builder = RecordBatch.builder("contacts", MAPPINGS, small, SYNCED_AT, "run");
      for (int i = 0; i < 10_000; i++) {
        builder.add(record(i, "2024-01-01T00:00:00Z", props("email", "someone" + i + "@example.com")));
      }
      assertThatThrownBy(builder::build)
          .isInstanceOf(HubSpotSyncException.class)
          .hasMessageContaining("10000 contacts records")
          .hasMessageContaining("16384 bytes")
          .satisfies(e -> assertThat(((HubSpotSyncException) e).code()).isEqualTo(ErrorCode.BAD_CONFIGURATION));
      assertThat(small.allocatedBytes()).isZero();
    }
  }

  @Test
  void buildsTenThousandRecordsOfTwentyColumns() {
    List<ColumnMapping> mappings = new ArrayList<>();
    ColumnType[] types = {ColumnType.TEXT, ColumnType.DECIMAL, ColumnType.BOOLEAN, ColumnType.DATE,
        ColumnType.TIMESTAMP};
    for (int c = 0; c < 20; c++) {
      mappings.add(new ColumnMapping("prop_" + c, "col_" + c, types[c % types.length]));
    }
    RecordBatch.Builder builder = builder(mappings);
    for (int i = 0; i < 10_000; i++) {
      Map<String, String> properties = new HashMap<>();
      for (int c = 0; c < 20; c++) {
        String value;
        switch (types[c % types.length]) {
          case TEXT: value = "text " + i + "/" + c; break;
          case DECIMAL: value = i + "." + c; break;
          case BOOLEAN: value = i % 2 == 0 ? "true" : "false"; break;
          case DATE: value = LocalDate.of(2024, 1, 1).plusDays(i % 366).toString(); break;
          default: value = Instant.parse("2024-01-01T00:00:00Z").plusMillis(i).toString(); break;
        }
        properties.put("prop_" + c, i % 1000 == 0 && c == 1 ? "n/a" : value);
      }
      builder.add(new CrmRecord(i + 1, properties, Instant.parse("2023-01-01T00:00:00Z"),
          Instant.parse("2024-01-01T00:00:00Z").plusSeconds(i), false, null));
    }
    try (RecordBatch batch = builder.build()) {
      assertThat(batch.rowCount()).isEqualTo(10_000);
      assertThat(batch.columns()).hasSize(SystemColumns.ALL.size() + 20);
      assertThat(batch.unparsedCount()).isEqualTo(10);
      assertThat(batch.id(9_999)).isEqualTo(10_000);
      assertThat(batch.value(9_999, "col_0")).isEqualTo("text 9999/0");
      assertThat(batch.value(9_999, "col_1")).isEqualTo(new BigDecimal("9999.100000000"));
      assertThat(batch.value(9_999, "col_4")).isEqualTo(Instant.parse("2024-01-01T00:00:09.999Z"));
      assertThat(batch.value(1_000, SystemColumns.UNPARSED)).isEqualTo("{\"prop_1\":\"n/a\"}");
    }
  }

  @Test
  void numbersAreDoublesInAFloat8Vector() {
    List<ColumnMapping> mappings = List.of(new ColumnMapping("hs_deal_stage_probability", "p", ColumnType.DOUBLE));
    try (RecordBatch batch = builder(mappings)
        .add(record(1, "2024-01-01T00:00:00Z", props("hs_deal_stage_probability", "0.5476861596107483")))
        .add(record(2, "2024-01-01T00:00:00Z",
            props("hs_deal_stage_probability", "0.200000000000000011102230246251565404236316680908203125")))
        .add(record(3, "2024-01-01T00:00:00Z", props("hs_deal_stage_probability", "1e400")))
        .add(record(4, "2024-01-01T00:00:00Z", props()))
        .build()) {
      Float8Vector vector = (Float8Vector) batch.arrow().getVector("p");
      assertThat(vector.get(0)).isEqualTo(0.5476861596107483);
      assertThat(batch.value(0, "p")).isEqualTo(0.5476861596107483);
      assertThat(batch.value(1, "p")).isEqualTo(0.2);
      assertThat(batch.value(2, "p")).isNull();
      assertThat(batch.value(2, SystemColumns.UNPARSED)).isEqualTo("{\"hs_deal_stage_probability\":\"1e400\"}");
      assertThat(batch.value(3, "p")).isNull();
      assertThat(batch.unparsedCount()).isEqualTo(1);
    }
  }
}
