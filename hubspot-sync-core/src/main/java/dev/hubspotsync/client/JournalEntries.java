package dev.hubspotsync.client;

import java.util.List;

/**
 * What follows an offset in the change journal: the next entries, oldest first (empty when the reader
 * is caught up, HubSpot's 204), or {@code offsetGone} when HubSpot no longer knows the offset (404:
 * older than the journal's 3-day retention, or never issued) and the reader must catch up another way.
 */
public record JournalEntries(List<JournalPointer> entries, boolean offsetGone) {
  public JournalEntries {
    entries = List.copyOf(entries);
  }

  static JournalEntries none() {
    return new JournalEntries(List.of(), false);
  }

  static JournalEntries gone() {
    return new JournalEntries(List.of(), true);
  }

  /** Nothing new and the offset is still known. */
  public boolean caughtUp() {
    return entries.isEmpty() && !offsetGone;
  }
}
