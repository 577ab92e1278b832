package dev.hubspotsync.source;

/**
 * A built-in change source as chosen on the builder ({@link ChangeSource#journal}, {@link
 * ChangeSource#polling}); the job binds it to its settings when it runs. Immutable.
 */
public final class BuiltInSource implements ChangeSource {
  public static final String POLLING = "polling";
  public static final String JOURNAL = "journal";
  private final String kind;
  private final long portalId;

  BuiltInSource(String kind, long portalId) {
    this.kind = kind;
    this.portalId = portalId;
  }

  @Override
  public String name() {
    return kind;
  }

  /** The portal whose journal to read (journal only). */
  public long portalId() {
    return portalId;
  }

  /** @throws IllegalStateException always: a sync job reads through the source it binds this to */
  @Override
  public void readObjects(ObjectStream stream) {
    throw new IllegalStateException("The built-in " + kind + " change source reads only inside a SyncJob: pass it to "
        + "SyncJob.builder().changeSource(…)");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BuiltInSource b && b.kind.equals(kind) && b.portalId == portalId;
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + Long.hashCode(portalId);
  }

  @Override
  public String toString() {
    return kind + (JOURNAL.equals(kind) ? " (portal " + portalId + ")" : "");
  }
}
