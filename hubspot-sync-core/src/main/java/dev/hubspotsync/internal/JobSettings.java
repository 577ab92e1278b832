package dev.hubspotsync.internal;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.SyncProgress;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.sink.StateStore;
import dev.hubspotsync.sink.WarehouseSink;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** A job's settings, shared read-only by its streams; validated by {@link dev.hubspotsync.SyncJob.Builder}. */
public record JobSettings(HubSpotClient client, WarehouseSink sink, Optional<StateStore> stateStore, List<String> objectTypes,
    boolean allObjectTypes, Map<String, List<String>> propertySelection, Duration overlap, Duration indexLag,
    Duration archivedPassEvery, Duration reconcileEvery, BackfillMethod backfillMethod, int listPageSize,
    int searchPageSize, Clock clock,
    long memoryLimitBytes, int concurrency, Duration progressEvery, Consumer<SchemaDrift> onDrift,
    Consumer<SyncProgress> onProgress, List<AssociationPair> associations, Duration associationFullScanEvery) {

  /** An association pair to sync, read from {@code from} to {@code to}. */
  public record AssociationPair(String from, String to) {}
}
