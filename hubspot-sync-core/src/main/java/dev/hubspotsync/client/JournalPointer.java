package dev.hubspotsync.client;

import java.time.Instant;
import java.util.Objects;

/**
 * Where one entry of HubSpot's change journal is: its opaque {@code offset} (a stream checkpoint),
 * the pre-signed {@code url} of its file, to be fetched without an Authorization header, and when
 * that URL expires. {@link #toString()} leaves the URL's signature out.
 */
public record JournalPointer(String offset, String url, Instant expiresAt) {
  public JournalPointer {
    Objects.requireNonNull(offset, "offset");
    Objects.requireNonNull(url, "url");
  }

  /** Whether the URL has expired at {@code now} (unknown expiry: never). */
  public boolean expiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  @Override
  public String toString() {
    int query = url.indexOf('?');
    return "JournalPointer[offset=" + offset + ", url=" + (query < 0 ? url : url.substring(0, query) + "?…")
        + ", expiresAt=" + expiresAt + "]";
  }
}
