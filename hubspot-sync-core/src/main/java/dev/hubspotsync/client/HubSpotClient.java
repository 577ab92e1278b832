package dev.hubspotsync.client;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.Sleeper;
import dev.hubspotsync.ratelimit.RateBudget;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed calls to one HubSpot portal. Every call is paced by the {@link RateBudget}, retried on
 * transient failures (5xx, reset connections, 429 per policy, at most {@code maxAttempts}), and
 * fails with a {@link dev.hubspotsync.HubSpotSyncException} subclass that says what to do.
 *
 * <p>Paged and batched calls (list, search, batch read, association batch read) answer a gateway
 * timeout (504, 524) or a request timeout by asking for half as many items, down to one, without
 * spending an attempt; batches are then sent in parts and their answers merged. The size that
 * worked is kept per endpoint and object type for the client's life ({@link #pageSizes()}) and
 * probed upward again after clean calls.
 *
 * <p>Built with {@link #builder()}; thread-safe; {@link #close()} releases the HTTP client.
 */
public interface HubSpotClient extends AutoCloseable {

  static Builder builder() {
    return new Builder();
  }

  /**
   * One page of {@code GET /crm/objects/2026-09/{type}} (or v3, see {@link ApiVersion}). {@code after} is null for the first page. A timeout
   * returns a smaller page (its cursor leads on); a property list too long for a URL (414) is fetched
   * in parts and merged by id.
   */
  ObjectPage listPage(String objectType, List<String> properties, int limit, String after, boolean archived);

  /** One page of {@code POST …/objects/{type}/search}; a timeout returns a smaller page. */
  SearchPage search(String objectType, SearchRequest request);

  /**
   * {@code POST …/batch/read} for up to 100 ids (in parts when HubSpot times out on them all);
   * unknown ids come back in {@code notFound}.
   */
  BatchReadResult batchRead(String objectType, Collection<Long> ids, List<String> properties, boolean archived);

  /** Property definitions of a type (live ones, or only archived ones). */
  List<PropertyDefinition> properties(String objectType, boolean archived);

  /** Custom object schemas. */
  List<ObjectSchema> schemas();

  /**
   * Associations of each parent to {@code toType}, via the associations batch read, up to 1,000
   * parents a call (pass fewer ids to make smaller calls), following per-record paging; the calls are
   * {@link dev.hubspotsync.ratelimit.CallKind#BURST_EXEMPT burst-exempt}. Every requested id is a key; a parent without associations
   * (HubSpot's {@code NO_ASSOCIATIONS_FOUND} error) maps to an empty list.
   */
  Map<Long, List<AssociationLink>> associations(String fromType, String toType, Collection<Long> parentIds);

  /** Association types between two object types, in that direction. */
  List<AssociationLabel> associationLabels(String fromType, String toType);

  /** Today's private-app usage of the portal. */
  DailyUsage dailyUsage();

  /**
   * Which activatable objects (services, courses, listings, appointments; see {@link ObjectCatalog})
   * the account's object library switches on, by objectTypeId: {@code GET
   * /crm/object-library/2026-03/enablement}. A standard call for the rate budget.
   */
  default Map<String, Boolean> objectLibraryEnablement() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot read the object library");
  }

  // ---- the change journal (hubspot-api.md §10.4) --------------------------------------------------------
  //
  // Only a project app's client-credentials token may call it (HubSpotCredentials.clientCredentials),
  // with the scopes developer.webhooks_journal.read and .subscriptions.read/.write plus the object
  // read scopes. Journal calls count toward no rate limit: the client sends them without the budget
  // (CallKind.EXEMPT). Each portal has its own offsets (the journal-local paths with installPortalId).

  /** The portal's journal subscriptions: {@code GET /webhooks-journal/subscriptions/2026-03}. */
  default List<JournalSubscription> journalSubscriptions(long portalId) {
    throw unsupported("read journal subscriptions");
  }

  /**
   * Makes the portal's subscriptions deliver at least what {@code wanted} asks for and returns them:
   * each wanted one is merged into the existing subscription of its type and object type (HubSpot keeps
   * one and replaces it on create), which is written only when it does not cover the wish yet.
   */
  default List<JournalSubscription> ensureJournalSubscriptions(long portalId, Collection<JournalSubscription> wanted) {
    throw unsupported("create journal subscriptions");
  }

  /** The newest journal entry, or empty when the journal holds none (HubSpot's 204). */
  default Optional<JournalPointer> journalLatest(long portalId) {
    throw unsupported("read the journal");
  }

  /** The oldest journal entry still kept (3 days), or empty when the journal holds none. */
  default Optional<JournalPointer> journalEarliest(long portalId) {
    throw unsupported("read the journal");
  }

  /**
   * Up to {@code max} (1–100) entries after {@code offset}, oldest first; empty when caught up, and
   * {@link JournalEntries#offsetGone()} when HubSpot no longer knows the offset (404: past the 3-day
   * retention, or never issued).
   */
  default JournalEntries journalNext(long portalId, String offset, int max) {
    throw unsupported("read the journal");
  }

  /** A fresh URL for an entry whose URL expired ({@code POST …/batch/read}); empty when the entry is gone. */
  default Optional<JournalPointer> renewJournalPointer(long portalId, String offset) {
    throw unsupported("read the journal");
  }

  /**
   * Downloads and parses one journal file by its pre-signed URL, without an Authorization header,
   * renewing the URL first when it has expired (or when the file host says so). Unknown fields and
   * actions are logged and skipped ({@link JournalFile#skipped()}).
   */
  default JournalFile downloadJournalFile(long portalId, JournalPointer pointer) {
    throw unsupported("download journal files");
  }

  private UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(getClass().getSimpleName() + " cannot " + what);
  }

  /** The rate budget pacing this client's calls. */
  RateBudget rateBudget();

  /** HTTP requests sent so far per endpoint, retries and throttled ones included. */
  Map<ApiCall, Long> calls();

  /**
   * The page and batch sizes lowered because HubSpot timed out, by endpoint and object type (e.g.
   * {@code "SEARCH contacts"} → 50, {@code "ASSOCIATIONS_BATCH_READ contacts→deals"} → 25): the most
   * such a call asks for now. Empty when nothing timed out. A snapshot; never null.
   */
  default Map<String, Integer> pageSizes() {
    return Map.of();
  }

  @Override
  void close();

  /** Mutable builder; {@link #build()} copies it. Not thread-safe. */
  final class Builder {
    String baseUrl = "https://api.hubapi.com";
    ApiVersion apiVersion = ApiVersion.V2026_09;
    HubSpotCredentials credentials;
    RateBudget budget;
    Clock clock = Clock.systemUTC();
    Sleeper sleeper = Sleeper.system();
    int maxAttempts = 4;
    Duration initialBackoff = Duration.ofMillis(500);
    Duration maxBackoff = Duration.ofSeconds(30);
    Duration requestTimeout = Duration.ofSeconds(60);
    int maxThrottleWaits = 20;

    Builder() {}

    /** Where HubSpot is (default {@code https://api.hubapi.com}); tests point it at FakeHubSpot. */
    public Builder baseUrl(String url) {
      this.baseUrl = Objects.requireNonNull(url, "baseUrl").replaceAll("/+$", "");
      return this;
    }

    /**
     * Which generation of HubSpot's paths to speak (default {@link ApiVersion#V2026_09}; {@link
     * ApiVersion#LEGACY} for the v3/v4 paths).
     */
    public Builder apiVersion(ApiVersion version) {
      this.apiVersion = Objects.requireNonNull(version, "apiVersion");
      return this;
    }

    public Builder credentials(HubSpotCredentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /** The portal's rate budget; share one between every client and job of a portal. */
    public Builder rateBudget(RateBudget budget) {
      this.budget = budget;
      return this;
    }

    /** The clock for OAuth expiry (default system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** How backoff waits (default: really sleeping). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper);
      return this;
    }

    /** Attempts per call for 5xx and connection failures, first included (default 4). */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /** First backoff; doubles per attempt with ±25 % jitter up to {@code maxBackoff} (default 500 ms, 30 s). */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    public HubSpotClient build() {
      if (credentials == null) {
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION,
            "HubSpotClient: credentials are not set; use HubSpotCredentials.fromEnvironment(), .serviceKey(key), "
            + ".privateApp(token), .oauth(…) or .clientCredentials(…).");
      }
      if (maxAttempts < 1) {
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "HubSpotClient: maxAttempts must be >= 1, was " + maxAttempts);
      }
      if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION,
            "HubSpotClient: baseUrl must start with http:// or https://, was " + baseUrl);
      }
      RateBudget b = budget != null ? budget : RateBudget.tokenBucket().clock(clock).sleeper(sleeper).build();
      return new DefaultHubSpotClient(baseUrl, apiVersion, credentials, b, clock, sleeper, maxAttempts, initialBackoff, maxBackoff,
          requestTimeout, maxThrottleWaits);
    }
  }
}
