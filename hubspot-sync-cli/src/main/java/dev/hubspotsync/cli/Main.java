package dev.hubspotsync.cli;

/**
 * {@code java -jar hubspot-sync-cli.jar <command>}: see docs/cli.md. Exits with an {@link ExitCode}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(new Cli(Context.system()).execute(args));
  }
}
