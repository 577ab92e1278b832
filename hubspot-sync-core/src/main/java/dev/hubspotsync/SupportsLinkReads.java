package dev.hubspotsync;

import dev.hubspotsync.sink.LinkRow;
import java.util.Collection;
import java.util.List;

/**
 * A {@link dev.hubspotsync.sink.WarehouseSink} mix-in: the sink can read back the links it stores.
 * The engine uses it during the backstop full scan of a pair with a CDC-boost rollup, to report
 * which links HubSpot has that the warehouse lacked and which it held that HubSpot no longer has
 * ({@link SyncReport.Backstop}). Without it the scan still corrects the links, but reports -1.
 * Implementations must be safe to call from the stream threads, like the sink itself.
 */
public interface SupportsLinkReads {

  /**
   * Every stored link of {@code fromIds} in the link table of {@code fromType → toType}, in any
   * order; empty if the table does not exist.
   */
  List<LinkRow> links(String fromType, String toType, Collection<Long> fromIds);
}
