package dev.hubspotsync.client;

/**
 * One association type between a parent and a target record; a link with a label and the
 * unlabeled default comes as two of these. Key on {@code typeId} + {@code category}, never the label.
 */
public record AssociationLink(long toId, int typeId, String category, String label) {}
