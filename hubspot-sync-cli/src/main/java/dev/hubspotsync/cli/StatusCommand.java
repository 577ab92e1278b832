package dev.hubspotsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.SyncReport;
import dev.hubspotsync.client.DailyUsage;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.client.ObjectCatalog;
import dev.hubspotsync.ratelimit.BudgetLeases;
import dev.hubspotsync.sink.Checkpoint;
import dev.hubspotsync.sink.WarehouseSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code status --config sync.yaml}: where each configured stream stands, read from the sink (its
 * checkpoints and the last recorded run); {@code --live} also asks HubSpot for today's usage.
 * It also shows the API generation and which credentials a run would use (read from the
 * environment, never printed). Without {@code --live} it needs no credentials and sends no HubSpot call.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Shows each stream's mode and checkpoint, the last run and today's budget use.",
        "Modes: never run, backfill in progress, incremental. Reads the warehouse only, unless --live."})
final class StatusCommand implements Callable<Integer> {
  static final String NEVER_RUN = "never run";

  private final Context ctx;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the config file")
  Path config;

  @Option(names = "--json", description = "one line of JSON on stdout instead of a table")
  boolean json;

  @Option(names = "--live", description = "also ask HubSpot for today's API usage of the portal (one call; needs credentials)")
  boolean live;

  StatusCommand(Context ctx) {
    this.ctx = ctx;
  }

  /** The API generation and the credentials a run would use, known without calling HubSpot. */
  record Portal(String apiVersion, HubSpotCredentials credentials, String problem) {}

  private Portal portal(SyncConfig c) {
    try {
      return new Portal(c.apiVersion().label(), Setup.credentials(c, ctx), null);
    } catch (HubSpotSyncException e) {
      return new Portal(c.apiVersion().label(), null, e.getMessage());
    }
  }

  /** One stream's state, from its checkpoint. */
  record StreamStatus(String stream, String kind, String mode, String position, JsonNode checkpoint) {}

  @Override
  public Integer call() {
    SyncConfig c = SyncConfig.load(config, ctx.env());
    Secrets secrets = new Secrets(ctx.env());
    secrets.add(c.sink().password());
    List<StreamStatus> streams = new ArrayList<>();
    Optional<SyncReport> last;
    try (WarehouseSink sink = Sinks.open(c, ctx, false)) {
      last = sink.lastRun();
      for (String type : objectStreams(c, last)) {
        streams.add(objectStatus(type, sink.checkpoint(type)));
      }
      for (String pair : Setup.pairStreams(c)) {
        streams.add(pairStatus(pair, sink.checkpoint(pair)));
      }
    }
    Portal portal = portal(c);
    BudgetLeases.State shared = null;
    String sharedProblem = null;
    if (c.budget().shared() != null) {
      try {
        shared = ProcessBudget.sharedState(c, ctx);
      } catch (HubSpotSyncException e) {
        sharedProblem = e.getMessage();
      }
    }
    DailyUsage usage = null;
    if (live) {
      try (HubSpotClient client = Setup.client(c, ctx)) {
        usage = client.dailyUsage();
      }
    }
    if (json) {
      ObjectNode out = json(portal, streams, last, usage);
      if (c.budget().shared() != null) {
        out.set("sharedBudget", sharedJson(shared, sharedProblem));
      }
      ctx.out().println(secrets.mask(Json.line(out)));
    } else {
      printTable(portal, streams, last, usage, secrets);
      if (c.budget().shared() != null) {
        printShared(shared, sharedProblem, secrets);
      }
    }
    return ExitCode.OK.code();
  }

  /**
   * The configured types; for {@code all}, whatever the last run synced, or before any run the
   * catalog's standard objects that need no activation (status asks the portal nothing).
   */
  private static List<String> objectStreams(SyncConfig c, Optional<SyncReport> last) {
    if (!c.allObjects()) {
      return c.objects();
    }
    Set<String> types = new LinkedHashSet<>();
    last.ifPresent(r -> r.streams().forEach(s -> types.add(s.objectType())));
    if (types.isEmpty()) {
      ObjectCatalog.standardObjects().stream().filter(o -> !o.activatable()).forEach(o -> types.add(o.name()));
    }
    return List.copyOf(types);
  }

  /** Reads the engine's object checkpoint: {@code mode} backfill (after / idFloor, backfillStartedAt) or incremental (cursor). */
  static StreamStatus objectStatus(String stream, Optional<Checkpoint> checkpoint) {
    if (checkpoint.isEmpty()) {
      return new StreamStatus(stream, "object", NEVER_RUN, "", null);
    }
    JsonNode cp = parse(checkpoint.get().json());
    String mode = cp.path("mode").asText("");
    if (mode.equals("backfill")) {
      String at = cp.hasNonNull("idFloor") ? "ids above " + cp.get("idFloor").asText()
          : cp.hasNonNull("after") ? "list cursor " + cp.get("after").asText() : "starting";
      return new StreamStatus(stream, "object", "backfill in progress",
          at + ", begun " + time(cp.path("backfillStartedAt")), cp);
    }
    if (mode.equals("incremental")) {
      String position = "modified since " + time(cp.path("cursor"))
          + (cp.hasNonNull("archivedPassAt") ? ", archived pass " + time(cp.get("archivedPassAt")) : "");
      return new StreamStatus(stream, "object", "incremental", position, cp);
    }
    return new StreamStatus(stream, "object", "unknown checkpoint", checkpoint.get().json(), cp);
  }

  /** Reads the engine's association checkpoint: {@code mode} full-scan (lastParentId, scanStartedAt) or incremental (cursor). */
  static StreamStatus pairStatus(String stream, Optional<Checkpoint> checkpoint) {
    if (checkpoint.isEmpty()) {
      return new StreamStatus(stream, "association", NEVER_RUN, "", null);
    }
    JsonNode cp = parse(checkpoint.get().json());
    String boost = cp.path("boosted").asBoolean(false) ? " (CDC boost)" : "";
    switch (cp.path("mode").asText("")) {
      case "full-scan":
        return new StreamStatus(stream, "association", "full scan in progress" + boost,
            "parents above " + cp.path("lastParentId").asText() + ", begun " + time(cp.path("scanStartedAt")), cp);
      case "incremental":
        return new StreamStatus(stream, "association", "incremental" + boost, "modified since " + time(cp.path("cursor"))
            + (cp.hasNonNull("lastScanAt") ? ", last full scan " + time(cp.get("lastScanAt")) : ""), cp);
      default:
        return new StreamStatus(stream, "association", "unknown checkpoint", checkpoint.get().json(), cp);
    }
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      return Json.object().put("unreadable", json);
    }
  }

  private static String time(JsonNode epochMillis) {
    return epochMillis.canConvertToLong() ? Instant.ofEpochMilli(epochMillis.asLong()).toString() : "?";
  }

  private ObjectNode json(Portal portal, List<StreamStatus> streams, Optional<SyncReport> last, DailyUsage usage) {
    ObjectNode out = Json.object();
    out.put("apiVersion", portal.apiVersion());
    ObjectNode credentials = out.putObject("credentials");
    if (portal.credentials() != null) {
      credentials.put("kind", portal.credentials().kind().configName()).put("source", portal.credentials().source());
    } else {
      credentials.putNull("kind").put("problem", portal.problem());
    }
    ArrayNode list = out.putArray("streams");
    for (StreamStatus s : streams) {
      ObjectNode n = list.addObject().put("stream", s.stream()).put("kind", s.kind()).put("mode", s.mode());
      n.set("checkpoint", s.checkpoint());
    }
    if (last.isPresent()) {
      SyncReport r = last.get();
      ObjectNode run = out.putObject("lastRun");
      run.put("runId", r.runId()).put("startedAt", r.startedAt().toString())
          .put("finishedAt", r.finishedAt() != null ? r.finishedAt().toString() : null).put("outcome", r.outcome())
          .put("rowsRead", r.streams().stream().mapToLong(SyncReport.StreamReport::rowsRead).sum())
          .put("rowsWritten", r.streams().stream().mapToLong(SyncReport.StreamReport::rowsWritten).sum())
          .put("linksStored", r.associations().stream().mapToLong(SyncReport.AssociationReport::linksStored).sum())
          .put("calls", SyncRun.sum(r.calls()));
      ArrayNode pairs = run.putArray("associations");
      for (SyncReport.AssociationReport a : r.associations()) {
        ObjectNode n = pairs.addObject().put("pair", a.pair()).put("mode", a.mode()).put("linksStored", a.linksStored())
            .put("lastFullScanAt", a.lastFullScanAt() != null ? a.lastFullScanAt().toString() : null);
        SyncReport.Backstop b = a.backstop();
        if (b == null) {
          n.putNull("backstop");
        } else {
          n.putObject("backstop").put("startedAt", b.startedAt().toString()).put("complete", b.complete())
              .put("parentsCompared", b.parentsCompared()).put("linksAdded", b.linksAdded())
              .put("linksRemoved", b.linksRemoved());
        }
      }
      out.putObject("budget").put("usedToday", r.budgetUsedToday()).put("dailyCeiling", r.budgetDailyCeiling())
          .put("resetsAt", r.budgetResetsAt() != null ? r.budgetResetsAt().toString() : null)
          .put("asOf", r.finishedAt() != null ? r.finishedAt().toString() : null);
    } else {
      out.putNull("lastRun");
    }
    if (usage != null) {
      out.putObject("live").put("usedToday", usage.used()).put("dailyLimit", usage.limit())
          .put("resetsAt", usage.resetsAt() != null ? usage.resetsAt().toString() : null);
    }
    return out;
  }

  /** The shared budget as the store holds it: each live process's lease and the portal's day. */
  private static ObjectNode sharedJson(BudgetLeases.State state, String problem) {
    ObjectNode n = Json.object();
    if (state == null) {
      return n.put("problem", problem);
    }
    n.put("processes", state.leases().size());
    ArrayNode list = n.putArray("leases");
    for (BudgetLeases.Lease l : state.leases()) {
      list.addObject().put("holder", l.holder()).put("app", l.app()).put("burstSlice", l.burstSlice())
          .put("burstHeld", l.burstHeld()).put("dailyClaimed", l.unspent(state.day().day()) + l.dailySpent())
          .put("dailySpent", l.dailySpent()).put("expiresAt", l.expiresAt().toString()).put("description", l.description());
    }
    n.putObject("today").put("day", state.day().day().toString()).put("claimed", state.day().granted())
        .put("reported", state.day().reported()).put("dailyCeiling", state.day().ceiling());
    return n;
  }

  private void printShared(BudgetLeases.State state, String problem, Secrets secrets) {
    ctx.out().println();
    if (state == null) {
      ctx.out().println("shared budget: cannot be read: " + secrets.mask(String.valueOf(problem)));
      return;
    }
    BudgetLeases.Day d = state.day();
    ctx.out().printf("shared budget today (%s): %,d calls claimed of %s; HubSpot reported %s; %d processes live%n", d.day(),
        d.granted(), d.ceiling() < 0 ? "no known ceiling" : String.format("%,d", d.ceiling()),
        d.reported() < 0 ? "nothing yet" : String.format("%,d", d.reported()), state.leases().size());
    for (BudgetLeases.Lease l : state.leases()) {
      ctx.out().printf("  %-28s burst %3d per 10 s (holds %3d), %,d calls claimed, %,d made; lease until %s; %s%n",
          l.holder(), l.burstSlice(), l.burstHeld(), l.dailyClaimed(), l.dailySpent(), l.expiresAt(), l.description());
    }
  }

  private void printTable(Portal portal, List<StreamStatus> streams, Optional<SyncReport> last, DailyUsage usage,
      Secrets secrets) {
    ctx.out().println("HubSpot API: " + portal.apiVersion());
    ctx.out().println("credentials: " + (portal.credentials() != null ? portal.credentials().describe()
        : "none usable: " + secrets.mask(portal.problem())));
    ctx.out().println();
    int width = Math.max(6, streams.stream().mapToInt(s -> s.stream().length()).max().orElse(6));
    int modeWidth = Math.max(4, streams.stream().mapToInt(s -> s.mode().length()).max().orElse(4));
    String format = "%-" + width + "s  %-" + modeWidth + "s  %s%n";
    ctx.out().printf(format, "STREAM", "MODE", "CHECKPOINT");
    streams.forEach(s -> ctx.out().printf(format, s.stream(), s.mode(), s.position()));
    ctx.out().println();
    if (last.isEmpty()) {
      ctx.out().println("last run: none recorded");
    } else {
      SyncReport r = last.get();
      ctx.out().printf("last run: %s, started %s, %s; %,d rows written, %,d links, %,d calls%n", r.runId(), r.startedAt(),
          r.outcome(), r.streams().stream().mapToLong(SyncReport.StreamReport::rowsWritten).sum(),
          r.associations().stream().mapToLong(SyncReport.AssociationReport::linksStored).sum(), SyncRun.sum(r.calls()));
      for (SyncReport.AssociationReport a : r.associations()) {
        if (a.backstop() != null) {
          ctx.out().println("  " + a.pair() + ": " + SyncRun.backstop(a.backstop()));
        }
      }
      boolean reset = r.budgetResetsAt() != null && !r.budgetResetsAt().isAfter(ctx.clock().instant());
      ctx.out().println("budget used today (at the last run's end): " + SyncRun.budget(r)
          + (reset ? "; the daily count has reset since" : ""));
    }
    if (usage != null) {
      ctx.out().printf("HubSpot now: %,d of %,d daily calls used by the portal's private apps; resets %s%n", usage.used(),
          usage.limit(), usage.resetsAt());
    }
  }
}
