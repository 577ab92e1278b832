package dev.hubspotsync.sink;

/** What one write did: rows inserted or replaced, and rows not written because the stored row was newer. */
public record WriteResult(int written, int skippedOlder) {}
