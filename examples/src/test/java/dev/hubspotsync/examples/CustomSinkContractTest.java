package dev.hubspotsync.examples;

import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sink.WarehouseSink;
import dev.hubspotsync.testkit.WarehouseSinkContract;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user writing a sink does: extend the testkit's contract and implement its hooks. Every
 * contract test then runs against {@link JsonLinesSink}, each in a fresh directory.
 */
class CustomSinkContractTest extends WarehouseSinkContract {
  @TempDir
  Path directory;

  @Override
  protected WarehouseSink newSink() {
    return new CrashableSink(directory);
  }

  /** Read from the files, not from the sink's memory: {@code rows()} parses the table's file each time. */
  @Override
  protected List<Map<String, Object>> readRows(WarehouseSink sink, String objectType) {
    return JsonLinesSink.open(directory).rows(objectType);
  }

  @Override
  protected List<LinkRow> readLinks(WarehouseSink sink, String fromType, String toType) {
    return JsonLinesSink.open(directory).links(fromType, toType);
  }

  /** The sink's seam between rows and checkpoint: the next write of the stream fails right there. */
  @Override
  protected void armCrashBeforeCommit(WarehouseSink sink, String stream) {
    ((CrashableSink) sink).armed.add(stream);
  }

  private static final class CrashableSink extends JsonLinesSink {
    final Set<String> armed = ConcurrentHashMap.newKeySet();

    CrashableSink(Path directory) {
      super(directory);
    }

    @Override
    protected void beforeCheckpoint(String stream) {
      if (armed.remove(stream)) {
        throw new IllegalStateException("simulated crash before the checkpoint of " + stream);
      }
    }
  }
}
