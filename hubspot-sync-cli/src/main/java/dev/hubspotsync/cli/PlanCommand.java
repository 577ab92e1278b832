package dev.hubspotsync.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubspotsync.client.HubSpotClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code plan --config sync.yaml}: the config's streams as one line of JSON, for a scheduler to map
 * one task per stream ({@code sync --only STREAM}). Reads no warehouse; asks HubSpot only for
 * {@code objects: all} (which object types the portal has).
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {"Prints the config's streams as one line of JSON, one entry per task: run each with sync --only.",
        "{\"streams\":[\"contacts\",…,\"contacts->deals\"],\"tasks\":[{\"stream\":…,\"kind\":…,\"args\":[…]}]}"})
final class PlanCommand implements Callable<Integer> {
  private final Context ctx;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the config file")
  Path config;

  PlanCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    SyncConfig c = SyncConfig.load(config, ctx.env());
    List<String> objects = c.objects();
    if (c.allObjects()) {
      try (HubSpotClient client = Setup.client(c, ctx)) {
        objects = Setup.objectTypes(c, client);
      }
    }
    List<String> pairs = new ArrayList<>();
    c.associations().forEach(p -> pairs.add(p.from() + "->" + p.to()));
    ObjectNode out = Json.object();
    out.put("config", config.toString());
    ArrayNode streams = out.putArray("streams");
    ArrayNode tasks = out.putArray("tasks");
    for (String type : objects) {
      streams.add(type);
      task(tasks, type, "object");
    }
    for (String pair : pairs) {
      streams.add(pair);
      task(tasks, pair, "association");
    }
    ctx.out().println(Json.line(out));
    ctx.out().flush();
    return ExitCode.OK.code();
  }

  private void task(ArrayNode tasks, String stream, String kind) {
    ObjectNode t = tasks.addObject().put("stream", stream).put("kind", kind);
    t.putArray("args").add("sync").add("--config").add(config.toString()).add("--only").add(stream);
  }
}
