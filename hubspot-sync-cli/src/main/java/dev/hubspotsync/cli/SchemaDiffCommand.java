package dev.hubspotsync.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubspotsync.client.HubSpotClient;
import dev.hubspotsync.client.PropertyDefinition;
import dev.hubspotsync.schema.ColumnMapping;
import dev.hubspotsync.schema.ColumnNamer;
import dev.hubspotsync.schema.SchemaDrift;
import dev.hubspotsync.sink.WarehouseSink;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code schema-diff --config sync.yaml}: what the next sync would change in the warehouse's tables,
 * changing nothing. Diffs the portal's properties against the sink's columns as a run does (same
 * property selection, same column namer), and shows the statements the sink would run.
 */
@Command(name = "schema-diff", mixinStandardHelpOptions = true,
    description = {"Shows how the portal's properties differ from the warehouse's columns, changing nothing.",
        "Lists added, removed, retyped and converted properties and the statements the next sync would run."})
final class SchemaDiffCommand implements Callable<Integer> {
  private final Context ctx;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the config file")
  Path config;

  @Option(names = "--json", description = "one line of JSON on stdout instead of text")
  boolean json;

  SchemaDiffCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    SyncConfig c = SyncConfig.load(config, ctx.env());
    Secrets secrets = new Secrets(ctx.env());
    secrets.add(c.sink().password());
    ArrayNode types = Json.MAPPER.createArrayNode();
    int changes = 0;
    try (HubSpotClient client = Setup.client(c, ctx); WarehouseSink sink = Sinks.open(c, ctx, false)) {
      Setup.checkObjectTypes(c, client);
      ColumnNamer namer = ColumnNamer.forDialect(sink.maxIdentifierBytes());
      for (String type : Setup.objectTypes(c, client)) {
        List<PropertyDefinition> live = client.properties(type, false);
        List<String> selected = c.properties().get(type);
        if (selected != null) {
          live = live.stream().filter(p -> selected.contains(p.name())).toList();
        }
        List<ColumnMapping> stored = sink.describe(type);
        SchemaDrift drift = SchemaDrift.analyze(type, live, stored, namer);
        // A run evolves when the table is new, columns were added or legacy DECIMAL columns convert to DOUBLE.
        List<String> statements = stored.isEmpty() || !drift.evolveColumns().isEmpty()
            ? sink.evolveStatements(type, drift.evolveColumns()) : List.of();
        changes += drift.added().size() + drift.removed().size() + drift.retyped().size() + drift.converted().size();
        if (json) {
          ObjectNode t = types.addObject();
          t.put("objectType", type);
          t.put("tableExists", !stored.isEmpty());
          t.set("added", Json.MAPPER.valueToTree(drift.added()));
          t.set("removed", Json.MAPPER.valueToTree(drift.removed()));
          t.set("retyped", Json.MAPPER.valueToTree(drift.retyped()));
          t.set("converted", Json.MAPPER.valueToTree(drift.converted()));
          t.set("statements", Json.MAPPER.valueToTree(statements));
        } else {
          ctx.out().println(stored.isEmpty() ? type + ": no table yet; the next sync creates it with "
              + drift.added().size() + " property columns" : drift.describe());
          statements.forEach(s -> ctx.out().println("    " + secrets.mask(s)));
        }
      }
    }
    if (json) {
      ObjectNode out = Json.object();
      out.set("objectTypes", types);
      out.put("changes", changes);
      ctx.out().println(secrets.mask(Json.line(out)));
    } else {
      ctx.out().println(changes == 0 ? "No schema changes. Nothing was changed."
          : changes + " schema change(s). Nothing was changed; the next sync applies them (columns are only added).");
    }
    return ExitCode.OK.code();
  }
}
