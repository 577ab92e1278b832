package dev.hubspotsync.testkit.internal;

import java.util.List;

/**
 * One property definition of an object type, as the properties API describes it (hubspot-api.md §5).
 * Immutable: a type change or an archive replaces the definition, keeping its storage slot.
 */
public record PropertyDef(
    String name,
    String label,
    String type,
    String fieldType,
    String groupName,
    List<Option> options,
    boolean calculated,
    boolean hubspotDefined,
    boolean hasUniqueValue,
    /* some calculated datetimes are served as epoch-ms strings, not ISO (§5 caveat) */
    boolean epochMillisFormat,
    Source source,
    int slot,
    int displayOrder,
    long createdAt,
    long updatedAt,
    long archivedAt) {

  /** Where a value comes from: most are stored; a few are derived from the record itself. */
  public enum Source { STORED, ID, CREATED, MODIFIED }

  public record Option(String label, String value, int displayOrder) {}

  public boolean archived() {
    return archivedAt > 0;
  }

  public boolean multiSelect() {
    return "enumeration".equals(type) && "checkbox".equals(fieldType);
  }

  public PropertyDef archivedAt(long when) {
    return new PropertyDef(name, label, type, fieldType, groupName, options, calculated, hubspotDefined,
        hasUniqueValue, epochMillisFormat, source, slot, displayOrder, createdAt, when, when);
  }

  public PropertyDef restored(long when) {
    return new PropertyDef(name, label, type, fieldType, groupName, options, calculated, hubspotDefined,
        hasUniqueValue, epochMillisFormat, source, slot, displayOrder, createdAt, when, 0);
  }

  public PropertyDef retyped(String newType, String newFieldType, long when) {
    return new PropertyDef(name, label, newType, newFieldType, groupName, options, calculated, hubspotDefined,
        hasUniqueValue, false, source, slot, displayOrder, createdAt, when, archivedAt);
  }
}
