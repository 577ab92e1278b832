package dev.hubspotsync.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A parsed {@code POST …/search} body (hubspot-api.md §2) and its evaluation against the search
 * index's view of a record.
 */
final class SearchQuery {
  static final Set<String> OPERATORS = Set.of("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
      "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN");

  enum Kind { NUMBER, TIME, BOOL, ENUM, MULTI, STRING, NONE }

  /** One filter, with its operands pre-parsed for the property's type. */
  static final class Filter {
    final String property;
    final String operator;
    final PropertyDef def; // null: unknown or unindexed property, or an association pseudo-property
    final Kind kind;
    final String value;
    final String highValue;
    final List<String> values;
    final double low;
    final double high;
    final ObjectTypeDef associatedType; // for associations.{type}

    Filter(String property, String operator, PropertyDef def, Kind kind, String value, String highValue,
        List<String> values, ObjectTypeDef associatedType) {
      this.property = property;
      this.operator = operator;
      this.def = def;
      this.kind = kind;
      this.value = value;
      this.highValue = highValue;
      this.values = values;
      this.associatedType = associatedType;
      this.low = number(kind, value);
      this.high = number(kind, highValue);
    }
  }

  final List<List<Filter>> groups;
  final PropertyDef sortDef;
  final Kind sortKind;
  final boolean descending;
  final List<String> properties;
  final String query;
  final int limit;
  final int after;

  SearchQuery(List<List<Filter>> groups, PropertyDef sortDef, boolean descending, List<String> properties,
      String query, int limit, int after) {
    this.groups = groups;
    this.sortDef = sortDef;
    this.sortKind = sortDef == null ? Kind.NONE : kind(sortDef);
    this.descending = descending;
    this.properties = properties;
    this.query = query == null ? null : query.toLowerCase(Locale.ROOT);
    this.limit = limit;
    this.after = after;
  }

  static SearchQuery parse(JsonNode body, ObjectTypeDef type, PortalState portal) {
    var spec = portal.spec;
    JsonNode groupsNode = body.path("filterGroups");
    if (!groupsNode.isMissingNode() && !groupsNode.isNull() && !groupsNode.isArray()) {
      throw ApiError.validation("filterGroups must be an array");
    }
    int total = 0;
    List<List<Filter>> groups = new ArrayList<>();
    if (groupsNode.size() > spec.maxFilterGroups()) {
      throw ApiError.validation("Too many filter groups: " + groupsNode.size() + ". The maximum is "
          + spec.maxFilterGroups() + ".");
    }
    for (JsonNode g : groupsNode) {
      JsonNode filters = g.path("filters");
      if (filters.size() > spec.maxFiltersPerGroup()) {
        throw ApiError.validation("Too many filters in a filter group: " + filters.size() + ". The maximum is "
            + spec.maxFiltersPerGroup() + ".");
      }
      total += filters.size();
      List<Filter> group = new ArrayList<>();
      for (JsonNode f : filters) {
        group.add(filter(f, type, portal));
      }
      groups.add(group);
    }
    if (total > spec.maxFilters()) {
      throw ApiError.validation("Too many filters: " + total + ". The maximum across all filter groups is "
          + spec.maxFilters() + ".");
    }

    PropertyDef sortDef = type.live(type.createdProperty); // default: creation date, oldest first (§2)
    boolean desc = false;
    JsonNode sorts = body.path("sorts");
    if (sorts.size() > 1) {
      throw ApiError.validation("Only one sort is allowed; got " + sorts.size() + ".");
    }
    if (sorts.size() == 1) {
      JsonNode s = sorts.get(0);
      String name;
      if (s.isTextual()) { // the "-createdate" form (§2)
        name = s.asText();
        if (name.startsWith("-")) {
          desc = true;
          name = name.substring(1);
        }
      } else {
        name = s.path("propertyName").asText("");
        String dir = s.path("direction").asText("ASCENDING");
        if (!dir.equals("ASCENDING") && !dir.equals("DESCENDING")) {
          throw ApiError.validation("Invalid sort direction '" + dir + "'; use ASCENDING or DESCENDING.");
        }
        desc = dir.equals("DESCENDING");
      }
      sortDef = indexed(type, name);
    }

    List<String> props = new ArrayList<>();
    for (JsonNode p : body.path("properties")) {
      props.add(p.asText());
    }
    int limit = intField(body, "limit", 10);
    if (limit < 0 || limit > 200) {
      throw ApiError.validation("limit must be between 0 and 200 (was " + limit + ").");
    }
    int after = intField(body, "after", 0);
    if (after < 0) {
      throw ApiError.validation("after must be a non-negative offset (was " + after + ").");
    }
    String q = body.hasNonNull("query") ? body.get("query").asText() : null;
    return new SearchQuery(groups, sortDef, desc, props, q, limit, after);
  }

  private static int intField(JsonNode body, String name, int dflt) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull() || (n.isTextual() && n.asText().isEmpty())) {
      return dflt;
    }
    if (n.isInt()) {
      return n.asInt();
    }
    if (n.isTextual() && Values.isDigits(n.asText()) && n.asText().length() < 10) {
      return Integer.parseInt(n.asText());
    }
    throw ApiError.validation("Invalid value for '" + name + "': " + n);
  }

  private static Filter filter(JsonNode f, ObjectTypeDef type, PortalState portal) {
    String name = f.path("propertyName").asText(null);
    String op = f.path("operator").asText(null);
    if (name == null || op == null) {
      throw ApiError.validation("Each filter needs propertyName and operator.");
    }
    if (!OPERATORS.contains(op)) {
      throw ApiError.validation("Invalid operator '" + op + "'. Valid operators are " + OPERATORS + ".");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode v : f.path("values")) {
      values.add(v.asText());
    }
    String value = f.hasNonNull("value") ? f.get("value").asText() : null;
    String high = f.hasNonNull("highValue") ? f.get("highValue").asText() : null;
    if (name.startsWith("associations.")) {
      // §2 "Association filter": not supported for custom objects.
      ObjectTypeDef other = portal.findType(name.substring("associations.".length()));
      if (type.custom || other == null || other.custom) {
        throw ApiError.validation("Association filters are not supported for '" + name + "' on " + type.name + ".");
      }
      return new Filter(name, op, null, Kind.NUMBER, value, high, values, other);
    }
    PropertyDef def = indexed(type, name);
    return new Filter(name, op, def, def == null ? Kind.NONE : kind(def), value, high, values, null);
  }

  /**
   * The definition search indexes for a name, or null. Unknown properties match nothing, and so does
   * contacts' hs_lastmodifieddate: a wrong cursor property returns zero rows silently (§2).
   */
  private static PropertyDef indexed(ObjectTypeDef type, String name) {
    if (type.name.equals("contacts") && name.equals("hs_lastmodifieddate")) {
      return null;
    }
    return type.live(name);
  }

  static Kind kind(PropertyDef def) {
    switch (def.type()) {
      case "number": return Kind.NUMBER;
      case "date":
      case "datetime": return Kind.TIME;
      case "bool": return Kind.BOOL;
      case "enumeration": return def.multiSelect() ? Kind.MULTI : Kind.ENUM;
      default: return Kind.STRING;
    }
  }

  private static double number(Kind kind, String text) {
    if (text == null) {
      return Double.NaN;
    }
    if (kind == Kind.TIME) {
      long t = Values.parseTimestamp(text);
      return t == Long.MIN_VALUE ? Double.NaN : t;
    }
    if (kind == Kind.NUMBER) {
      try {
        return new BigDecimal(text.trim()).doubleValue();
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  // ---- evaluation ---------------------------------------------------------------------------------

  boolean matches(ObjectTypeDef type, long id, RecordState s, PortalState portal) {
    if (query != null && !query.isEmpty() && !textMatch(type, id, s)) {
      return false;
    }
    if (groups.isEmpty()) {
      return true;
    }
    for (List<Filter> group : groups) {
      boolean all = true;
      for (Filter f : group) {
        if (!matches(f, type, id, s, portal)) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private boolean textMatch(ObjectTypeDef type, long id, RecordState s) {
    for (String name : type.searchDefaults) {
      PropertyDef def = type.live(name);
      if (def != null && def.source() == PropertyDef.Source.STORED) {
        String v = s.value(def.slot());
        if (v != null && v.toLowerCase(Locale.ROOT).contains(query)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean matches(Filter f, ObjectTypeDef type, long id, RecordState s, PortalState portal) {
    if (f.associatedType != null) {
      var targets = portal.associations.targets(type.name, id, f.associatedType.name);
      switch (f.operator) {
        case "EQ": return f.value != null && Values.isDigits(f.value) && targets.containsKey(Long.parseLong(f.value));
        case "IN": return f.values.stream().anyMatch(v -> Values.isDigits(v) && targets.containsKey(Long.parseLong(v)));
        case "HAS_PROPERTY": return !targets.isEmpty();
        case "NOT_HAS_PROPERTY": return targets.isEmpty();
        default: return false;
      }
    }
    if (f.def == null) {
      return f.operator.equals("NOT_HAS_PROPERTY");
    }
    String raw = type.value(id, s, f.def);
    boolean has = raw != null && !raw.isEmpty();
    switch (f.operator) {
      case "HAS_PROPERTY": return has;
      case "NOT_HAS_PROPERTY": return !has;
      default: break;
    }
    if (!has) {
      return f.operator.equals("NEQ") || f.operator.equals("NOT_IN") || f.operator.equals("NOT_CONTAINS_TOKEN");
    }
    switch (f.kind) {
      case NUMBER:
      case TIME: {
        double v = f.def.source() == PropertyDef.Source.ID ? id
            : f.def.source() == PropertyDef.Source.CREATED ? s.createdAt
            : f.def.source() == PropertyDef.Source.MODIFIED ? s.updatedAt
            : number(f.kind, raw);
        if (Double.isNaN(v)) {
          return false;
        }
        switch (f.operator) {
          case "EQ": return v == f.low;
          case "NEQ": return v != f.low;
          case "LT": return v < f.low;
          case "LTE": return v <= f.low;
          case "GT": return v > f.low;
          case "GTE": return v >= f.low;
          case "BETWEEN": return v >= f.low && v <= f.high;
          case "IN": return f.values.stream().anyMatch(x -> number(f.kind, x) == v);
          case "NOT_IN": return f.values.stream().noneMatch(x -> number(f.kind, x) == v);
          default: return false;
        }
      }
      case ENUM:
      case MULTI: {
        // Enumeration values are case-sensitive (§2); a multi-select matches on any of its values.
        List<String> have = f.kind == Kind.MULTI ? List.of(raw.split(";")) : List.of(raw);
        switch (f.operator) {
          case "EQ": return have.contains(f.value);
          case "NEQ": return !have.contains(f.value);
          case "IN": return f.values.stream().anyMatch(have::contains);
          case "NOT_IN": return f.values.stream().noneMatch(have::contains);
          case "CONTAINS_TOKEN": return have.contains(f.value);
          case "NOT_CONTAINS_TOKEN": return !have.contains(f.value);
          default: return compareText(f, raw);
        }
      }
      case BOOL:
        switch (f.operator) {
          case "EQ": return raw.equalsIgnoreCase(f.value);
          case "NEQ": return !raw.equalsIgnoreCase(f.value);
          case "IN": return f.values.stream().anyMatch(raw::equalsIgnoreCase);
          case "NOT_IN": return f.values.stream().noneMatch(raw::equalsIgnoreCase);
          default: return false;
        }
      default: {
        String lower = raw.toLowerCase(Locale.ROOT);
        switch (f.operator) {
          case "EQ": return f.value != null && lower.equals(f.value.toLowerCase(Locale.ROOT));
          case "NEQ": return f.value == null || !lower.equals(f.value.toLowerCase(Locale.ROOT));
          // IN / NOT_IN on strings compare against lowercase values as given (§2 "Case handling").
          case "IN": return f.values.contains(lower);
          case "NOT_IN": return !f.values.contains(lower);
          case "CONTAINS_TOKEN": return tokenMatch(lower, f.value);
          case "NOT_CONTAINS_TOKEN": return !tokenMatch(lower, f.value);
          default: return compareText(f, lower);
        }
      }
    }
  }

  private static boolean compareText(Filter f, String raw) {
    if (f.value == null) {
      return false;
    }
    int c = raw.compareToIgnoreCase(f.value);
    switch (f.operator) {
      case "LT": return c < 0;
      case "LTE": return c <= 0;
      case "GT": return c > 0;
      case "GTE": return c >= 0;
      case "BETWEEN": return c >= 0 && f.highValue != null && raw.compareToIgnoreCase(f.highValue) <= 0;
      default: return false;
    }
  }

  private static boolean tokenMatch(String lower, String token) {
    if (token == null) {
      return false;
    }
    String t = token.toLowerCase(Locale.ROOT);
    if (t.startsWith("*") || t.endsWith("*")) {
      return lower.contains(t.replace("*", ""));
    }
    for (String word : lower.split("[^\\p{L}\\p{N}@._-]+")) {
      if (word.equals(t)) {
        return true;
      }
    }
    return false;
  }

  /** A matched record with its sort key. */
  static final class Hit {
    final long id;
    final RecordState state;
    final double number; // NaN when the record has no numeric value
    final String text;   // null when the record has no value

    Hit(long id, RecordState state, double number, String text) {
      this.id = id;
      this.state = state;
      this.number = number;
      this.text = text;
    }
  }

  Hit hit(ObjectTypeDef type, long id, RecordState s) {
    if (sortDef == null) {
      return new Hit(id, s, Double.NaN, null);
    }
    switch (sortDef.source()) {
      case ID: return new Hit(id, s, id, null);
      case CREATED: return new Hit(id, s, s.createdAt, null);
      case MODIFIED: return new Hit(id, s, s.updatedAt, null);
      default: break;
    }
    String raw = s.value(sortDef.slot());
    if (raw == null || raw.isEmpty()) {
      return new Hit(id, s, Double.NaN, null);
    }
    if (sortKind == Kind.NUMBER || sortKind == Kind.TIME) {
      return new Hit(id, s, number(sortKind, raw), null);
    }
    return new Hit(id, s, Double.NaN, raw.toLowerCase(Locale.ROOT));
  }

  /** Sort property order (records without a value last), ties broken by ascending id. */
  Comparator<Hit> order() {
    boolean numeric = sortKind == Kind.NUMBER || sortKind == Kind.TIME;
    Comparator<Hit> byKey = (a, b) -> {
      boolean aNull = numeric ? Double.isNaN(a.number) : a.text == null;
      boolean bNull = numeric ? Double.isNaN(b.number) : b.text == null;
      if (aNull || bNull) {
        return aNull == bNull ? 0 : aNull ? 1 : -1;
      }
      int c = numeric ? Double.compare(a.number, b.number) : a.text.compareTo(b.text);
      return descending ? -c : c;
    };
    return byKey.thenComparingLong(h -> h.id);
  }
}
