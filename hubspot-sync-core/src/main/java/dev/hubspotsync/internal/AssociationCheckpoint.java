package dev.hubspotsync.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * An association pair's position. Full scan: the last parent id whose links are stored, and when
 * the scan began. Incremental: the modified-date cursor (epoch ms) of the parents. Both remember
 * when the last complete scan began and whether a CDC-boost rollup was in use, so a run notices
 * when the rollup appears or disappears, and what the latest backstop scan found.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record AssociationCheckpoint(String mode, Long lastParentId, Long scanStartedAt, Long cursor, Long lastScanAt,
    boolean boosted, Backstop backstop) {
  static final String SCAN = "full-scan";
  static final String INCREMENTAL = "incremental";
  /** HubSpot was founded in 2006: a cursor before that is not a modified date but an id. */
  private static final long EARLIEST_TIMESTAMP = Instant.parse("2006-01-01T00:00:00Z").toEpochMilli();
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** A full scan from the first parent; {@code previous} (nullable) keeps the last backstop's findings. */
  static AssociationCheckpoint scan(long startedAt, boolean boosted, AssociationCheckpoint previous) {
    return new AssociationCheckpoint(SCAN, 0L, startedAt, null, previous == null ? null : previous.lastScanAt(), boosted,
        previous == null ? null : previous.backstop());
  }

  /** The backstop scan of a boosted pair: its links are compared with the warehouse's as it goes. */
  static AssociationCheckpoint backstopScan(long startedAt, AssociationCheckpoint previous) {
    return new AssociationCheckpoint(SCAN, 0L, startedAt, null, previous.lastScanAt(), true,
        new Backstop(startedAt, false, 0, 0, 0));
  }

  AssociationCheckpoint scannedTo(long parentId) {
    return new AssociationCheckpoint(SCAN, parentId, scanStartedAt, null, lastScanAt, boosted, backstop);
  }

  /** The scan is done: incremental from the scan's start, so nothing changed during it is missed. */
  AssociationCheckpoint scanDone() {
    return new AssociationCheckpoint(INCREMENTAL, null, null, scanStartedAt, scanStartedAt, boosted,
        isBackstopScan() ? backstop.done() : backstop);
  }

  AssociationCheckpoint incrementalAt(long newCursor) {
    return new AssociationCheckpoint(INCREMENTAL, null, null, newCursor, lastScanAt, boosted, backstop);
  }

  /** This position with what a backstop scan found in a few more parents ({@code -1}: the sink cannot tell). */
  AssociationCheckpoint found(long parents, long added, long removed) {
    return new AssociationCheckpoint(mode, lastParentId, scanStartedAt, cursor, lastScanAt, boosted,
        backstop.plus(parents, added, removed));
  }

  boolean isScan() {
    return SCAN.equals(mode);
  }

  /** Whether this is a backstop scan still under way. */
  boolean isBackstopScan() {
    return isScan() && backstop != null && !backstop.complete() && backstop.startedAt() == scanStartedAt;
  }

  /**
   * What the latest backstop scan found: links HubSpot has that the warehouse lacked ({@code added})
   * and links the warehouse held that HubSpot no longer has ({@code removed}), summed over the
   * parents compared so far; both -1 once a part of the scan could not be compared.
   */
  record Backstop(long startedAt, boolean complete, long parents, long added, long removed) {
    Backstop plus(long moreParents, long moreAdded, long moreRemoved) {
      boolean known = added >= 0 && moreAdded >= 0;
      return new Backstop(startedAt, complete, parents + moreParents, known ? added + moreAdded : -1,
          known ? removed + moreRemoved : -1);
    }

    Backstop done() {
      return new Backstop(startedAt, true, parents, added, removed);
    }
  }

  String json() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The stored checkpoint, or empty with the reason when it cannot be used: unreadable JSON, or a
   * value of the wrong kind (an id where a modified date belongs, or the reverse), as an older
   * version or a hand edit may leave. Such a pair starts a full scan rather than send HubSpot a
   * search it rejects.
   */
  static Result parse(String json, long now) {
    AssociationCheckpoint cp;
    try {
      cp = JSON.readValue(json, AssociationCheckpoint.class);
    } catch (JsonProcessingException e) {
      return new Result(Optional.empty(), "it is not readable (" + e.getOriginalMessage() + ")");
    }
    if (cp.isScan()) {
      if (cp.lastParentId() == null || cp.scanStartedAt() == null || !isTimestamp(cp.scanStartedAt(), now)) {
        return new Result(Optional.empty(), "its full-scan position is incomplete: " + json);
      }
      if (isTimestamp(cp.lastParentId(), now)) {
        return new Result(Optional.empty(), "its last parent id " + cp.lastParentId() + " looks like a modified date");
      }
      return new Result(Optional.of(cp), null);
    }
    if (!INCREMENTAL.equals(cp.mode()) || cp.cursor() == null) {
      return new Result(Optional.empty(), "it has no mode or cursor: " + json);
    }
    if (!isTimestamp(cp.cursor(), now)) {
      return new Result(Optional.empty(), "its cursor " + cp.cursor() + " is not a modified date (an id?)");
    }
    return new Result(Optional.of(cp), null);
  }

  private static boolean isTimestamp(long value, long now) {
    return value >= EARLIEST_TIMESTAMP && value <= now + 86_400_000L;
  }

  record Result(Optional<AssociationCheckpoint> checkpoint, String problem) {}
}
