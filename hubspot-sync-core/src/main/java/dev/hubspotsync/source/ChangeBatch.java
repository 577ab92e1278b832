package dev.hubspotsync.source;

import dev.hubspotsync.client.CrmRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What changed in one object type since the last batch, and the checkpoint that covers it: the unit
 * a {@link ChangeSource} hands to {@link ObjectStream#apply}. Immutable; built with {@link #builder()}.
 *
 * <ul>
 *   <li>{@link #records()}: records to upsert, live or archived, complete with the stream's
 *       properties (never a partial set of changed values: a row is replaced whole). A live record
 *       that lists absorbed ids in {@code hs_merged_object_ids} also marks them merged away.
 *   <li>{@link #linksChanged()}: records whose links, and the links pointing to them, the
 *       association pairs of the type read again this run (or a later one, if this one fails).
 *   <li>{@link #linksEdited()}: per target type, records of this type whose links to that type were
 *       added or removed (a source that sees link edits, such as the journal): the pair from this type
 *       to that one reads exactly their links again.
 *   <li>{@link #allLinksChanged()}: links of any record of the type may have changed unseen (a source
 *       that lost track, e.g. a gap in its feed): every pair of the type runs a full scan.
 *   <li>{@link #archived()}: records deleted (to the recycle bin or for good) or merged away, which
 *       HubSpot no longer serves: their rows keep their values and are marked archived.
 *   <li>{@link #gdprDeleted()}: records whose personal data HubSpot erased: their rows are erased as
 *       the job's {@code gdprMode} says, links included.
 *   <li>{@link #checkpoint()}: the source's position after this batch (a JSON object, without the
 *       keys {@code relink} and {@code relinkAll}, which the engine keeps in the same object); empty
 *       when the position did not move.
 * </ul>
 */
public final class ChangeBatch {
  private final List<CrmRecord> records;
  private final Set<Long> linksChanged;
  private final List<Removal> archived;
  private final List<Removal> gdprDeleted;
  private final Map<String, Set<Long>> linksEdited;
  private final boolean allLinksChanged;
  private final String checkpoint;

  private ChangeBatch(Builder b) {
    this.records = List.copyOf(b.records);
    this.linksChanged = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.linksChanged));
    Map<String, Set<Long>> edited = new LinkedHashMap<>();
    b.linksEdited.forEach((type, ids) -> edited.put(type, java.util.Collections.unmodifiableSet(new LinkedHashSet<>(ids))));
    this.linksEdited = java.util.Collections.unmodifiableMap(edited);
    this.allLinksChanged = b.allLinksChanged;
    this.archived = List.copyOf(b.archived);
    this.gdprDeleted = List.copyOf(b.gdprDeleted);
    this.checkpoint = b.checkpoint;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Records to upsert, and the position after them. */
  public static ChangeBatch of(Collection<CrmRecord> records, String checkpoint) {
    return builder().upsert(records).checkpoint(checkpoint).build();
  }

  public List<CrmRecord> records() {
    return records;
  }

  public Set<Long> linksChanged() {
    return linksChanged;
  }

  /** Per target type, the records of this type whose links to it were edited; empty when none. */
  public Map<String, Set<Long>> linksEdited() {
    return linksEdited;
  }

  /** Whether links of any record of the type may have changed unseen, so its pairs scan them all. */
  public boolean allLinksChanged() {
    return allLinksChanged;
  }

  public List<Removal> archived() {
    return archived;
  }

  public List<Removal> gdprDeleted() {
    return gdprDeleted;
  }

  public Optional<String> checkpoint() {
    return Optional.ofNullable(checkpoint);
  }

  /** This batch with the source's position {@code json} instead (e.g. a source that wraps another's positions in its own). */
  public ChangeBatch withCheckpoint(String json) {
    Builder b = builder().upsert(records).linksChanged(linksChanged).checkpoint(json);
    b.archived.addAll(archived);
    b.gdprDeleted.addAll(gdprDeleted);
    linksEdited.forEach(b::linksEdited);
    b.allLinksChanged = allLinksChanged;
    return b.build();
  }

  /** Whether the batch removes anything (archives, merges, erasures), which the engine applies after the records. */
  public boolean removes() {
    return !archived.isEmpty() || !gdprDeleted.isEmpty();
  }

  /** Ids removed at one time. */
  public record Removal(List<Long> ids, Instant at) {
    public Removal {
      ids = List.copyOf(ids);
      Objects.requireNonNull(at, "at");
    }
  }

  /** Not thread-safe; {@link #build()} copies it. */
  public static final class Builder {
    private final List<CrmRecord> records = new ArrayList<>();
    private final Set<Long> linksChanged = new LinkedHashSet<>();
    private final List<Removal> archived = new ArrayList<>();
    private final List<Removal> gdprDeleted = new ArrayList<>();
    private final Map<String, Set<Long>> linksEdited = new LinkedHashMap<>();
    private boolean allLinksChanged;
    private String checkpoint;

    private Builder() {}

    /** Records to write as read (created, updated, archived with their values, …). */
    public Builder upsert(Collection<CrmRecord> found) {
      records.addAll(found);
      return this;
    }

    /** Records live again (restored from the recycle bin): written, and their links read again. */
    public Builder restored(Collection<CrmRecord> found) {
      records.addAll(found);
      found.forEach(r -> linksChanged.add(r.id()));
      return this;
    }

    /** Records whose links (either end) changed: the association pairs of the type read them again. */
    public Builder linksChanged(Collection<Long> ids) {
      linksChanged.addAll(ids);
      return this;
    }

    /**
     * Records of this type whose links to {@code toType} were added or removed: the pair from this type
     * to {@code toType}, if the job has it, reads their links again and replaces them. Pairs a source
     * {@linkplain ChangeSource#servesLinks serves} learn of link edits only this way.
     */
    public Builder linksEdited(String toType, Collection<Long> parents) {
      if (!parents.isEmpty()) {
        linksEdited.computeIfAbsent(Objects.requireNonNull(toType, "toType"), t -> new LinkedHashSet<>()).addAll(parents);
      }
      return this;
    }

    /**
     * Links of any record of the type may have changed without the source seeing it (e.g. it lost its
     * place in a feed): every association pair of the type runs a full scan.
     */
    public Builder allLinksChanged() {
      allLinksChanged = true;
      return this;
    }

    /** Records deleted (archived or for good) at {@code at}: rows marked archived, links read again. */
    public Builder archived(Collection<Long> ids, Instant at) {
      if (!ids.isEmpty()) {
        archived.add(new Removal(List.copyOf(ids), at));
        linksChanged.addAll(ids);
      }
      return this;
    }

    /**
     * {@code absorbed} merged into {@code survivor} at {@code at}: the absorbed rows marked archived,
     * and the links of all of them read again. Hand over the survivor's record too (re-read).
     */
    public Builder merged(long survivor, Collection<Long> absorbed, Instant at) {
      archived(absorbed, at);
      linksChanged.add(survivor);
      return this;
    }

    /** Records GDPR-deleted at {@code at}: their personal data is erased from the warehouse, links included. */
    public Builder gdprDeleted(Collection<Long> ids, Instant at) {
      if (!ids.isEmpty()) {
        gdprDeleted.add(new Removal(List.copyOf(ids), at));
      }
      return this;
    }

    /** The source's position after this batch, a JSON object; leave unset when it did not move. */
    public Builder checkpoint(String json) {
      this.checkpoint = json;
      return this;
    }

    public ChangeBatch build() {
      return new ChangeBatch(this);
    }
  }
}
