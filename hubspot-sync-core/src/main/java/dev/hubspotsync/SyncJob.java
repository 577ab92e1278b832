package dev.hubspotsync;

import dev.hubspotsync.client.ApiVersion;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.internal.DefaultSyncJob;
import dev.hubspotsync.internal.JobSettings;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.sink.GdprMode;
import dev.hubspotsync.sink.StateStore;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.source.ChangeSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Copies object types of one HubSpot portal into a {@link WarehouseSink}: a backfill the first
 * time (resumable, no 10,000 cap), then incremental runs on the modified date, plus a pass over
 * archived records. Each run diffs the portal's properties against the sink and adds columns.
 *
 * <pre>{@code
 * SyncReport report = SyncJob.builder()
 *     .credentials(HubSpotCredentials.fromEnvironment()).sink(sink)
 *     .addObjectTypes("contacts", "companies", "deals")
 *     .build().run();
 * }</pre>
 *
 * <p>Built jobs are immutable; {@link #run()} may be called again (it continues from the sink's
 * checkpoints) but not concurrently with itself.
 */
public interface SyncJob {

  static Builder builder() {
    return new Builder();
  }

  /** Runs every configured stream once and reports what it did. */
  SyncReport run();

  /** Mutable builder; {@link #build()} validates and copies it. */
  final class Builder {
    private HubSpotClient client;
    private HubSpotCredentials credentials;
    private RateBudget rateBudget;
    private String baseUrl;
    private ApiVersion apiVersion;
    private WarehouseSink sink;
    private StateStore stateStore;
    private final List<String> objectTypes = new ArrayList<>();
    private Duration overlap = Duration.ofMinutes(10);
    private Duration indexLag = Duration.ofMinutes(2);
    private Duration archivedPassEvery = Duration.ofHours(1);
    private Duration reconcileEvery = Duration.ofDays(7);
    private int listPageSize = 100;
    private int searchPageSize = 200;
    private Clock clock = Clock.systemUTC();
    private long memoryLimitBytes = 512L * 1024 * 1024;
    private int concurrency = 4;
    private BackfillMethod backfillMethod = BackfillMethod.AUTO;
    private boolean allObjectTypes;
    private final Map<String, List<String>> propertySelection = new LinkedHashMap<>();
    private Duration progressEvery = Duration.ofSeconds(5);
    private Consumer<SchemaDrift> onDrift = d -> {};
    private Consumer<SyncProgress> onProgress = p -> {};
    private final List<JobSettings.AssociationPair> associations = new ArrayList<>();
    private Duration associationFullScanEvery = Duration.ofDays(1);
    private Duration associationBackstopEvery = Duration.ofDays(7);
    private int associationBatchSize = 1_000;
    private ChangeSource changeSource;
    private GdprMode gdprMode = GdprMode.ERASE;

    Builder() {}

    /**
     * The client for the portal (its rate budget paces every call). Alternatively set
     * {@link #credentials} (and perhaps {@link #rateBudget}) and the job builds its own client.
     */
    public Builder client(HubSpotClient client) {
      this.client = client;
      return this;
    }

    /** The portal's credentials, for a job that builds its own client (instead of {@link #client}). */
    public Builder credentials(HubSpotCredentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /**
     * The rate budget the job's own client uses (default: a token bucket of its own). Share one
     * budget between every job of a portal so together they stay within its limits.
     */
    public Builder rateBudget(RateBudget budget) {
      this.rateBudget = budget;
      return this;
    }

    /** Where HubSpot is, for the job's own client (default {@code https://api.hubapi.com}). */
    public Builder baseUrl(String url) {
      this.baseUrl = url;
      return this;
    }

    /** Which generation of HubSpot's paths the job's own client speaks (default {@link ApiVersion#V2026_09}). */
    public Builder apiVersion(ApiVersion version) {
      this.apiVersion = version;
      return this;
    }

    public Builder sink(WarehouseSink sink) {
      this.sink = sink;
      return this;
    }

    /**
     * Where checkpoints live (default: in the sink). Each is saved after the sink has written the
     * data it covers; see {@link StateStore}.
     */
    public Builder stateStore(StateStore store) {
      this.stateStore = store;
      return this;
    }

    /** Object types by API name ({@code contacts}, {@code calls}, …) or objectTypeId ({@code 2-…}). */
    public Builder addObjectTypes(String... types) {
      objectTypes.addAll(List.of(types));
      return this;
    }

    /**
     * Every object the portal serves, found at the start of each run ({@link
     * dev.hubspotsync.client.ObjectCatalog#selectAll}): the standard objects of the 2026 catalog, the
     * activatable ones only where the portal's object library switches them on, and every custom
     * object by {@code 2-…} id. Objects left out — switched off, or refused by HubSpot with 400, 403 or
     * 404 — are named in {@link SyncReport#notes()} instead of failing the run. Types added by name
     * besides are synced too, and fail the run as usual.
     */
    public Builder allObjectTypes() {
      this.allObjectTypes = true;
      return this;
    }

    /**
     * Syncs the associations of {@code fromType} records to {@code toType} records into the link
     * table {@code {fromType}_to_{toType}}, read in that direction only. Association edits do not
     * move modified dates, so pairs run full scans unless a CDC-boost rollup exists (see
     * docs/associations.md); add the pair with the alphabetically first type as {@code fromType}
     * to let a rollup on it make the pair incremental.
     */
    public Builder addAssociation(String fromType, String toType) {
      associations.add(new JobSettings.AssociationPair(fromType, toType));
      return this;
    }

    /**
     * How often a pair without a CDC-boost rollup reads every parent's links again (default daily);
     * between scans its runs re-read only parents whose properties changed. A pair with a rollup
     * scans every {@link #associationBackstopEvery} instead.
     */
    public Builder associationFullScanEvery(Duration every) {
      this.associationFullScanEvery = every;
      return this;
    }

    /**
     * How often a pair with a CDC-boost rollup still reads every parent's links (default weekly): no
     * source confirms that HubSpot recalculates a rollup, and so moves the parent's modified date, on
     * every association edit. The report's {@link SyncReport.AssociationReport#backstop()} tells what
     * such a scan found that the incremental runs had missed.
     */
    public Builder associationBackstopEvery(Duration every) {
      this.associationBackstopEvery = every;
      return this;
    }

    /**
     * Parent ids per association batch read, 1–1,000 (default 1,000, HubSpot's cap): full scans,
     * incremental passes and the re-reads after records changed status all use it. Parents with more
     * links than one answer holds are paged on in later calls. Lower it only if a proxy or a timeout
     * cannot take the larger answers.
     */
    public Builder associationBatchSize(int parents) {
      this.associationBatchSize = parents;
      return this;
    }

    /**
     * Where the object streams get their changes (default: polling — search windows on the modified
     * date, list backfill, recycle-bin pass, reconciliation; see docs/change-sources.md). Plug in your
     * own, e.g. a receiver of HubSpot's webhooks; its positions are stored as the streams' checkpoints.
     * {@link ChangeSource#journal(long)} reads HubSpot's change journal (a project app's client
     * credentials). Association pairs run their scans as before, and also re-read the links of the
     * records a source reports as changed; pairs a source {@linkplain ChangeSource#servesLinks serves}
     * read only the parents it reports, after their first full scan, plus the backstop scan.
     */
    public Builder changeSource(ChangeSource source) {
      this.changeSource = Objects.requireNonNull(source, "changeSource");
      return this;
    }

    /**
     * What happens to the rows of records HubSpot GDPR-deleted, when a change source reports them
     * (default {@link GdprMode#ERASE}: the row and its links are deleted; {@link GdprMode#NULL_OUT}
     * keeps the row with its property columns nulled and {@code _hs_gdpr_deleted_at} set).
     */
    public Builder gdprMode(GdprMode mode) {
      this.gdprMode = Objects.requireNonNull(mode, "gdprMode");
      return this;
    }

    /** Only these properties of an object type become columns (default: all of them). */
    public Builder properties(String objectType, List<String> names) {
      propertySelection.put(objectType, List.copyOf(names));
      return this;
    }

    /** Called when a run finds the portal's properties changed since the table was made. */
    public Builder onDrift(Consumer<SchemaDrift> listener) {
      this.onDrift = Objects.requireNonNull(listener);
      return this;
    }

    /** Called after every page written, on the stream's thread; keep it quick. */
    public Builder onProgress(Consumer<SyncProgress> listener) {
      this.onProgress = Objects.requireNonNull(listener);
      return this;
    }

    /** How often long phases log their progress (default every 5 seconds). */
    public Builder progressEvery(Duration every) {
      this.progressEvery = every;
      return this;
    }

    /** How far back each incremental run re-reads before its cursor (default 10 minutes). */
    public Builder overlap(Duration overlap) {
      this.overlap = overlap;
      return this;
    }

    /**
     * How long HubSpot's search index may lag behind changes (default 2 minutes): incremental runs
     * read up to now minus this, and the next run starts there.
     */
    public Builder indexLag(Duration lag) {
      this.indexLag = lag;
      return this;
    }

    /**
     * How often a run also reads the recycle bin (archived records) and checks for restores
     * (default hourly; {@link Duration#ZERO}: every run). Archiving never bumps the modified date,
     * so only this pass sees deletes.
     */
    public Builder archivedPassEvery(Duration every) {
      this.archivedPassEvery = every;
      return this;
    }

    /**
     * How often a run lists every live id to find records deleted for good (GDPR deletes, or
     * purged from the recycle bin after 90 days); one call per 100 records (default weekly).
     */
    public Builder reconcileEvery(Duration every) {
      this.reconcileEvery = every;
      return this;
    }

    /** Records per list page (1–100, default 100) and per search page (1–200, default 200). */
    public Builder pageSizes(int list, int search) {
      this.listPageSize = list;
      this.searchPageSize = search;
      return this;
    }

    /** The clock incremental windows are measured on (default system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** How backfills read every record (default {@link BackfillMethod#AUTO}). */
    public Builder backfillMethod(BackfillMethod method) {
      this.backfillMethod = Objects.requireNonNull(method);
      return this;
    }

    /** How many object types sync at the same time (default 4); they share the client's rate budget. */
    public Builder concurrency(int streams) {
      this.concurrency = streams;
      return this;
    }

    /** Most memory record batches may hold at once (default 512 MB). */
    public Builder memoryLimitBytes(long bytes) {
      this.memoryLimitBytes = bytes;
      return this;
    }

    public SyncJob build() {
      require(client != null || credentials != null,
          "no portal: set credentials(HubSpotCredentials.fromEnvironment()) or client(HubSpotClient.builder()…build())");
      require(client == null || credentials == null && rateBudget == null && baseUrl == null && apiVersion == null,
          "client(…) is set together with credentials, rateBudget, baseUrl or apiVersion; set those on the client's builder, "
              + "or drop client(…)");
      require(sink != null, "sink is not set: SyncJob.builder().sink(…)");
      // A run of association pairs alone is fine: parallel processes may each run some streams of one portal.
      require(allObjectTypes || !objectTypes.isEmpty() || !associations.isEmpty(),
          "no object types: addObjectTypes(\"contacts\", …) or allObjectTypes()");
      require(objectTypes.stream().noneMatch(t -> t == null || t.isBlank()), "an object type is blank: " + objectTypes);
      require(!overlap.isNegative(), "overlap must not be negative, was " + overlap);
      require(!indexLag.isNegative(), "indexLag must not be negative, was " + indexLag);
      require(archivedPassEvery != null && !archivedPassEvery.isNegative(), "archivedPassEvery must not be negative, was " + archivedPassEvery);
      require(reconcileEvery != null && !reconcileEvery.isNegative(), "reconcileEvery must not be negative, was " + reconcileEvery);
      require(listPageSize >= 1 && listPageSize <= 100, "list page size must be 1–100, was " + listPageSize);
      require(searchPageSize >= 1 && searchPageSize <= 200, "search page size must be 1–200, was " + searchPageSize);
      require(memoryLimitBytes >= 1024 * 1024, "memoryLimitBytes must be at least 1 MB, was " + memoryLimitBytes);
      require(concurrency >= 1, "concurrency must be at least 1, was " + concurrency);
      require(progressEvery != null && !progressEvery.isNegative(), "progressEvery must not be negative, was " + progressEvery);
      propertySelection.forEach((type, names) -> require(!names.isEmpty(), "the property selection of " + type + " is empty"));
      for (JobSettings.AssociationPair p : associations) {
        require(p.from() != null && !p.from().isBlank() && p.to() != null && !p.to().isBlank(),
            "an association pair has a blank type: " + p.from() + " → " + p.to());
        require(associations.stream().filter(q -> q.from().equals(p.to()) && q.to().equals(p.from()) && !p.from().equals(p.to())).findAny().isEmpty(),
            "the association pair " + p.from() + " → " + p.to() + " is also configured as " + p.to() + " → " + p.from()
                + "; a pair is read in one direction only, keep one of them");
      }
      require(associations.stream().distinct().count() == associations.size(), "an association pair is added twice: " + associations);
      require(associationFullScanEvery != null && !associationFullScanEvery.isNegative(),
          "associationFullScanEvery must not be negative, was " + associationFullScanEvery);
      require(associationBackstopEvery != null && !associationBackstopEvery.isNegative(),
          "associationBackstopEvery must not be negative, was " + associationBackstopEvery);
      require(associationBatchSize >= 1 && associationBatchSize <= 1_000,
          "associationBatchSize must be 1–1,000 parent ids per call (HubSpot's cap), was " + associationBatchSize);
      HubSpotClient portal = client;
      if (portal == null) {
        HubSpotClient.Builder b = HubSpotClient.builder().credentials(credentials).clock(clock);
        if (rateBudget != null) {
          b.rateBudget(rateBudget);
        }
        if (baseUrl != null) {
          b.baseUrl(baseUrl);
        }
        if (apiVersion != null) {
          b.apiVersion(apiVersion);
        }
        portal = b.build();
      }
      return new DefaultSyncJob(new JobSettings(portal, sink, Optional.ofNullable(stateStore), List.copyOf(objectTypes), allObjectTypes,
          Map.copyOf(propertySelection), overlap, indexLag, archivedPassEvery, reconcileEvery, backfillMethod, listPageSize,
          searchPageSize, clock, memoryLimitBytes, concurrency, progressEvery, onDrift, onProgress, List.copyOf(associations),
          associationFullScanEvery, associationBackstopEvery, associationBatchSize, Optional.ofNullable(changeSource),
          gdprMode));
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "SyncJob: " + message);
      }
    }
  }
}
