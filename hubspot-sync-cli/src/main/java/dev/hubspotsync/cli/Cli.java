package dev.hubspotsync.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line: {@code sync}, {@code schema-diff}, {@code status}, {@code plan}, {@code demo}. {@link #execute}
 * returns the {@link ExitCode} number instead of exiting, so tests run it in-process.
 */
final class Cli {
  private final Context ctx;

  Cli(Context ctx) {
    this.ctx = ctx;
  }

  /** Runs one command line and returns the process exit code. */
  int execute(String... args) {
    CommandLine cl = new CommandLine(new Root(ctx))
        .addSubcommand(new SyncCommand(ctx))
        .addSubcommand(new SchemaDiffCommand(ctx))
        .addSubcommand(new StatusCommand(ctx))
        .addSubcommand(new PlanCommand(ctx))
        .addSubcommand(new DemoCommand(ctx));
    cl.setOut(new PrintWriter(ctx.out(), true));
    cl.setErr(new PrintWriter(ctx.err(), true));
    cl.setExecutionExceptionHandler((e, command, parsed) -> {
      ExitCode exit = ExitCode.of(e);
      ctx.err().println("hubspot-sync: " + SyncRun.describe(exit) + ": "
          + new Secrets(ctx.env()).mask(SyncRun.message(e)));
      if (exit == ExitCode.FAILED && !(e instanceof dev.hubspotsync.HubSpotSyncException)) {
        e.printStackTrace(ctx.err());
      }
      return exit.code();
    });
    return cl.execute(args);
  }

  @Command(name = "hubspot-sync", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "Keeps a HubSpot portal's CRM data in a warehouse. See docs/cli.md.",
      footer = {"", "Exit codes: 0 done, 1 failed, 2 bad command line or config, 3 authentication or scopes,%n"
          + "69 temporary failure (retry soon), 75 daily budget reached (resume at the time printed)."})
  static final class Root implements Callable<Integer> {
    private final Context ctx;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Root(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      ctx.err().println("hubspot-sync: a command is missing.");
      spec.commandLine().usage(ctx.err());
      return ExitCode.BAD_CONFIGURATION.code();
    }
  }

  /** The version from the jar's manifest, when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"hubspot-sync " + (v != null ? v : "(development build)")};
    }
  }
}
