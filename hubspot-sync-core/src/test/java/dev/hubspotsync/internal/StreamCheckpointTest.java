package dev.hubspotsync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stored checkpoint: a change source's position and the engine's relink ids in one JSON object. */
class StreamCheckpointTest {

  /** The polling source's checkpoints keep the text earlier versions stored: its keys, then relink. */
  @Test
  void thePollingPositionAndTheRelinkIdsMakeTheSameTextAsBefore() {
    PollingCheckpoint position = PollingCheckpoint.start(1_000).incrementalAt(2_000).archivedPassDone(3_000);
    StreamCheckpoint stored = StreamCheckpoint.NONE.at(position.json()).withRelink(List.of(7L, 5L));

    assertThat(stored.json()).isEqualTo("{\"mode\":\"incremental\",\"cursor\":2000,\"archivedPassAt\":3000,\"relink\":[5,7]}");
    StreamCheckpoint parsed = StreamCheckpoint.parse("contacts", stored.json());
    assertThat(parsed.position()).isEqualTo(position.json());
    assertThat(parsed.relinkIds()).containsExactly(5L, 7L);
    assertThat(PollingCheckpoint.parse("contacts", parsed.position())).isEqualTo(position);
    assertThat(parsed.withoutRelink(List.of(5L, 7L), false).json()).isEqualTo(position.json());
  }

  @Test
  void pastTheLimitOnlyRelinkAllIsKeptUntilHandled() {
    List<Long> many = java.util.stream.LongStream.rangeClosed(1, StreamCheckpoint.RELINK_MAX + 1).boxed().toList();
    StreamCheckpoint stored = StreamCheckpoint.NONE.at("{\"seq\":1}").withRelink(many);

    assertThat(stored.json()).isEqualTo("{\"seq\":1,\"relinkAll\":true}");
    assertThat(StreamCheckpoint.parse("deals", stored.json()).relinkAll()).isTrue();
    assertThat(stored.withoutRelink(List.of(), true).json()).isEqualTo("{\"seq\":1}");
  }

  /** Parents whose links a source saw edited are kept per target type with the data, and forgotten per pair once read. */
  @Test
  void editedParentsAreStoredPerTargetTypeAndForgottenPerPair() {
    StreamCheckpoint stored = StreamCheckpoint.NONE.at("{\"offset\":\"o-1\"}")
        .withEdited(java.util.Map.of("deals", java.util.Set.of(9L, 3L)))
        .withEdited(java.util.Map.of("calls", java.util.Set.of(4L), "deals", java.util.Set.of(3L)));

    assertThat(stored.json()).isEqualTo("{\"offset\":\"o-1\",\"linksEdited\":{\"calls\":[4],\"deals\":[3,9]}}");
    StreamCheckpoint parsed = StreamCheckpoint.parse("contacts", stored.json());
    assertThat(parsed.position()).isEqualTo("{\"offset\":\"o-1\"}");
    assertThat(parsed.editedIds()).containsOnlyKeys("calls", "deals");
    assertThat(parsed.withoutEdited("deals", List.of(3L, 9L)).withoutEdited("calls", List.of(4L)).json())
        .isEqualTo("{\"offset\":\"o-1\"}");
    assertThat(parsed.withoutEdited("deals", List.of(3L)).editedIds().get("deals")).containsExactly(9L);
  }

  @Test
  void aSourcePositionMustBeAJsonObjectWithoutTheEnginesKeys() {
    assertThatThrownBy(() -> StreamCheckpoint.checkPosition("contacts", "\"offset-1\""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("The change source of stream 'contacts' handed over a checkpoint that is not a JSON object: \"offset-1\"");
    assertThatThrownBy(() -> StreamCheckpoint.checkPosition("contacts", "{\"relink\":[1]}"))
        .hasMessageContaining("stream 'contacts'").hasMessageContaining("the engine's keys relink/relinkAll/linksEdited");
    assertThatThrownBy(() -> StreamCheckpoint.checkPosition("contacts", "{\"linksEdited\":{}}"))
        .hasMessageContaining("the engine's keys");
    StreamCheckpoint.checkPosition("contacts", "{\"offset\":\"a-b\"}");
  }

  @Test
  void aStoredCheckpointThatIsNotAnObjectFailsNamingTheStream() {
    assertThatThrownBy(() -> StreamCheckpoint.parse("tickets", "[1,2]"))
        .isInstanceOfSatisfying(HubSpotSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CONFIGURATION))
        .hasMessageContaining("The stored checkpoint of stream 'tickets' cannot be read")
        .hasMessageContaining("Delete it to backfill the stream again");
  }
}
