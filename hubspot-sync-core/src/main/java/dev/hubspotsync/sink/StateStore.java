package dev.hubspotsync.sink;

import java.util.Optional;

/**
 * Where checkpoints live when the sink cannot hold them (or a user keeps them elsewhere). With a
 * state store set, the engine reads checkpoints from it and saves each one after the sink has
 * written the data it covers, so a checkpoint never runs ahead of the data; a crash between the two
 * re-reads one batch, which the sink's upsert absorbs. Implementations must be safe for concurrent
 * use by different streams.
 */
public interface StateStore {

  /** The checkpoint last saved for a stream. */
  Optional<Checkpoint> load(String stream);

  /** Saves a stream's checkpoint durably before returning. */
  void save(Checkpoint checkpoint);
}
