package dev.hubspotsync.cli;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.client.ObjectCatalog;
import dev.hubspotsync.client.ObjectSchema;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.ratelimit.TokenBucketRateBudget;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.WarehouseSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Turns a {@link SyncConfig} into the library's objects: credentials, rate budget, client, job. */
final class Setup {
  private Setup() {}

  /**
   * The portal's credentials from the environment, as {@code portal.credentials} says (kind,
   * envPrefix, scopes); without it the first complete kind in HubSpotCredentials' order.
   *
   * @throws HubSpotSyncException {@code BAD_CONFIGURATION} naming the variables and the config keys
   */
  static HubSpotCredentials credentials(SyncConfig config, Context ctx) {
    SyncConfig.Credentials c = config.credentials();
    HubSpotCredentials credentials;
    try {
      credentials = c.environment().read(ctx.env());
    } catch (HubSpotSyncException e) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, config.file() + ": " + e.getMessage()
          + " Secrets are never read from the config file; portal.credentials.kind and envPrefix choose which "
          + "variables are read.");
    }
    if (c.scopes() != null && credentials.kind() != HubSpotCredentials.Kind.OAUTH_CLIENT_CREDENTIALS) {
      throw ConfigNode.error(config.file().toString(), "portal.credentials.scopes", "only client credentials ask for "
          + "scopes, but the environment holds a " + credentials.describe() + ". Set portal.credentials.kind: "
          + "client-credentials (with " + c.envPrefix() + "CLIENT_ID and " + c.envPrefix() + "CLIENT_SECRET), or "
          + "remove scopes:");
    }
    return credentials;
  }

  /** The config's budget settings, checked; {@code budget.workers} and {@code budget.shared} are applied by {@link ProcessBudget}. */
  static TokenBucketRateBudget.Builder budgetTemplate(SyncConfig config, Context ctx) {
    SyncConfig.Budget b = config.budget();
    TokenBucketRateBudget.Builder builder = RateBudget.tokenBucket().clock(ctx.clock()).sleeper(ctx.sleeper());
    String file = config.file().toString();
    apply(file, "budget.timeZone", b.timeZone(), builder::timeZone);
    apply(file, "budget.dailyShare", b.dailyShare(), builder::dailyShare);
    apply(file, "budget.dailyCeiling", b.dailyCeiling(), builder::dailyCeiling);
    apply(file, "budget.burstLimit", b.burstLimit(), builder::burstLimit);
    apply(file, "budget.burstHeadroom", b.burstHeadroom(), builder::burstHeadroom);
    apply(file, "budget.searchPerSecond", b.searchPerSecond(), builder::searchPerSecond);
    try {
      builder.build();
    } catch (HubSpotSyncException e) {
      throw ConfigNode.error(file, "budget", e.getMessage());
    }
    return builder;
  }

  /** A budget of this process alone (for the commands that make a call or two), split by {@code budget.workers}. */
  static RateBudget budget(SyncConfig config, Context ctx) {
    Integer workers = config.budget().workers();
    return budgetTemplate(config, ctx).workers(workers != null ? workers : 1).build();
  }

  static HubSpotClient client(SyncConfig config, Context ctx) {
    return client(config, ctx, budget(config, ctx));
  }

  /** A client paced by {@code budget} (a {@link ProcessBudget}'s, for sync). */
  static HubSpotClient client(SyncConfig config, Context ctx, RateBudget budget) {
    HubSpotClient.Builder b = HubSpotClient.builder().credentials(credentials(config, ctx))
        .apiVersion(config.apiVersion()).rateBudget(budget).clock(ctx.clock()).sleeper(ctx.sleeper());
    if (config.baseUrl() != null) {
      b.baseUrl(config.baseUrl());
    }
    return b.build();
  }

  /** A job builder with every setting of the config; listeners are the caller's to add. */
  static SyncJob.Builder job(SyncConfig config, HubSpotClient client, WarehouseSink sink, Context ctx) {
    SyncJob.Builder job = SyncJob.builder().client(client).sink(sink).clock(ctx.clock());
    if (config.allObjects()) {
      job.allObjectTypes();
    } else {
      job.addObjectTypes(config.objects().toArray(String[]::new));
    }
    config.properties().forEach(job::properties);
    config.associations().forEach(p -> job.addAssociation(p.from(), p.to()));
    SyncConfig.Tuning t = config.sync();
    String file = config.file().toString();
    apply(file, "sync.overlap", t.overlap(), job::overlap);
    apply(file, "sync.indexLag", t.indexLag(), job::indexLag);
    apply(file, "sync.archivedPassEvery", t.archivedPassEvery(), job::archivedPassEvery);
    apply(file, "sync.reconcileEvery", t.reconcileEvery(), job::reconcileEvery);
    apply(file, "sync.associationFullScanEvery", t.associationFullScanEvery(), job::associationFullScanEvery);
    apply(file, "sync.associationBackstopEvery", t.associationBackstopEvery(), job::associationBackstopEvery);
    apply(file, "sync.associationBatchSize", t.associationBatchSize(), job::associationBatchSize);
    apply(file, "sync.concurrency", t.concurrency(), job::concurrency);
    apply(file, "sync.backfillMethod", t.backfillMethod(), job::backfillMethod);
    apply(file, "sync.memoryLimitMb", t.memoryLimitBytes(), job::memoryLimitBytes);
    apply(file, "sync.changeSource", t.changeSource(), job::changeSource);
    if (t.listPageSize() != null || t.searchPageSize() != null) {
      job.pageSizes(t.listPageSize() != null ? t.listPageSize() : 100, t.searchPageSize() != null ? t.searchPageSize() : 200);
    }
    return job;
  }

  /** How often {@code sync} prints a progress line (default 10 s). */
  static Duration progressEvery(SyncConfig config) {
    return config.sync().progressEvery() != null ? config.sync().progressEvery() : Duration.ofSeconds(10);
  }

  private static <T> void apply(String file, String key, T value, Consumer<T> setter) {
    if (value == null) {
      return;
    }
    try {
      setter.accept(value);
    } catch (HubSpotSyncException e) {
      if (e.code() == ErrorCode.BAD_CONFIGURATION) {
        throw ConfigNode.error(file, key, e.getMessage());
      }
      throw e;
    }
  }

  /**
   * The object types a run covers: the configured ones, or for {@code all} what the portal serves of
   * the standard catalog plus its custom objects ({@link ObjectCatalog#selectAll}; asks it only then).
   */
  static List<String> objectTypes(SyncConfig config, HubSpotClient client) {
    if (!config.allObjects()) {
      return config.objects();
    }
    return ObjectCatalog.selectAll(client).objectTypes();
  }

  /** The link-table stream name of each configured pair, as the engine stores its checkpoint. */
  static List<String> pairStreams(SyncConfig config) {
    return config.associations().stream().map(p -> LinkBatch.pair(p.from(), p.to())).toList();
  }

  /**
   * Checks that every object type the config names exists: standard names and ids pass at once;
   * anything else must be one of the portal's custom objects (one schemas call).
   *
   * @throws HubSpotSyncException {@code BAD_CONFIGURATION} naming the entry and what the portal has
   */
  static void checkObjectTypes(SyncConfig config, HubSpotClient client) {
    Set<String> unknown = new LinkedHashSet<>();
    config.objects().stream().filter(t -> !ObjectCatalog.knownWithoutPortal(t)).forEach(unknown::add);
    config.associations().forEach(p -> {
      for (String t : List.of(p.from(), p.to())) {
        if (!ObjectCatalog.knownWithoutPortal(t)) {
          unknown.add(t);
        }
      }
    });
    if (unknown.isEmpty()) {
      return;
    }
    List<ObjectSchema> schemas = client.schemas();
    Set<String> custom = new LinkedHashSet<>();
    for (ObjectSchema s : schemas) {
      custom.add(s.name());
      custom.add(s.objectTypeId());
      custom.add(s.fullyQualifiedName());
    }
    for (String type : unknown) {
      if (!custom.contains(type)) {
        List<String> standard = ObjectCatalog.standardObjects().stream().map(ObjectCatalog.StandardObject::name).toList();
        List<String> names = new ArrayList<>(standard);
        schemas.forEach(s -> names.add(s.name()));
        String where = config.objects().contains(type) ? "objects[" + config.objects().indexOf(type) + "]" : "associations";
        throw ConfigNode.error(config.file().toString(), where, "unknown object type \"" + type + "\"; "
            + Suggest.closest(type, names).map(n -> "did you mean " + n + "? ").orElse("")
            + "standard types are " + String.join(", ", standard)
            + (schemas.isEmpty() ? "; the portal has no custom objects"
                : "; the portal's custom objects: " + String.join(", ", schemas.stream().map(ObjectSchema::name).toList())));
      }
    }
  }
}
