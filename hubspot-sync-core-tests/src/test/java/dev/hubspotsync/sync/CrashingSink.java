package dev.hubspotsync.sync;

import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WriteResult;
import dev.hubspotsync.testkit.InMemorySink;
import java.util.HashMap;
import java.util.Map;

/**
 * The real in-memory sink, plus the environment's events a test scripts: the Nth write crashes
 * before it commits (once), or something happens in the portal just before the Nth write.
 */
final class CrashingSink extends ForwardingSink {
  private final int crashAt;
  private final Map<Integer, Runnable> before = new HashMap<>();
  private int writes;
  private boolean crashed;

  CrashingSink(int crashAt) {
    super(InMemorySink.create());
    this.crashAt = crashAt;
  }

  void onWrite(int n, Runnable event) {
    before.put(n, event);
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
}
