package dev.hubspotsync.internal;

import java.util.ArrayList;
import java.util.List;

/** Consecutive views of a list, at most {@code size} long each: the ids of one call or one query. */
final class Chunks {
  private Chunks() {}

  static <T> List<List<T>> of(List<T> list, int size) {
    List<List<T>> chunks = new ArrayList<>((list.size() + size - 1) / size);
    for (int i = 0; i < list.size(); i += size) {
      chunks.add(list.subList(i, Math.min(list.size(), i + size)));
    }
    return chunks;
  }
}
