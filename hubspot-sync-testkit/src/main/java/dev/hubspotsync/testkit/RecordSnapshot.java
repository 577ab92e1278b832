package dev.hubspotsync.testkit;

import java.time.Instant;
import java.util.Map;

/**
 * One record as the portal holds it right now (not as lagging search shows it). {@code properties}
 * holds every live property with a value, as HubSpot would serve it. {@code archivedAt} is null
 * while the record is live.
 */
public record RecordSnapshot(String objectType, long id, Map<String, String> properties, Instant createdAt,
    Instant updatedAt, boolean archived, Instant archivedAt) {}
