package dev.hubspotsync.testkit;

import dev.hubspotsync.Sleeper;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the simulated portal holds and how strictly it behaves. Built with {@link #builder()};
 * immutable and thread-safe once built. The same spec and seed always produce the same records,
 * ids, values and associations.
 */
public final class PortalSpec {
  /** Every scope the portal knows; a token holding all of them can call every endpoint. */
  public static final Set<String> ALL_SCOPES = Set.of(
      "crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read", "tickets",
      "crm.objects.custom.read", "crm.schemas.contacts.read", "crm.schemas.companies.read",
      "crm.schemas.deals.read", "crm.schemas.custom.read", "crm.objects.services.read", "oauth",
      "developer.webhooks_journal.read", "developer.webhooks_journal.subscriptions.read",
      "developer.webhooks_journal.subscriptions.write");

  /**
   * The activatable objects (hubspot-api.md §10.5) by objectTypeId: services, courses, listings,
   * appointments. An account switches each on in its object library; the portal models records only
   * for services, so the others answer 404 once on (a type it lacks) and 403 while off.
   */
  public static final Set<String> ACTIVATABLE_OBJECTS = Set.of("0-162", "0-410", "0-420", "0-421");

  private final long seed;
  private final long portalId;
  private final Map<String, Integer> counts;
  private final String privateAppToken;
  private final Set<String> scopes;
  private final Map<String, Set<String>> serviceKeys;
  private final String oauthClientId;
  private final String oauthClientSecret;
  private final String oauthRefreshToken;
  private final Tier tier;
  private final int burstLimit;
  private final long dailyLimit;
  private final int oauthBurstLimit;
  private final int searchPerSecond;
  private final boolean rateLimited;
  private final Duration indexLag;
  private final Duration oauthTokenLifetime;
  private final PortalClock clock;
  private final Sleeper sleeper;
  private final ZoneId timeZone;
  private final int maxFilterGroups;
  private final int maxFiltersPerGroup;
  private final int maxFilters;
  private final double retryAfterShare;
  private final int associationPageSize;
  private final int maxUrlLength;
  private final int serverThreads;
  private final Set<String> activatedObjects;
  private final Duration searchOutOfOrderWithin;

  private PortalSpec(Builder b) {
    this.seed = b.seed;
    this.portalId = b.portalId;
    this.counts = Map.copyOf(b.counts);
    this.privateAppToken = b.privateAppToken;
    this.scopes = Set.copyOf(b.scopes);
    this.serviceKeys = Map.copyOf(b.serviceKeys);
    this.oauthClientId = b.oauthClientId;
    this.oauthClientSecret = b.oauthClientSecret;
    this.oauthRefreshToken = b.oauthRefreshToken;
    this.tier = b.tier;
    this.burstLimit = b.burstLimit > 0 ? b.burstLimit : b.tier.burstPerTenSeconds();
    this.dailyLimit = b.dailyLimit > 0 ? b.dailyLimit : b.tier.daily();
    this.oauthBurstLimit = b.oauthBurstLimit;
    this.searchPerSecond = b.searchPerSecond;
    this.rateLimited = b.rateLimited;
    this.indexLag = b.indexLag;
    this.oauthTokenLifetime = b.oauthTokenLifetime;
    this.clock = b.clock != null ? b.clock : PortalClock.system();
    this.sleeper = b.sleeper;
    this.timeZone = b.timeZone;
    this.maxFilterGroups = b.maxFilterGroups;
    this.maxFiltersPerGroup = b.maxFiltersPerGroup;
    this.maxFilters = b.maxFilters;
    this.retryAfterShare = b.retryAfterShare;
    this.associationPageSize = b.associationPageSize;
    this.maxUrlLength = b.maxUrlLength;
    this.serverThreads = b.serverThreads;
    this.activatedObjects = Set.copyOf(b.activatedObjects);
    this.searchOutOfOrderWithin = b.searchOutOfOrderWithin;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A small portal (a few hundred records per type) with default limits: handy for tests. */
  public static PortalSpec small() {
    return builder().build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.seed = seed;
    b.portalId = portalId;
    b.counts.putAll(counts);
    b.privateAppToken = privateAppToken;
    b.scopes.clear();
    b.scopes.addAll(scopes);
    b.serviceKeys.clear();
    b.serviceKeys.putAll(serviceKeys);
    b.oauthClientId = oauthClientId;
    b.oauthClientSecret = oauthClientSecret;
    b.oauthRefreshToken = oauthRefreshToken;
    b.tier = tier;
    b.burstLimit = burstLimit;
    b.dailyLimit = dailyLimit;
    b.oauthBurstLimit = oauthBurstLimit;
    b.searchPerSecond = searchPerSecond;
    b.rateLimited = rateLimited;
    b.indexLag = indexLag;
    b.oauthTokenLifetime = oauthTokenLifetime;
    b.clock = clock;
    b.sleeper = sleeper;
    b.timeZone = timeZone;
    b.maxFilterGroups = maxFilterGroups;
    b.maxFiltersPerGroup = maxFiltersPerGroup;
    b.maxFilters = maxFilters;
    b.retryAfterShare = retryAfterShare;
    b.associationPageSize = associationPageSize;
    b.maxUrlLength = maxUrlLength;
    b.serverThreads = serverThreads;
    b.activatedObjects.clear();
    b.activatedObjects.addAll(activatedObjects);
    b.searchOutOfOrderWithin = searchOutOfOrderWithin;
    return b;
  }

  public long seed() { return seed; }
  public long portalId() { return portalId; }
  /** How many records of {@code objectType} are generated at start (0 when not set). */
  public int count(String objectType) { return counts.getOrDefault(objectType, 0); }
  public String privateAppToken() { return privateAppToken; }
  public Set<String> scopes() { return scopes; }
  /** The service keys the portal accepts, each with its scopes. */
  public Map<String, Set<String>> serviceKeys() { return serviceKeys; }
  public String oauthClientId() { return oauthClientId; }
  public String oauthClientSecret() { return oauthClientSecret; }
  public String oauthRefreshToken() { return oauthRefreshToken; }
  public Tier tier() { return tier; }
  public int burstLimit() { return burstLimit; }
  public long dailyLimit() { return dailyLimit; }
  public int oauthBurstLimit() { return oauthBurstLimit; }
  public int searchPerSecond() { return searchPerSecond; }
  public boolean rateLimited() { return rateLimited; }
  public Duration indexLag() { return indexLag; }
  public Duration oauthTokenLifetime() { return oauthTokenLifetime; }
  public PortalClock clock() { return clock; }
  public Sleeper sleeper() { return sleeper; }
  public ZoneId timeZone() { return timeZone; }
  public int maxFilterGroups() { return maxFilterGroups; }
  public int maxFiltersPerGroup() { return maxFiltersPerGroup; }
  public int maxFilters() { return maxFilters; }
  public double retryAfterShare() { return retryAfterShare; }
  public int associationPageSize() { return associationPageSize; }
  public int maxUrlLength() { return maxUrlLength; }
  public int serverThreads() { return serverThreads; }
  /** The activatable objects switched on in the object library, by objectTypeId (default none). */
  public Set<String> activatedObjects() { return activatedObjects; }
  /** How close to now search returns records out of order (zero: never; see {@link Builder#searchOutOfOrderWithin}). */
  public Duration searchOutOfOrderWithin() { return searchOutOfOrderWithin; }

  @Override
  public String toString() {
    // Never print tokens or secrets.
    return "PortalSpec[portalId=" + portalId + ", seed=" + seed + ", counts=" + counts + ", tier=" + tier
        + ", burst=" + burstLimit + "/10s, daily=" + dailyLimit + ", rateLimited=" + rateLimited
        + ", indexLag=" + indexLag + "]";
  }

  /** Mutable builder; {@link #build()} copies it. Not thread-safe. */
  public static final class Builder {
    private long seed = 1;
    private long portalId = 24_081_953;
    private final Map<String, Integer> counts = new LinkedHashMap<>(Map.of(
        "contacts", 300, "companies", 60, "deals", 90, "tickets", 45, "calls", 120, "subscriptions", 30,
        "services", 0));
    private String privateAppToken = "pat-local-demo";
    private final Set<String> scopes = new LinkedHashSet<>(ALL_SCOPES);
    private final Map<String, Set<String>> serviceKeys = new LinkedHashMap<>();
    private String oauthClientId = "local-client-id";
    private String oauthClientSecret = "local-client-secret";
    private String oauthRefreshToken = "local-refresh-token";
    private Tier tier = Tier.PROFESSIONAL;
    private int burstLimit;
    private long dailyLimit;
    private int oauthBurstLimit = 110; // public apps: 110 per 10 s per installing account (§6.1)
    private int searchPerSecond = 5;   // §2 "Rate limit"
    private boolean rateLimited = true;
    private Duration indexLag = Duration.ofSeconds(2);
    private Duration oauthTokenLifetime = Duration.ofMinutes(30); // §7
    private PortalClock clock;
    private Sleeper sleeper = Sleeper.system();
    private ZoneId timeZone = ZoneOffset.UTC;
    private int maxFilterGroups = 5;    // §2 "Filter group limits": enforce 5 / 6 / 18
    private int maxFiltersPerGroup = 6;
    private int maxFilters = 18;
    private double retryAfterShare = 0.5;
    private int associationPageSize = 500;
    private int maxUrlLength = 16_000;  // §1 "URL length"
    private int serverThreads = 8;
    private final Set<String> activatedObjects = new LinkedHashSet<>();
    private Duration searchOutOfOrderWithin = Duration.ZERO;

    private Builder() {}

    public Builder seed(long seed) { this.seed = seed; return this; }
    public Builder portalId(long portalId) { this.portalId = positive(portalId, "portalId"); return this; }
    public Builder contacts(int n) { return count("contacts", n); }
    public Builder companies(int n) { return count("companies", n); }
    public Builder deals(int n) { return count("deals", n); }
    public Builder tickets(int n) { return count("tickets", n); }
    /** Call engagements. */
    public Builder calls(int n) { return count("calls", n); }
    /** Records of the custom object {@code subscriptions} (objectTypeId {@code 2-…}). */
    public Builder subscriptions(int n) { return count("subscriptions", n); }

    /** How many records of a built-in object type to generate. */
    public Builder count(String objectType, int n) {
      if (!counts.containsKey(objectType)) {
        throw new IllegalArgumentException("Unknown object type '" + objectType + "'; the portal generates "
            + counts.keySet());
      }
      if (n < 0) {
        throw new IllegalArgumentException("count of " + objectType + " must be >= 0, was " + n);
      }
      counts.put(objectType, n);
      return this;
    }

    /** The private-app token the portal accepts (default {@code pat-local-demo}). */
    public Builder privateAppToken(String token) { this.privateAppToken = Objects.requireNonNull(token); return this; }

    /**
     * Scopes granted to the private app and the OAuth app (default: all of {@link #ALL_SCOPES}); a
     * client-credentials grant may ask for any subset of them.
     */
    public Builder scopes(Set<String> scopes) {
      this.scopes.clear();
      this.scopes.addAll(scopes);
      return this;
    }

    /**
     * Accepts a service key ({@code Authorization: Bearer <key>}) holding {@code scopes}; HubSpot's
     * service keys count like a privately distributed app's calls. None by default.
     */
    public Builder serviceKey(String key, Set<String> scopes) {
      this.serviceKeys.put(Objects.requireNonNull(key), Set.copyOf(scopes));
      return this;
    }

    /**
     * The OAuth app whose token endpoint answers both grants: {@code refresh_token} with this refresh
     * token, and {@code client_credentials} (a project app) with the id and secret alone.
     */
    public Builder oauthApp(String clientId, String clientSecret, String refreshToken) {
      this.oauthClientId = Objects.requireNonNull(clientId);
      this.oauthClientSecret = Objects.requireNonNull(clientSecret);
      this.oauthRefreshToken = Objects.requireNonNull(refreshToken);
      return this;
    }

    /** Sets the burst and daily limits to the tier's (default {@link Tier#PROFESSIONAL}). */
    public Builder tier(Tier tier) { this.tier = Objects.requireNonNull(tier); return this; }
    /** Private-app calls per rolling 10 seconds (overrides the tier's). */
    public Builder burstLimit(int perTenSeconds) { this.burstLimit = (int) positive(perTenSeconds, "burstLimit"); return this; }
    /** Calls per day for the account (overrides the tier's). */
    public Builder dailyLimit(long perDay) { this.dailyLimit = positive(perDay, "dailyLimit"); return this; }
    public Builder oauthBurstLimit(int perTenSeconds) { this.oauthBurstLimit = (int) positive(perTenSeconds, "oauthBurstLimit"); return this; }
    public Builder searchPerSecond(int perSecond) { this.searchPerSecond = (int) positive(perSecond, "searchPerSecond"); return this; }
    /** Turns every rate limit off (headers are still sent). */
    public Builder unlimited() { this.rateLimited = false; return this; }
    /** Turns rate limits on (the default). */
    public Builder rateLimited() { this.rateLimited = true; return this; }
    /** How long search takes to see a change that list and batch read see at once (default 2 s). */
    public Builder indexLag(Duration lag) { this.indexLag = nonNegative(lag, "indexLag"); return this; }
    public Builder oauthTokenLifetime(Duration lifetime) { this.oauthTokenLifetime = nonNegative(lifetime, "oauthTokenLifetime"); return this; }
    public Builder clock(PortalClock clock) { this.clock = Objects.requireNonNull(clock); return this; }
    public Builder sleeper(Sleeper sleeper) { this.sleeper = Objects.requireNonNull(sleeper); return this; }
    /** The account's time zone: the daily limit resets at its midnight (§6.1). Default UTC. */
    public Builder timeZone(ZoneId zone) { this.timeZone = Objects.requireNonNull(zone); return this; }

    /** Search filter limits (default 5 groups, 6 filters per group, 18 in all; §2). */
    public Builder searchFilterLimits(int groups, int perGroup, int total) {
      this.maxFilterGroups = (int) positive(groups, "groups");
      this.maxFiltersPerGroup = (int) positive(perGroup, "perGroup");
      this.maxFilters = (int) positive(total, "total");
      return this;
    }

    /** Share of 429 responses that carry {@code Retry-After} (default 0.5; HubSpot sends it only sometimes). */
    public Builder retryAfterShare(double share) {
      if (share < 0 || share > 1) {
        throw new IllegalArgumentException("retryAfterShare must be within [0, 1], was " + share);
      }
      this.retryAfterShare = share;
      return this;
    }

    /** Associations per record per page in the v4 batch read (default 500). */
    public Builder associationPageSize(int n) { this.associationPageSize = (int) positive(n, "associationPageSize"); return this; }
    /** Longest request line accepted before 414 (default 16,000 characters). */
    public Builder maxUrlLength(int n) { this.maxUrlLength = (int) positive(n, "maxUrlLength"); return this; }
    public Builder serverThreads(int n) { this.serverThreads = (int) positive(n, "serverThreads"); return this; }

    /**
     * Switches activatable objects on in the object library ({@code services}, {@code courses},
     * {@code listings}, {@code appointments}, or their {@code 0-…} ids). Off by default, as in a new
     * account: their paths answer 403 and the enablement endpoint says {@code false}.
     */
    public Builder activateObjects(String... types) {
      for (String t : types) {
        activatedObjects.add(activatable(t));
      }
      return this;
    }

    /** Switches activatable objects off again (see {@link #activateObjects}). */
    public Builder deactivateObjects(String... types) {
      for (String t : types) {
        activatedObjects.remove(activatable(t));
      }
      return this;
    }

    private static String activatable(String type) {
      String id = dev.hubspotsync.client.ObjectCatalog.find(type)
          .map(dev.hubspotsync.client.ObjectCatalog.StandardObject::objectTypeId).orElse(type);
      if (!ACTIVATABLE_OBJECTS.contains(id)) {
        throw new IllegalArgumentException("'" + type + "' is not an activatable object; those are services (0-162), "
            + "courses (0-410), listings (0-420) and appointments (0-421)");
      }
      return id;
    }

    /**
     * Makes search sorted by the modified date return records whose indexed modified date lies within
     * {@code window} of now out of order, as HubSpot's does close to "now" (hubspot-api.md §10.2):
     * they come after the older ones, newest first, whatever the sort's direction, so a page boundary
     * inside them hides older ones behind newer ones. Records older than the window keep their order;
     * records appear only on a later call through the {@link #indexLag index lag}. Default zero: never.
     */
    public Builder searchOutOfOrderWithin(Duration window) {
      this.searchOutOfOrderWithin = nonNegative(window, "searchOutOfOrderWithin");
      return this;
    }

    public PortalSpec build() {
      return new PortalSpec(this);
    }

    private static long positive(long v, String name) {
      if (v <= 0) {
        throw new IllegalArgumentException(name + " must be > 0, was " + v);
      }
      return v;
    }

    private static Duration nonNegative(Duration d, String name) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be zero or positive, was " + d);
      }
      return d;
    }
  }
}
