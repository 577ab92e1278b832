package dev.hubspotsync.sink;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The complete, current links of some parents of one association pair, read in one direction
 * ({@code fromType} → {@code toType}). A sink replaces every stored link of {@link #parentIds} with
 * {@link #links}: a parent listed with no links has none left.
 *
 * @param parentIds the parents read, each exactly once; every link's {@code fromId} is one of them
 * @param syncedAt stored in the link table's {@code _synced_at}
 */
public record LinkBatch(String fromType, String toType, List<Long> parentIds, List<LinkRow> links, Instant syncedAt) {

  public LinkBatch {
    Objects.requireNonNull(fromType, "fromType");
    Objects.requireNonNull(toType, "toType");
    parentIds = List.copyOf(parentIds);
    links = List.copyOf(links);
    Objects.requireNonNull(syncedAt, "syncedAt");
  }

  /** The pair's name, e.g. {@code contacts_to_deals}: its checkpoint's stream and the default link table name. */
  public String pair() {
    return pair(fromType, toType);
  }

  public static String pair(String fromType, String toType) {
    return fromType + "_to_" + toType;
  }
}
