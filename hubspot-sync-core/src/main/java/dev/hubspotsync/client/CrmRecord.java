package dev.hubspotsync.client;

import java.time.Instant;
import java.util.Map;

/**
 * One CRM record as HubSpot serves it: every property value a string or null, exactly as sent.
 * {@code archivedAt} is null for live records.
 */
public record CrmRecord(long id, Map<String, String> properties, Instant createdAt, Instant updatedAt,
    boolean archived, Instant archivedAt) {

  public CrmRecord {
    properties = java.util.Collections.unmodifiableMap(properties);
  }
}
