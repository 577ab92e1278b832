package dev.hubspotsync.sync;

import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.SupportsTransactions;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.testkit.InMemorySink;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The real in-memory sink behind a seam where a test adds events of its environment (crashes, edits, counts). */
abstract class ForwardingSink implements WarehouseSink, SupportsTransactions {
  final InMemorySink inner;

  ForwardingSink(InMemorySink inner) {
    this.inner = inner;
  }

  @Override
  public List<ColumnMapping> describe(String objectType) {
    return inner.describe(objectType);
  }

  @Override
  public void evolve(String objectType, List<ColumnMapping> columns) {
    inner.evolve(objectType, columns);
  }

  @Override
  public WriteResult write(RecordBatch batch, Checkpoint checkpoint) {
    return inner.write(batch, checkpoint);
  }

  @Override
  public Optional<Checkpoint> checkpoint(String stream) {
    return inner.checkpoint(stream);
  }

  @Override
  public void replaceAssociations(LinkBatch batch, Checkpoint checkpoint) {
    inner.replaceAssociations(batch, checkpoint);
  }

  @Override
  public void recordRun(SyncReport report) {
    inner.recordRun(report);
  }

  @Override
  public long[] ids(String objectType, boolean archived) {
    return inner.ids(objectType, archived);
  }

  @Override
  public java.util.Map<Long, Instant> updatedAt(String objectType, Collection<Long> ids) {
    return inner.updatedAt(objectType, ids);
  }

  @Override
  public java.util.List<dev.hubspotsync.sink.LinkRow> links(String fromType, String toType, Collection<Long> fromIds) {
    return inner.links(fromType, toType, fromIds);
  }

  @Override
  public long[] parentsLinkedTo(String fromType, String toType, Collection<Long> toIds) {
    return inner.parentsLinkedTo(fromType, toType, toIds);
  }

  @Override
  public int markArchived(String objectType, Collection<Long> ids, Instant archivedAt) {
    return inner.markArchived(objectType, ids, archivedAt);
  }

  @Override
  public void flush() {
    inner.flush();
  }


  @Override
  public int maxIdentifierBytes() {
    return inner.maxIdentifierBytes();
  }

  @Override
  public void close() {
    inner.close();
  }
}
