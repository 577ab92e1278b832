package dev.hubspotsync.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.io.IOException;

/**
 * The polling source's position in an object stream. Backfill: the list cursor of the next page (or,
 * for a search backfill, the id floor) and when the backfill began. Incremental: the modified-date
 * cursor (epoch ms) the next window starts from (minus the overlap). Stored by the sink as JSON
 * together with the data it covers, in the object the engine adds its own keys to
 * ({@link StreamCheckpoint}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PollingCheckpoint(String mode, String after, Long backfillStartedAt, Long cursor, Long archivedPassAt,
    Long reconciledAt, Long idFloor) {
  static final String BACKFILL = "backfill";
  static final String INCREMENTAL = "incremental";
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static PollingCheckpoint start(long startedAt) {
    return new PollingCheckpoint(BACKFILL, null, startedAt, null, null, null, null);
  }

  /** The next list-API backfill page. */
  PollingCheckpoint backfillAt(String nextAfter) {
    return new PollingCheckpoint(BACKFILL, nextAfter, backfillStartedAt, null, archivedPassAt, reconciledAt, null);
  }

  /** The next search backfill page: records with an id above {@code floor}. */
  PollingCheckpoint backfillAbove(long floor) {
    return new PollingCheckpoint(BACKFILL, null, backfillStartedAt, null, archivedPassAt, reconciledAt, floor);
  }

  /**
   * Incremental from {@code newCursor}. A finished backfill is not a reconciliation: a record archived
   * before the backfill reached it and restored before the next recycle-bin pass is found only by one.
   */
  PollingCheckpoint incrementalAt(long newCursor) {
    return new PollingCheckpoint(INCREMENTAL, null, null, newCursor, archivedPassAt, reconciledAt, null);
  }

  PollingCheckpoint archivedPassDone(long at) {
    return new PollingCheckpoint(mode, after, backfillStartedAt, cursor, at, reconciledAt, idFloor);
  }

  PollingCheckpoint reconciled(long at) {
    return new PollingCheckpoint(mode, after, backfillStartedAt, cursor, archivedPassAt, at, idFloor);
  }

  /** This position with the recycle-bin pass and the reconciliation due at once (a catch-up after a gap). */
  PollingCheckpoint passesDue() {
    return new PollingCheckpoint(mode, after, backfillStartedAt, cursor, null, null, idFloor);
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

  static PollingCheckpoint parse(String stream, String json) {
    try {
      PollingCheckpoint cp = JSON.readValue(json, PollingCheckpoint.class);
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
