package dev.hubspotsync.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An object stream's position. Backfill: the list cursor of the next page (or, for a search
 * backfill, the id floor) and when the backfill began. Incremental: the modified-date cursor (epoch
 * ms) the next window starts from (minus the overlap). Stored by the sink as JSON together with the
 * data it covers.
 *
 * <p>{@code relink} holds the ids of records whose status changed (archived, restored, merged,
 * deleted, found missing) whose links, and the links pointing to them, the association pairs have
 * not re-read yet; it is stored with the write that changed them, so a crash in between loses none.
 * Past {@link #RELINK_MAX} ids only {@code relinkAll} is kept: the pairs of the type then run a full
 * scan.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record StreamCheckpoint(String mode, String after, Long backfillStartedAt, Long cursor, Long archivedPassAt,
    Long reconciledAt, Long idFloor, List<Long> relink, Boolean relinkAll) {
  static final String BACKFILL = "backfill";
  static final String INCREMENTAL = "incremental";
  /** Ids kept in {@code relink} before a full association scan is cheaper than the list. */
  static final int RELINK_MAX = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static StreamCheckpoint start(long startedAt) {
    return new StreamCheckpoint(BACKFILL, null, startedAt, null, null, null, null, null, null);
  }

  /** The next list-API backfill page. */
  StreamCheckpoint backfillAt(String nextAfter) {
    return new StreamCheckpoint(BACKFILL, nextAfter, backfillStartedAt, null, archivedPassAt, reconciledAt, null,
        relink, relinkAll);
  }

  /** The next search backfill page: records with an id above {@code floor}. */
  StreamCheckpoint backfillAbove(long floor) {
    return new StreamCheckpoint(BACKFILL, null, backfillStartedAt, null, archivedPassAt, reconciledAt, floor,
        relink, relinkAll);
  }

  /**
   * Incremental from {@code newCursor}. A finished backfill is not a reconciliation: a record archived
   * before the backfill reached it and restored before the next recycle-bin pass is found only by one.
   */
  StreamCheckpoint incrementalAt(long newCursor) {
    return new StreamCheckpoint(INCREMENTAL, null, null, newCursor, archivedPassAt, reconciledAt, null, relink,
        relinkAll);
  }

  StreamCheckpoint archivedPassDone(long at) {
    return new StreamCheckpoint(mode, after, backfillStartedAt, cursor, at, reconciledAt, idFloor, relink, relinkAll);
  }

  StreamCheckpoint reconciled(long at) {
    return new StreamCheckpoint(mode, after, backfillStartedAt, cursor, archivedPassAt, at, idFloor, relink, relinkAll);
  }

  /** This position with {@code ids} added to the records whose links must be read again. */
  StreamCheckpoint withRelink(Collection<Long> ids) {
    if (ids.isEmpty() || Boolean.TRUE.equals(relinkAll)) {
      return this;
    }
    Set<Long> all = new TreeSet<>(relinkIds());
    if (!all.addAll(ids)) {
      return this;
    }
    return all.size() > RELINK_MAX ? withRelink(null, true) : withRelink(List.copyOf(all), null);
  }

  /** This position without the relink ids (and flag) the association pairs have handled. */
  StreamCheckpoint withoutRelink(Collection<Long> handled, boolean handledAll) {
    boolean all = Boolean.TRUE.equals(relinkAll) && !handledAll;
    Set<Long> left = new TreeSet<>(relinkIds());
    left.removeAll(handled);
    return withRelink(left.isEmpty() ? null : List.copyOf(left), all ? true : null);
  }

  private StreamCheckpoint withRelink(List<Long> ids, Boolean all) {
    return new StreamCheckpoint(mode, after, backfillStartedAt, cursor, archivedPassAt, reconciledAt, idFloor, ids, all);
  }

  /** The ids whose links must be read again, ascending; empty when none (or when {@link #relinkAll}). */
  List<Long> relinkIds() {
    return relink == null ? List.of() : relink;
  }

  boolean isBackfill() {
    return BACKFILL.equals(mode);
  }

  String json() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static StreamCheckpoint parse(String stream, String json) {
    try {
      StreamCheckpoint cp = JSON.readValue(json, StreamCheckpoint.class);
      boolean valid = cp.isBackfill() ? cp.backfillStartedAt() != null
          : INCREMENTAL.equals(cp.mode()) && cp.cursor() != null;
      if (!valid) {
        throw new IOException("missing mode, cursor or backfillStartedAt");
      }
      return cp;
    } catch (IOException e) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "The stored checkpoint of stream '" + stream
          + "' cannot be read (" + e.getMessage() + "): " + json + ". Delete it to backfill the stream again.");
    }
  }
}
