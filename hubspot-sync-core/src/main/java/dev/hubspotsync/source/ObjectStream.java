package dev.hubspotsync.source;

import dev.hubspotsync.client.HubSpotClient;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One object type's stream during one run, as the engine offers it to a {@link ChangeSource}: what to
 * read (the type, its mapped properties, the stored checkpoint), the portal's client, read access to
 * what the warehouse holds, and {@link #apply} for what changed.
 *
 * <p>Implemented by the engine; valid only during {@link ChangeSource#readObjects} and only on the
 * thread that call runs on.
 */
public interface ObjectStream {

  /** The object type, as configured ({@code contacts}, {@code 2-…}). */
  String objectType();

  /**
   * The properties to read for each record: those mapped to columns, plus {@code hs_merged_object_ids}
   * where the type has it (merges are seen through it). Records handed over should carry these.
   */
  List<String> properties();

  /** The types the job's association pairs link this type to (pairs read from this type), in configured order. */
  List<String> linkedTypes();

  /**
   * The source's position as it last {@link ChangeBatch#checkpoint() stored it}, committed with the
   * data it covers; empty on the first run. Always a JSON object.
   */
  Optional<String> checkpoint();

  /** The portal's client; every call it makes is paced by the job's rate budget and counted in the report. */
  HubSpotClient client();

  /** The job's clock. */
  Clock clock();

  /**
   * The ids of the warehouse's rows of this type whose {@code _hs_archived} equals {@code archived},
   * ascending, after every batch applied so far is written.
   *
   * @throws UnsupportedOperationException when the sink cannot list its rows
   */
  long[] storedIds(boolean archived);

  /**
   * The stored {@code _hs_updated_at} of the live rows among {@code ids}, after every batch applied so
   * far is written; ids without a live row or a date are absent.
   *
   * @throws UnsupportedOperationException when the sink cannot read its rows' dates
   */
  Map<Long, Instant> storedUpdatedAt(Collection<Long> ids);

  /**
   * Hands over one batch of changes. The engine writes its records (keyed on id, never older over
   * newer) and then its checkpoint; archivals, merges and GDPR erasures are applied once the records
   * before them are durable, and the checkpoint is stored after them. Writing may overlap the
   * source's next read: this returns when the batch is queued, or throws the failure of an earlier
   * write.
   */
  void apply(ChangeBatch batch);

  /**
   * Starts a named phase of the run ({@code backfill}, {@code incremental}, …), for progress reports;
   * {@code expectedRecords} is -1 when unknown. Waits until the batches applied before are written.
   */
  void phase(String name, long expectedRecords);

  /** How many records the current phase will read, once the source learns it. */
  void expect(long records);

  /**
   * What the stream does this run, for the report's {@code mode} (polling: {@code backfill} or
   * {@code incremental}); the source's {@link ChangeSource#name() name} when never called.
   */
  void mode(String mode);

  /**
   * Adds a line to the run report's notes (e.g. a gap in a feed the source recovered from by polling):
   * what the source did that the user should know. Never a secret.
   */
  void note(String line);
}
