package dev.hubspotsync.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The change journal's endpoints over {@link JournalState} (hubspot-api.md §10.4, hubspot-journal.md
 * §1–3): the subscriptions API, the journal reads (one pointer {@code {url, expiresAt, currentOffset}}
 * or a batch of them; 204 when there is nothing; 404 for an offset unknown or past retention) and the
 * file downloads behind pre-signed URLs, which answer like S3 (XML errors, no Authorization).
 */
final class JournalApi {
  /** The documented scope names (hubspot-journal.md §4); the spec's names are accepted as well. */
  static final String READ_SCOPE = "developer.webhooks_journal.read";
  static final String SUBSCRIPTIONS_READ_SCOPE = "developer.webhooks_journal.subscriptions.read";
  static final String SUBSCRIPTIONS_WRITE_SCOPE = "developer.webhooks_journal.subscriptions.write";
  static final List<String> READ = List.of(READ_SCOPE, "webhooks-journal-data-access");
  static final List<String> SUBSCRIPTIONS_READ = List.of(SUBSCRIPTIONS_READ_SCOPE, SUBSCRIPTIONS_WRITE_SCOPE,
      "webhooks-journal-subscription-read", "webhooks-journal-subscription-management");
  static final List<String> SUBSCRIPTIONS_WRITE = List.of(SUBSCRIPTIONS_WRITE_SCOPE, "webhooks-journal-subscription-management");
  /** Where the portal serves journal files; in HubSpot they sit on S3 behind pre-signed links. */
  static final String FILES = "webhooks-journal-files";
  /** The batch reads take 1 to 100 entries (hubspot-journal.md §3). */
  private static final int MAX_BATCH = 100;

  record Reply(int status, String contentType, byte[] body) {}

  private static final String JSON = "application/json;charset=utf-8";
  private static final Reply NO_CONTENT = new Reply(204, JSON, new byte[0]);

  private final PortalState portal;
  private final JournalState journal;
  private final String baseUrl;
  private final long portalId;

  JournalApi(PortalState portal, String baseUrl) {
    this.portal = portal;
    this.journal = portal.journal;
    this.baseUrl = baseUrl;
    this.portalId = portal.spec.portalId();
  }

  // ---- reads ------------------------------------------------------------------------------------------

  /** {@code params}: the operation, then its path arguments (offset, count). */
  Reply read(List<String> params, Map<String, String> query, byte[] body, long now) {
    String installPortalId = query.get("installPortalId");
    if (installPortalId != null && !installPortalId.equals(Long.toString(portalId))) {
      throw ApiError.of(403, "FORBIDDEN", "The app is not installed in portal " + installPortalId
          + " (installPortalId); this portal is " + portalId + ".");
    }
    String op = params.get(0);
    switch (op) {
      case "earliest": return pointer(journal.earliest(now), now);
      case "latest": return pointer(journal.latest(now), now);
      case "next": {
        List<JournalState.Entry> next = after(params.get(1), 1, now);
        return next.isEmpty() ? NO_CONTENT : pointer(next.get(0), now);
      }
      case "batch-earliest": return batch(journal.firstN(now, count(params.get(1))), now);
      case "batch-latest": return batch(journal.lastN(now, count(params.get(1))), now);
      case "batch-next": return batch(after(params.get(1), count(params.get(2)), now), now);
      case "batch-read": return batchRead(body, now);
      default: throw new IllegalStateException("unrouted journal read " + params);
    }
  }

  private List<JournalState.Entry> after(String offset, int count, long now) {
    List<JournalState.Entry> out = journal.after(offset, count, now);
    if (out == null) {
      throw ApiError.of(404, "OBJECT_NOT_FOUND", "Journal offset " + offset + " has expired or does not exist. Entries "
          + "are kept for 3 days; start again from the latest (or earliest) entry.");
    }
    return out;
  }

  private static int count(String text) {
    if (!Values.isDigits(text) || text.length() > 9 || Integer.parseInt(text) < 1 || Integer.parseInt(text) > MAX_BATCH) {
      throw ApiError.validation("count must be between 1 and " + MAX_BATCH + " (was " + text + ").");
    }
    return Integer.parseInt(text);
  }

  private Reply pointer(JournalState.Entry e, long now) {
    return e == null ? NO_CONTENT : new Reply(200, JSON, Api.json(pointerJson(e, now)));
  }

  private Map<String, Object> pointerJson(JournalState.Entry e, long now) {
    long expiresAt = now + journal.urlLifetimeMillis();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("url", baseUrl + "/" + FILES + "/" + e.offset() + ".json?expiresAt=" + expiresAt + "&signature="
        + journal.signature(e.offset(), expiresAt));
    m.put("expiresAt", Values.isoMillis(expiresAt));
    m.put("currentOffset", e.offset());
    return m;
  }

  private Reply batch(List<JournalState.Entry> entries, long now) {
    if (entries.isEmpty()) {
      return NO_CONTENT;
    }
    return new Reply(200, JSON, Api.json(batchJson(entries, List.of(), now)));
  }

  private Map<String, Object> batchJson(List<JournalState.Entry> entries, List<String> missing, long now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", "COMPLETE");
    List<Object> results = new ArrayList<>();
    entries.forEach(e -> results.add(pointerJson(e, now)));
    m.put("results", results);
    if (!missing.isEmpty()) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("status", "error");
      error.put("category", "OBJECT_NOT_FOUND");
      error.put("message", "Some journal offsets have expired or do not exist.");
      error.put("context", Map.of("offsets", missing));
      m.put("numErrors", 1);
      m.put("errors", List.of(error));
    }
    m.put("startedAt", Values.isoMillis(now));
    m.put("completedAt", Values.isoMillis(now));
    return m;
  }

  /** {@code POST …/batch/read}: fresh URLs for named offsets; the ones it cannot serve go in {@code errors} (207). */
  private Reply batchRead(byte[] body, long now) {
    JsonNode inputs = Api.parseJson(body).path("inputs");
    if (!inputs.isArray() || inputs.isEmpty() || inputs.size() > MAX_BATCH) {
      throw ApiError.validation("inputs must be an array of 1 to " + MAX_BATCH + " offsets.");
    }
    List<JournalState.Entry> found = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (JsonNode in : inputs) {
      JournalState.Entry e = journal.entry(in.asText(), now);
      if (e == null) {
        missing.add(in.asText());
      } else {
        found.add(e);
      }
    }
    return new Reply(missing.isEmpty() ? 200 : 207, JSON, Api.json(batchJson(found, missing, now)));
  }

  // ---- files ------------------------------------------------------------------------------------------

  /** A file by its pre-signed URL: 403 when the signature does not match or the URL expired, 404 when gone. */
  Reply file(String name, Map<String, String> query, long now) {
    String offset = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    String expires = query.getOrDefault("expiresAt", "");
    if (!Values.isDigits(expires) || !journal.signature(offset, Long.parseLong(expires)).equals(query.get("signature"))) {
      return s3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    }
    if (now >= Long.parseLong(expires)) {
      return s3Error(403, "AccessDenied", "Request has expired");
    }
    JournalState.Entry e = journal.entry(offset, now);
    if (e == null) {
      return s3Error(404, "NoSuchKey", "The specified key does not exist.");
    }
    return new Reply(200, JSON, e.file());
  }

  private static Reply s3Error(int status, String code, String message) {
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
        + "</Message></Error>";
    return new Reply(status, "application/xml", xml.getBytes(StandardCharsets.UTF_8));
  }

  // ---- subscriptions -------------------------------------------------------------------------------------

  /** The scopes a subscriptions call needs (object read scopes are checked on the body of a create). */
  static List<String> subscriptionScopes(String op) {
    return op.equals("list") || op.equals("get") ? SUBSCRIPTIONS_READ : SUBSCRIPTIONS_WRITE;
  }

  Reply subscriptions(List<String> params, byte[] body, Auth.App app) {
    switch (params.get(0)) {
      case "list": return new Reply(200, JSON, Api.json(Map.of("results", journal.subscriptions())));
      case "get": {
        JournalState.Subscription s = journal.subscription(subscriptionId(params.get(1)));
        return new Reply(200, JSON, Api.json(s.json(portalId)));
      }
      case "delete":
        if (!journal.deleteSubscription(subscriptionId(params.get(1)))) {
          throw notFound(params.get(1));
        }
        return NO_CONTENT;
      case "delete-portal":
        requirePortal(params.get(1));
        journal.deleteSubscriptions();
        return NO_CONTENT;
      case "create": return new Reply(200, JSON, Api.json(upsert(Api.parseJson(body), app).json(portalId)));
      default: throw new IllegalStateException("unrouted subscriptions call " + params);
    }
  }

  private long subscriptionId(String text) {
    if (!Values.isDigits(text) || journal.subscription(Long.parseLong(text)) == null) {
      throw notFound(text);
    }
    return Long.parseLong(text);
  }

  private static ApiError notFound(String id) {
    return ApiError.of(404, "OBJECT_NOT_FOUND", "No subscription with id " + id + ".");
  }

  private void requirePortal(String text) {
    if (!text.equals(Long.toString(portalId))) {
      throw ApiError.of(403, "FORBIDDEN", "The app is not installed in portal " + text + "; this portal is " + portalId + ".");
    }
  }

  /** Validates a {@code SubscriptionUpsertRequest} strictly and creates or replaces the subscription. */
  private JournalState.Subscription upsert(JsonNode n, Auth.App app) {
    String type = n.path("subscriptionType").asText("");
    if (!JournalState.ACTIONS_BY_TYPE.containsKey(type)) {
      throw ApiError.validation("subscriptionType must be one of OBJECT, ASSOCIATION, GDPR_PRIVACY_DELETION (the types the "
          + "simulated portal models), was '" + type + "'.");
    }
    requirePortal(n.path("portalId").asText(""));
    return portal.read(() -> {
      ObjectTypeDef t = objectType(n.path("objectTypeId").asText(""));
      Set<String> actions = new LinkedHashSet<>(strings(n, "actions", true));
      List<String> wrong = actions.stream().filter(a -> !JournalState.ACTIONS_BY_TYPE.get(type).contains(a)).toList();
      if (actions.isEmpty() || !wrong.isEmpty()) {
        throw ApiError.validation("actions of a " + type + " subscription must be among "
            + JournalState.ACTIONS_BY_TYPE.get(type) + (wrong.isEmpty() ? " and not empty." : "; not " + wrong + "."));
      }
      List<List<String>> scopes = new ArrayList<>();
      scopes.add(List.of(t.readScope));
      List<String> properties = List.of();
      List<String> associated = List.of();
      if (type.equals("OBJECT")) {
        properties = strings(n, "properties", true);
        List<String> unknown = properties.stream().filter(p -> t.live(p) == null).toList();
        if (!unknown.isEmpty()) {
          throw ApiError.validation("Unknown properties of " + t.name + " (" + t.objectTypeId + "): " + unknown + ".");
        }
      }
      if (type.equals("ASSOCIATION")) {
        associated = strings(n, "associatedObjectTypeIds", true);
        if (associated.isEmpty()) {
          throw ApiError.validation("associatedObjectTypeIds must name at least one object type.");
        }
        for (String other : associated) {
          ObjectTypeDef o = objectType(other);
          if (!portal.associations.knows(t.name, o.name)) {
            throw ApiError.validation("There are no associations between " + t.objectTypeId + " and " + other + ".");
          }
          scopes.add(List.of(o.readScope));
        }
      }
      Auth.requireScopes(app, scopes);
      Set<Long> objectIds = new LinkedHashSet<>();
      for (String id : strings(n, "objectIds", false)) {
        if (!Values.isDigits(id)) {
          throw ApiError.validation("objectIds must be numbers; got '" + id + "'.");
        }
        objectIds.add(Long.parseLong(id));
      }
      return journal.upsert(type, t.objectTypeId, actions, properties, objectIds, associated);
    });
  }

  /** An objectTypeId ({@code 0-1}, {@code 2-…}); names are refused, as HubSpot's field is an id. */
  private ObjectTypeDef objectType(String id) {
    ObjectTypeDef t = portal.findType(id);
    if (t == null || !t.objectTypeId.equals(id)) {
      throw ApiError.validation("objectTypeId '" + id + "' is not an object type id of this portal (e.g. 0-1 for contacts).");
    }
    return t;
  }

  private static List<String> strings(JsonNode n, String field, boolean required) {
    JsonNode a = n.path(field);
    if (a.isMissingNode() && !required) {
      return List.of();
    }
    if (!a.isArray()) {
      throw ApiError.validation(field + " is required and must be an array.");
    }
    List<String> out = new ArrayList<>();
    a.forEach(v -> out.add(v.asText()));
    return out;
  }
}
