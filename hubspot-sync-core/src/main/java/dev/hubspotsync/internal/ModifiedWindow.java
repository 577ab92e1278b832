package dev.hubspotsync.internal;

import dev.hubspotsync.client.CrmRecord;
import dev.hubspotsync.client.SearchPage;
import dev.hubspotsync.client.SearchRequest;
import dev.hubspotsync.client.SearchRequest.Filter;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every record of a type modified in {@code [low, upper]} through search, oldest first, with
 * keyset paging: every query starts at offset 0 from the last modified date read ({@code GTE}
 * re-reads its ties). Offsets would skip records whenever one left the window between two pages
 * (an edit moves it past the window's end), and could not pass the 10,000-result cap. A page that
 * lies entirely in one millisecond is finished by id, however many records share it, so this
 * neither loops nor skips (hubspot-api.md §2, §9).
 *
 * <p>Keyset paging trusts the sort. Close to "now" HubSpot's search can break it (§10.2): a page
 * whose modified dates go down somewhere is trusted only up to the record before the first one out
 * of place; the cursor moves at most there and the next query starts there. When that is no further
 * than the query's own start, the rest of the window is left to the next run, whose window starts
 * at the cursor (minus the overlap), when the index has settled.
 */
final class ModifiedWindow {
  private static final Logger LOG = LoggerFactory.getLogger(ModifiedWindow.class);

  /** Receives each page and the cursor it moves to: every record modified before it has been handed over. */
  interface PageSink {
    void accept(List<CrmRecord> page, long cursor);
  }

  private final String type;
  private final String modifiedProperty;
  private final int pageSize;
  /** Runs a search request, adding the properties the caller wants. */
  private final Function<SearchRequest, SearchPage> search;

  ModifiedWindow(String type, String modifiedProperty, int pageSize, Function<SearchRequest, SearchPage> search) {
    this.type = type;
    this.modifiedProperty = modifiedProperty;
    this.pageSize = pageSize;
    this.search = search;
  }

  /**
   * Hands every record modified in {@code [low, upper]} to {@code sink}, page by page. The cursor
   * passed never moves back from {@code cursor} and never passes {@code upper}; after the last page it
   * is {@code upper}, unless search returned a page out of order that no query could read past (then
   * it stays where search was last in order and the rest waits for the next run).
   */
  void read(long low, long upper, long cursor, PageSink sink) {
    CursorGuard guard = new CursorGuard("search " + type + " by modified date");
    while (true) {
      SearchPage page = run(SearchRequest.builder()
          .addFilterGroup(Filter.of(modifiedProperty, "GTE", Long.toString(low)),
              Filter.of(modifiedProperty, "LTE", Long.toString(upper)))
          .sortAscending(modifiedProperty).limit(pageSize).after(0).build());
      List<CrmRecord> found = page.results(); // in search order, with the index's modified dates
      int disorder = firstOutOfOrder(found, low);
      if (disorder > 0) {
        // the record before the first descent may itself be out of place: trust what precedes it
        long trusted = disorder >= 2 ? modified(found.get(disorder - 2), low) : low;
        if (trusted > low) {
          cursor = Math.max(cursor, trusted);
          sink.accept(found, cursor);
          low = trusted; // read on from the last record known in order
          continue;
        }
        LOG.info("Search returned {} out of order after {}; the rest of the window, to {}, is read by the next run",
            type, Instant.ofEpochMilli(low), Instant.ofEpochMilli(upper));
        sink.accept(found, cursor);
        return;
      }
      if (page.nextAfter() < 0 || found.isEmpty()) {
        // the window is read; changes the index has not shown yet come with the next run's overlap
        sink.accept(found, Math.max(cursor, upper));
        return;
      }
      long first = modified(found.get(0), low);
      long last = guard.above(low - 1, modified(found.get(found.size() - 1), low)); // never before the window
      cursor = Math.max(cursor, last); // everything before `last` is handed over; its ties are read again
      sink.accept(found, cursor);
      if (first == last) {
        drainMillisecond(last, cursor, sink);
        low = last + 1;
      } else {
        low = last;
      }
    }
  }

  /** Reads every record modified in millisecond {@code ms}, by ascending id, never paging past the cap. */
  private void drainMillisecond(long ms, long cursor, PageSink sink) {
    LOG.debug("Reading the {} modified at {} by id", type, Instant.ofEpochMilli(ms));
    long lastId = 0;
    CursorGuard guard = new CursorGuard("search " + type + " modified at " + Instant.ofEpochMilli(ms) + " by id");
    while (true) {
      SearchPage page = run(SearchRequest.builder()
          .addFilterGroup(Filter.of(modifiedProperty, "EQ", Long.toString(ms)),
              Filter.of("hs_object_id", "GT", Long.toString(lastId)))
          .sortAscending("hs_object_id").limit(pageSize).after(0).build());
      sink.accept(page.results(), cursor);
      if (page.nextAfter() < 0 || page.results().isEmpty()) {
        return;
      }
      lastId = guard.above(lastId, page.results().get(page.results().size() - 1).id());
    }
  }

  /** The index of the first record modified before the one above it (out of the ascending sort), or 0. */
  private static int firstOutOfOrder(List<CrmRecord> page, long fallback) {
    for (int i = 1; i < page.size(); i++) {
      if (modified(page.get(i), fallback) < modified(page.get(i - 1), fallback)) {
        return i;
      }
    }
    return 0;
  }

  private SearchPage run(SearchRequest request) {
    return search.apply(request);
  }

  private static long modified(CrmRecord r, long fallback) {
    return r.updatedAt() != null ? r.updatedAt().toEpochMilli() : fallback;
  }
}
