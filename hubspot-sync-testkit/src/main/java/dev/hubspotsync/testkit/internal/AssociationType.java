package dev.hubspotsync.testkit.internal;

/**
 * A directed association type (hubspot-api.md §4.4): HubSpot keys associations on typeId and
 * category, never on the label. {@code inverseTypeId} is the same link seen from the other side.
 */
public record AssociationType(String fromType, String toType, int typeId, String category, String label,
    int inverseTypeId) {}
