package dev.hubspotsync.client;

import java.time.Instant;

/** The portal's private-app call count today, its limit, and when it resets. */
public record DailyUsage(long limit, long used, Instant collectedAt, Instant resetsAt) {}
