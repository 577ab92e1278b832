package dev.hubspotsync.testkit.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An object type of the portal with its property definitions and records. Mutated only under the
 * portal's write lock.
 */
public final class ObjectTypeDef {
  final String name;           // plural path name: contacts, companies, …, or the custom object's name
  final String singular;       // contact, company, … (used in HubSpot's messages)
  final String objectTypeId;   // 0-1, 0-2, …, 2-<n> for custom objects (hubspot-api.md §1)
  final String fullyQualifiedName; // p<portalId>_<name> for custom objects, else null
  final boolean custom;
  final String modifiedProperty;   // contacts: lastmodifieddate; others: hs_lastmodifieddate (§2)
  final String createdProperty;    // createdate, or hs_createdate for engagements and custom objects
  final List<String> listDefaults;   // returned when `properties` is omitted (§1)
  final List<String> searchDefaults; // returned by search when `properties` is omitted (§2)
  final String readScope;
  final String schemaScope;
  final String primaryDisplayProperty;
  final long schemaCreatedAt;

  final Map<String, PropertyDef> properties = new LinkedHashMap<>();
  final TreeMap<Long, StoredRecord> records = new TreeMap<>();
  /** merged-away id → surviving id (§8 Merges). */
  final Map<Long, Long> mergedInto = new HashMap<>();
  /** unique-value property name → value → id, for batch read with idProperty (§3). */
  final Map<String, Map<String, Long>> uniqueIndex = new HashMap<>();
  int nextSlot;
  /** Resolved projections, interned so serialized records can be cached per projection. */
  private final Map<List<String>, PropertyDef[]> projections = new java.util.concurrent.ConcurrentHashMap<>();

  ObjectTypeDef(String name, String singular, String objectTypeId, String fullyQualifiedName,
      String modifiedProperty, String createdProperty, List<String> listDefaults, List<String> searchDefaults,
      String readScope, String schemaScope, String primaryDisplayProperty, long schemaCreatedAt) {
    this.name = name;
    this.singular = singular;
    this.objectTypeId = objectTypeId;
    this.fullyQualifiedName = fullyQualifiedName;
    this.custom = objectTypeId.startsWith("2-");
    this.modifiedProperty = modifiedProperty;
    this.createdProperty = createdProperty;
    this.listDefaults = listDefaults;
    this.searchDefaults = searchDefaults;
    this.readScope = readScope;
    this.schemaScope = schemaScope;
    this.primaryDisplayProperty = primaryDisplayProperty;
    this.schemaCreatedAt = schemaCreatedAt;
  }

  public String name() {
    return name;
  }

  public String objectTypeId() {
    return objectTypeId;
  }

  PropertyDef add(PropertyDef.Source source, String name, String label, String type, String fieldType,
      String group, List<PropertyDef.Option> options, boolean calculated, boolean hubspotDefined,
      boolean unique, boolean epochMillis, long createdAt) {
    int slot = source == PropertyDef.Source.STORED ? nextSlot++ : -1;
    PropertyDef def = new PropertyDef(name, label, type, fieldType, group, options == null ? List.of() : options,
        calculated, hubspotDefined, unique, epochMillis, source, slot, properties.size(), createdAt, createdAt, 0);
    properties.put(name, def);
    schemaChanged();
    if (unique && source == PropertyDef.Source.STORED) {
      uniqueIndex.put(name, new HashMap<>());
    }
    return def;
  }

  /** Replaces a definition (archive, type change); drops interned projections. */
  void replace(PropertyDef def) {
    properties.put(def.name(), def);
    schemaChanged();
  }

  private void schemaChanged() {
    projections.clear();
  }

  /** A live (not archived) property, or null. */
  PropertyDef live(String propertyName) {
    PropertyDef def = properties.get(propertyName);
    return def == null || def.archived() ? null : def;
  }

  Collection<PropertyDef> liveProperties() {
    List<PropertyDef> out = new ArrayList<>();
    for (PropertyDef def : properties.values()) {
      if (!def.archived()) {
        out.add(def);
      }
    }
    return out;
  }

  /**
   * Resolves a requested property list to definitions; unknown names are silently ignored, as
   * HubSpot does (§1). The created, modified and id properties always come along.
   */
  PropertyDef[] projection(List<String> requested, boolean search) {
    List<String> key = new ArrayList<>(requested == null ? List.of() : requested);
    key.add(search ? "\u0000search" : "\u0000list");
    if (projections.size() > 1000) {
      projections.clear();
    }
    return projections.computeIfAbsent(key, k -> resolve(requested, search));
  }

  private PropertyDef[] resolve(List<String> requested, boolean search) {
    LinkedHashMap<String, PropertyDef> out = new LinkedHashMap<>();
    List<String> names = requested == null || requested.isEmpty()
        ? (search ? searchDefaults : listDefaults) : requested;
    for (String n : names) {
      PropertyDef def = live(n.trim());
      if (def != null) {
        out.put(def.name(), def);
      }
    }
    for (String always : List.of(createdProperty, modifiedProperty, "hs_object_id")) {
      PropertyDef def = live(always);
      if (def != null) {
        out.putIfAbsent(always, def);
      }
    }
    return out.values().toArray(new PropertyDef[0]);
  }

  /** The value HubSpot would serve for one property of one record version. */
  String value(long id, RecordState state, PropertyDef def) {
    switch (def.source()) {
      case ID:
        return Long.toString(id);
      case CREATED:
        return state.createdIso();
      case MODIFIED:
        return state.updatedIso();
      default:
        return state.value(def.slot());
    }
  }
}
