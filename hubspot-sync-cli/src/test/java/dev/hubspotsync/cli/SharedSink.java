package dev.hubspotsync.cli;

import dev.hubspotsync.SyncReport;
import dev.hubspotsync.WarehouseException;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.GdprMode;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.sink.WriteResult;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A sink that outlives the commands using it (close does nothing), so several CLI runs share one
 * warehouse; and that can be told to fail its writes as a broken warehouse would.
 */
final class SharedSink implements WarehouseSink {
  private final WarehouseSink delegate;
  private volatile WarehouseException failWrites;

  SharedSink(WarehouseSink delegate) {
    this.delegate = delegate;
  }

  /** Every later write throws this. */
  void failWrites(WarehouseException failure) {
    this.failWrites = failure;
  }

  @Override
  public List<ColumnMapping> describe(String objectType) {
    return delegate.describe(objectType);
  }

  @Override
  public void evolve(String objectType, List<ColumnMapping> columns) {
    delegate.evolve(objectType, columns);
  }

  @Override
  public List<String> evolveStatements(String objectType, List<ColumnMapping> columns) {
    return delegate.evolveStatements(objectType, columns);
  }

  @Override
  public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
    if (failWrites != null) {
      throw failWrites;
    }
    return delegate.write(batch, checkpoint);
  }

  @Override
  public Optional<Checkpoint> checkpoint(String stream) {
    return delegate.checkpoint(stream);
  }

  @Override
  public void replaceAssociations(LinkBatch batch, Checkpoint checkpoint) {
    delegate.replaceAssociations(batch, checkpoint);
  }

  @Override
  public void recordRun(SyncReport report) {
    delegate.recordRun(report);
  }

  @Override
  public Optional<SyncReport> lastRun() {
    return delegate.lastRun();
  }

  @Override
  public long[] ids(String objectType, boolean archived) {
    return delegate.ids(objectType, archived);
  }

  @Override
  public java.util.Map<Long, Instant> updatedAt(String objectType, Collection<Long> ids) {
    return delegate.updatedAt(objectType, ids);
  }

  @Override
  public java.util.List<dev.hubspotsync.sink.LinkRow> links(String fromType, String toType, Collection<Long> fromIds) {
    return delegate.links(fromType, toType, fromIds);
  }

  @Override
  public long[] parentsLinkedTo(String fromType, String toType, Collection<Long> toIds) {
    return delegate.parentsLinkedTo(fromType, toType, toIds);
  }

  @Override
  public int markArchived(String objectType, Collection<Long> ids, Instant archivedAt) {
    return delegate.markArchived(objectType, ids, archivedAt);
  }

  @Override
  public void flush() {
    delegate.flush();
  }

  @Override
  public int erase(String objectType, Collection<Long> ids, GdprMode mode, Instant deletedAt) {
    return delegate.erase(objectType, ids, mode, deletedAt);
  }

  @Override
  public int maxIdentifierBytes() {
    return delegate.maxIdentifierBytes();
  }

  @Override
  public void close() {}
}
