package dev.hubspotsync.source;

/**
 * Where a sync job gets its changes from: the extractor SPI (DESIGN.md, "Extension points"). Given
 * one object type's stream and its checkpoint, a change source reads what changed since then and
 * hands it to the engine as {@link ChangeBatch}es, each with the checkpoint that covers it; the engine
 * writes every batch and its checkpoint together, so a checkpoint never runs ahead of the data.
 *
 * <p>Built in: {@code polling} (the default: search windows on the modified date, list backfill,
 * recycle-bin pass, reconciliation) and {@link #journal journal} (HubSpot's change journal); see
 * docs/change-sources.md. Plug in your own, e.g. a receiver of HubSpot's webhooks, with
 * {@link dev.hubspotsync.SyncJob.Builder#changeSource}.
 *
 * <p>Thread safety: the engine runs several object types at once, each on its own thread, and calls
 * {@link #readObjects} once per type and run; an implementation must allow concurrent calls for
 * different types. Whatever a source keeps between runs belongs in its checkpoint.
 */
public interface ChangeSource {

  /**
   * HubSpot's change journal of portal {@code portalId} (Webhooks Journal 2026-03): every create,
   * update, delete, merge, restore, link edit and GDPR deletion, read at no rate-limit cost; records
   * and links are then read by id. Needs a project app's client-credentials token
   * ({@link dev.hubspotsync.client.HubSpotCredentials#clientCredentials}) with the journal scopes.
   * The first backfill, the recovery from a gap and a periodic reconciliation still poll.
   */
  static ChangeSource journal(long portalId) {
    return new BuiltInSource(BuiltInSource.JOURNAL, portalId);
  }

  /** Polling, the default: search windows on the modified date, list backfill, recycle-bin pass, reconciliation. */
  static ChangeSource polling() {
    return new BuiltInSource(BuiltInSource.POLLING, 0);
  }

  /** The source's name, for logs and docs (e.g. {@code polling}). */
  default String name() {
    return getClass().getSimpleName();
  }

  /**
   * Reads the changes of {@code stream}'s object type since {@link ObjectStream#checkpoint()} and
   * hands them to {@link ObjectStream#apply}, in order; returns when this run has nothing more. An
   * exception thrown here fails the stream; batches applied before it stay written with their
   * checkpoints, so the next run continues from the last of them.
   */
  void readObjects(ObjectStream stream);

  /**
   * Whether this source reports every link edit between {@code fromType} and {@code toType} through
   * {@link ChangeBatch.Builder#linksEdited} in {@code fromType}'s batches (default: no). When it does,
   * the pair reads only the links of those parents instead of finding edits by scans; its first full
   * scan and its backstop scan (every {@code associationBackstopEvery}) still run. Asked only for pairs
   * whose parent type is one of the job's object types.
   */
  default boolean servesLinks(String fromType, String toType) {
    return false;
  }
}
