package dev.hubspotsync.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotApiException;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.MissingScopesException;
import dev.hubspotsync.Sleeper;
import dev.hubspotsync.ratelimit.CallKind;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.ratelimit.RateLimitHeaders;
import dev.hubspotsync.ratelimit.ThrottlePolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP client behind {@link HubSpotClient}: JDK {@code HttpClient}, Jackson, and one retry loop
 * that knows every HubSpot failure. Recovery per outcome: 429 waits as the budget says for the
 * policy; 5xx and dropped connections back off exponentially with jitter up to {@code maxAttempts};
 * a gateway timeout (504, 524) or a request timeout of our own halves what a paged or batched call
 * asks for, down to one item, without counting as an attempt, and {@link PageSizes} keeps the size
 * that worked for the endpoint and type; 401 {@code EXPIRED_AUTHENTICATION} renews the OAuth token
 * (at most twice a call); 414 is returned to the caller, which splits the property list.
 *
 * <p>The backoff is Failsafe's {@code RetryPolicy} ({@link Retries}), driven through its standalone
 * {@code Execution} rather than its executors: each outcome changes the next request (page size,
 * token, property list), and every wait goes through the injected {@link Sleeper} so tests run in
 * virtual time, where Failsafe's synchronous executor would sleep on the real clock.
 */
final class DefaultHubSpotClient implements HubSpotClient {
  private static final Logger LOG = LoggerFactory.getLogger(HubSpotClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Parent ids per association batch read: HubSpot's cap since 2025-02-10 (hubspot-api.md §10.2); callers may pass fewer. */
  private static final int ASSOCIATION_BATCH = 1_000;
  private static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
  /** Renewals of the OAuth access token one call may make on 401 EXPIRED_AUTHENTICATION. */
  private static final int MAX_RENEWALS_PER_CALL = 2;
  /** Calls whose 204 No Content is an answer (the journal: nothing new, or deleted) rather than an error. */
  private static final Set<ApiCall> NO_CONTENT_ANSWERS = EnumSet.of(ApiCall.JOURNAL,
      ApiCall.JOURNAL_SUBSCRIPTIONS);
  /** Renewals of an expired journal file URL one download may make. */
  private static final int MAX_URL_RENEWALS = 2;
  /** HubSpot refuses request lines of about 16,000 characters (414, §1); stay well below. */
  static final int MAX_PROPERTY_CHARS_IN_URL = 12_000;

  private final String baseUrl;
  private final ApiVersion api;
  private final HubSpotCredentials credentials;
  private final RateBudget budget;
  private final Clock clock;
  private final Sleeper sleeper;
  private final int maxAttempts;
  private final Retries retries;
  private final PageSizes pageSizes = new PageSizes();
  private final Duration requestTimeout;
  private final int maxThrottleWaits;
  private final HttpClient http;
  private final Object tokenLock = new Object();
  private final Map<ApiCall, LongAdder> calls = new EnumMap<>(ApiCall.class);
  private String oauthToken;
  /** When to renew the OAuth access token: before it expires, by REFRESH_MARGIN or half its life if shorter. */
  private Instant oauthRenewAt = Instant.MIN;

  DefaultHubSpotClient(String baseUrl, ApiVersion api, HubSpotCredentials credentials, RateBudget budget, Clock clock, Sleeper sleeper,
      int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout, int maxThrottleWaits) {
    this.baseUrl = baseUrl;
    this.api = api;
    this.credentials = credentials;
    this.budget = budget;
    this.clock = clock;
    this.sleeper = sleeper;
    this.maxAttempts = maxAttempts;
    this.retries = new Retries(maxAttempts, initialBackoff, maxBackoff);
    this.requestTimeout = requestTimeout;
    this.maxThrottleWaits = maxThrottleWaits;
    for (ApiCall c : ApiCall.values()) {
      calls.put(c, new LongAdder());
    }
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(20)).build();
  }

  // ---- operations ------------------------------------------------------------------------------

  @Override
  public ObjectPage listPage(String objectType, List<String> properties, int limit, String after, boolean archived) {
    if (properties.size() > 1 && enc(String.join(",", properties)).length() > MAX_PROPERTY_CHARS_IN_URL) {
      return listInParts(objectType, properties, limit, after, archived); // never send a URL HubSpot refuses
    }
    try {
      return listPageOnce(objectType, properties, limit, after, archived);
    } catch (UriTooLong e) {
      if (properties.size() < 2) {
        throw e.failure();
      }
      return listInParts(objectType, properties, limit, after, archived); // a limit lower than we knew
    }
  }

  /**
   * Fetches the property list in halves and merges the records by id: the cursor and limit are the
   * same, so each half returns the same records (§1 "URL length").
   */
  private ObjectPage listInParts(String objectType, List<String> properties, int limit, String after,
      boolean archived) {
    List<String> first = properties.subList(0, properties.size() / 2);
    List<String> second = properties.subList(properties.size() / 2, properties.size());
    LOG.debug("The property list of {} is too long for one URL ({} properties); fetching it in two parts",
        objectType, properties.size());
    ObjectPage a = listPage(objectType, first, limit, after, archived);
    ObjectPage b = listPage(objectType, second, limit, after, archived);
    return new ObjectPage(merge(a.results(), b.results()), a.nextAfter());
  }

  private ObjectPage listPageOnce(String objectType, List<String> properties, int limit, String after,
      boolean archived) {
    Shrinkable page = new Shrinkable(objectType, limit, () -> "the first record " + (after == null ? "of the list" : "after cursor " + after));
    return call(ApiCall.LIST, CallKind.STANDARD, "list " + objectType, page, pageSize -> {
      StringBuilder url = new StringBuilder(baseUrl).append(api.objects(enc(objectType)))
          .append("?limit=").append(pageSize);
      if (after != null) {
        url.append("&after=").append(enc(after));
      }
      if (!properties.isEmpty()) {
        url.append("&properties=").append(enc(String.join(",", properties)));
      }
      if (archived) {
        url.append("&archived=true");
      }
      return get(url.toString());
    }, (status, body) -> readPage(body));
  }

  @Override
  public SearchPage search(String objectType, SearchRequest request) {
    Shrinkable page = new Shrinkable(objectType, request.limit(), () -> "the search result at offset " + request.after());
    return call(ApiCall.SEARCH, CallKind.SEARCH, "search " + objectType, page, pageSize -> {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode groups = body.putArray("filterGroups");
      for (List<SearchRequest.Filter> group : request.filterGroups()) {
        ArrayNode filters = groups.addObject().putArray("filters");
        for (SearchRequest.Filter f : group) {
          ObjectNode fn = filters.addObject().put("propertyName", f.propertyName()).put("operator", f.operator());
          if (f.value() != null) {
            fn.put("value", f.value());
          }
          if (f.highValue() != null) {
            fn.put("highValue", f.highValue());
          }
          if (!f.values().isEmpty()) {
            ArrayNode vs = fn.putArray("values");
            f.values().forEach(vs::add);
          }
        }
      }
      if (request.sortProperty() != null) {
        body.putArray("sorts").addObject().put("propertyName", request.sortProperty())
            .put("direction", request.descending() ? "DESCENDING" : "ASCENDING");
      }
      ArrayNode props = body.putArray("properties");
      request.properties().forEach(props::add);
      body.put("limit", pageSize);
      body.put("after", Integer.toString(request.after()));
      return post(baseUrl + api.objects(enc(objectType)) + "/search", body.toString());
    }, (status, body) -> {
      long[] total = {0};
      AtomicReference<List<CrmRecord>> results = new AtomicReference<>(List.of());
      int[] next = {-1};
      readFields(body, (field, p) -> {
        switch (field) {
          case "total": total[0] = p.getLongValue(); return true;
          case "results": results.set(readRecords(p)); return true;
          case "paging": {
            JsonNode paging = JSON.readTree(p);
            String after = paging.path("next").path("after").asText(null);
            next[0] = after == null ? -1 : Integer.parseInt(after);
            return true;
          }
          default: return false;
        }
      });
      return new SearchPage(total[0], results.get(), next[0]);
    });
  }

  @Override
  public BatchReadResult batchRead(String objectType, Collection<Long> ids, List<String> properties, boolean archived) {
    if (ids.size() > 100) {
      throw new IllegalArgumentException("batchRead takes at most 100 ids; got " + ids.size());
    }
    List<Long> all = List.copyOf(ids);
    List<CrmRecord> found = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    String url = baseUrl + api.objects(enc(objectType)) + "/batch/read" + (archived ? "?archived=true" : "");
    for (int done = 0; done < all.size(); ) { // in parts when HubSpot times out on the whole batch
      List<Long> rest = all.subList(done, all.size());
      int[] sent = {0};
      BatchReadResult part = call(ApiCall.BATCH_READ, CallKind.STANDARD, "batch read " + objectType,
          new Shrinkable(objectType, rest.size(), () -> objectType + " id " + rest.get(0)), n -> {
            sent[0] = n;
            ObjectNode body = JSON.createObjectNode();
            ArrayNode inputs = body.putArray("inputs");
            rest.subList(0, n).forEach(id -> inputs.addObject().put("id", Long.toString(id)));
            ArrayNode props = body.putArray("properties");
            properties.forEach(props::add);
            return post(url, body.toString());
          }, (status, raw) -> readBatch(raw));
      found.addAll(part.found());
      missing.addAll(part.notFound());
      done += sent[0];
    }
    return new BatchReadResult(found, missing);
  }

  private static BatchReadResult readBatch(byte[] raw) throws IOException {
    AtomicReference<List<CrmRecord>> found = new AtomicReference<>(List.of());
    List<String> missing = new ArrayList<>();
    readFields(raw, (field, p) -> {
      if (field.equals("results")) {
        found.set(readRecords(p));
        return true;
      }
      if (field.equals("errors")) {
        for (JsonNode e : PartialFailure.check(JSON.readTree(p), "OBJECT_NOT_FOUND")) {
          e.path("context").path("ids").forEach(id -> missing.add(id.asText()));
        }
        return true;
      }
      return false;
    });
    return new BatchReadResult(found.get(), missing);
  }

  @Override
  public List<PropertyDefinition> properties(String objectType, boolean archived) {
    String url = baseUrl + api.properties(enc(objectType)) + (archived ? "?archived=true" : "");
    return call(ApiCall.PROPERTIES, CallKind.STANDARD, "properties of " + objectType, n -> get(url), (status, body) -> {
      List<PropertyDefinition> out = new ArrayList<>();
      for (JsonNode p : JSON.readTree(body).path("results")) {
        out.add(property(p));
      }
      return out;
    });
  }

  @Override
  public List<ObjectSchema> schemas() {
    return call(ApiCall.SCHEMAS, CallKind.STANDARD, "custom object schemas", n -> get(baseUrl + api.schemas()), (status, body) -> {
      List<ObjectSchema> out = new ArrayList<>();
      for (JsonNode s : JSON.readTree(body).path("results")) {
        List<PropertyDefinition> props = new ArrayList<>();
        s.path("properties").forEach(p -> props.add(property(p)));
        out.add(new ObjectSchema(s.path("objectTypeId").asText(), s.path("name").asText(),
            s.path("fullyQualifiedName").asText(null), s.path("labels").path("singular").asText(null),
            s.path("labels").path("plural").asText(null), s.path("primaryDisplayProperty").asText(null), props));
      }
      return out;
    });
  }

  @Override
  public Map<Long, List<AssociationLink>> associations(String fromType, String toType, Collection<Long> parentIds) {
    Map<Long, List<AssociationLink>> out = new LinkedHashMap<>();
    parentIds.forEach(id -> out.put(id, new ArrayList<>()));
    // Pending inputs: parent id → cursor (null for the first page of that parent).
    List<Map.Entry<Long, String>> pending = new ArrayList<>();
    out.keySet().forEach(id -> pending.add(new java.util.AbstractMap.SimpleEntry<>(id, null)));
    String url = baseUrl + api.associations(enc(fromType), enc(toType)) + "/batch/read";
    while (!pending.isEmpty()) {
      List<Map.Entry<Long, String>> batch = new ArrayList<>(pending.subList(0, Math.min(ASSOCIATION_BATCH, pending.size())));
      pending.subList(0, batch.size()).clear();
      readAssociations(fromType, toType, url, CallKind.BURST_EXEMPT, batch, out, pending);
    }
    return out;
  }

  /**
   * Reads the links of one batch of inputs (parent id and cursor) into {@code out}, adding the
   * inputs of parents with more pages to {@code pending}. Sent in parts when HubSpot times out on
   * the whole batch (the size that works is kept for the pair).
   */
  private void readAssociations(String fromType, String toType, String url, CallKind kind,
      List<Map.Entry<Long, String>> batch, Map<Long, List<AssociationLink>> out, List<Map.Entry<Long, String>> pending) {
    String pair = fromType + "→" + toType;
    for (int done = 0; done < batch.size(); ) {
      List<Map.Entry<Long, String>> rest = batch.subList(done, batch.size());
      int[] sent = {0};
      JsonNode response = call(ApiCall.ASSOCIATIONS_BATCH_READ, kind, "associations " + pair,
          new Shrinkable(pair, rest.size(), () -> "the links of " + fromType + " id " + rest.get(0).getKey()
              + (rest.get(0).getValue() != null ? " after cursor " + rest.get(0).getValue() : "")), n -> {
            sent[0] = n;
            ObjectNode body = JSON.createObjectNode();
            ArrayNode inputs = body.putArray("inputs");
            for (Map.Entry<Long, String> in : rest.subList(0, n)) {
              ObjectNode node = inputs.addObject().put("id", Long.toString(in.getKey()));
              if (in.getValue() != null) {
                node.put("after", in.getValue());
              }
            }
            return post(url, body.toString());
          }, (status, raw) -> {
            JsonNode answer = JSON.readTree(raw);
            PartialFailure.check(answer.path("errors"), "OBJECT_NOT_FOUND"); // NO_ASSOCIATIONS_FOUND: no links
            return answer;
          });
      done += sent[0];
      for (JsonNode result : response.path("results")) {
        long from = Long.parseLong(result.path("from").path("id").asText());
        List<AssociationLink> links = out.computeIfAbsent(from, k -> new ArrayList<>());
        for (JsonNode to : result.path("to")) {
          long toId = to.path("toObjectId").isNumber() ? to.path("toObjectId").asLong()
              : Long.parseLong(to.path("toObjectId").asText()); // documented as string, sent as number (§4.1)
          for (JsonNode t : to.path("associationTypes")) {
            links.add(new AssociationLink(toId, t.path("typeId").asInt(), t.path("category").asText(),
                t.path("label").isNull() ? null : t.path("label").asText(null)));
          }
        }
        String next = result.path("paging").path("next").path("after").asText(null);
        if (next != null) {
          pending.add(new java.util.AbstractMap.SimpleEntry<>(from, next));
        }
      }
    }
  }

  @Override
  public List<AssociationLabel> associationLabels(String fromType, String toType) {
    String url = baseUrl + api.associations(enc(fromType), enc(toType)) + "/labels";
    return call(ApiCall.ASSOCIATION_LABELS, CallKind.BURST_EXEMPT, "association labels " + fromType + "→" + toType, n -> get(url), (status, body) -> {
      List<AssociationLabel> out = new ArrayList<>();
      for (JsonNode t : JSON.readTree(body).path("results")) {
        out.add(new AssociationLabel(t.path("typeId").asInt(), t.path("category").asText(),
            t.path("label").isNull() ? null : t.path("label").asText(null)));
      }
      return out;
    });
  }

  @Override
  public DailyUsage dailyUsage() {
    return call(ApiCall.DAILY_USAGE, CallKind.STANDARD, "daily usage", n -> get(baseUrl + api.dailyUsage()),
        (status, body) -> {
          JsonNode r = JSON.readTree(body).path("results").path(0);
          return new DailyUsage(r.path("usageLimit").asLong(), r.path("currentUsage").asLong(),
              instant(r.path("collectedAt").asText(null)), instant(r.path("resetsAt").asText(null)));
        });
  }

  // ---- the change journal (hubspot-api.md §10.4, hubspot-journal.md) -----------------------------------

  private void requireJournalCredentials(String what) {
    if (credentials.kind() != HubSpotCredentials.Kind.OAUTH_CLIENT_CREDENTIALS) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "Cannot " + what + " with the " + credentials.describe()
          + ": HubSpot's change journal accepts only a project app's OAuth client credentials (client id and secret, no "
          + "refresh token: " + HubSpotCredentials.ENV_CLIENT_ID + " and " + HubSpotCredentials.ENV_CLIENT_SECRET + "). "
          + "Install a project app with the scopes developer.webhooks_journal.read, "
          + "developer.webhooks_journal.subscriptions.read and .write in the portal and use its credentials, or use the "
          + "polling change source.");
    }
  }

  @Override
  public List<JournalSubscription> journalSubscriptions(long portalId) {
    requireJournalCredentials("read the journal subscriptions of portal " + portalId);
    return call(ApiCall.JOURNAL_SUBSCRIPTIONS, CallKind.EXEMPT, "journal subscriptions of portal " + portalId,
        n -> get(baseUrl + api.journalSubscriptions()), (status, body) -> {
          List<JournalSubscription> out = new ArrayList<>();
          for (JsonNode s : JSON.readTree(body).path("results")) {
            JournalSubscription sub = subscription(s);
            if (sub != null && (!s.hasNonNull("portalId") || s.path("portalId").asLong() == portalId)) {
              out.add(sub);
            }
          }
          return out;
        });
  }

  @Override
  public List<JournalSubscription> ensureJournalSubscriptions(long portalId, Collection<JournalSubscription> wanted) {
    requireJournalCredentials("create journal subscriptions in portal " + portalId);
    Map<String, JournalSubscription> wishes = new LinkedHashMap<>();
    wanted.forEach(w -> wishes.merge(w.type() + " " + w.objectTypeId(), w, JournalSubscription::union));
    List<JournalSubscription> existing = journalSubscriptions(portalId);
    List<JournalSubscription> out = new ArrayList<>();
    for (JournalSubscription wish : wishes.values()) {
      JournalSubscription have = existing.stream()
          .filter(e -> e.type().equals(wish.type()) && e.objectTypeId().equals(wish.objectTypeId())).findFirst().orElse(null);
      if (have != null && have.covers(wish)) {
        out.add(have);
        continue;
      }
      // HubSpot replaces the subscription of a type and object on create: send the union, or lose the rest
      JournalSubscription target = have == null ? wish : have.union(wish);
      ObjectNode body = JSON.createObjectNode().put("subscriptionType", target.type()).put("portalId", portalId)
          .put("objectTypeId", target.objectTypeId());
      target.actions().forEach(body.putArray("actions")::add);
      target.objectIds().forEach(body.putArray("objectIds")::add);
      if (target.type().equals(JournalSubscription.OBJECT)) {
        target.properties().forEach(body.putArray("properties")::add);
      }
      if (target.type().equals(JournalSubscription.ASSOCIATION)) {
        target.associatedObjectTypeIds().forEach(body.putArray("associatedObjectTypeIds")::add);
      }
      String what = "journal subscription " + target.type() + " " + target.objectTypeId() + " in portal " + portalId;
      JournalSubscription made = call(ApiCall.JOURNAL_SUBSCRIPTIONS, CallKind.EXEMPT, what,
          n -> post(baseUrl + api.journalSubscriptions(), body.toString()), (status, raw) -> subscription(JSON.readTree(raw)));
      LOG.info("{} {} (id {})", have == null ? "Created" : "Widened", what, made == null ? "unknown" : made.id());
      out.add(made != null ? made : target);
    }
    return out;
  }

  /** A subscription as HubSpot lists it, or null when it names no type or object type. */
  private static JournalSubscription subscription(JsonNode s) {
    String type = s.path("subscriptionType").asText(null);
    String objectTypeId = s.path("objectTypeId").asText(null);
    if (type == null || objectTypeId == null) {
      return null;
    }
    Set<Long> ids = new HashSet<>();
    s.path("objectIds").forEach(id -> ids.add(id.asLong()));
    return new JournalSubscription(s.path("id").asText(null), type, objectTypeId, texts(s.path("actions")),
        texts(s.path("properties")), texts(s.path("associatedObjectTypeIds")), ids);
  }

  private static Set<String> texts(JsonNode array) {
    Set<String> out = new HashSet<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  @Override
  public Optional<JournalPointer> journalLatest(long portalId) {
    return journalEnd(portalId, "/latest", "the latest journal entry of portal " + portalId);
  }

  @Override
  public Optional<JournalPointer> journalEarliest(long portalId) {
    return journalEnd(portalId, "/earliest", "the earliest journal entry of portal " + portalId);
  }

  private Optional<JournalPointer> journalEnd(long portalId, String rest, String what) {
    requireJournalCredentials("read " + what);
    return call(ApiCall.JOURNAL, CallKind.EXEMPT, what, n -> get(baseUrl + api.journal(portalId, rest)),
        (status, body) -> status == 204 ? Optional.empty() : Optional.ofNullable(pointer(JSON.readTree(body))));
  }

  @Override
  public JournalEntries journalNext(long portalId, String offset, int max) {
    if (max < 1 || max > 100) {
      throw new IllegalArgumentException("journalNext reads 1 to 100 entries at a time; asked for " + max);
    }
    String what = "journal entries of portal " + portalId + " after offset " + offset;
    requireJournalCredentials("read " + what);
    String rest = max == 1 ? "/offset/" + enc(offset) + "/next" : "/batch/" + enc(offset) + "/next/" + max;
    try {
      return call(ApiCall.JOURNAL, CallKind.EXEMPT, what, n -> get(baseUrl + api.journal(portalId, rest)), (status, body) -> {
        if (status == 204) {
          return JournalEntries.none();
        }
        JsonNode answer = JSON.readTree(body);
        List<JournalPointer> out = new ArrayList<>();
        for (JsonNode r : answer.has("results") ? answer.path("results") : JSON.createArrayNode().add(answer)) {
          JournalPointer p = pointer(r);
          if (p != null) {
            out.add(p);
          }
        }
        return new JournalEntries(out, false);
      });
    } catch (HubSpotApiException e) {
      if (e.status() != 404) {
        throw e;
      }
      LOG.warn("HubSpot no longer knows journal offset {} of portal {} (404: older than the journal's 3-day retention, or "
          + "never issued)", offset, portalId);
      return JournalEntries.gone();
    }
  }

  @Override
  public Optional<JournalPointer> renewJournalPointer(long portalId, String offset) {
    String what = "a fresh URL for journal offset " + offset + " of portal " + portalId;
    requireJournalCredentials("read " + what);
    ObjectNode body = JSON.createObjectNode();
    body.putArray("inputs").add(offset);
    return call(ApiCall.JOURNAL, CallKind.EXEMPT, what, n -> post(baseUrl + api.journal(portalId, "/batch/read"),
        body.toString()), (status, raw) -> {
          JsonNode answer = JSON.readTree(raw);
          PartialFailure.check(answer.path("errors"), "OBJECT_NOT_FOUND"); // not found: the entry is gone
          for (JsonNode r : answer.path("results")) {
            JournalPointer p = pointer(r);
            if (p != null && p.offset().equals(offset)) {
              return Optional.of(p);
            }
          }
          return Optional.empty();
        });
  }

  /** {@code {url, expiresAt, currentOffset}}; null when it has no URL or offset (some clients read that as caught up). */
  private static JournalPointer pointer(JsonNode n) {
    String url = n.path("url").asText(null);
    String offset = n.path("currentOffset").asText(n.path("offset").asText(null));
    return url == null || offset == null ? null : new JournalPointer(offset, url, JournalFiles.instant(n.path("expiresAt")));
  }

  @Override
  public JournalFile downloadJournalFile(long portalId, JournalPointer pointer) {
    String what = "journal file " + pointer.offset() + " of portal " + portalId;
    requireJournalCredentials("download " + what);
    Retries.Attempts attempts = retries.start();
    JournalPointer current = pointer;
    int renewals = 0;
    while (true) {
      if (current.expiredAt(clock.instant())) {
        if (renewals++ >= MAX_URL_RENEWALS) {
          throw new HubSpotApiException(ErrorCode.UNEXPECTED_RESPONSE, "HubSpot renewed the URL of " + what + " "
              + MAX_URL_RENEWALS + " times, each already expired by this machine's clock: check that the clock is right.",
              true, 0, null, null, null, null);
        }
        current = renewed(portalId, current, what);
        continue;
      }
      calls.get(ApiCall.JOURNAL_FILE).increment();
      CallsOnThisThread.record(ApiCall.JOURNAL_FILE);
      // a pre-signed link: no Authorization header (it must not reach the file host), no rate budget
      HttpRequest req = HttpRequest.newBuilder(URI.create(current.url())).timeout(requestTimeout)
          .header("Accept-Encoding", "gzip").GET().build();
      HttpResponse<byte[]> response;
      try {
        response = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        Duration wait = attempts.failed();
        if (wait == null) {
          throw new HubSpotApiException(ErrorCode.HUBSPOT_UNAVAILABLE, "Could not download " + what + " after "
              + attempts.failures() + " attempts (" + e.getClass().getSimpleName() + "). Try again later; the offset stays "
              + "readable for 3 days.", true, 0, null, null, null, e);
        }
        pause("download of " + what, attempts.failures(), "connection failure (" + e.getClass().getSimpleName() + ")", wait);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HubSpotSyncException(ErrorCode.INTERRUPTED, "Interrupted during the download of " + what, false, e);
      }
      int status = response.statusCode();
      if (status == 200) {
        try {
          return JournalFiles.parse(decoded(response), current.offset());
        } catch (IOException e) {
          Duration wait = attempts.failed();
          if (wait != null) {
            pause("download of " + what, attempts.failures(), "an unreadable file", wait);
            continue;
          }
          throw new HubSpotApiException(ErrorCode.UNEXPECTED_RESPONSE, "The " + what + " could not be read "
              + attempts.failures() + " times (" + firstLine(e.getMessage()) + ").", false, status, null, null, null, e);
        }
      }
      if (status == 400 || status == 403 || status == 404 || status == 410) {
        // S3 answers an expired or refused pre-signed URL with 403: a fresh URL is the remedy
        if (renewals++ < MAX_URL_RENEWALS) {
          LOG.debug("The file host answered HTTP {} for {}; renewing its URL", status, what);
          current = renewed(portalId, current, what);
          continue;
        }
        throw new HubSpotApiException(ErrorCode.HUBSPOT_REJECTED, "The file host refused " + what + " (HTTP " + status
            + ") even with a renewed URL. HubSpot may be degraded; try again later.", false, status, null, null, null, null);
      }
      Duration wait = status >= 500 || status == 429 ? attempts.failed() : null;
      if (wait == null) {
        throw new HubSpotApiException(ErrorCode.HUBSPOT_UNAVAILABLE, "The download of " + what + " failed (last answer HTTP "
            + status + "). Try again later; the offset stays readable for 3 days.", true, status, null, null, null, null);
      }
      pause("download of " + what, attempts.failures(), "HTTP " + status, wait);
    }
  }

  private JournalPointer renewed(long portalId, JournalPointer expired, String what) {
    return renewJournalPointer(portalId, expired.offset()).orElseThrow(() -> new HubSpotApiException(
        ErrorCode.HUBSPOT_REJECTED, "The " + what + " is gone (past the journal's 3-day retention) before it was read: "
            + "catch up by polling, then read the journal again from its latest entry.", false, 404, "OBJECT_NOT_FOUND",
        null, null, null));
  }

  private static byte[] decoded(HttpResponse<byte[]> response) throws IOException {
    boolean gzip = response.headers().firstValue("Content-Encoding").map(v -> v.contains("gzip")).orElse(false);
    if (!gzip) {
      return response.body();
    }
    try (java.io.InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(response.body()))) {
      return in.readAllBytes();
    }
  }

  @Override
  public RateBudget rateBudget() {
    return budget;
  }

  @Override
  public Map<ApiCall, Long> calls() {
    Map<ApiCall, Long> out = new EnumMap<>(ApiCall.class);
    calls.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  @Override
  public Map<String, Integer> pageSizes() {
    return pageSizes.lowered();
  }

  @Override
  public void close() {
    // The JDK HttpClient of Java 17 has no close(); its threads end when it is unreachable.
  }

  @Override
  public String toString() {
    return "HubSpotClient[" + baseUrl + ", API " + api + ", " + credentials + "]";
  }

  // ---- the retry loop --------------------------------------------------------------------------------

  @FunctionalInterface
  private interface Reader<T> {
    T read(int status, byte[] body) throws IOException;
  }

  /**
   * A batch answer (200, or 207 on the legacy paths) whose {@code errors} hold more than "not found":
   * some items failed for another reason. Thrown by the reader so the whole call is tried again; the
   * items that did come back are not used, since storing them alone would lose the others silently.
   */
  private static final class PartialFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String category;

    private PartialFailure(String category, String message) {
      super(message, null, false, false);
      this.category = category;
    }

    /** The errors of category {@code notFound}; throws for the first error of any other category. */
    static List<JsonNode> check(JsonNode errors, String notFound) {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode e : errors) {
        String category = e.path("category").asText("");
        if (!category.equals(notFound)) {
          JsonNode context = e.path("context");
          throw new PartialFailure(category, (category.isEmpty() ? "an error" : category) + ": "
              + e.path("message").asText("no message") + (context.isMissingNode() ? "" : "; context " + context));
        }
        out.add(e);
      }
      return out;
    }
  }

  /** Thrown (to the operation, never to users) when a URL is too long; the operation splits. */
  private static final class UriTooLong extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient HubSpotApiException failure;

    UriTooLong(HubSpotApiException failure) {
      super(null, null, false, false);
      this.failure = failure;
    }

    HubSpotApiException failure() {
      return failure;
    }
  }

  /**
   * What a paged or batched call may shrink: the object type (or pair) whose size is remembered, the
   * size the caller wants, and what a call of one item is, for the error when even that times out.
   */
  private record Shrinkable(String type, int wanted, Supplier<String> oneItem) {}

  /** A call without pages or batches: the request does not depend on a size. */
  private <T> T call(ApiCall api, CallKind kind, String what, IntFunction<HttpRequest.Builder> request, Reader<T> reader) {
    return call(api, kind, what, (Shrinkable) null, request, reader);
  }

  /**
   * Sends a request built for the current size until it succeeds or a failure is final. With a
   * {@code shrink}, a gateway timeout or a request timeout of our own halves the size (the request
   * is rebuilt for it) without counting as an attempt; the operation sends the rest of its items in
   * a next call.
   */
  private <T> T call(ApiCall api, CallKind kind, String what, Shrinkable shrink, IntFunction<HttpRequest.Builder> request, Reader<T> reader) {
    Retries.Attempts attempts = retries.start();
    int throttles = 0;
    int renewals = 0;
    int size = shrink == null ? 0 : pageSizes.size(api, shrink.type(), shrink.wanted());
    boolean metered = kind != CallKind.EXEMPT; // the journal counts toward no limit: the budget is not asked
    while (true) {
      if (metered) {
        budget.acquire(kind);
      }
      calls.get(api).increment();
      CallsOnThisThread.record(api);
      String token = accessToken();
      HttpRequest req = request.apply(size).header("Authorization", "Bearer " + token)
          .timeout(requestTimeout).build();
      HttpResponse<byte[]> response;
      try {
        response = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        if (metered) {
          budget.onNoResponse(kind);
        }
        // no answer in time is a page too heavy; no connection in time (a subclass) is the network
        if (e instanceof HttpTimeoutException && !(e instanceof java.net.http.HttpConnectTimeoutException) && size > 1) {
          size = pageSizes.timedOut(api, shrink.type(), size, "did not answer within " + requestTimeout.toSeconds() + " s");
          continue;
        }
        Duration wait = attempts.failed();
        if (wait == null) {
          throw new HubSpotApiException(ErrorCode.HUBSPOT_UNAVAILABLE, "HubSpot " + what + " failed after " + attempts.failures()
              + " attempts: the connection to " + baseUrl + " failed (" + e.getClass().getSimpleName()
              + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")"
              + (e instanceof HttpTimeoutException && shrink != null ? oneItemTimedOut(shrink) : ". If it persists, check the "
                  + "base URL (the CLI's portal.baseUrl), proxies and the network; otherwise try again later."),
              true, 0, null, null, null, e);
        }
        pause(what, attempts.failures(), "connection failure (" + e.getClass().getSimpleName() + ")", wait);
        continue;
      } catch (InterruptedException e) {
        if (metered) {
          budget.onNoResponse(kind);
        }
        Thread.currentThread().interrupt();
        throw new HubSpotSyncException(ErrorCode.INTERRUPTED, "Interrupted during HubSpot " + what, false, e);
      }
      if (metered) {
        budget.onResponse(kind, RateLimitHeaders.parse(name -> response.headers().firstValue(name)));
      }
      int status = response.statusCode();
      byte[] body = response.body();
      if (status == 200 || status == 207 || status == 201 || status == 204 && NO_CONTENT_ANSWERS.contains(api)) {
        T result;
        try {
          result = reader.read(status, body);
        } catch (PartialFailure e) {
          Duration wait = attempts.failed();
          if (wait != null) {
            pause(what, attempts.failures(), "errors for some items (" + e.getMessage() + ")", wait);
            continue;
          }
          throw new HubSpotApiException(ErrorCode.HUBSPOT_UNAVAILABLE, "HubSpot " + what + " answered with errors for "
              + "some of its items " + attempts.failures() + " times (HTTP " + status + ", " + e.getMessage() + "); nothing "
              + "of that call was stored. HubSpot may be degraded; try again later.", true, status, e.category, null,
              correlationId(response), null);
        } catch (IOException | RuntimeException e) {
          // a body cut short is a transient fault; one that is never readable is not HubSpot's answer
          Duration wait = attempts.failed();
          if (wait != null) {
            pause(what, attempts.failures(), "an unreadable HTTP " + status + " body", wait);
            continue;
          }
          throw new HubSpotApiException(ErrorCode.UNEXPECTED_RESPONSE, "HubSpot " + what + " returned a body this "
              + "version cannot read, " + attempts.failures() + " times (HTTP " + status + ", "
              + response.headers().firstValue("Content-Type").orElse("no Content-Type") + ", starting "
              + ErrorBody.snippet(body) + "; " + firstLine(e.getMessage()) + "). A proxy, a captive portal or a base URL "
              + "that is not HubSpot's API can cause this: check " + baseUrl + " (the CLI's portal.baseUrl).", false,
              status, null, null, correlationId(response), e);
        }
        if (shrink != null) {
          pageSizes.answered(api, shrink.type(), size, shrink.wanted());
        }
        return result;
      }
      ErrorBody error = ErrorBody.parse(body);
      String cid = error.correlationId != null ? error.correlationId : correlationId(response);
      if (status == 429) {
        ThrottlePolicy policy = ThrottlePolicy.of(error.policyName);
        Duration retryAfter = response.headers().firstValue("Retry-After").map(DefaultHubSpotClient::seconds).orElse(null);
        // the journal's own per-second limit (hubspot-journal.md §3) is nothing the portal's budget knows
        Duration wait = metered ? budget.onThrottled(kind, policy, retryAfter)
            : retryAfter != null ? retryAfter : Duration.ofSeconds(1);
        if (metered && policy == ThrottlePolicy.DAILY) {
          budget.acquire(kind); // throws RateBudgetExhaustedException with resumeAt
        }
        if (++throttles > maxThrottleWaits) {
          throw new HubSpotApiException(ErrorCode.RATE_LIMITED, "HubSpot kept throttling " + what + " (" + throttles
              + " times 429, policy " + policy + "). Another integration may be using the same app's limit.",
              true, status, null, null, cid, null);
        }
        // a 429 is paced, not a failed attempt
        sleep(wait);
        continue;
      }
      if (status == 401 && "EXPIRED_AUTHENTICATION".equals(error.category) && credentials.isOAuth()) {
        // Once is the normal case (a token that expired between our check and HubSpot's); once more
        // covers a token renewed by another thread that HubSpot saw expire too. A third is not time.
        if (renewals < MAX_RENEWALS_PER_CALL) {
          renewals++;
          LOG.info("HubSpot says the OAuth access token expired; renewing it ({}) and retrying {}", credentials.describe(), what);
          renew(token);
          continue;
        }
        throw new HubSpotApiException(ErrorCode.INVALID_AUTHENTICATION, "HubSpot said the OAuth access token had expired "
            + (renewals + 1) + " times for " + what + ", each time right after it was renewed with the " + credentials.describe()
            + ". HubSpot's token endpoint issues tokens its API refuses: try again later; if it persists, check that no proxy "
            + "between here and " + baseUrl + " caches the token endpoint's answers.", false, status, error.category,
            error.subCategory, cid, null);
      }
      if (status == 401) {
        throw new HubSpotApiException(ErrorCode.INVALID_AUTHENTICATION, "HubSpot rejected the " + credentials.describe()
            + " for " + what + " (401 " + error.category + "): " + rejectedHint(), false, status, error.category,
            error.subCategory, cid, null);
      }
      if (status == 403 && "MISSING_SCOPES".equals(error.category)) {
        throw new MissingScopesException("The " + credentials.describe() + " lacks the scope(s) "
            + String.join(", ", error.requiredScopes) + " needed for " + what + ". Grant them in "
            + credentials.kind().scopesGrantedAt() + "; the next run uses them.", error.requiredScopes, cid);
      }
      if (status == 414) {
        throw new UriTooLong(new HubSpotApiException(ErrorCode.HUBSPOT_REJECTED, "HubSpot " + what
            + ": the request URL is too long (414) even for a single property.", false, status, null, null, cid, null));
      }
      boolean timeout = status == 504 || status == 524;
      if (timeout && size > 1) {
        // the page was too heavy (§9): a smaller one is the remedy, not a wait, and no attempt is spent
        size = pageSizes.timedOut(api, shrink.type(), size, "timed out (HTTP " + status + ")");
        continue;
      }
      boolean transientStatus = status == 500 || status == 502 || status == 503 || timeout;
      if (transientStatus) {
        Duration wait = attempts.failed();
        if (wait == null) {
          throw new HubSpotApiException(ErrorCode.HUBSPOT_UNAVAILABLE, "HubSpot " + what + " failed after " + attempts.failures()
              + " attempts; the last answer was HTTP " + status + (error.message != null ? " (" + error.message + ")" : "")
              + (timeout && shrink != null ? oneItemTimedOut(shrink) : ". HubSpot may be degraded; try again later."),
              true, status, error.category, error.subCategory, cid, null);
        }
        pause(what, attempts.failures(), "HTTP " + status, wait);
        continue;
      }
      throw new HubSpotApiException(ErrorCode.HUBSPOT_REJECTED, "HubSpot rejected " + what + " (HTTP " + status
          + (error.category != null ? " " + error.category : "") + "): "
          + (error.message != null ? error.message : "no error message") + (cid != null ? " [correlationId " + cid + "]" : "")
          + (error.json ? "" : ". That is not an answer of HubSpot's API: check the base URL " + baseUrl
              + " (the CLI's portal.baseUrl) and proxies."),
          false, status, error.category, error.subCategory, cid, null);
    }
  }

  /** Waits before attempt {@code attempt + 1} of the OAuth token refresh, as the retry policy says. */
  private void backoff(String what, int attempt, String reason) {
    pause(what, attempt, reason, retries.delayAfter(attempt));
  }

  private void pause(String what, int failures, String reason, Duration wait) {
    LOG.warn("HubSpot {} failed with {} (attempt {} of {}); retrying in {} ms", what, reason, failures, maxAttempts,
        wait.toMillis());
    sleep(wait);
  }

  /** The end of the message when a call of one item timed out as often as the retry policy allows. */
  private static String oneItemTimedOut(Shrinkable shrink) {
    return ", even when asking for one item: " + shrink.oneItem().get() + ". That record is too heavy for HubSpot to "
        + "serve in time: sync fewer properties of " + shrink.type() + " (or leave out long text properties), or try "
        + "again later; if it persists, ask HubSpot support about it with the correlation id.";
  }

  private void sleep(Duration d) {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubSpotSyncException(ErrorCode.INTERRUPTED, "Interrupted while waiting to retry a HubSpot call", false, e);
    }
  }

  // ---- auth --------------------------------------------------------------------------------------------

  private String accessToken() {
    if (!credentials.isOAuth()) {
      return credentials.accessToken();
    }
    synchronized (tokenLock) {
      // Renew before expiry rather than waiting for a 401 (HubSpot's advice, §7).
      if (oauthToken == null || !clock.instant().isBefore(oauthRenewAt)) {
        refresh();
      }
      return oauthToken;
    }
  }

  /** Renews the access token after HubSpot called {@code used} expired, unless another call renewed it meanwhile. */
  private void renew(String used) {
    synchronized (tokenLock) {
      if (used.equals(oauthToken)) {
        refresh();
      }
    }
  }

  /** What to do about a 401 that is not an expiry, by credential kind. */
  private String rejectedHint() {
    String from = credentials.source() != null ? " (" + credentials.source() + ")" : "";
    return switch (credentials.kind()) {
      case SERVICE_KEY -> "the service key is wrong, was rotated or deleted; copy a current one from HubSpot › Development "
          + "› Keys › Service keys and set it" + from + ".";
      case PRIVATE_APP_TOKEN -> "the private app's access token is wrong or was rotated; set a current one"
          + (from.isEmpty() ? " (" + HubSpotCredentials.ENV_ACCESS_TOKEN + ")" : from) + ". Legacy private apps can no "
          + "longer be created: a service key (" + HubSpotCredentials.ENV_SERVICE_KEY + ") replaces one.";
      case OAUTH_REFRESH_TOKEN -> "HubSpot refused an access token it issued for the OAuth app; check the client id, "
          + "secret and refresh token" + from + " (was the app uninstalled?).";
      case OAUTH_CLIENT_CREDENTIALS -> "HubSpot refused an access token it issued for the project app; check the client "
          + "id and secret" + from + " and that the app is still installed in the portal.";
    };
  }

  private void refresh() {
    synchronized (tokenLock) {
      String form = "client_id=" + enc(credentials.clientId()) + "&client_secret=" + enc(credentials.clientSecret());
      if (credentials.kind() == HubSpotCredentials.Kind.OAUTH_REFRESH_TOKEN) {
        form = "grant_type=refresh_token&" + form + "&refresh_token=" + enc(credentials.refreshToken());
      } else {
        form = "grant_type=client_credentials&" + form
            + (credentials.scopes().isEmpty() ? "" : "&scope=" + enc(String.join(" ", credentials.scopes())));
      }
      HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + api.oauthToken())).timeout(requestTimeout)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form)).build();
      HttpResponse<byte[]> response = null;
      for (int attempt = 1; response == null; attempt++) {
        try {
          calls.get(ApiCall.OAUTH_TOKEN).increment();
          CallsOnThisThread.record(ApiCall.OAUTH_TOKEN);
          response = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
          if (response.statusCode() >= 500 && attempt < maxAttempts) {
            response = null;
            backoff("OAuth token request", attempt, "a server error");
          }
        } catch (IOException e) {
          if (attempt >= maxAttempts) {
            throw new HubSpotApiException(ErrorCode.HUBSPOT_UNAVAILABLE, "Could not reach HubSpot to obtain an OAuth "
                + "access token for the " + credentials.describe() + " (" + e.getClass().getSimpleName()
                + "). Try again later.", true, 0, null, null, null, e);
          }
          backoff("OAuth token request", attempt, "connection failure");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new HubSpotSyncException(ErrorCode.INTERRUPTED, "Interrupted while obtaining an OAuth access token", false, e);
        }
      }
      JsonNode body = readTreeQuietly(response.body());
      if (response.statusCode() >= 500) { // HubSpot's trouble after every attempt, not the credentials'
        throw new HubSpotApiException(ErrorCode.HUBSPOT_UNAVAILABLE, "HubSpot's token endpoint failed (HTTP "
            + response.statusCode() + ") " + maxAttempts + " times while obtaining an access token for the "
            + credentials.describe() + ". HubSpot may be degraded; try again later.", true, response.statusCode(), null,
            null, correlationId(response), null);
      }
      if (response.statusCode() != 200 || !body.hasNonNull("access_token")) {
        String status = body.path("status").asText(body.path("error").asText("HTTP " + response.statusCode()));
        String said = body.path("message").asText(body.path("error_description").asText(""));
        throw new HubSpotApiException(ErrorCode.INVALID_AUTHENTICATION, "HubSpot refused to issue an access token for the "
            + credentials.describe() + " (" + status + (said.isEmpty() ? "" : ": " + said) + "): "
            + (credentials.kind() == HubSpotCredentials.Kind.OAUTH_REFRESH_TOKEN
                ? "check the client id, client secret and refresh token, or reinstall the app to get a new refresh token."
                : "check the client id and secret (the project app's Auth page), that the app is installed in the portal "
                    + "and that the scopes asked for " + credentials.scopes() + " are among the app's. An OAuth app "
                    + "with a refresh token needs " + HubSpotCredentials.ENV_REFRESH_TOKEN + " as well."),
            false, response.statusCode(), status, null, correlationId(response), null);
      }
      oauthToken = body.get("access_token").asText();
      Duration life = Duration.ofSeconds(body.path("expires_in").asLong(1800));
      Duration margin = REFRESH_MARGIN.compareTo(life.dividedBy(2)) < 0 ? REFRESH_MARGIN : life.dividedBy(2);
      oauthRenewAt = clock.instant().plus(life).minus(margin);
      LOG.debug("OAuth access token obtained for the {}; it expires in {} s", credentials.describe(), life.toSeconds());
    }
  }

  // ---- parsing -----------------------------------------------------------------------------------------

  /** What an error body says; every field optional (§7: parse error bodies leniently; HTML bodies have none). */
  private static final class ErrorBody {
    String message;
    String category;
    String subCategory;
    String correlationId;
    String policyName;
    /** Whether the body was JSON at all (an empty body counts as JSON: HubSpot sends some). */
    boolean json = true;
    List<String> requiredScopes = new ArrayList<>();

    static ErrorBody parse(byte[] body) {
      ErrorBody e = new ErrorBody();
      JsonNode n = readTreeQuietly(body);
      e.message = text(n, "message");
      e.category = text(n, "category");
      e.subCategory = text(n, "subCategory");
      e.correlationId = text(n, "correlationId");
      e.policyName = text(n, "policyName");
      for (JsonNode detail : n.path("errors")) {
        detail.path("context").path("requiredScopes").forEach(s -> e.requiredScopes.add(s.asText()));
      }
      if (e.message == null && body != null && body.length > 0 && n.isMissingNode()) {
        e.json = false;
        String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8)
            .replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").trim();
        e.message = text.isEmpty() ? null : "non-JSON body: " + text;
      }
      return e;
    }

    /**
     * How a body starts: the first 60 characters of a page of markup (a proxy's or captive portal's),
     * quoted; of anything else only its first character and size, since a JSON answer cut short holds
     * CRM data that does not belong in logs.
     */
    static String snippet(byte[] body) {
      if (body == null || body.length == 0) {
        return "with nothing (an empty body)";
      }
      String text = new String(body, 0, Math.min(body.length, 60), StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", " ");
      String start = text.strip();
      if (!start.startsWith("<")) {
        return (start.isEmpty() ? "with blanks" : "with '" + start.charAt(0) + "'") + ", " + body.length + " bytes";
      }
      return "\"" + text + (body.length > 60 ? "…" : "") + "\" of " + body.length + " bytes";
    }

    private static String text(JsonNode n, String field) {
      JsonNode v = n.path(field);
      return v.isTextual() ? v.asText() : null;
    }
  }

  /** A parser message without Jackson's location and source notes. */
  private static String firstLine(String message) {
    if (message == null) {
      return "no parser message";
    }
    String line = message.lines().findFirst().orElse("");
    return line.length() > 160 ? line.substring(0, 160) + "…" : line;
  }

  private static JsonNode readTreeQuietly(byte[] body) {
    try {
      JsonNode n = body == null || body.length == 0 ? null : JSON.readTree(body);
      return n == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : n;
    } catch (IOException e) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
  }

  private static ObjectPage readPage(byte[] body) throws IOException {
    AtomicReference<List<CrmRecord>> results = new AtomicReference<>(List.of());
    String[] next = {null};
    readFields(body, (field, p) -> {
      if (field.equals("results")) {
        results.set(readRecords(p));
        return true;
      }
      if (field.equals("paging")) {
        JsonNode paging = JSON.readTree(p);
        next[0] = paging.path("next").path("after").asText(null);
        return true;
      }
      return false;
    });
    return new ObjectPage(results.get(), next[0]);
  }

  /** Reads one field's value; returns false to have it skipped. The parser is on the value's first token. */
  @FunctionalInterface
  private interface FieldReader {
    boolean read(String field, JsonParser p) throws IOException;
  }

  /** Streams the top-level fields of a response object: pages are read without building a tree. */
  private static void readFields(byte[] body, FieldReader reader) throws IOException {
    try (JsonParser p = JSON.getFactory().createParser(body)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (!reader.read(field, p)) {
          p.skipChildren();
        }
      }
    }
  }

  /** Streams an array of records; the parser is on START_ARRAY. */
  private static List<CrmRecord> readRecords(JsonParser p) throws IOException {
    expect(p.currentToken(), JsonToken.START_ARRAY);
    List<CrmRecord> out = new ArrayList<>();
    while (p.nextToken() == JsonToken.START_OBJECT) {
      long id = 0;
      Map<String, String> props = new HashMap<>();
      Instant created = null;
      Instant updated = null;
      Instant archivedAt = null;
      boolean archived = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "id": id = Long.parseLong(p.getText()); break;
          case "properties":
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              props.put(name, p.nextToken() == JsonToken.VALUE_NULL ? null : p.getText());
            }
            break;
          case "createdAt": created = instant(p.getText()); break;
          case "updatedAt": updated = instant(p.getText()); break;
          case "archivedAt": archivedAt = t == JsonToken.VALUE_NULL ? null : instant(p.getText()); break;
          case "archived": archived = t == JsonToken.VALUE_TRUE; break;
          default: p.skipChildren();
        }
      }
      out.add(new CrmRecord(id, props, created, updated, archived, archivedAt));
    }
    return out;
  }

  private static List<CrmRecord> merge(List<CrmRecord> a, List<CrmRecord> b) {
    Map<Long, CrmRecord> byId = new LinkedHashMap<>();
    a.forEach(r -> byId.put(r.id(), r));
    for (CrmRecord r : b) {
      CrmRecord left = byId.get(r.id());
      if (left == null) {
        byId.put(r.id(), r);
      } else {
        Map<String, String> props = new HashMap<>(left.properties());
        props.putAll(r.properties());
        byId.put(r.id(), new CrmRecord(r.id(), props, left.createdAt(), left.updatedAt(), left.archived(), left.archivedAt()));
      }
    }
    return new ArrayList<>(byId.values());
  }

  private static PropertyDefinition property(JsonNode p) {
    List<String> options = new ArrayList<>();
    p.path("options").forEach(o -> options.add(o.path("value").asText()));
    return new PropertyDefinition(p.path("name").asText(), p.path("label").asText(null), p.path("type").asText(null),
        p.path("fieldType").asText(null), p.path("groupName").asText(null), p.path("calculated").asBoolean(false),
        p.path("hubspotDefined").asBoolean(false), p.path("hasUniqueValue").asBoolean(false),
        p.path("archived").asBoolean(false), options);
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("expected " + expected + " but found " + actual);
    }
  }

  /** HubSpot's timestamps: ISO-8601 with 0–3 (or more) fraction digits; all digits means epoch ms. */
  static Instant instant(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (text.chars().allMatch(Character::isDigit)) {
      return Instant.ofEpochMilli(Long.parseLong(text));
    }
    return Instant.parse(text);
  }

  private static Duration seconds(String retryAfter) {
    try {
      return Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
    } catch (NumberFormatException e) {
      return null; // an HTTP-date Retry-After: let the budget decide
    }
  }

  private static String correlationId(HttpResponse<?> response) {
    return response.headers().firstValue("X-HubSpot-Correlation-Id").orElse(null);
  }

  private static HttpRequest.Builder get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).GET();
  }

  private static HttpRequest.Builder post(String url, String json) {
    return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public Map<String, Boolean> objectLibraryEnablement() {
    return call(ApiCall.OBJECT_LIBRARY_ENABLEMENT, CallKind.STANDARD, "object library enablement",
        n -> get(baseUrl + api.objectLibraryEnablement()), (status, body) -> {
          Map<String, Boolean> out = new LinkedHashMap<>();
          JSON.readTree(body).path("enablementByObjectTypeId").fields()
              .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asBoolean()));
          return out;
        });
  }
}
