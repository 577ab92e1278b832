package dev.hubspotsync.cli;

/**
 * {@code java -jar hubspot-sync-cli.jar <command>}: see docs/cli.md. Exits with an {@link ExitCode}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("demo") && !java.util.Arrays.asList(args).contains("--verbose")) {
      // The demo tells its own story on stdout; the library's logs would bury it (set before any logger exists).
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
    System.exit(new Cli(Context.system()).execute(args));
  }
}
