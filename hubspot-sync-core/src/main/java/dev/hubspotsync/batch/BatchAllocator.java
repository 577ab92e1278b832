package dev.hubspotsync.batch;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Arrow memory a sync run's {@link RecordBatch record batches} live in: one root allocator with
 * a byte limit, shared by every batch of the run. Each batch takes a child allocator of its own and
 * returns it when closed.
 *
 * <p>Thread-safe: batches for different object types may be built and closed concurrently. Close it
 * after every batch built from it is closed; {@link #close()} fails loudly otherwise, so a leak
 * shows up in tests instead of as a slowly growing process.
 */
public final class BatchAllocator implements AutoCloseable {
  static final String ADD_OPENS_FLAG = "--add-opens=java.base/java.nio=ALL-UNNAMED";

  private final RootAllocator root;
  private final AtomicLong batchSequence = new AtomicLong();
  private volatile boolean closed;

  private BatchAllocator(RootAllocator root) {
    this.root = root;
  }

  /**
   * One Arrow root allocator shared by a sync run, holding at most {@code limitBytes} at a time.
   *
   * @throws HubSpotSyncException with {@link ErrorCode#BAD_CONFIGURATION} when Arrow cannot work on
   *     this JVM; the message names the missing JVM flag
   * @throws IllegalArgumentException when {@code limitBytes} is not positive
   */
  public static BatchAllocator create(long limitBytes) {
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("BatchAllocator limitBytes must be positive, was " + limitBytes);
    }
    RootAllocator root;
    try {
      root = new RootAllocator(limitBytes);
    } catch (RuntimeException | LinkageError e) {
      throw arrowUnusable(e);
    }
    try {
      probe(root);
    } catch (RuntimeException | LinkageError e) {
      root.close();
      throw arrowUnusable(e);
    }
    return new BatchAllocator(root);
  }

  /**
   * Arrow 19 allocates without the flag but fails later, deep in IPC or the C data interface, when
   * it wraps its memory in a {@link java.nio.ByteBuffer}. Doing that once here fails at start-up.
   */
  private static void probe(BufferAllocator root) {
    try (ArrowBuf buf = root.buffer(8)) {
      buf.nioBuffer(0, 8);
    }
  }

  /** The exception {@link #create} throws when Arrow fails on this JVM with {@code cause}. */
  static HubSpotSyncException arrowUnusable(Throwable cause) {
    String message = "Apache Arrow cannot work on this JVM (" + cause + "). Record batches need the JVM flag "
        + ADD_OPENS_FLAG + ": pass it to java, put it in JDK_JAVA_OPTIONS, or in a runnable jar's manifest as "
        + "'Add-Opens: java.base/java.nio'. On the module path use "
        + "--add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED.";
    return new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, message, false, cause);
  }

  /** Bytes of Arrow memory held right now by open batches. */
  public long allocatedBytes() {
    return root.getAllocatedMemory();
  }

  /** The byte limit given to {@link #create}. */
  long limitBytes() {
    return root.getLimit();
  }

  BufferAllocator newBatchAllocator(String objectType) {
    if (closed) {
      throw new IllegalStateException("BatchAllocator is closed; cannot build a " + objectType + " batch");
    }
    return root.newChildAllocator("batch-" + objectType + "-" + batchSequence.incrementAndGet(), 0, Long.MAX_VALUE);
  }

  /**
   * Releases the root allocator; a second call does nothing.
   *
   * @throws IllegalStateException naming the leaked bytes and batches when batches built from this
   *     allocator are still open; the allocator stays open so they can still be closed
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    List<String> open = new ArrayList<>();
    for (BufferAllocator child : root.getChildAllocators()) {
      open.add(child.getName() + " (" + child.getAllocatedMemory() + " bytes)");
    }
    long leaked = root.getAllocatedMemory();
    if (leaked > 0 || !open.isEmpty()) {
      throw new IllegalStateException("BatchAllocator closed while " + open.size() + " record batches still hold "
          + leaked + " bytes of Arrow memory: " + open + ". Close every RecordBatch (try-with-resources) before "
          + "its allocator.");
    }
    closed = true;
    root.close();
  }
}
