package dev.hubspotsync.sink;

import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.schema.ColumnMapping;
import java.util.List;
import java.util.Optional;

/**
 * Where synced data goes. One table per object type (named by the sink, e.g. {@code contacts}),
 * with the {@link dev.hubspotsync.batch.SystemColumns system columns} and one column per mapped
 * property. Implementations must be safe for concurrent writes to different object types.
 *
 * <p>Invariants every sink keeps (DESIGN.md): upsert keyed on {@code id}; a row replaces a stored
 * one only if its {@code _hs_updated_at} is at least the stored one; columns are only added; every
 * timestamp in UTC; the checkpoint never runs ahead of the data.
 */
public interface WarehouseSink extends AutoCloseable {

  /**
   * The property columns the object type's table has, from the sink's stored mapping, in column
   * order; empty when the table does not exist yet.
   */
  List<ColumnMapping> describe(String objectType);

  /** Creates the table (with the system columns) if absent and adds {@code columns}; never drops or retypes. */
  void evolve(String objectType, List<ColumnMapping> columns);

  /**
   * Upserts the batch's rows (already de-duplicated by id) and stores {@code checkpoint}: in one
   * transaction when the sink {@link SupportsTransactions supports transactions}, otherwise the
   * checkpoint only after the rows are durable.
   */
  WriteResult write(RecordBatch batch, Checkpoint checkpoint);

  /** The checkpoint last stored for a stream. */
  Optional<Checkpoint> checkpoint(String stream);

  /** The longest identifier the warehouse accepts, in UTF-8 bytes (PostgreSQL: 63). */
  default int maxIdentifierBytes() {
    return 63;
  }

  @Override
  void close();
}
