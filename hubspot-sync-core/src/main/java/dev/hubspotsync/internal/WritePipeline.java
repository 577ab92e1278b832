package dev.hubspotsync.internal;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Lets a stream fetch its next page while the sink loads the previous one: writes run in order on
 * one loader thread, at most {@code depth} of them queued or running, so the fetcher blocks rather
 * than fill memory (DESIGN.md, "Fetching and loading overlap").
 *
 * <p>Once a write fails, every write queued after it is dropped without running (its checkpoint
 * would cover the failed one's records) and the failure is thrown to the fetcher at its next
 * {@link #submit} or {@link #flush}.
 */
final class WritePipeline implements AutoCloseable {

  /** A write and what to release if it never runs. */
  interface Job {
    void run();

    /** Releases what the job holds (e.g. its Arrow batch); called exactly once, run or not. */
    void release();
  }

  private final int depth;
  private final Semaphore slots;
  private final ExecutorService loader;
  private volatile RuntimeException failure;

  WritePipeline(String name, int depth) {
    this.depth = depth;
    this.slots = new Semaphore(depth);
    this.loader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  /** Queues a write, waiting while {@code depth} writes are ahead of it. */
  void submit(Job job) {
    try {
      rethrow();
      acquire(1);
    } catch (RuntimeException e) {
      job.release();
      throw e;
    }
    loader.execute(() -> {
      try {
        if (failure == null) {
          job.run();
        }
      } catch (RuntimeException | Error e) {
        failure = e instanceof RuntimeException re ? re
            : new HubSpotSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Loading a batch failed: " + e, false, e);
      } finally {
        job.release();
        slots.release();
      }
    });
  }

  /** Waits until every queued write has run; throws the first failure. */
  void flush() {
    acquire(depth);
    slots.release(depth);
    rethrow();
  }

  private void acquire(int permits) {
    try {
      slots.acquire(permits);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubSpotSyncException(ErrorCode.INTERRUPTED, "Interrupted while waiting for the sink", false, e);
    }
  }

  private void rethrow() {
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
  }

  /**
   * Lets the queued writes finish (each keeps its checkpoint, so a stream that stops on an error
   * still keeps what it fetched) and stops the loader. Failures are not thrown here; {@link #flush}
   * throws them.
   */
  @Override
  public void close() {
    loader.shutdown();
    slots.acquireUninterruptibly(depth);
    slots.release(depth);
  }
}
