package dev.hubspotsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as users run it: its manifest, its merged service files, and {@code java -jar} itself. */
class CliJarIT {
  private static final Path JAR = Path.of(System.getProperty("cli.jar", "target/hubspot-sync-cli-0.1.0-SNAPSHOT.jar"));

  @TempDir
  Path dir;

  @Test
  void theManifestNamesTheMainClassAndOpensJavaNioForArrow() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      Attributes main = jar.getManifest().getMainAttributes();
      assertThat(main.getValue("Main-Class")).isEqualTo(Main.class.getName());
      assertThat(main.getValue("Add-Opens")).isEqualTo("java.base/java.nio");
      assertThat(main.getValue("Multi-Release")).isEqualTo("true");
      String drivers = new String(jar.getInputStream(jar.getEntry("META-INF/services/java.sql.Driver")).readAllBytes(),
          StandardCharsets.UTF_8);
      assertThat(drivers).contains("org.postgresql.Driver").contains("org.duckdb.DuckDBDriver");
    }
  }

  @Test
  void javaDashJarRunsTheDemoWithArrowAndDuckDb() throws Exception {
    Process p = java("demo", "--dir", dir.resolve("demo").toString(), "--contacts", "200", "--companies", "20",
        "--deals", "40", "--tickets", "10");
    assertThat(p.exitValue()).as(output(p)).isZero();
    assertThat(output(p)).contains("checks passed");
  }

  @Test
  void javaDashJarPrintsOneJsonLineAndExitsTwoOnAMissingConfig() throws Exception {
    Process p = java("sync", "--config", dir.resolve("missing.yaml").toString());
    assertThat(p.exitValue()).isEqualTo(2);
    List<String> lines = Files.readAllLines(dir.resolve("out.txt"));
    assertThat(lines).hasSize(1);
    assertThat(Json.MAPPER.readTree(lines.get(0)).get("exitCode").asInt()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("err.txt"))).contains("missing.yaml");
  }

  private Process java(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(dir.resolve("out.txt").toFile())
        .redirectError(dir.resolve("err.txt").toFile());
    pb.environment().remove("JDK_JAVA_OPTIONS"); // the manifest alone must open java.nio
    Process p = pb.start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("finished in time").isTrue();
    return p;
  }

  private String output(Process p) throws IOException {
    return Files.readString(dir.resolve("out.txt")) + "\n--- stderr\n" + Files.readString(dir.resolve("err.txt"));
  }
}
