package dev.hubspotsync.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "demo")
final class DemoCommand implements Callable<Integer> {
  private final Context ctx;

  DemoCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    ctx.err().println("not yet");
    return 1;
  }
}
