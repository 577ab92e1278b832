package dev.hubspotsync.internal;

import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.SyncProgress;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.GdprMode;
import dev.hubspotsync.sink.StateStore;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.source.ChangeSource;
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
    Consumer<SyncProgress> onProgress, List<AssociationPair> associations, Duration associationFullScanEvery,
    Duration associationBackstopEvery, int associationBatchSize, Optional<ChangeSource> changeSource, GdprMode gdprMode) {

  /** A stream's stored checkpoint: from the state store when there is one, else from the sink. */
  public Optional<Checkpoint> storedCheckpoint(String stream) {
    return stateStore.isPresent() ? stateStore.get().load(stream) : sink.checkpoint(stream);
  }

  /**
   * After the sink has accepted data with {@code checkpoint}, saves it in the state store, if there
   * is one (the sink keeps its own copy either way); a sink that gathers writes into larger loads
   * loads them first, so the state store never holds a checkpoint ahead of the warehouse.
   */
  public void saveCheckpoint(Checkpoint checkpoint) {
    if (stateStore.isPresent()) {
      sink.flush();
      stateStore.get().save(checkpoint);
    }
  }

  /** An association pair to sync, read from {@code from} to {@code to}. */
  public record AssociationPair(String from, String to) {}
}
