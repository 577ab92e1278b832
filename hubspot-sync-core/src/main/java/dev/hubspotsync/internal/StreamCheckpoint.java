package dev.hubspotsync.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.io.IOException;

/**
 * An object stream's position. Backfill: the list cursor of the next page (or, for a search
 * backfill, the id floor) and when the backfill began. Incremental: the modified-date cursor (epoch ms) the next window starts from (minus the
 * overlap). Stored by the sink as JSON together with the data it covers.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record StreamCheckpoint(String mode, String after, Long backfillStartedAt, Long cursor, Long archivedPassAt,
    Long reconciledAt, Long idFloor) {
  static final String BACKFILL = "backfill";
  static final String INCREMENTAL = "incremental";
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static StreamCheckpoint start(long startedAt) {
    return new StreamCheckpoint(BACKFILL, null, startedAt, null, null, null, null);
  }

  /** The next list-API backfill page. */
  StreamCheckpoint backfillAt(String nextAfter) {
    return new StreamCheckpoint(BACKFILL, nextAfter, backfillStartedAt, null, archivedPassAt, reconciledAt, null);
  }

  /** The next search backfill page: records with an id above {@code floor}. */
  StreamCheckpoint backfillAbove(long floor) {
    return new StreamCheckpoint(BACKFILL, null, backfillStartedAt, null, archivedPassAt, reconciledAt, floor);
  }

  /** Incremental from {@code newCursor}; a finished backfill counts as a reconciliation at its start. */
  StreamCheckpoint incrementalAt(long newCursor) {
    Long reconciled = reconciledAt != null ? reconciledAt : backfillStartedAt;
    return new StreamCheckpoint(INCREMENTAL, null, null, newCursor, archivedPassAt, reconciled, null);
  }

  StreamCheckpoint archivedPassDone(long at) {
    return new StreamCheckpoint(mode, after, backfillStartedAt, cursor, at, reconciledAt, idFloor);
  }

  StreamCheckpoint reconciled(long at) {
    return new StreamCheckpoint(mode, after, backfillStartedAt, cursor, archivedPassAt, at, idFloor);
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
