package dev.hubspotsync.schema;

import dev.hubspotsync.batch.ColumnType;

/**
 * Which column holds a HubSpot property, and its type. Sinks store the mapping
 * ({@code _hubspot_sync_columns}) so that names stay the same across runs, whatever the portal's
 * admins rename or add later.
 */
public record ColumnMapping(String property, String column, ColumnType type) {}
