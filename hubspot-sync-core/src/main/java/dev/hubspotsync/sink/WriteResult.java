package dev.hubspotsync.sink;

/**
 * What one write did.
 *
 * @param written rows inserted or replaced
 * @param skippedOlder rows not written because the stored row was newer
 * @param valuesCleaned values the warehouse could not take as they were and the sink changed to fit
 *     (e.g. NUL characters PostgreSQL rejects in text); the rest of the row is written
 */
public record WriteResult(int written, int skippedOlder, int valuesCleaned) {

  public WriteResult(int written, int skippedOlder) {
    this(written, skippedOlder, 0);
  }
}
