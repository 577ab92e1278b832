package dev.hubspotsync.benchmarks.torture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.testkit.AssociationSnapshot;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.RecordSnapshot;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Compares a warehouse with the portal's ground truth after the final clean run. Each invariant
 * counts its violations and keeps a few examples:
 *
 * <ul>
 *   <li>{@code duplicate ids} / {@code duplicate links}: more than one row per id or per link key;
 *   <li>{@code live record missing}, {@code live record flagged archived}: every live portal record
 *       has one row with {@code _hs_archived = false};
 *   <li>{@code values}: every synced property of a live record equals the portal's value, compared by
 *       the column's type (numbers as doubles, dates and datetimes as UTC instants, booleans, text;
 *       empty is null); a value the column's type cannot hold must be NULL with the raw text in
 *       {@code _hs_unparsed}. Counted per property as well;
 *   <li>{@code stale rows}: a live record's {@code _hs_updated_at} is not the portal's modified date
 *       (an edit was missed; the example says how many records share that millisecond);
 *   <li>{@code property without column}: a property some live record has a value of;
 *   <li>{@code archived not flagged}: recycle-bin, merged-away and hard-deleted records have a row
 *       with {@code _hs_archived = true} (rows are never deleted);
 *   <li>{@code unknown rows}: rows of ids the portal never had;
 *   <li>{@code links missing} / {@code links extra} / {@code link labels}: each link table equals
 *       the portal's links of the pair whose both ends are live, by (from, to, type id).
 * </ul>
 */
final class TruthCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EXAMPLES = 5;
  private static final Object UNPARSED = new Object() {
    @Override
    public String toString() {
      return "<unparsed>";
    }
  };

  /** One invariant's violations: how many, of how many checked, and a few examples. */
  record Violation(String invariant, long count, long of, List<String> examples) {
    @Override
    public String toString() {
      return invariant + ": " + count + (of > 0 ? " of " + of : "") + (examples.isEmpty() ? "" : " e.g. " + examples);
    }
  }

  private final Map<String, Violation> found = new LinkedHashMap<>();
  private final Map<String, Long> checked = new HashMap<>();

  private TruthCheck() {}

  /**
   * Every violation of the warehouse against {@code truth}; {@code gone} holds, per type, the ids that
   * left the portal for good (merged away, hard-deleted).
   */
  static List<Violation> check(Warehouse warehouse, PortalSnapshot truth, Map<String, Set<Long>> gone)
      throws SQLException {
    TruthCheck c = new TruthCheck();
    Warehouse.Layout layout = warehouse.layout(Torture.TYPES, Torture.PAIRS);
    try (Connection connection = warehouse.connect()) {
      for (String type : Torture.TYPES) {
        c.records(connection, warehouse.schema(), layout, type, truth, gone.getOrDefault(type, Set.of()));
      }
      for (List<String> pair : Torture.PAIRS) {
        c.links(connection, warehouse.schema(), layout, pair.get(0), pair.get(1), truth);
      }
    }
    List<Violation> out = new ArrayList<>();
    c.found.forEach((k, v) -> out.add(new Violation(v.invariant(), v.count(), c.checked.getOrDefault(k, 0L), v.examples())));
    return out;
  }

  private void records(Connection connection, String schema, Warehouse.Layout layout, String type, PortalSnapshot truth,
      Set<Long> gone) throws SQLException {
    String table = layout.tables().get(type);
    if (table == null) {
      violation("table missing", type);
      return;
    }
    Map<Long, RecordSnapshot> live = new HashMap<>();
    truth.live(type).forEach(r -> live.put(r.id(), r));
    Set<Long> archived = truth.archived(type).stream().map(RecordSnapshot::id).collect(Collectors.toSet());
    Map<String, ColumnMapping> byProperty = new LinkedHashMap<>();
    layout.columns().get(type).stream().filter(m -> m.property() != null).forEach(m -> byProperty.put(m.property(), m));
    Set<String> withoutColumn = new HashSet<>();
    for (RecordSnapshot r : live.values()) {
      for (String p : r.properties().keySet()) {
        if (!byProperty.containsKey(p) && !r.properties().get(p).isEmpty()) {
          withoutColumn.add(p);
        }
      }
    }
    withoutColumn.forEach(p -> violation("property without column", type + "." + p));

    Map<Long, Integer> sameMillisecond = new HashMap<>();
    live.values().forEach(r -> sameMillisecond.merge(r.updatedAt().toEpochMilli(), 1, Integer::sum));
    Map<Long, Integer> seen = new HashMap<>();
    Map<String, Long> perProperty = new TreeMap<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + Warehouse.quote(schema) + "." + Warehouse.quote(table))) {
      ResultSetMetaData meta = rs.getMetaData();
      Map<String, Integer> index = new HashMap<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        index.put(meta.getColumnName(i), i);
      }
      while (rs.next()) {
        long id = rs.getLong(index.get(SystemColumns.ID));
        if (seen.merge(id, 1, Integer::sum) > 1) {
          continue;
        }
        boolean rowArchived = rs.getBoolean(index.get(SystemColumns.ARCHIVED));
        RecordSnapshot portal = live.get(id);
        if (portal == null) {
          if (archived.contains(id) || gone.contains(id)) {
            count("archived not flagged");
            if (!rowArchived) {
              violation("archived not flagged", type + " " + id + (gone.contains(id) ? " (merged away or deleted)" : " (in the recycle bin)"));
            }
          } else {
            violation("unknown rows", type + " " + id);
          }
          continue;
        }
        count("live record flagged archived");
        if (rowArchived) {
          violation("live record flagged archived", type + " " + id);
        }
        count("values");
        count("stale rows");
        List<String> diffs = new ArrayList<>();
        Object updated = cell(rs, index.get(SystemColumns.UPDATED_AT), meta);
        if (!Objects.equals(portal.updatedAt().truncatedTo(ChronoUnit.MICROS), updated)) {
          violation("stale rows", type + " " + id + ": portal modified " + portal.updatedAt() + " ("
              + sameMillisecond.get(portal.updatedAt().toEpochMilli()) + " live " + type + " in that millisecond), "
              + SystemColumns.UPDATED_AT + " " + updated);
        }
        Map<String, String> unparsed = unparsed(rs.getString(index.get(SystemColumns.UNPARSED)));
        for (ColumnMapping m : byProperty.values()) {
          Integer column = index.get(m.column());
          if (column == null) {
            continue;
          }
          String raw = portal.properties().get(m.property());
          Object actual = cell(rs, column, meta);
          Object expected = expected(kind(meta.getColumnTypeName(column)), raw);
          boolean same = expected == UNPARSED
              ? actual == null && raw.equals(unparsed.get(m.property()))
              : Objects.equals(expected, actual);
          if (!same) {
            diffs.add(m.property() + " portal " + quoteRaw(raw) + " warehouse " + actual
                + (unparsed.containsKey(m.property()) ? " (in _hs_unparsed)" : ""));
            perProperty.merge(type + "." + m.property(), 1L, Long::sum);
          }
        }
        if (!diffs.isEmpty()) {
          violation("values", type + " " + id + ": " + String.join("; ", diffs));
        }
      }
    }
    count("duplicate ids", seen.size());
    seen.forEach((id, n) -> {
      if (n > 1) {
        violation("duplicate ids", type + " " + id + " x" + n);
      }
    });
    for (long id : live.keySet()) {
      count("live record missing");
      if (!seen.containsKey(id)) {
        violation("live record missing", type + " " + id);
      }
    }
    for (long id : union(archived, gone)) {
      if (!seen.containsKey(id)) {
        count("archived not flagged");
        violation("archived not flagged", type + " " + id + " has no row" + (gone.contains(id) ? " (merged away or deleted)" : ""));
      }
    }
    perProperty.forEach((p, n) -> violation("values by property", p + " x" + n));
  }

  private void links(Connection connection, String schema, Warehouse.Layout layout, String from, String to,
      PortalSnapshot truth) throws SQLException {
    String pair = from + "->" + to;
    String table = layout.linkTables().get(pair);
    if (table == null) {
      violation("table missing", pair);
      return;
    }
    Set<Long> liveFrom = truth.live(from).stream().map(RecordSnapshot::id).collect(Collectors.toSet());
    Set<Long> liveTo = truth.live(to).stream().map(RecordSnapshot::id).collect(Collectors.toSet());
    Map<String, String> expected = new HashMap<>();
    for (AssociationSnapshot a : truth.associations(from, to)) {
      if (liveFrom.contains(a.fromId()) && liveTo.contains(a.toId())) {
        expected.put(a.fromId() + ">" + a.toId() + " type " + a.typeId(), a.label());
      }
    }
    Map<String, Integer> seen = new HashMap<>();
    Map<String, String> labels = new HashMap<>();
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT from_id, to_id, association_type_id, association_label FROM " + Warehouse.quote(schema) + "."
            + Warehouse.quote(table))) {
      while (rs.next()) {
        String key = rs.getLong(1) + ">" + rs.getLong(2) + " type " + rs.getInt(3);
        seen.merge(key, 1, Integer::sum);
        labels.put(key, rs.getString(4));
      }
    }
    count("links missing", expected.size());
    count("links extra", seen.size());
    count("duplicate links", seen.size());
    for (Map.Entry<String, String> e : expected.entrySet()) {
      if (!seen.containsKey(e.getKey())) {
        violation("links missing", pair + " " + e.getKey() + endsOf(e.getKey(), from, to, truth));
      } else if (!Objects.equals(e.getValue(), labels.get(e.getKey()))) {
        violation("link labels", pair + " " + e.getKey() + ": " + e.getValue() + " != " + labels.get(e.getKey()));
      }
    }
    for (Map.Entry<String, Integer> e : seen.entrySet()) {
      if (!expected.containsKey(e.getKey())) {
        violation("links extra", pair + " " + e.getKey() + endsOf(e.getKey(), from, to, truth));
      }
      if (e.getValue() > 1) {
        violation("duplicate links", pair + " " + e.getKey() + " x" + e.getValue());
      }
    }
  }

  /** Why a link is (not) expected: the state of its two ends in the portal. */
  private static String endsOf(String key, String from, String to, PortalSnapshot truth) {
    String[] ends = key.split("[> ]");
    return " (" + from + " " + state(truth, from, Long.parseLong(ends[0])) + ", " + to + " "
        + state(truth, to, Long.parseLong(ends[1])) + ")";
  }

  private static String state(PortalSnapshot truth, String type, long id) {
    return truth.records().getOrDefault(type, List.of()).stream().filter(r -> r.id() == id).findFirst()
        .map(r -> r.archived() ? "archived" : "live").orElse("gone");
  }

  private enum Kind { NUMBER, BOOLEAN, DATE, TIMESTAMP, TEXT }

  private static Kind kind(String typeName) {
    String t = typeName.toLowerCase(Locale.ROOT);
    if (t.contains("timestamp")) {
      return Kind.TIMESTAMP;
    }
    if (t.equals("date")) {
      return Kind.DATE;
    }
    if (t.startsWith("bool")) {
      return Kind.BOOLEAN;
    }
    if (t.startsWith("decimal") || t.startsWith("numeric") || t.startsWith("double") || t.startsWith("float")
        || t.equals("real") || t.startsWith("int") || t.equals("bigint") || t.equals("hugeint")) {
      return Kind.NUMBER;
    }
    return Kind.TEXT;
  }

  /** A warehouse cell, normalized: Double, Boolean, Instant (dates: midnight UTC), String, or null. */
  private static Object cell(ResultSet rs, int column, ResultSetMetaData meta) throws SQLException {
    Kind kind = kind(meta.getColumnTypeName(column));
    Object v;
    switch (kind) {
      case TIMESTAMP: {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        v = t == null ? null : t.toInstant();
        break;
      }
      case DATE: {
        LocalDate d = rs.getObject(column, LocalDate.class);
        v = d == null ? null : d.atStartOfDay(ZoneOffset.UTC).toInstant();
        break;
      }
      case NUMBER: {
        double d = rs.getDouble(column);
        v = rs.wasNull() ? null : d;
        break;
      }
      case BOOLEAN: {
        boolean b = rs.getBoolean(column);
        v = rs.wasNull() ? null : b;
        break;
      }
      default: {
        String s = rs.getString(column);
        v = s == null || s.isEmpty() ? null : s;
      }
    }
    return v;
  }

  /** The portal's raw text as the column should hold it, or {@link #UNPARSED} when its type cannot. */
  private static Object expected(Kind kind, String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    String s = raw.strip();
    try {
      switch (kind) {
        case NUMBER: return Double.parseDouble(s);
        case BOOLEAN:
          return s.equalsIgnoreCase("true") ? Boolean.TRUE : s.equalsIgnoreCase("false") ? Boolean.FALSE : UNPARSED;
        case DATE:
        case TIMESTAMP: {
          Instant i = instant(s);
          return kind == Kind.DATE ? i.atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant()
              : i.truncatedTo(ChronoUnit.MICROS);
        }
        default: return raw;
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      return UNPARSED;
    }
  }

  private static Instant instant(String s) {
    if (s.chars().allMatch(Character::isDigit) && s.length() <= 18) {
      return Instant.ofEpochMilli(Long.parseLong(s));
    }
    if (s.length() == 10) {
      return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    return OffsetDateTime.parse(s).toInstant();
  }

  private static Map<String, String> unparsed(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      Map<String, String> out = new HashMap<>();
      JsonNode node = JSON.readTree(json);
      node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
      return out;
    } catch (IOException e) {
      return Map.of("<_hs_unparsed is not JSON>", json);
    }
  }

  private static String quoteRaw(String raw) {
    return raw == null ? "null" : "\"" + raw + "\"";
  }

  private static Set<Long> union(Set<Long> a, Set<Long> b) {
    Set<Long> out = new HashSet<>(a);
    out.addAll(b);
    return out;
  }

  private void count(String invariant) {
    count(invariant, 1);
  }

  private void count(String invariant, long n) {
    checked.merge(invariant, n, Long::sum);
  }

  private void violation(String invariant, String example) {
    found.merge(invariant, new Violation(invariant, 1, 0, new ArrayList<>(List.of(example))), (a, b) -> {
      if (a.examples().size() < EXAMPLES) {
        a.examples().add(example);
      }
      return new Violation(invariant, a.count() + 1, 0, a.examples());
    });
  }
}
