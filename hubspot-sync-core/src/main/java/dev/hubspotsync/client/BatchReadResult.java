package dev.hubspotsync.client;

import java.util.List;

/** Records found by a batch read, and the requested ids HubSpot could not find (a 207). */
public record BatchReadResult(List<CrmRecord> found, List<String> notFound) {}
