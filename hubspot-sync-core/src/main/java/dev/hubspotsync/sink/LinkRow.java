package dev.hubspotsync.sink;

/**
 * One row of an association link table: {@code fromId} is linked to {@code toId} by association
 * type {@code typeId} of {@code category} ({@code HUBSPOT_DEFINED}, {@code USER_DEFINED}, …);
 * {@code label} is null for the unlabeled default. Keyed on (fromId, toId, typeId).
 */
public record LinkRow(long fromId, long toId, int typeId, String category, String label) {}
