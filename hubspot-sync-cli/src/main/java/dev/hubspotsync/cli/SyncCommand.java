package dev.hubspotsync.cli;

import dev.hubspotsync.HubSpotSyncException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sync --config sync.yaml}: one run; exactly one JSON line on stdout, everything else on stderr. */
@Command(name = "sync", mixinStandardHelpOptions = true,
    description = {"Runs one sync: a backfill the first time, incremental after.",
        "Prints one line of JSON on stdout (the run's report, exitCode, resumeAt); logs and progress go to stderr."})
final class SyncCommand implements Callable<Integer> {
  private final Context ctx;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "the config file (YAML, or JSON when it ends in .json); see docs/configuration.md")
  Path config;

  @Option(names = "--only", split = ",", paramLabel = "STREAM",
      description = "run only these streams of the config: object types and pairs (contacts,contacts->deals); see plan")
  List<String> only;

  SyncCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    Secrets secrets = new Secrets(ctx.env());
    SyncRun.Result result;
    try {
      SyncConfig loaded = SyncConfig.load(config, ctx.env());
      if (only != null) {
        loaded = loaded.only(only);
      }
      secrets.add(loaded.sink().password());
      result = SyncRun.run(loaded, ctx, job -> {});
    } catch (HubSpotSyncException e) {
      result = new SyncRun.Result(null, e, ExitCode.of(e), null);
    }
    SyncRun.printSummary(result, ctx.err(), secrets);
    ctx.out().println(secrets.mask(Json.line(result.json(secrets))));
    ctx.out().flush();
    return result.exit().code();
  }
}
