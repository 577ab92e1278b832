package dev.hubspotsync.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.batch.internal.ValueParser;
import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.schema.ColumnMapping;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** HubSpot's string values parsed by column type, end to end through a one-row batch. */
class ValueParsingTest {
  private final BatchAllocator allocator = BatchAllocator.create(64L << 20);

  @AfterEach
  void closeAllocator() {
    allocator.close();
  }

  /** What a one-row batch stores for {@code raw} in a {@code type} column; UNPARSED if it went to _hs_unparsed. */
  private Object parsed(ColumnType type, String raw) {
    Map<String, String> props = new HashMap<>();
    props.put("p", raw);
    CrmRecord record = new CrmRecord(1, props, Instant.EPOCH, Instant.EPOCH, false, null);
    try (RecordBatch batch = RecordBatch.builder("contacts", List.of(new ColumnMapping("p", "p", type)), allocator,
        Instant.EPOCH, "run").add(record).build()) {
      Object value = batch.value(0, "p");
      Object unparsed = batch.value(0, SystemColumns.UNPARSED);
      if (batch.unparsedCount() == 1) {
        assertThat(value).isNull();
        assertThat(unparsed).isNotNull();
        return ValueParser.UNPARSED;
      }
      assertThat(batch.unparsedCount()).isZero();
      assertThat(unparsed).isNull();
      return value;
    }
  }

  @Test
  void nullAndEmptyAreAbsentForEveryType() {
    for (ColumnType type : ColumnType.values()) {
      assertThat(parsed(type, null)).as("null as %s", type).isNull();
      assertThat(parsed(type, "")).as("\"\" as %s", type).isNull();
    }
  }

  @Test
  void textIsKeptAsIs() {
    assertThat(parsed(ColumnType.TEXT, " Zoë;b \n\"x\" ")).isEqualTo(" Zoë;b \n\"x\" ");
    assertThat(parsed(ColumnType.TEXT, "a;b")).isEqualTo("a;b");
  }

  /** Regression for issue 12: HubSpot sends its doubles in full, which DECIMAL(38,9) could not hold. */
  @ParameterizedTest
  @CsvSource({
      "0.5476861596107483, 0.5476861596107483",
      "1.2000000000000002, 1.2000000000000002",
      // the exact expansion of the double nearest 0.2 is that double
      "0.200000000000000011102230246251565404236316680908203125, 0.2",
      "0.1, 0.1",
      "43, 43",
      "0.0, 0",
      "1250.50, 1250.5",
      "-17, -17",
      "+0.5, 0.5",
      ".5, 0.5",
      "5., 5",
      "' 42 ', 42",
      "1e3, 1000",
      "1E-9, 1e-9",
      "12345678901234567890.123456789, 1.2345678901234567e19",
      "1.7976931348623157e308, 1.7976931348623157e308",
      "4.9e-324, 4.9e-324",
      // below the smallest double: rounds to zero, the nearest double
      "1e-400, 0",
  })
  void numbersAreTheNearestDouble(String raw, double expected) {
    Object value = parsed(ColumnType.DOUBLE, raw);
    assertThat(value).isInstanceOf(Double.class);
    assertThat(Double.doubleToLongBits((Double) value)).isEqualTo(Double.doubleToLongBits(expected));
  }

  @Test
  void seventeenDigitsRoundTripAndIntegersAreExactUpTo2To53() {
    Random random = new Random(12);
    for (int i = 0; i < 2_000; i++) {
      double d = Double.longBitsToDouble(random.nextLong());
      if (!Double.isFinite(d)) {
        continue;
      }
      String text = String.format(Locale.ROOT, "%.16e", d); // 17 significant digits
      assertThat(ValueParser.parse(ColumnType.DOUBLE, text)).as(text).isEqualTo(d);
      assertThat(ValueParser.parse(ColumnType.DOUBLE, Double.toString(d))).isEqualTo(d);
      assertThat(ValueParser.parse(ColumnType.DOUBLE, new BigDecimal(d).toPlainString())).isEqualTo(d);
    }
    assertThat(parsed(ColumnType.DOUBLE, "9007199254740992")).isEqualTo(9007199254740992.0);
    assertThat(parsed(ColumnType.DOUBLE, "-9007199254740991")).isEqualTo(-9007199254740991.0);
    // Past 2^53 integers round to an even neighbour, as in HubSpot itself.
    assertThat(parsed(ColumnType.DOUBLE, "9007199254740993")).isEqualTo(9007199254740992.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "1e400", "-1e400", "1.8e308", "NaN", "-NaN", "Infinity", "-Infinity", "inf", "1.5d", "2f", "0x1p3", "0x10",
      "12abc", "1,000", "$5", "1.2.3", "   ", "true", "e5", ".", "-", "1e", "1e+"})
  void textThatIsNoFiniteDoubleIsUnparsed(String raw) {
    assertThat(parsed(ColumnType.DOUBLE, raw)).isSameAs(ValueParser.UNPARSED);
  }

  @ParameterizedTest
  @CsvSource({
      "123.45, 123.450000000",
      "-17, -17.000000000",
      "0, 0E-9",
      "1e3, 1000.000000000",
      "1E-9, 0.000000001",
      "+0.5, 0.500000000",
      "' 42 ', 42.000000000",
      "0.123456789, 0.123456789",
      // ten fraction digits, but the last is zero: it fits scale 9
      "1.5000000000, 1.500000000",
      // 29 integer digits, the most DECIMAL(38, 9) holds
      "99999999999999999999999999999.999999999, 99999999999999999999999999999.999999999",
      "-99999999999999999999999999999, -99999999999999999999999999999.000000000",
  })
  void decimals(String raw, String expected) {
    Object value = parsed(ColumnType.DECIMAL, raw);
    assertThat(value).isInstanceOf(BigDecimal.class).isEqualTo(new BigDecimal(expected));
    assertThat(((BigDecimal) value).scale()).isEqualTo(9);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "0.0000000001",                    // ten significant fraction digits
      "1.1234567891",
      "100000000000000000000000000000",  // 30 integer digits
      "1e29",
      "1e-10",
      "12abc", "NaN", "Infinity", "1,000", "$5", "0x10", "1.2.3", "   ", "true", "1e99999999999"})
  void decimalsThatDoNotFitOrParseAreUnparsed(String raw) {
    assertThat(parsed(ColumnType.DECIMAL, raw)).isSameAs(ValueParser.UNPARSED);
  }

  @ParameterizedTest
  @CsvSource({"true, true", "false, false", "TRUE, true", "False, false", "' true ', true"})
  void booleans(String raw, boolean expected) {
    assertThat(parsed(ColumnType.BOOLEAN, raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "1", "0", "t", "truee", "on"})
  void otherBooleanTextIsUnparsed(String raw) {
    assertThat(parsed(ColumnType.BOOLEAN, raw)).isSameAs(ValueParser.UNPARSED);
  }

  @ParameterizedTest
  @CsvSource({
      "2024-01-15, 2024-01-15",
      "2024-02-29, 2024-02-29",
      // epoch ms of 2024-01-15T00:00:00Z and of 2024-01-15T23:59:59.999Z
      "1705276800000, 2024-01-15",
      "1705363199999, 2024-01-15",
      "0, 1970-01-01",
      // an ISO datetime gives its UTC date
      "2024-01-15T00:00:00Z, 2024-01-15",
      "2024-01-15T23:30:00-02:00, 2024-01-16",
      "2024-01-15T01:00:00.123+05:00, 2024-01-14",
  })
  void dates(String raw, LocalDate expected) {
    assertThat(parsed(ColumnType.DATE, raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2024-02-30", "2023-02-29", "2024-13-01", "15/01/2024", "2024-1-5", "20240115x",
      "2024-01-15T10:00:00", "today", "-1705276800000", "99999999999999999999",
      "9223372036854775807"})
  void otherDateTextIsUnparsed(String raw) {
    assertThat(parsed(ColumnType.DATE, raw)).isSameAs(ValueParser.UNPARSED);
  }

  @ParameterizedTest
  @CsvSource({
      "2024-01-15T10:20:30Z, 2024-01-15T10:20:30Z",
      "2024-01-15T10:20:30.1Z, 2024-01-15T10:20:30.100Z",
      "2024-01-15T10:20:30.12Z, 2024-01-15T10:20:30.120Z",
      "2024-01-15T10:20:30.123Z, 2024-01-15T10:20:30.123Z",
      "2024-01-15T10:20:30.1234Z, 2024-01-15T10:20:30.123400Z",
      "2024-01-15T10:20:30.12345Z, 2024-01-15T10:20:30.123450Z",
      "2024-01-15T10:20:30.123456Z, 2024-01-15T10:20:30.123456Z",
      // finer than microseconds is truncated, never rounded up
      "2024-01-15T10:20:30.1234567Z, 2024-01-15T10:20:30.123456Z",
      "2024-01-15T10:20:30.12345678Z, 2024-01-15T10:20:30.123456Z",
      "2024-01-15T10:20:30.999999999Z, 2024-01-15T10:20:30.999999Z",
      "2024-01-15T10:20Z, 2024-01-15T10:20:00Z",
      "2024-01-15t10:20:30z, 2024-01-15T10:20:30Z",
      // offsets are normalised to UTC
      "2024-01-15T10:20:30+02:00, 2024-01-15T08:20:30Z",
      "2024-01-15T01:20:30.5-05:30, 2024-01-15T06:50:30.500Z",
      "2024-01-15T10:20:30+0200, 2024-01-15T08:20:30Z",
      "2024-01-15T10:20:30+02, 2024-01-15T08:20:30Z",
      "2024-01-01T00:30:00+01:00, 2023-12-31T23:30:00Z",
      // all digits: epoch milliseconds
      "1705314030123, 2024-01-15T10:20:30.123Z",
      "0, 1970-01-01T00:00:00Z",
      "' 1705314030123 ', 2024-01-15T10:20:30.123Z",
      // a date: midnight UTC
      "2024-01-15, 2024-01-15T00:00:00Z",
  })
  void timestamps(String raw, Instant expected) {
    assertThat(parsed(ColumnType.TIMESTAMP, raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "2024-01-15T10:20:30",              // no offset: ambiguous
      "2024-01-15 10:20:30Z",
      "2024-01-15T10:20:30.1234567890Z",  // ten fraction digits
      "2024-13-01T00:00:00Z",
      "2024-02-30T00:00:00Z",
      "2024-01-15T24:00:01Z",
      "2024-01-15T10:20:30+25:00",
      "yesterday", "1705314030123.5", "-1705314030123", "1.7e12", "true",
      "9223372036854775807"})             // epoch ms beyond what microseconds hold
  void otherTimestampTextIsUnparsed(String raw) {
    assertThat(parsed(ColumnType.TIMESTAMP, raw)).isSameAs(ValueParser.UNPARSED);
  }

  @ParameterizedTest
  @CsvSource({"42, 42", "-7, -7", "1e3, 1000", "12.0, 12", "9223372036854775807, 9223372036854775807"})
  void bigints(String raw, long expected) {
    assertThat(parsed(ColumnType.BIGINT, raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"12.5", "9223372036854775808", "abc", "1e-3"})
  void otherBigintTextIsUnparsed(String raw) {
    assertThat(parsed(ColumnType.BIGINT, raw)).isSameAs(ValueParser.UNPARSED);
  }

  @Test
  void parserAgreesWithTheBatchOnAbsentAndUnparsed() {
    assertThat(ValueParser.parse(ColumnType.DECIMAL, "")).isNull();
    assertThat(ValueParser.parse(ColumnType.DECIMAL, "x")).isSameAs(ValueParser.UNPARSED);
    assertThat(ValueParser.parse(ColumnType.TIMESTAMP, "1705314030123"))
        .isEqualTo(Instant.ofEpochMilli(1705314030123L));
  }

  @Test
  void microsecondConversionRoundTripsBeforeAndAfterTheEpoch() {
    for (String s : List.of("1969-12-31T23:59:59.999999Z", "1900-01-01T00:00:00.000001Z",
        "2024-01-15T10:20:30.123456Z")) {
      Instant instant = Instant.parse(s);
      assertThat(ValueParser.instantOfMicros(ValueParser.epochMicros(instant))).isEqualTo(instant);
    }
    assertThat(ValueParser.epochMicros(Instant.parse("1969-12-31T23:59:59.999999Z"))).isEqualTo(-1);
  }
}
