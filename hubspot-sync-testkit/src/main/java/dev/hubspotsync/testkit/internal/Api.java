package dev.hubspotsync.testkit.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * The HubSpot endpoints over {@link PortalState}: each takes a parsed request and returns the JSON
 * HubSpot would. Sections of hubspot-api.md are cited where a quirk is reproduced.
 */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();
  /** Search never pages past 10,000 results (§2). */
  static final int SEARCH_CAP = 10_000;
  /** Inline association lists page per record past 100 (changelog, Jan 2021; §1). */
  private static final int INLINE_PAGE = 100;

  private final PortalState portal;
  private final String baseUrl;

  Api(PortalState portal, String baseUrl) {
    this.portal = portal;
    this.baseUrl = baseUrl;
  }

  /** Writes a response through {@code g}; raw pre-serialized JSON may go to {@code out} after {@code g.flush()}. */
  interface Body {
    void write(JsonGenerator g, OutputStream out) throws IOException;
  }

  static byte[] json(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ObjectTypeDef type(String segment) {
    ObjectTypeDef t = portal.findType(segment);
    if (t == null) {
      throw ApiError.of(404, "OBJECT_NOT_FOUND", "Unable to infer object type from: " + segment);
    }
    return t;
  }

  // ---- list: GET /crm/v3/objects/{type} (§1) -------------------------------------------------------

  /** One page; {@code version} is the path's ({@code v3} or a date), which the next page's link keeps. */
  byte[] list(ObjectTypeDef t, Map<String, String> q, String version) {
    int limit = intParam(q, "limit", 10);
    List<String> history = csv(q.get("propertiesWithHistory"));
    int max = history.isEmpty() ? 100 : 50; // §1: propertiesWithHistory lowers the page to 50
    if (limit < 1 || limit > max) {
      throw ApiError.validation("limit must be between 1 and " + max + (history.isEmpty() ? "" : " when propertiesWithHistory is requested") + " (was " + limit + ").");
    }
    long floor = decodeCursor(q.get("after"));
    boolean archived = "true".equalsIgnoreCase(q.get("archived"));
    List<String> props = csv(q.get("properties"));
    List<ObjectTypeDef> inline = inlineAssociationTypes(q.get("associations"));
    return portal.read(() -> {
      long now = portal.now();
      PropertyDef[] projection = t.projection(props, false);
      PropertyDef[] historyDefs = history.isEmpty() ? NO_HISTORY : t.projection(history, false);
      List<StoredRecord> page = new ArrayList<>(limit);
      Long next = null;
      for (StoredRecord r : t.records.tailMap(floor, true).values()) {
        RecordState s = r.current();
        if (s.archived() != archived || PortalState.purged(s, now)) {
          continue;
        }
        if (page.size() == limit) {
          next = r.id;
          break;
        }
        page.add(r);
      }
      Long nextId = next;
      return json((g, out) -> {
        g.writeStartObject();
        g.writeArrayFieldStart("results");
        g.flush();
        for (int i = 0; i < page.size(); i++) {
          StoredRecord r = page.get(i);
          writeRaw(out, i, recordJson(t, r.id, r.current(), projection, historyDefs, inline));
        }
        g.writeEndArray();
        if (nextId != null) {
          String cursor = encodeCursor(nextId);
          g.writeObjectFieldStart("paging");
          g.writeObjectFieldStart("next");
          g.writeStringField("after", cursor);
          g.writeStringField("link", baseUrl + (version.startsWith("v") ? "/crm/v3/objects/" : "/crm/objects/" + version + "/")
              + t.name + "?after=" + urlEncode(cursor));
          g.writeEndObject();
          g.writeEndObject();
        }
        g.writeEndObject();
      });
    });
  }

  /**
   * {@code associations=} on the list endpoint. Unknown types fail the call with HubSpot's "Unable to
   * infer object type" 400 (hubspot-api-php#128 shows {@code associations=false} doing exactly that).
   */
  private List<ObjectTypeDef> inlineAssociationTypes(String param) {
    List<ObjectTypeDef> out = new ArrayList<>();
    for (String name : csv(param)) {
      ObjectTypeDef t = portal.findType(name);
      if (t == null) {
        throw ApiError.validation("Unable to infer object type from: " + name);
      }
      out.add(t);
    }
    return out;
  }

  // ---- get one: GET /crm/v3/objects/{type}/{id} ---------------------------------------------------

  byte[] get(ObjectTypeDef t, String idText, Map<String, String> q) {
    boolean archived = "true".equalsIgnoreCase(q.get("archived"));
    List<String> props = csv(q.get("properties"));
    return portal.read(() -> {
      StoredRecord r = resolve(t, idText, q.get("idProperty"), archived);
      if (r == null) {
        throw ApiError.of(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.");
      }
      return recordJson(t, r.id, r.current(), t.projection(props, false), NO_HISTORY, List.of());
    });
  }

  // ---- search: POST /crm/v3/objects/{type}/search (§2) -----------------------------------------------

  byte[] search(ObjectTypeDef t, byte[] body) {
    // §2: a request body over 3,000 characters is rejected.
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.length() > 3000) {
      throw ApiError.validation("The request body is " + text.length()
          + " characters long; search requests are limited to 3000 characters.");
    }
    JsonNode node = parseJson(body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body);
    return portal.read(() -> {
      SearchQuery query = SearchQuery.parse(node, t, portal);
      if (query.after >= SEARCH_CAP) {
        // §2: paging past 10,000 results is a 400 even with a small limit (hubspot-api-nodejs#132).
        throw ApiError.validation("The search API returns at most " + SEARCH_CAP
            + " results per query; after=" + query.after + " is past that cap. Narrow the filters instead.");
      }
      long now = portal.now();
      int want = Math.min(query.after + query.limit, SEARCH_CAP);
      var order = query.order();
      long window = portal.searchOutOfOrderMillis();
      // Near now, HubSpot's search may break its own sort on the modified date (§10.2): keep every hit to reorder.
      List<SearchQuery.Hit> all = window > 0 && query.sortDef != null && query.sortDef.name().equals(t.modifiedProperty)
          ? new ArrayList<>() : null;
      // Keep the first `want` hits in a bounded heap: O(n log want), not a full sort.
      PriorityQueue<SearchQuery.Hit> top = new PriorityQueue<>(Math.max(1, want), order.reversed());
      int total = 0;
      for (StoredRecord r : t.records.values()) {
        RecordState s = r.indexed(now); // what the lagging index shows (§2)
        if (s == null || s.archived()) { // archived records never appear in search (§2)
          continue;
        }
        if (!query.matches(t, r.id, s, portal)) {
          continue;
        }
        total++;
        if (all != null) {
          all.add(query.hit(t, r.id, s));
          continue;
        }
        if (want == 0) {
          continue;
        }
        SearchQuery.Hit h = query.hit(t, r.id, s);
        if (top.size() < want) {
          top.add(h);
        } else if (order.compare(h, top.peek()) < 0) {
          top.poll();
          top.add(h);
        }
      }
      SearchQuery.Hit[] sorted;
      if (all != null) {
        all.sort(order);
        outOfOrder(all, now - window);
        sorted = all.subList(0, Math.min(all.size(), want)).toArray(new SearchQuery.Hit[0]);
      } else {
        sorted = top.toArray(new SearchQuery.Hit[0]);
        Arrays.sort(sorted, order);
      }
      int from = Math.min(query.after, sorted.length);
      List<SearchQuery.Hit> page = Arrays.asList(sorted).subList(from, sorted.length);
      PropertyDef[] projection = t.projection(query.properties, true);
      int end = query.after + page.size();
      boolean more = end < total && page.size() > 0;
      int totalHits = total;
      return json((g, out) -> {
        g.writeStartObject();
        g.writeNumberField("total", totalHits);
        g.writeArrayFieldStart("results");
        g.flush();
        for (int i = 0; i < page.size(); i++) {
          // Search results carry neither associations nor property history (§2).
          SearchQuery.Hit h = page.get(i);
          writeRaw(out, i, recordJson(t, h.id, h.state, projection, NO_HISTORY, List.of()));
        }
        g.writeEndArray();
        if (more) {
          g.writeObjectFieldStart("paging");
          g.writeObjectFieldStart("next");
          g.writeStringField("after", Integer.toString(end));
          g.writeEndObject();
          g.writeEndObject();
        }
        g.writeEndObject();
      });
    });
  }

  /**
   * Moves the hits whose indexed modified date is {@code since} or later behind the others, newest
   * first, whatever the sort's direction. (Records appear only on a later call through the index lag.)
   */
  private static void outOfOrder(List<SearchQuery.Hit> hits, long since) {
    List<SearchQuery.Hit> recent = new ArrayList<>();
    hits.removeIf(h -> h.state.updatedAt >= since && recent.add(h));
    recent.sort((a, b) -> a.state.updatedAt != b.state.updatedAt ? Long.compare(b.state.updatedAt, a.state.updatedAt)
        : Long.compare(b.id, a.id));
    hits.addAll(recent);
  }

  // ---- batch read: POST /crm/v3/objects/{type}/batch/read (§3) ----------------------------------------

  Result batchRead(ObjectTypeDef t, byte[] body, Map<String, String> q) {
    JsonNode node = parseJson(body);
    JsonNode inputs = node.path("inputs");
    if (!inputs.isArray()) {
      throw ApiError.validation("inputs is required and must be an array of {\"id\": …}.");
    }
    List<String> history = strings(node.path("propertiesWithHistory"));
    int max = history.isEmpty() ? 100 : 50;
    if (inputs.size() > max) {
      throw ApiError.validation(history.isEmpty()
          ? "Batch operations are limited to 100 inputs; got " + inputs.size() + "."
          : "The maximum number of inputs supported in a batch request for property histories is 50");
    }
    boolean archived = "true".equalsIgnoreCase(q.get("archived"));
    String idProperty = node.hasNonNull("idProperty") ? node.get("idProperty").asText() : null;
    List<String> props = strings(node.path("properties"));
    return portal.read(() -> {
      PropertyDef[] projection = t.projection(props, false);
      PropertyDef[] historyDefs = history.isEmpty() ? NO_HISTORY : t.projection(history, false);
      Map<Long, StoredRecord> found = new LinkedHashMap<>();
      List<String> missing = new ArrayList<>();
      for (JsonNode in : inputs) {
        String id = in.path("id").asText("");
        StoredRecord r = resolve(t, id, idProperty, archived);
        if (r == null) {
          missing.add(id);
        } else {
          found.putIfAbsent(r.id, r);
        }
      }
      String now = Values.isoMillis(portal.now());
      byte[] bytes = json((g, out) -> {
        g.writeStartObject();
        g.writeStringField("status", "COMPLETE"); // stays COMPLETE even with errors (§3)
        g.writeArrayFieldStart("results");
        g.flush();
        int i = 0;
        for (StoredRecord r : found.values()) {
          writeRaw(out, i++, recordJson(t, r.id, r.current(), projection, historyDefs, List.of()));
        }
        g.writeEndArray();
        if (!missing.isEmpty()) {
          g.writeNumberField("numErrors", 1);
          g.writeArrayFieldStart("errors");
          g.writeStartObject();
          g.writeStringField("status", "error");
          g.writeStringField("category", "OBJECT_NOT_FOUND");
          g.writeStringField("message", "Could not get some " + t.singular.toUpperCase(Locale.ROOT)
              + " objects, they may be deleted or not exist. Check that ids are valid.");
          g.writeObjectFieldStart("context");
          g.writeArrayFieldStart("ids");
          for (String id : missing) {
            g.writeString(id);
          }
          g.writeEndArray();
          g.writeEndObject();
          g.writeEndObject();
          g.writeEndArray();
        }
        g.writeStringField("startedAt", now);
        g.writeStringField("completedAt", now);
        g.writeEndObject();
      });
      return new Result(missing.isEmpty() ? 200 : 207, bytes);
    });
  }

  /** A record by id or unique property; merged-away ids resolve to the survivor (inference, §3). */
  private StoredRecord resolve(ObjectTypeDef t, String key, String idProperty, boolean archived) {
    Long id = null;
    if (idProperty != null && !idProperty.equals("hs_object_id")) {
      Map<String, Long> index = t.uniqueIndex.get(idProperty);
      if (index == null) {
        throw ApiError.validation(idProperty + " is not a unique-value property of " + t.name + ".");
      }
      id = index.get(key.toLowerCase(Locale.ROOT));
    } else if (Values.isDigits(key)) {
      id = Long.parseLong(key);
      id = t.mergedInto.getOrDefault(id, id);
    }
    StoredRecord r = id == null ? null : t.records.get(id);
    if (r == null || r.current().archived() != archived || PortalState.purged(r.current(), portal.now())) {
      return null;
    }
    return r;
  }

  // ---- properties: GET /crm/v3/properties/{type} (§5) ---------------------------------------------------

  byte[] properties(ObjectTypeDef t, Map<String, String> q) {
    boolean archived = "true".equalsIgnoreCase(q.get("archived"));
    return portal.read(() -> json((g, out) -> {
      g.writeStartObject();
      g.writeArrayFieldStart("results");
      for (PropertyDef def : t.properties.values()) {
        if (def.archived() == archived) {
          writeProperty(g, def);
        }
      }
      g.writeEndArray();
      g.writeEndObject();
    }));
  }

  private static void writeProperty(JsonGenerator g, PropertyDef def) throws IOException {
    g.writeStartObject();
    // Some HubSpot-defined properties carry no createdAt (§5), so clients must treat it as optional.
    if (!(def.hubspotDefined() && def.name().startsWith("hs_"))) {
      g.writeStringField("createdAt", Values.isoMillis(def.createdAt()));
    }
    g.writeStringField("updatedAt", Values.isoMillis(def.updatedAt()));
    if (def.archived()) {
      g.writeStringField("archivedAt", Values.isoMillis(def.archivedAt()));
    }
    g.writeStringField("name", def.name());
    g.writeStringField("label", def.label());
    g.writeStringField("type", def.type());
    g.writeStringField("fieldType", def.fieldType());
    g.writeStringField("description", "");
    g.writeStringField("groupName", def.groupName());
    g.writeArrayFieldStart("options");
    for (PropertyDef.Option o : def.options()) {
      g.writeStartObject();
      g.writeStringField("label", o.label());
      g.writeStringField("value", o.value());
      g.writeNumberField("displayOrder", o.displayOrder());
      g.writeBooleanField("hidden", false);
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeNumberField("displayOrder", def.displayOrder());
    g.writeBooleanField("calculated", def.calculated());
    g.writeBooleanField("externalOptions", false);
    g.writeBooleanField("archived", def.archived());
    g.writeBooleanField("hasUniqueValue", def.hasUniqueValue());
    g.writeBooleanField("hidden", false);
    if (def.hubspotDefined()) {
      g.writeBooleanField("hubspotDefined", true);
    }
    g.writeObjectFieldStart("modificationMetadata");
    g.writeBooleanField("archivable", !def.hubspotDefined());
    g.writeBooleanField("readOnlyDefinition", def.hubspotDefined());
    g.writeBooleanField("readOnlyValue", def.calculated());
    g.writeEndObject();
    g.writeBooleanField("formField", !def.calculated());
    g.writeStringField("dataSensitivity", "non_sensitive");
    g.writeEndObject();
  }

  // ---- schemas: GET /crm/v3/schemas (§5b) ----------------------------------------------------------

  byte[] schemas() {
    return portal.read(() -> json((g, out) -> {
      g.writeStartObject();
      g.writeArrayFieldStart("results");
      for (ObjectTypeDef t : portal.types()) {
        if (!t.custom) {
          continue;
        }
        g.writeStartObject();
        g.writeStringField("id", t.objectTypeId.substring(2));
        g.writeStringField("name", t.name);
        g.writeObjectFieldStart("labels");
        g.writeStringField("singular", capital(t.singular));
        g.writeStringField("plural", capital(t.name));
        g.writeEndObject();
        g.writeStringField("objectTypeId", t.objectTypeId);
        g.writeStringField("fullyQualifiedName", t.fullyQualifiedName);
        g.writeStringField("primaryDisplayProperty", t.primaryDisplayProperty);
        g.writeArrayFieldStart("requiredProperties");
        g.writeString(t.primaryDisplayProperty);
        g.writeEndArray();
        g.writeArrayFieldStart("searchableProperties");
        g.writeString(t.primaryDisplayProperty);
        g.writeEndArray();
        g.writeArrayFieldStart("secondaryDisplayProperties");
        g.writeEndArray();
        g.writeArrayFieldStart("properties");
        for (PropertyDef def : t.liveProperties()) {
          writeProperty(g, def);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("associations");
        for (String to : portal.associations.targetTypes(t.name)) {
          for (AssociationType at : portal.associations.types(t.name, to)) {
            g.writeStartObject();
            g.writeStringField("id", Integer.toString(at.typeId()));
            g.writeStringField("fromObjectTypeId", t.objectTypeId);
            g.writeStringField("toObjectTypeId", portal.findType(to).objectTypeId);
            g.writeStringField("name", at.label() == null ? t.singular + "_to_" + portal.findType(to).singular : at.label());
            g.writeEndObject();
          }
        }
        g.writeEndArray();
        g.writeStringField("description", "Subscriptions sold to customers");
        g.writeBooleanField("archived", false);
        g.writeBooleanField("allowsSensitiveProperties", false);
        g.writeStringField("createdAt", Values.isoMillis(t.schemaCreatedAt));
        g.writeStringField("updatedAt", Values.isoMillis(t.schemaCreatedAt));
        g.writeNumberField("createdByUserId", 1_234_567);
        g.writeNumberField("updatedByUserId", 1_234_567);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }));
  }

  // ---- associations v4 (§4.1, §4.4) -------------------------------------------------------------------

  Result associationsBatchRead(ObjectTypeDef from, ObjectTypeDef to, byte[] body) {
    JsonNode node = parseJson(body);
    JsonNode inputs = node.path("inputs");
    if (!inputs.isArray()) {
      throw ApiError.validation("inputs is required and must be an array of {\"id\": …}.");
    }
    if (inputs.size() > 1000) { // §4.1: reject above 1,000 inputs
      throw ApiError.validation("Batch read is limited to 1000 inputs; got " + inputs.size() + ".");
    }
    int pageSize = portal.spec.associationPageSize();
    return portal.read(() -> {
      long now = portal.now();
      List<String> none = new ArrayList<>();
      ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
      try (JsonGenerator g = FACTORY.createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("status", "COMPLETE");
        g.writeArrayFieldStart("results");
        for (JsonNode in : inputs) {
          String idText = in.path("id").asText("");
          int offset = in.hasNonNull("after") ? (int) decodeCursor(in.get("after").asText()) : 0;
          StoredRecord parent = Values.isDigits(idText) ? from.records.get(Long.parseLong(idText)) : null;
          List<Map.Entry<Long, int[]>> links = new ArrayList<>();
          if (parent != null && !parent.current().archived()) {
            for (Map.Entry<Long, int[]> e : portal.associations.targets(from.name, parent.id, to.name).entrySet()) {
              StoredRecord target = to.records.get(e.getKey());
              if (target != null && !target.current().archived() && !PortalState.purged(target.current(), now)) {
                links.add(e);
              }
            }
          }
          if (links.isEmpty() || offset >= links.size()) {
            none.add(idText);
            continue;
          }
          int end = Math.min(links.size(), offset + pageSize);
          g.writeStartObject();
          g.writeObjectFieldStart("from");
          g.writeStringField("id", idText);
          g.writeEndObject();
          g.writeArrayFieldStart("to");
          for (Map.Entry<Long, int[]> e : links.subList(offset, end)) {
            g.writeStartObject();
            g.writeNumberField("toObjectId", e.getKey()); // a JSON number beyond int32 (§4.1)
            g.writeArrayFieldStart("associationTypes");
            for (int typeId : e.getValue()) {
              writeAssociationType(g, portal.associations.type(from.name, to.name, typeId));
            }
            g.writeEndArray();
            g.writeEndObject();
          }
          g.writeEndArray();
          if (end < links.size()) { // per-record paging, only when more exists (§4.1)
            g.writeObjectFieldStart("paging");
            g.writeObjectFieldStart("next");
            g.writeStringField("after", encodeCursor(end));
            g.writeEndObject();
            g.writeEndObject();
          }
          g.writeEndObject();
        }
        g.writeEndArray();
        if (!none.isEmpty()) {
          // A parent without associations is left out of results and reported as an error (§4.1).
          g.writeNumberField("numErrors", none.size());
          g.writeArrayFieldStart("errors");
          for (String id : none) {
            g.writeStartObject();
            g.writeStringField("status", "error");
            g.writeStringField("category", "OBJECT_NOT_FOUND");
            g.writeStringField("subCategory", "crm.associations.NO_ASSOCIATIONS_FOUND");
            g.writeStringField("message", "No " + to.singular + " is associated with " + from.singular + " " + id + ".");
            g.writeObjectFieldStart("context");
            writeSingleton(g, "fromObjectId", id);
            writeSingleton(g, "fromObjectType", from.singular);
            writeSingleton(g, "toObjectType", to.singular);
            g.writeEndObject();
            g.writeEndObject();
          }
          g.writeEndArray();
        }
        String nowText = Values.isoMillis(now);
        g.writeStringField("startedAt", nowText);
        g.writeStringField("completedAt", nowText);
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Result(none.isEmpty() ? 200 : 207, out.toByteArray());
    });
  }

  byte[] associationLabels(ObjectTypeDef from, ObjectTypeDef to) {
    return portal.read(() -> json((g, out) -> {
      g.writeStartObject();
      g.writeArrayFieldStart("results");
      for (AssociationType at : portal.associations.types(from.name, to.name)) {
        writeAssociationType(g, at);
      }
      g.writeEndArray();
      g.writeEndObject();
    }));
  }

  /** {@code {category, typeId, label}}, the v4 shape of an association type (§4.1, §4.4). */
  private static void writeAssociationType(JsonGenerator g, AssociationType at) throws IOException {
    g.writeStartObject();
    g.writeStringField("category", at.category());
    g.writeNumberField("typeId", at.typeId());
    g.writeStringField("label", at.label());
    g.writeEndObject();
  }

  // ---- daily usage (§6.1) --------------------------------------------------------------------------

  // ---- record limits: GET /crm/limits/2026-09/records (§10.5) ---------------------------------------------

  /** Live records per object type: standard types with a limit, custom ones under one overall limit. */
  byte[] recordLimits() {
    return portal.read(() -> json((g, out) -> {
      long customUsage = 0;
      g.writeStartObject();
      g.writeArrayFieldStart("hubspotDefinedObjectTypes");
      for (ObjectTypeDef t : portal.types()) {
        long usage = liveCount(t);
        if (t.custom) {
          customUsage += usage;
          continue;
        }
        g.writeStartObject();
        g.writeStringField("objectTypeId", t.objectTypeId);
        g.writeStringField("pluralLabel", capital(t.name));
        g.writeStringField("singularLabel", capital(t.singular));
        g.writeNumberField("usage", usage);
        g.writeNumberField("limit", RECORD_LIMIT);
        g.writeNumberField("percentage", 100.0 * usage / RECORD_LIMIT);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("customObjectTypes");
      g.writeArrayFieldStart("byObjectType");
      for (ObjectTypeDef t : portal.types()) {
        if (t.custom) {
          g.writeStartObject();
          g.writeStringField("objectTypeId", t.objectTypeId);
          g.writeStringField("pluralLabel", capital(t.name));
          g.writeStringField("singularLabel", capital(t.singular));
          g.writeNumberField("usage", liveCount(t));
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeNumberField("overallLimit", RECORD_LIMIT);
      g.writeNumberField("overallUsage", customUsage);
      g.writeNumberField("overallPercentage", 100.0 * customUsage / RECORD_LIMIT);
      g.writeEndObject();
      g.writeEndObject();
    }));
  }

  private static long liveCount(ObjectTypeDef t) {
    return t.records.values().stream().filter(r -> r.current().archivedAt == 0).count();
  }

  /** A portal's record limit per standard type; HubSpot's depends on the subscription. */
  private static final long RECORD_LIMIT = 15_000_000;

  byte[] dailyUsage(long limit, long used, long now, long resetsAt) {
    return json((g, out) -> {
      g.writeStartObject();
      g.writeArrayFieldStart("results");
      g.writeStartObject();
      g.writeStringField("name", "private-apps-api-calls-daily");
      g.writeNumberField("usageLimit", limit);
      g.writeNumberField("currentUsage", used);
      g.writeStringField("collectedAt", Values.isoMillis(now));
      g.writeStringField("fetchStatus", "SUCCESS");
      g.writeStringField("resetsAt", Values.isoMillis(resetsAt));
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  /** The object library's switches for the activatable objects (§10.5), by objectTypeId. */
  byte[] objectLibraryEnablement(java.util.Set<String> activated) {
    return json((g, out) -> {
      g.writeStartObject();
      g.writeObjectFieldStart("enablementByObjectTypeId");
      for (String id : new java.util.TreeSet<>(dev.hubspotsync.testkit.PortalSpec.ACTIVATABLE_OBJECTS)) {
        g.writeBooleanField(id, activated.contains(id));
      }
      g.writeEndObject();
      g.writeEndObject();
    });
  }

  // ---- record serialization (§1) -----------------------------------------------------------------------

  private static final PropertyDef[] NO_HISTORY = new PropertyDef[0];
  private static final ThreadLocal<JsonBuffer> BUFFERS = ThreadLocal.withInitial(JsonBuffer::new);

  private static void writeRaw(OutputStream out, int index, byte[] json) throws IOException {
    if (index > 0) {
      out.write(',');
    }
    out.write(json);
  }

  /**
   * One record's JSON. Record states are immutable, so the bytes are cached per state for the
   * projection last used (a sync reads every page with the same one); history and inline
   * associations are written fresh.
   */
  private byte[] recordJson(ObjectTypeDef t, long id, RecordState s, PropertyDef[] projection, PropertyDef[] history,
      List<ObjectTypeDef> inline) {
    boolean cacheable = history.length == 0 && inline.isEmpty();
    byte[] cached = cacheable ? s.serialized(projection) : null;
    if (cached != null) {
      return cached;
    }
    JsonBuffer buf = BUFFERS.get();
    buf.reset();
    writeRecord(buf, t, id, s, projection, history, inline);
    byte[] json = buf.toBytes();
    if (cacheable) {
      s.serialized(projection, json);
    }
    return json;
  }

  private void writeRecord(JsonBuffer b, ObjectTypeDef t, long id, RecordState s, PropertyDef[] projection,
      PropertyDef[] history, List<ObjectTypeDef> inline) {
    String idText = Long.toString(id);
    b.raw("{\"id\":").string(idText).raw(",\"properties\":{");
    for (int i = 0; i < projection.length; i++) {
      PropertyDef def = projection[i];
      if (i > 0) {
        b.raw(',');
      }
      // A requested property without a value is JSON null (§1).
      b.field(def.name()).string(def.source() == PropertyDef.Source.ID ? idText : t.value(id, s, def));
    }
    b.raw('}');
    if (history.length > 0) {
      b.raw(",\"propertiesWithHistory\":{");
      for (int i = 0; i < history.length; i++) {
        PropertyDef def = history[i];
        String v = t.value(id, s, def);
        b.raw(i > 0 ? "," : "").field(def.name()).raw('[');
        if (v != null) {
          b.raw("{\"value\":").string(v).raw(",\"timestamp\":").string(s.updatedIso())
              .raw(",\"sourceType\":\"CRM_UI\"}");
        }
        b.raw(']');
      }
      b.raw('}');
    }
    b.raw(",\"createdAt\":").string(s.createdIso()).raw(",\"updatedAt\":").string(s.updatedIso())
        .raw(",\"archived\":").raw(s.archived() ? "true" : "false");
    if (s.archived()) {
      b.raw(",\"archivedAt\":").string(Values.isoMillis(s.archivedAt));
    }
    if (!inline.isEmpty()) {
      writeInlineAssociations(b, t, id, inline);
    }
    b.raw('}');
  }

  /**
   * Inline associations in v3 shape. A labeled link appears once per type, so one target id shows up
   * twice (e.g. {@code contact_to_company} and {@code contact_to_company_unlabeled}): callers must
   * de-duplicate (§1). Lists longer than 100 are paginated per record.
   */
  private void writeInlineAssociations(JsonBuffer b, ObjectTypeDef t, long id, List<ObjectTypeDef> inline) {
    b.raw(",\"associations\":{");
    boolean firstType = true;
    for (ObjectTypeDef to : inline) {
      TreeMap<Long, int[]> targets = portal.associations.targets(t.name, id, to.name);
      if (targets.isEmpty()) {
        continue;
      }
      boolean hasPrimary = portal.associations.types(t.name, to.name).stream().anyMatch(a -> "Primary".equals(a.label()));
      b.raw(firstType ? "" : ",").field(to.name).raw("{\"results\":[");
      firstType = false;
      int n = 0;
      rows:
      for (Map.Entry<Long, int[]> e : targets.entrySet()) {
        for (int typeId : e.getValue()) {
          if (n == INLINE_PAGE) {
            break rows;
          }
          AssociationType at = portal.associations.type(t.name, to.name, typeId);
          String base = t.singular + "_to_" + to.singular;
          String name = "Primary".equals(at.label()) ? base
              : at.label() == null ? (hasPrimary ? base + "_unlabeled" : base)
              : Integer.toString(at.typeId());
          b.raw(n++ > 0 ? "," : "").raw("{\"id\":").string(Long.toString(e.getKey())).raw(",\"type\":").string(name)
              .raw('}');
        }
      }
      b.raw(']');
      int rowCount = targets.values().stream().mapToInt(ids -> ids.length).sum();
      if (rowCount > INLINE_PAGE) {
        b.raw(",\"paging\":{\"next\":{\"after\":").string(encodeCursor(INLINE_PAGE)).raw("}}");
      }
      b.raw('}');
    }
    b.raw('}');
  }

  // ---- helpers -----------------------------------------------------------------------------------------

  record Result(int status, byte[] body) {}

  static JsonNode parseJson(byte[] body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw ApiError.validation("Invalid input JSON: expected an object.");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiError.validation("Invalid input JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int intParam(Map<String, String> q, String name, int dflt) {
    String v = q.get(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    if (!Values.isDigits(v) || v.length() > 9) {
      throw ApiError.validation("Invalid value for query parameter '" + name + "': " + v);
    }
    return Integer.parseInt(v);
  }

  static List<String> csv(String v) {
    if (v == null || v.isEmpty()) {
      return List.of();
    }
    Set<String> out = new LinkedHashSet<>();
    for (String s : v.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return new ArrayList<>(out);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      out.add(n.asText());
    }
    return out;
  }

  /** List cursors look opaque like HubSpot's (§1: base64, e.g. {@code NTI1Cg==}); plain ids are accepted too. */
  static String encodeCursor(long value) {
    return Base64.getEncoder().encodeToString((value + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  static long decodeCursor(String after) {
    if (after == null || after.isEmpty()) {
      return 0;
    }
    if (Values.isDigits(after)) {
      return Long.parseLong(after);
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(after), StandardCharsets.US_ASCII).trim();
      if (Values.isDigits(decoded)) {
        return Long.parseLong(decoded);
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw ApiError.validation("Invalid paging cursor after=" + after + "; pass paging.next.after unchanged.");
  }

  private static String urlEncode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void writeSingleton(JsonGenerator g, String name, String value) throws IOException {
    g.writeArrayFieldStart(name);
    g.writeString(value);
    g.writeEndArray();
  }

  private static String capital(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
