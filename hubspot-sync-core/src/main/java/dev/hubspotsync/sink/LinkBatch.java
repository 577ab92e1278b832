package dev.hubspotsync.sink;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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

  /**
   * Checks what a sink must refuse before storing anything: a link whose parent is not among
   * {@link #parentIds}, or a (from id, to id, type id) key that appears twice.
   *
   * @throws IllegalArgumentException naming the pair and the first such link
   */
  public void checkLinks() {
    Set<Long> parents = new HashSet<>(parentIds);
    Set<List<Long>> keys = new HashSet<>();
    for (LinkRow link : links) {
      if (!parents.contains(link.fromId())) {
        throw new IllegalArgumentException("The " + pair() + " batch links parent " + link.fromId()
            + ", which is not among its parent ids; nothing was stored");
      }
      if (!keys.add(List.of(link.fromId(), link.toId(), (long) link.typeId()))) {
        throw new IllegalArgumentException("The " + pair() + " batch holds the link " + link.fromId() + " → "
            + link.toId() + " of type " + link.typeId() + " twice; nothing was stored");
      }
    }
  }

  public static String pair(String fromType, String toType) {
    return fromType + "_to_" + toType;
  }
}
