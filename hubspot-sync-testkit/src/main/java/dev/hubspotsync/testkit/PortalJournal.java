package dev.hubspotsync.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The simulated portal's change journal (HubSpot's Webhooks Journal, 2026-03; hubspot-api.md §10.4):
 * its switches and what it holds. Every change made through {@link Portal} writes the events HubSpot
 * would for the subscriptions a client created through the subscriptions API, one journal file per
 * change; files stay {@link #RETENTION three days} of portal time. Thread-safe.
 */
public interface PortalJournal {
  /** How long a journal file stays readable, in portal time (§10.4). */
  Duration RETENTION = Duration.ofDays(3);

  /**
   * At-least-once delivery on request: while on, every file published also carries again the events
   * of the file before it (after its own), as a redelivery would. Off by default.
   */
  void duplicates(boolean on);

  /** How long the pre-signed URL of a file stays valid, in portal time (default 15 minutes). */
  void urlLifetime(Duration lifetime);

  /**
   * While on, every event carries fields no HubSpot source documents (a string and a nested object),
   * so a client's lenient parsing is tested. Off by default.
   */
  void unknownFields(boolean on);

  /**
   * Publishes one file holding exactly {@code events} (as JSON objects), e.g. an action the client does
   * not know, whatever the subscriptions; returns its offset.
   */
  String publishRaw(List<Map<String, Object>> events);

  /** Deletes every subscription, as an uninstalled and reinstalled app loses them. */
  void deleteSubscriptions();

  /** The subscriptions as the subscriptions API lists them (JSON objects). */
  List<Map<String, Object>> subscriptions();

  /** Every event of the files still retained, oldest file first, duplicates included (JSON objects). */
  List<Map<String, Object>> events();

  /** Offsets of the files still retained, oldest first. */
  List<String> offsets();
}
