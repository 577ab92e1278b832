package dev.hubspotsync.duckdb;

import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

/**
 * Hands Arrow vectors to DuckDB without copying them: a {@link VectorSchemaRoot} becomes an Arrow C
 * stream registered on a connection as a view that one query then reads. Not thread-safe (one
 * registration per connection and query).
 */
final class ArrowStreams {
  private ArrowStreams() {}

  /**
   * Runs {@code sql}, which reads the rows of {@code root} from the view {@code view}: registers the
   * root as an Arrow stream under that name on {@code connection}, executes, then drops the view and
   * releases the stream. {@code root} stays open and unchanged. Returns the statement's update count.
   */
  static int execute(DuckDBConnection connection, String view, VectorSchemaRoot root, String sql)
      throws SQLException {
    // Export with the root's own allocator: Arrow shares buffers only between allocators of one root.
    BufferAllocator allocator = root.getFieldVectors().get(0).getAllocator();
    try (ArrowReader reader = new OneBatchReader(allocator, root);
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, reader, stream);
      connection.registerArrowStream(view, stream);
      try {
        return DuckDbFile.execute(connection, sql);
      } finally {
        // The view points at the stream's memory: it must not outlive it.
        DuckDbFile.execute(connection, "DROP VIEW IF EXISTS " + DuckNames.quote(view));
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot release the Arrow reader of " + view, e);
    }
  }

  /** The links of a batch as vectors: from_id, to_id, association_type_id, category, label, _synced_at. */
  static VectorSchemaRoot links(BufferAllocator allocator, LinkBatch batch) {
    Schema schema = new Schema(List.of(
        field("from_id", new ArrowType.Int(64, true), false),
        field("to_id", new ArrowType.Int(64, true), false),
        field("association_type_id", new ArrowType.Int(32, true), false),
        field("association_category", ArrowType.Utf8.INSTANCE, true),
        field("association_label", ArrowType.Utf8.INSTANCE, true),
        field("_synced_at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"), true)));
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    try {
      List<LinkRow> links = batch.links();
      int n = links.size();
      root.getFieldVectors().forEach(v -> {
        v.setInitialCapacity(n);
        v.allocateNew();
      });
      BigIntVector from = (BigIntVector) root.getVector(0);
      BigIntVector to = (BigIntVector) root.getVector(1);
      IntVector type = (IntVector) root.getVector(2);
      VarCharVector category = (VarCharVector) root.getVector(3);
      VarCharVector label = (VarCharVector) root.getVector(4);
      TimeStampMicroTZVector syncedAt = (TimeStampMicroTZVector) root.getVector(5);
      long micros = micros(batch.syncedAt());
      for (int i = 0; i < n; i++) {
        LinkRow link = links.get(i);
        from.setSafe(i, link.fromId());
        to.setSafe(i, link.toId());
        type.setSafe(i, link.typeId());
        setText(category, i, link.category());
        setText(label, i, link.label());
        syncedAt.setSafe(i, micros);
      }
      root.setRowCount(n);
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  private static Field field(String name, ArrowType type, boolean nullable) {
    return new Field(name, new FieldType(nullable, type, null), null);
  }

  private static void setText(VarCharVector vector, int row, String value) {
    if (value == null) {
      vector.setNull(row);
    } else {
      vector.setSafe(row, value.getBytes(StandardCharsets.UTF_8));
    }
  }

  static long micros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  /** An Arrow reader that yields the rows of one existing root, once, sharing its buffers. */
  private static final class OneBatchReader extends ArrowReader {
    private final VectorSchemaRoot source;
    private boolean read;

    OneBatchReader(BufferAllocator allocator, VectorSchemaRoot source) {
      super(allocator);
      this.source = source;
    }

    @Override
    public boolean loadNextBatch() throws java.io.IOException {
      if (read) {
        return false;
      }
      read = true;
      try (ArrowRecordBatch batch = new VectorUnloader(source).getRecordBatch()) {
        loadRecordBatch(batch);
      }
      return true;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {}

    @Override
    protected Schema readSchema() {
      return source.getSchema();
    }
  }
}
