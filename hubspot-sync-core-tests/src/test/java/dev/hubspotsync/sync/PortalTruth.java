package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.batch.internal.ValueParser;
import dev.hubspotsync.client.ApiCall;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.testkit.Endpoint;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalStats;
import dev.hubspotsync.testkit.RecordSnapshot;
import dev.hubspotsync.testkit.Row;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The end-of-scenario check: the sink equals the portal's ground truth ({@code FakeHubSpot.snapshot()})
 * row by row and column by column. Stricter than {@link SyncFixture#assertSinkMatchesPortal}: every
 * property column is compared (typed by its stored column type; a value that does not parse must sit
 * in {@code _hs_unparsed} with its raw text), and the sink's table may be named other than the portal's
 * type (a custom object synced by its {@code 2-…} objectTypeId).
 */
final class PortalTruth {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REPORTED = 25;

  private PortalTruth() {}

  /** The sink's table {@code type} equals the portal's records of {@code type}. */
  static void assertSinkMatchesPortal(SyncFixture f, String type) {
    assertSinkMatchesPortal(f.sink, f.hubspot.snapshot(), type, type, Set.of());
  }

  /**
   * The sink's table {@code table} holds exactly the portal's records of {@code portalType} (live and
   * archived): one row per id, the same created and modified dates, archived flag and archive time, and
   * every mapped property's current value; {@code ignored} properties (archived definitions, whose
   * columns keep their last values) are not compared.
   */
  static void assertSinkMatchesPortal(InMemorySink sink, PortalSnapshot snapshot, String table, String portalType,
      Set<String> ignored) {
    List<RecordSnapshot> records = snapshot.records().get(portalType);
    assertThat(records).as("the portal's records of " + portalType).isNotNull();
    Map<Long, RecordSnapshot> truth = records.stream().collect(Collectors.toMap(RecordSnapshot::id, Function.identity()));
    List<Row> rows = sink.rows(table);
    assertThat(rows).extracting(Row::id).as("row ids of table " + table).containsExactlyInAnyOrderElementsOf(truth.keySet());

    List<ColumnMapping> columns = sink.describe(table);
    List<String> mismatches = new ArrayList<>();
    int count = 0;
    for (Row row : rows) {
      RecordSnapshot r = truth.get(row.id());
      List<String> diffs = new ArrayList<>();
      compare(diffs, SystemColumns.UPDATED_AT, r.updatedAt(), row.get(SystemColumns.UPDATED_AT));
      compare(diffs, SystemColumns.CREATED_AT, r.createdAt(), row.get(SystemColumns.CREATED_AT));
      compare(diffs, SystemColumns.ARCHIVED, r.archived(), row.get(SystemColumns.ARCHIVED));
      if (r.archived()) {
        compare(diffs, SystemColumns.ARCHIVED_AT, r.archivedAt(), row.get(SystemColumns.ARCHIVED_AT));
      }
      Map<String, String> expectedUnparsed = new TreeMap<>();
      for (ColumnMapping m : columns) {
        if (m.property() == null || ignored.contains(m.property())) {
          continue;
        }
        String raw = r.properties().get(m.property());
        Object expected = ValueParser.parse(m.type(), raw);
        if (expected == ValueParser.UNPARSED) {
          expectedUnparsed.put(m.property(), raw);
          expected = null;
        }
        compare(diffs, m.column() + " (" + m.property() + ")", expected, row.get(m.column()));
      }
      Map<String, String> actualUnparsed = new TreeMap<>(unparsed(row));
      actualUnparsed.keySet().removeAll(ignored);
      compare(diffs, SystemColumns.UNPARSED, expectedUnparsed, actualUnparsed);
      if (!diffs.isEmpty()) {
        count++;
        if (mismatches.size() < MAX_REPORTED) {
          mismatches.add(table + " " + row.id() + ": " + String.join("; ", diffs));
        }
      }
    }
    assertThat(mismatches).as(count + " of " + rows.size() + " rows of " + table + " differ from the portal's "
        + portalType + " (first " + MAX_REPORTED + " shown)").isEmpty();
  }

  /** The row's {@code _hs_unparsed} as property → raw text (empty when null). */
  static Map<String, String> unparsed(Row row) {
    Object json = row.get(SystemColumns.UNPARSED);
    if (json == null) {
      return Map.of();
    }
    try {
      return JSON.readValue((String) json, new TypeReference<LinkedHashMap<String, String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("_hs_unparsed of row " + row.id() + " is not a JSON object: " + json, e);
    }
  }

  private static void compare(List<String> diffs, String what, Object expected, Object actual) {
    boolean same = expected instanceof BigDecimal && actual instanceof BigDecimal
        ? ((BigDecimal) expected).compareTo((BigDecimal) actual) == 0
        : Objects.equals(expected, actual);
    if (!same) {
      diffs.add(what + " expected <" + expected + "> but was <" + actual + ">");
    }
  }

  /**
   * The report's calls per endpoint are the portal's counters (since the last {@code resetStats()}),
   * endpoint by endpoint, and nothing the client does not count reached the portal.
   */
  static void assertReportCallsMatchPortal(SyncReport report, PortalStats stats) {
    Map<ApiCall, Long> portal = new EnumMap<>(ApiCall.class);
    for (ApiCall call : ApiCall.values()) {
      long n = stats.calls(Endpoint.valueOf(call.name()));
      if (n > 0) {
        portal.put(call, n);
      }
    }
    assertThat(report.calls()).as("the report's calls by endpoint vs the portal's counters").isEqualTo(portal);
    assertThat(report.calls().values().stream().mapToLong(Long::longValue).sum()).as("all calls")
        .isEqualTo(stats.totalCalls());
  }

  /** A stored checkpoint's {@code cursor} (epoch ms); fails when it has none. */
  static long cursor(InMemorySink sink, String stream) {
    String json = sink.checkpoint(stream).orElseThrow().json();
    try {
      var node = JSON.readTree(json);
      assertThat(node.hasNonNull("cursor")).as("checkpoint of " + stream + " has a cursor: " + json).isTrue();
      return node.get("cursor").asLong();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String describeCalls(Map<ApiCall, Long> calls) {
    return Arrays.stream(ApiCall.values()).filter(calls::containsKey).map(c -> c + "=" + calls.get(c))
        .collect(Collectors.joining(", "));
  }
}
