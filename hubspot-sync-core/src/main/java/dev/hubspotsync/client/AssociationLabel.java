package dev.hubspotsync.client;

/** A directed association type of a pair of object types; {@code label} is null when unlabeled. */
public record AssociationLabel(int typeId, String category, String label) {}
