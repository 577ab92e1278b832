package dev.hubspotsync.duckdb;

import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sql.JdbcUnit;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlLoader;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
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
 * Hands a batch's Arrow vectors to DuckDB without copying them: the vectors become an Arrow C
 * stream registered on the unit's connection as a view, which the kernel's merge (or append) reads
 * once; closing the stage drops the view. Link batches are built into vectors the same way. Owns
 * the allocator of those link vectors; thread-safe (one registration per connection and statement).
 */
final class DuckDbLoader implements SqlLoader<JdbcUnit>, AutoCloseable {
  private static final String BATCH_VIEW = "_hubspot_sync_batch";
  private static final String LINKS_VIEW = "_hubspot_sync_links";
  private static final String LINK_COLUMNS =
      "from_id, to_id, association_type_id, association_category, association_label, _synced_at";
  private final BufferAllocator allocator = new RootAllocator();

  @Override
  public Staged stage(JdbcUnit unit, RecordBatch batch) throws SQLException {
    return register(unit, BATCH_VIEW, batch.arrow());
  }

  @Override
  public void appendLinks(JdbcUnit unit, LinkBatch batch, String table) throws SQLException {
    try (VectorSchemaRoot links = links(allocator, batch); Staged staged = register(unit, LINKS_VIEW, links)) {
      unit.execute(Sql.of("INSERT INTO " + table + " (" + LINK_COLUMNS + ") SELECT " + LINK_COLUMNS + " FROM "
          + staged.relation()));
    }
  }

  /** Releases the link vectors' allocator. */
  @Override
  public void close() {
    allocator.close();
  }

  /**
   * Registers {@code root} as an Arrow stream under the view name {@code view} on the unit's
   * connection. {@code root} stays open and unchanged; closing the stage drops the view and
   * releases the stream.
   */
  private static Staged register(JdbcUnit unit, String view, VectorSchemaRoot root) throws SQLException {
    DuckDBConnection connection = unit.connection().unwrap(DuckDBConnection.class);
    // Export with the root's own allocator: Arrow shares buffers only between allocators of one root.
    BufferAllocator owner = root.getFieldVectors().get(0).getAllocator();
    ArrowReader reader = new OneBatchReader(owner, root);
    ArrowArrayStream stream = ArrowArrayStream.allocateNew(owner);
    try {
      Data.exportArrayStream(owner, reader, stream);
      connection.registerArrowStream(view, stream);
    } catch (RuntimeException e) {
      release(reader, stream, view);
      throw e;
    }
    String relation = DuckDbDialect.NAMES.quote(view);
    // DuckDB stores every value a batch holds, NUL characters included: nothing is cleaned.
    return Staged.of(relation, 0, () -> {
      try {
        // The view points at the stream's memory: it must not outlive it.
        unit.execute(Sql.of("DROP VIEW IF EXISTS " + relation));
      } finally {
        release(reader, stream, view);
      }
    });
  }

  private static void release(ArrowReader reader, ArrowArrayStream stream, String view) {
    try (reader; stream) {
      // closed by the try
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot release the Arrow reader of " + view, e);
    }
  }

  /** The links of a batch as vectors: from_id, to_id, association_type_id, category, label, _synced_at. */
  private static VectorSchemaRoot links(BufferAllocator allocator, LinkBatch batch) {
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
