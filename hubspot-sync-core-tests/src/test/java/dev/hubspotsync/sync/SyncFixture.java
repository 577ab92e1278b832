package dev.hubspotsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubspotsync.Sleeper;
import dev.hubspotsync.SyncJob;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.batch.SystemColumns;
import dev.hubspotsync.client.ApiVersion;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.ratelimit.RateBudget;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.InMemorySink;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import dev.hubspotsync.testkit.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** A portal in virtual time, a client, an in-memory sink and a job over them, plus the ground-truth check. */
final class SyncFixture implements AutoCloseable {
  static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

  final FakeHubSpot hubspot;
  final HubSpotClient client;
  final InMemorySink sink;

  SyncFixture(PortalSpec.Builder spec) {
    this(spec, InMemorySink.create());
  }

  SyncFixture(PortalSpec.Builder spec, InMemorySink sink) {
    this(spec, sink, ApiVersion.V2026_09);
  }

  SyncFixture(PortalSpec.Builder spec, InMemorySink sink, ApiVersion version) {
    this(spec, sink, version, h -> HubSpotCredentials.privateApp(h.token()));
  }

  /** A portal read with a project app's client credentials, as the change journal requires. */
  static SyncFixture projectApp(PortalSpec.Builder spec, InMemorySink sink) {
    return new SyncFixture(spec, sink, ApiVersion.V2026_09,
        h -> HubSpotCredentials.clientCredentials(h.spec().oauthClientId(), h.spec().oauthClientSecret(), List.of()));
  }

  private SyncFixture(PortalSpec.Builder spec, InMemorySink sink, ApiVersion version,
      Function<FakeHubSpot, HubSpotCredentials> credentials) {
    this.hubspot = FakeHubSpot.start(spec.unlimited().clock(PortalClock.fixed(T0)).build());
    Sleeper sleeper = d -> hubspot.clock().advance(d);
    this.client = HubSpotClient.builder().baseUrl(hubspot.baseUrl()).apiVersion(version)
        .credentials(credentials.apply(hubspot)).clock(hubspot.clock().asClock()).sleeper(sleeper)
        .rateBudget(RateBudget.tokenBucket().clock(hubspot.clock().asClock()).sleeper(sleeper).build()).build();
    this.sink = sink;
  }

  SyncJob.Builder job(String... types) {
    return SyncJob.builder().client(client).sink(sink).addObjectTypes(types).clock(hubspot.clock().asClock())
        .indexLag(Duration.ofSeconds(30)).overlap(Duration.ofMinutes(1)).archivedPassEvery(Duration.ZERO);
  }

  SyncReport run(String... types) {
    return job(types).build().run();
  }

  /** Moves the portal past the job's index lag, so every change so far is searchable and inside the window. */
  void later() {
    hubspot.clock().advance(Duration.ofMinutes(2));
  }

  /**
   * The sink holds exactly the portal's records of {@code type} (live and archived): one row per id,
   * the same modified date and archived flag, and the same text of every given TEXT property.
   */
  void assertSinkMatchesPortal(String type, String... textProperties) {
    assertSinkMatchesPortal(sink, type, textProperties);
  }

  void assertSinkMatchesPortal(InMemorySink sink, String type, String... textProperties) {
    Map<Long, RecordSnapshot> truth = hubspot.snapshot().records().get(type).stream()
        .collect(Collectors.toMap(RecordSnapshot::id, Function.identity()));
    List<Row> rows = sink.rows(type);
    assertThat(rows).extracting(Row::id).as("row ids of " + type)
        .containsExactlyInAnyOrderElementsOf(truth.keySet());
    for (Row row : rows) {
      RecordSnapshot r = truth.get(row.id());
      assertThat(row.get(SystemColumns.UPDATED_AT)).as(type + " " + row.id() + " modified date").isEqualTo(r.updatedAt());
      assertThat(row.get(SystemColumns.ARCHIVED)).as(type + " " + row.id() + " archived").isEqualTo(r.archived());
      for (String p : textProperties) {
        String expected = r.properties().get(p);
        Object actual = row.get(p);
        assertThat(actual).as(type + " " + row.id() + "." + p).isEqualTo(expected == null || expected.isEmpty() ? null : expected);
      }
    }
  }

  /** The link table holds exactly the links the portal serves: between live records, every type once. */
  void assertLinksMatchPortal(InMemorySink sink, String from, String to) {
    PortalSnapshot truth = hubspot.snapshot();
    Set<Long> liveFrom = live(truth, from);
    Set<Long> liveTo = live(truth, to);
    Set<LinkRow> expected = truth.associations(from, to).stream()
        .filter(a -> liveFrom.contains(a.fromId()) && liveTo.contains(a.toId()))
        .map(a -> new LinkRow(a.fromId(), a.toId(), a.typeId(), a.category(), a.label())).collect(Collectors.toSet());
    assertThat(Set.copyOf(sink.links(from, to))).as(from + " → " + to + " links").isEqualTo(expected);
  }

  private static Set<Long> live(PortalSnapshot truth, String type) {
    return truth.records().get(type).stream().filter(r -> !r.archived()).map(RecordSnapshot::id).collect(Collectors.toSet());
  }

  @Override
  public void close() {
    client.close();
    sink.close();
    hubspot.close();
  }
}
