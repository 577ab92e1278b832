package dev.hubspotsync.testkit;

/** One directed association type between two records; {@code label} is null for unlabeled types. */
public record AssociationSnapshot(String fromType, long fromId, String toType, long toId, int typeId,
    String category, String label) {}
