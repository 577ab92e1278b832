package dev.hubspotsync.batch;

/** A column of a batch or table: its warehouse name, type, and the HubSpot property it holds (null for system columns). */
public record Column(String name, ColumnType type, String property) {}
