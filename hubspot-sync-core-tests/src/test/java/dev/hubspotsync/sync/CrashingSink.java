package dev.hubspotsync.sync;

import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.SupportsTransactions;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.testkit.InMemorySink;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real in-memory sink, plus the environment's events a test scripts: the Nth write crashes
 * before it commits (once), or something happens in the portal just before the Nth write.
 */
final class CrashingSink implements WarehouseSink, SupportsTransactions {
  final InMemorySink inner = InMemorySink.create();
  private final int crashAt;
  private final Map<Integer, Runnable> before = new HashMap<>();
  private int writes;
  private boolean crashed;

  CrashingSink(int crashAt) {
    this.crashAt = crashAt;
  }

  void onWrite(int n, Runnable event) {
    before.put(n, event);
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
    writes++;
    before.getOrDefault(writes, () -> {}).run();
    if (writes == crashAt && !crashed) {
      crashed = true;
      inner.failNextWrite(batch.objectType());
    }
    return inner.write(batch, checkpoint);
  }

  @Override
  public Optional<Checkpoint> checkpoint(String stream) {
    return inner.checkpoint(stream);
  }

  @Override
  public void close() {
    inner.close();
  }
}
