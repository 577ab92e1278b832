package dev.hubspotsync.sink;

import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.schema.ColumnMapping;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where synced data goes. One table per object type (named by the sink, e.g. {@code contacts}),
 * with the {@link dev.hubspotsync.batch.SystemColumns system columns} and one column per mapped
 * property. Implementations must be safe for concurrent writes to different object types.
 *
 * <p>Invariants every sink keeps (DESIGN.md): upsert keyed on {@code id}; a row replaces a stored
 * one only if its {@code _hs_updated_at} is at least the stored one; columns are only added; every
 * timestamp in UTC; the checkpoint never runs ahead of the data. Association pairs go to link tables
 * ({@code contacts_to_deals}: from_id, to_id, association_type_id, association_category,
 * association_label, _synced_at), replaced per parent.
 */
public interface WarehouseSink extends AutoCloseable {

  /**
   * The property columns the object type's table has, from the sink's stored mapping, in column
   * order; empty when the table does not exist yet.
   */
  List<ColumnMapping> describe(String objectType);

  /**
   * Creates the table (with the system columns) if absent and adds {@code columns}; never drops or
   * retypes, except that a column given as {@link ColumnType#DOUBLE} which the
   * table stores as the legacy {@link ColumnType#DECIMAL} is converted to DOUBLE
   * (see {@link dev.hubspotsync.schema.SchemaDrift#converted}). Sinks also make that conversion before
   * writing a batch that has the column as DOUBLE.
   */
  void evolve(String objectType, List<ColumnMapping> columns);

  /**
   * What {@link #evolve evolve(objectType, columns)} would do now, without doing it: SQL sinks give
   * the DDL statements they would run, in order; empty when nothing would change. Used by the CLI's
   * {@code schema-diff}. By default one line per table or column that {@link #describe} lacks, and
   * one per DECIMAL column to convert.
   */
  default List<String> evolveStatements(String objectType, List<ColumnMapping> columns) {
    List<ColumnMapping> existing = describe(objectType);
    Set<String> have = new HashSet<>();
    Set<String> decimal = new HashSet<>();
    existing.forEach(c -> have.add(c.column()));
    existing.stream().filter(c -> c.type() == ColumnType.DECIMAL).forEach(c -> decimal.add(c.column()));
    List<String> lines = new ArrayList<>();
    if (existing.isEmpty()) {
      lines.add("create table for " + objectType);
    }
    for (ColumnMapping column : columns) {
      if (have.add(column.column())) {
        lines.add("add column " + column.column() + " " + column.type() + " to " + objectType);
      } else if (column.type() == ColumnType.DOUBLE && decimal.remove(column.column())) {
        lines.add("convert column " + column.column() + " of " + objectType + " from DECIMAL to DOUBLE");
      }
    }
    return lines;
  }

  /**
   * Upserts the batch's rows (already de-duplicated by id) and stores {@code checkpoint}: in one
   * transaction when the sink {@link SupportsTransactions supports transactions}, otherwise the
   * checkpoint only after the rows are durable.
   */
  WriteResult write(RecordBatch batch, Checkpoint checkpoint);

  /** The checkpoint last stored for a stream. */
  Optional<Checkpoint> checkpoint(String stream);

  /**
   * Replaces every stored link of the batch's parents with the batch's links (in the pair's link
   * table, created if absent) and stores {@code checkpoint}: in one transaction when the sink
   * {@link SupportsTransactions supports transactions}, otherwise the checkpoint only after the links
   * are durable. Links are keyed on (from id, to id, type id); a batch holds each key once.
   */
  void replaceAssociations(LinkBatch batch, Checkpoint checkpoint);

  /**
   * Records a finished (or failed) run, e.g. as a row of {@code _hubspot_sync_runs}; a sink without
   * such a table ignores it. Called once per run, after every stream has stopped.
   */
  default void recordRun(SyncReport report) {}

  /**
   * The report of the recorded run that started last, as {@link #recordRun} received it; empty when
   * no run was recorded or the sink keeps no runs. Used by the CLI's {@code status}.
   */
  default Optional<SyncReport> lastRun() {
    return Optional.empty();
  }

  /**
   * Ids of the table's rows whose {@code _hs_archived} equals {@code archived}, ascending; empty if
   * the table does not exist. The engine uses them to notice restores and deletions; a sink that
   * cannot answer throws {@link UnsupportedOperationException} and the engine skips those checks.
   */
  default long[] ids(String objectType, boolean archived) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot list the ids of its rows");
  }

  /**
   * Marks existing rows archived ({@code _hs_archived = true}, {@code _hs_archived_at = archivedAt})
   * without touching their other columns: for records merged away or deleted for good, which
   * HubSpot no longer serves. Ids without a row, or already archived, are left alone. Returns the
   * rows changed. Unsupported by default, as {@link #ids}.
   */
  default int markArchived(String objectType, Collection<Long> ids, Instant archivedAt) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot mark rows archived");
  }

  /**
   * Erases the personal data of records HubSpot GDPR-deleted: with {@link GdprMode#ERASE} their rows
   * are deleted; with {@link GdprMode#NULL_OUT} their property columns and {@code _hs_unparsed} are
   * set to null, {@code _hs_archived} to true ({@code _hs_archived_at} to {@code deletedAt} unless
   * set), and {@code _hs_gdpr_deleted_at} (a system column outside {@link SystemColumns#ALL}, added to
   * the table when first needed) to {@code deletedAt}. In both modes every link of theirs is deleted
   * from every link table of the type, as parent or as target. Ids without a row are left alone;
   * calling again with the same ids changes nothing more. Returns the object rows deleted or nulled.
   * Unsupported by default, as {@link #ids}: the engine then fails the stream rather than keep the
   * data.
   */
  default int erase(String objectType, Collection<Long> ids, GdprMode mode, Instant deletedAt) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot erase personal data");
  }

  /**
   * The distinct parents, ascending, of the link table of {@code fromType → toType} that hold a link
   * to one of {@code toIds}; empty if the table does not exist. The engine re-reads their links when
   * a target record is archived, deleted, merged or restored, which moves no date of the parent.
   * Unsupported by default, as {@link #ids}: the engine then finds such parents only through HubSpot
   * (targets that are live again) and at the next full scan.
   */
  default long[] parentsLinkedTo(String fromType, String toType, Collection<Long> toIds) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot look up links by target");
  }

  /**
   * Every stored link of {@code fromIds} in the link table of {@code fromType → toType}, in any
   * order; empty if the table does not exist. The engine compares them with HubSpot's during the
   * backstop full scan of a boosted pair, to report what the incremental pass missed
   * ({@link dev.hubspotsync.SyncReport.Backstop}). Unsupported by default, as {@link #ids}: the scan
   * still corrects the links, but reports -1 for what it found.
   */
  default List<LinkRow> links(String fromType, String toType, Collection<Long> fromIds) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot read its links back");
  }

  /**
   * The stored {@code _hs_updated_at} of the live rows among {@code ids} that have one; ids without a
   * row, archived, or without a date are absent. The engine's reconciliation compares them with the
   * portal's, to read again rows that missed an update (a record updated and archived before a run,
   * restored before the recycle-bin pass saw it). Unsupported by default, as {@link #ids}: the
   * reconciliation then reads only records the sink lacks.
   */
  default java.util.Map<Long, Instant> updatedAt(String objectType, Collection<Long> ids) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot read its rows' modified dates");
  }

  /**
   * The argument checks of {@link #evolve}, with the messages every sink gives: no null, and no
   * column named as a system column.
   *
   * @param columnName checks a mapping's column name (throwing if the sink cannot take it) and
   *     returns it in the form names are compared in (lower case where the warehouse ignores case)
   * @throws IllegalArgumentException when a column takes a system column's name
   */
  static void checkMappings(String objectType, List<ColumnMapping> columns,
      Function<ColumnMapping, String> columnName) {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(columns, "columns");
    for (ColumnMapping column : columns) {
      Objects.requireNonNull(column, "columns must not contain null");
      String compared = columnName.apply(column);
      Objects.requireNonNull(column.type(), "column type");
      if (SystemColumns.isSystem(compared)) {
        throw new IllegalArgumentException("Property '" + column.property() + "' of " + objectType
            + " cannot take the column name '" + column.column() + "': it is a system column");
      }
    }
  }

  /** The longest identifier the warehouse accepts, in UTF-8 bytes (PostgreSQL: 63). */
  default int maxIdentifierBytes() {
    return 63;
  }

  /**
   * Makes every write accepted so far durable, with its checkpoint. A sink that gathers batches into
   * larger loads (BigQuery, Snowflake) loads them now; the others write at once and do nothing. The
   * engine calls it before it copies a checkpoint to a separate {@link StateStore}, so a stored
   * checkpoint never runs ahead of the rows it covers.
   */
  default void flush() {}

  @Override
  void close();
}
