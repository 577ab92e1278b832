package dev.hubspotsync.schema;

import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.client.PropertyDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How an object type's live HubSpot properties differ from the columns a sink has stored for it
 * (DESIGN.md invariant 5: columns are only added). Applying a drift adds the {@link #added} columns
 * and converts the {@link #converted} ones (legacy {@code DECIMAL} number columns become
 * {@code DOUBLE}), and nothing else: {@link #removed} columns stay in the table, {@link #retyped}
 * columns keep their type, and {@link #columnsAfter()} is the table's mapping afterwards.
 *
 * <p>An immutable value: the lists are unmodifiable copies, and no component is null. Thread-safe.
 *
 * @param objectType the object type the drift is for, e.g. {@code contacts}
 * @param added properties with no column yet, with the column names the {@link ColumnNamer} chose,
 *     in sorted property-name order
 * @param removed stored columns whose property is no longer live, in stored order; the columns stay
 * @param retyped stored columns whose property now maps to another {@link ColumnType}, in stored order
 * @param stored the sink's stored mapping the drift was found against, in column order
 * @param converted stored {@link ColumnType#DECIMAL} columns (how number properties were stored
 *     before numbers became doubles), each with its new type {@link ColumnType#DOUBLE}, in stored
 *     order; {@link dev.hubspotsync.sink.WarehouseSink#evolve} converts them
 */
public record SchemaDrift(String objectType, List<ColumnMapping> added, List<ColumnMapping> removed,
    List<TypeChange> retyped, List<ColumnMapping> stored, List<ColumnMapping> converted) {

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_]+");

  /**
   * A property whose HubSpot type now maps to another column type than the stored column's: the
   * column keeps its type; values that do not fit are kept as unparsed text.
   *
   * @param property the HubSpot property name
   * @param column the column that holds it
   * @param stored the column's type, which stays
   * @param current the type the property's HubSpot type maps to now
   * @param hubspotType the property's HubSpot type now ({@code string}, {@code number}, …)
   */
  public record TypeChange(String property, String column, ColumnType stored, ColumnType current,
      String hubspotType) {

    public TypeChange {
      Objects.requireNonNull(property, "property");
      Objects.requireNonNull(column, "column");
      Objects.requireNonNull(stored, "stored");
      Objects.requireNonNull(current, "current");
    }
  }

  /** Copies the lists, so the drift stays as it was made; no argument may be null. */
  public SchemaDrift {
    Objects.requireNonNull(objectType, "objectType");
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    retyped = List.copyOf(retyped);
    stored = List.copyOf(stored);
    converted = List.copyOf(converted);
  }

  /** A drift that converts no column. */
  public SchemaDrift(String objectType, List<ColumnMapping> added, List<ColumnMapping> removed,
      List<TypeChange> retyped, List<ColumnMapping> stored) {
    this(objectType, added, removed, retyped, stored, List.of());
  }

  /**
   * Diffs the portal's live properties against the sink's stored mapping: added = properties with
   * no column yet (named by {@code namer}); removed = stored columns whose property is no longer
   * among the live ones (the column stays); retyped = stored columns whose property maps to a
   * different {@link ColumnType} now; converted = stored {@link ColumnType#DECIMAL} columns, which
   * become {@link ColumnType#DOUBLE} whatever their property's type (HubSpot numbers are doubles), and
   * are compared with the live type as DOUBLE.
   *
   * <p>A live property flagged {@code archived} counts as gone: it gets no new column, and its stored
   * column is reported as removed. A property that comes back keeps its stored column.
   */
  public static SchemaDrift analyze(String objectType, List<PropertyDefinition> live,
      List<ColumnMapping> stored, ColumnNamer namer) {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(live, "live");
    Objects.requireNonNull(stored, "stored");
    Objects.requireNonNull(namer, "namer");
    Map<String, PropertyDefinition> liveByName = new LinkedHashMap<>();
    for (PropertyDefinition property : live) {
      if (!property.archived()) {
        liveByName.putIfAbsent(Objects.requireNonNull(property.name(), "property name"), property);
      }
    }
    List<ColumnMapping> all = namer.assign(new ArrayList<>(liveByName.values()), stored);
    List<ColumnMapping> added = all.subList(stored.size(), all.size());
    List<ColumnMapping> removed = new ArrayList<>();
    List<TypeChange> retyped = new ArrayList<>();
    List<ColumnMapping> converted = new ArrayList<>();
    for (ColumnMapping column : stored) {
      ColumnMapping mapping = column;
      if (column.type() == ColumnType.DECIMAL) {
        mapping = new ColumnMapping(column.property(), column.column(), ColumnType.DOUBLE);
        converted.add(mapping);
      }
      PropertyDefinition property = liveByName.get(mapping.property());
      if (property == null) {
        removed.add(mapping);
        continue;
      }
      ColumnType current = ColumnType.forHubSpotType(property.type());
      if (current != mapping.type()) {
        retyped.add(new TypeChange(mapping.property(), mapping.column(), mapping.type(), current, property.type()));
      }
    }
    return new SchemaDrift(objectType, added, removed, retyped, stored, converted);
  }

  /**
   * The stored {@link ColumnType#DECIMAL} columns that a batch has as {@link ColumnType#DOUBLE}, as
   * DOUBLE mappings in stored order: what a sink converts (with {@code evolve}) before writing the
   * batch.
   */
  public static List<ColumnMapping> conversions(List<ColumnMapping> stored, List<Column> batchColumns) {
    Map<String, ColumnType> batchTypes = new LinkedHashMap<>();
    batchColumns.forEach(c -> batchTypes.put(c.name(), c.type()));
    List<ColumnMapping> conversions = new ArrayList<>();
    for (ColumnMapping mapping : stored) {
      if (mapping.type() == ColumnType.DECIMAL && batchTypes.get(mapping.column()) == ColumnType.DOUBLE) {
        conversions.add(new ColumnMapping(mapping.property(), mapping.column(), ColumnType.DOUBLE));
      }
    }
    return List.copyOf(conversions);
  }

  /** Whether nothing was added, removed, retyped or converted. */
  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && retyped.isEmpty() && converted.isEmpty();
  }

  /**
   * Stored + added, in that order: the mapping the table has once the drift is applied. Converted
   * columns have their new type; retyped columns keep their stored type; removed ones are still there.
   */
  public List<ColumnMapping> columnsAfter() {
    Map<String, ColumnMapping> convertedByColumn = new LinkedHashMap<>();
    converted.forEach(c -> convertedByColumn.put(c.column(), c));
    List<ColumnMapping> columns = new ArrayList<>(stored.size() + added.size());
    stored.forEach(c -> columns.add(convertedByColumn.getOrDefault(c.column(), c)));
    columns.addAll(added);
    return List.copyOf(columns);
  }

  /**
   * Converted + added, in that order: what to pass to
   * {@link dev.hubspotsync.sink.WarehouseSink#evolve} (or its {@code evolveStatements}) to apply the
   * drift. Sinks also convert a column on the first write of a batch that has it as the new type.
   */
  public List<ColumnMapping> evolveColumns() {
    List<ColumnMapping> columns = new ArrayList<>(converted.size() + added.size());
    columns.addAll(converted);
    columns.addAll(added);
    return List.copyOf(columns);
  }

  /**
   * One line per change for logs and reports, each starting with the object type, e.g.
   * <pre>
   * contacts: added favorite_food (TEXT)
   * contacts: removed old_field (column kept)
   * contacts: nps_score changed to string (column stays DOUBLE)
   * contacts: amount converted from DECIMAL to DOUBLE
   * </pre>
   * A property whose column has another name is shown as {@code "First Name" as first_name}. Names
   * that are not plain identifiers are quoted, with control and invisible formatting characters
   * escaped, so a hostile property name cannot forge or hide log lines. An empty drift gives
   * {@code "contacts: no schema changes"}.
   */
  public String describe() {
    String prefix = display(objectType) + ": ";
    if (isEmpty()) {
      return prefix + "no schema changes";
    }
    List<String> lines = new ArrayList<>();
    for (ColumnMapping mapping : added) {
      lines.add(prefix + "added " + subject(mapping.property(), mapping.column()) + " (" + mapping.type() + ")");
    }
    for (ColumnMapping mapping : removed) {
      lines.add(prefix + "removed " + subject(mapping.property(), mapping.column()) + " (column kept)");
    }
    for (TypeChange change : retyped) {
      lines.add(prefix + subject(change.property(), change.column()) + " changed to "
          + display(String.valueOf(change.hubspotType())) + " (column stays " + change.stored() + ")");
    }
    for (ColumnMapping mapping : converted) {
      lines.add(prefix + subject(mapping.property(), mapping.column()) + " converted from "
          + ColumnType.DECIMAL + " to " + mapping.type());
    }
    return String.join("\n", lines);
  }

  private static String subject(String property, String column) {
    return property.equals(column) ? display(column) : display(property) + " as " + display(column);
  }

  /** The name as is if it is a plain identifier, otherwise quoted with anything unprintable escaped. */
  private static String display(String name) {
    if (PLAIN.matcher(name).matches()) {
      return name;
    }
    StringBuilder out = new StringBuilder(name.length() + 2).append('"');
    name.codePoints().forEach(codePoint -> {
      int type = Character.getType(codePoint);
      if (codePoint == '"' || codePoint == '\\') {
        out.append('\\').appendCodePoint(codePoint);
      } else if (Character.isISOControl(codePoint) || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT
          || type == Character.SURROGATE || type == Character.UNASSIGNED) {
        out.append(String.format("\\u%04X", codePoint));
      } else {
        out.appendCodePoint(codePoint);
      }
    });
    return out.append('"').toString();
  }
}
