package dev.hubspotsync;

import java.time.Duration;

/**
 * How far one object stream has come, reported to {@link SyncJob.Builder#onProgress} listeners
 * and logged every few seconds on long backfills.
 *
 * @param phase {@code backfill}, {@code incremental}, {@code archived} or {@code reconcile}
 * @param total records expected in this phase, or -1 when unknown
 * @param eta time left at the current rate, or null when unknown
 */
public record SyncProgress(String objectType, String phase, long rowsRead, long total, Duration elapsed,
    double recordsPerSecond, Duration eta) {}
