package dev.hubspotsync.client;

import java.util.List;

/** One page of the list endpoint; {@code nextAfter} is the opaque cursor of the next page, or null on the last. */
public record ObjectPage(List<CrmRecord> results, String nextAfter) {}
