package dev.hubspotsync.client;

import java.time.Instant;
import java.util.List;

/**
 * One downloaded file of the change journal: its offset, when HubSpot published it (null when the
 * file does not say), the events this version understood, in file order, and how many it skipped
 * (unknown actions, malformed events; they are logged, never fatal). Delivery is at least once: the
 * same event can come again, in this file or a later one ({@link JournalEvent#key()}).
 */
public record JournalFile(String offset, Instant publishedAt, List<JournalEvent> events, int skipped) {
  public JournalFile {
    events = List.copyOf(events);
  }
}
