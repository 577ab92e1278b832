package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubspotsync.SyncJob;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.source.ChangeSource;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.testkit.PortalSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's invariants hold whichever change source feeds it: the same scenarios, over HTTP against
 * FakeHubSpot, once with the polling source and once with the change journal. After each, the
 * warehouse equals the portal.
 */
class BothSourcesInvariantsTest {

  enum Source {
    POLLING(f -> ChangeSource.polling()),
    JOURNAL(f -> ChangeSource.journal(f.hubspot.spec().portalId()));

    final Function<SyncFixture, ChangeSource> of;

    Source(Function<SyncFixture, ChangeSource> of) {
      this.of = of;
    }
  }

  private static SyncFixture fixture(PortalSpec.Builder spec, InMemorySink sink) {
    return SyncFixture.projectApp(spec.indexLag(Duration.ZERO), sink);
  }

  private static SyncJob.Builder job(SyncFixture f, Source source) {
    return f.job("contacts").changeSource(source.of.apply(f)).indexLag(Duration.ZERO).overlap(Duration.ZERO);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void fiveHundredRecordsUpdatedInOneMillisecondAllArrive(Source source) {
    try (SyncFixture f = fixture(PortalSpec.builder().contacts(800), InMemorySink.create())) {
      job(f, source).build().run();
      List<Long> tied = f.hubspot.portal().ids("contacts").subList(150, 650);
      f.later();
      f.hubspot.portal().bulkUpdate("contacts", tied, Map.of("firstname", "Imported"));
      f.later();

      job(f, source).pageSizes(100, 200).build().run();

      assertThat(tied).allSatisfy(id ->
          assertThat(f.sink.row("contacts", id).orElseThrow().get("firstname")).isEqualTo("Imported"));
      f.assertSinkMatchesPortal("contacts", "firstname");
    }
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void aCrashBetweenLoadAndCheckpointLosesNothing(Source source) {
    CrashingSink crashing = new CrashingSink(1); // the first write after the backfill dies before it commits
    try (SyncFixture f = fixture(PortalSpec.builder().contacts(300), crashing.inner)) {
      job(f, source).build().run(); // the backfill writes straight to the sink
      List<Long> ids = f.hubspot.portal().ids("contacts");
      f.later();
      for (int i = 0; i < 120; i++) {
        f.hubspot.clock().advance(Duration.ofSeconds(1));
        f.hubspot.portal().update("contacts", ids.get(i * 2), Map.of("firstname", "Changed " + i));
      }
      f.later();

      assertThatThrownBy(() -> job(f, source).sink(crashing).build().run())
          .isInstanceOf(InMemorySink.SimulatedCrash.class);
      job(f, source).sink(crashing).build().run();

      f.assertSinkMatchesPortal("contacts", "firstname");
    }
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void aMergedAwayRecordIsMarkedAndItsSurvivorCurrent(Source source) {
    try (SyncFixture f = fixture(PortalSpec.builder().contacts(40), InMemorySink.create())) {
      job(f, source).build().run();
      List<Long> ids = f.hubspot.portal().ids("contacts");
      long survivor = ids.get(3);
      long absorbed = ids.get(7);
      f.later();
      f.hubspot.portal().merge("contacts", survivor, absorbed);
      f.later();

      job(f, source).build().run();

      assertThat(f.sink.row("contacts", absorbed).orElseThrow().get(SystemColumns.ARCHIVED))
          .as("the merged-away contact").isEqualTo(true);
      assertThat(String.valueOf(f.sink.row("contacts", survivor).orElseThrow().get("hs_merged_object_ids")))
          .as("the survivor's merged ids").contains(Long.toString(absorbed));
      assertThat(f.hubspot.portal().ids("contacts")).doesNotContain(absorbed);
    }
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void aPropertyAddedBetweenRunsBecomesAColumnWithItsValues(Source source) {
    try (SyncFixture f = fixture(PortalSpec.builder().contacts(50), InMemorySink.create())) {
      job(f, source).build().run();
      f.hubspot.portal().addProperty("contacts", "favourite_colour", "Favourite colour", "string", "text");
      long id = f.hubspot.portal().ids("contacts").get(5);
      f.later();
      f.hubspot.portal().update("contacts", id, Map.of("favourite_colour", "teal"));
      f.later();

      job(f, source).build().run();

      assertThat(f.sink.row("contacts", id).orElseThrow().get("favourite_colour")).isEqualTo("teal");
      f.assertSinkMatchesPortal("contacts", "firstname", "favourite_colour");
    }
  }
}
