package dev.hubspotsync;

import dev.hubspotsync.client.ApiCall;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one {@link SyncJob#run()} did. A plain record: serializes to JSON with any mapper.
 *
 * @param outcome {@code succeeded}, or the {@link ErrorCode} of the failure that stopped the run
 *     (a failed run's report goes only to {@link dev.hubspotsync.sink.WarehouseSink#recordRun}; its
 *     streams are those that finished)
 * @param calls HTTP requests made during the run per endpoint, retries included
 * @param budgetUsedToday calls the rate budget counts today (-1 if unknown)
 * @param budgetDailyCeiling the budget's daily ceiling (-1 if none)
 * @param budgetResetsAt when the daily count resets
 * @param notes what the run chose to leave out and why, one line each (e.g. an activatable object
 *     switched off in the portal's object library under {@code allObjectTypes()}), and what a change
 *     source recovered from (a gap in HubSpot's change journal, {@code "contacts: journal gap: …"}); never null
 */
public record SyncReport(String runId, Instant startedAt, Instant finishedAt, String outcome, List<StreamReport> streams,
    List<AssociationReport> associations,
    Map<ApiCall, Long> calls, long budgetUsedToday, long budgetDailyCeiling, Instant budgetResetsAt, List<String> notes) {

  public SyncReport {
    notes = notes == null ? List.of() : List.copyOf(notes); // reports stored before notes existed have none
  }

  /** A report without notes (the shape before notes existed). */
  public SyncReport(String runId, Instant startedAt, Instant finishedAt, String outcome, List<StreamReport> streams,
      List<AssociationReport> associations, Map<ApiCall, Long> calls, long budgetUsedToday, long budgetDailyCeiling,
      Instant budgetResetsAt) {
    this(runId, startedAt, finishedAt, outcome, streams, associations, calls, budgetUsedToday, budgetDailyCeiling,
        budgetResetsAt, List.of());
  }

  /**
   * One object type's part of the run.
   *
   * @param mode {@code backfill} when the run (re)started or continued a full read, else {@code incremental}
   *     (polling); the journal source says {@code backfill}, {@code journal}, or {@code catch-up} after a gap
   * @param rowsRead records fetched from HubSpot (live and archived)
   * @param rowsWritten rows the sink inserted or replaced
   * @param rowsSkippedOlder rows the sink kept because its copy was newer
   * @param archivedRows archived records read by the archived pass
   * @param unparsedValues values kept as text because they did not fit their column's type
   * @param valuesCleaned values the sink changed so the warehouse would take them (e.g. NUL
   *     characters removed from text for PostgreSQL)
   * @param drift schema changes found at the start of the run, one line each
   * @param checkpoint the checkpoint JSON stored at the end
   * @param calls HTTP requests the stream sent per endpoint, retries included
   * @param duration how long the stream took
   */
  public record StreamReport(String objectType, String mode, long rowsRead, long rowsWritten, long rowsSkippedOlder,
      long archivedRows, long unparsedValues, long valuesCleaned, List<String> drift, String checkpoint,
      Map<ApiCall, Long> calls, java.time.Duration duration) {}

  /**
   * One association pair's part of the run.
   *
   * @param pair e.g. {@code contacts_to_deals}, also its link table's name
   * @param mode {@code full-scan} or {@code incremental}
   * @param reason why the pair ran in that mode (CDC-boost rollup found or not, scheduled scan, …)
   * @param parentsRead parents whose links were read from HubSpot
   * @param linksStored link rows written
   * @param calls HTTP requests the pair sent per endpoint, retries included
   * @param lastFullScanAt when the last complete full scan of the pair began (for a pair with a
   *     CDC-boost rollup, its last backstop scan); null before the first one completes
   * @param backstop the latest backstop scan of a pair with a CDC-boost rollup, finished or under
   *     way, whichever run did it; null if the pair never ran one
   */
  public record AssociationReport(String pair, String mode, String reason, long parentsRead, long linksStored,
      String checkpoint, Map<ApiCall, Long> calls, java.time.Duration duration, Instant lastFullScanAt,
      Backstop backstop) {}

  /**
   * What a backstop full scan found that the incremental runs had missed: a pair with a CDC-boost
   * rollup reads only parents whose modified date moved, and nothing confirms that HubSpot moves it
   * on every association edit, so every {@code associationBackstopEvery} it reads every parent and
   * compares the links with those the warehouse held.
   *
   * @param startedAt when the scan began (a scan can span runs)
   * @param complete whether every parent has been read
   * @param parentsCompared parents read so far
   * @param linksAdded links HubSpot has that the warehouse lacked (link rows: a labeled link is a row
   *     per association type, as in the link table); -1 when the sink cannot read its
   *     links back ({@link dev.hubspotsync.sink.WarehouseSink#links} is unsupported)
   * @param linksRemoved links the warehouse held that HubSpot no longer has; -1 likewise
   */
  public record Backstop(Instant startedAt, boolean complete, long parentsCompared, long linksAdded,
      long linksRemoved) {}

  public AssociationReport association(String fromType, String toType) {
    String pair = dev.hubspotsync.sink.LinkBatch.pair(fromType, toType);
    return associations.stream().filter(a -> a.pair().equals(pair)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("No association pair " + pair + " in this report"));
  }

  public static final String SUCCEEDED = "succeeded";

  public boolean succeeded() {
    return SUCCEEDED.equals(outcome);
  }

  public StreamReport stream(String objectType) {
    return streams.stream().filter(s -> s.objectType().equals(objectType)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("No stream " + objectType + " in this report"));
  }
}
