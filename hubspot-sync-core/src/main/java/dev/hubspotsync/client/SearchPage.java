package dev.hubspotsync.client;

import java.util.List;

/**
 * One page of search results. {@code total} counts every match (it may exceed the 10,000 that can
 * be paged); {@code nextAfter} is the next offset, or -1 on the last page.
 */
public record SearchPage(long total, List<CrmRecord> results, int nextAfter) {}
