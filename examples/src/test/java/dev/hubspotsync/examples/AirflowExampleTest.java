package dev.hubspotsync.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Airflow example: the DAG must be valid Python and keep the CLI's exit codes, and the sample
 * config must be YAML with the documented keys. Airflow itself is not needed (docs/airflow.md shows
 * the full import check with a DagBag where Airflow is installed); {@code python3} is.
 */
class AirflowExampleTest {
  private static final Path DAG = Path.of("airflow", "hubspot_sync_dag.py");
  private static final Path CONFIG = Path.of("airflow", "sync.yaml");
  /** Parses the file (no import, so no Airflow needed) and prints its module-level integer constants as JSON. */
  private static final String CHECK = String.join("\n",
      "import ast, json, sys",
      "tree = ast.parse(open(sys.argv[1], encoding='utf-8').read(), sys.argv[1])",
      "print(json.dumps({t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)",
      "                  and isinstance(n.value, ast.Constant) and type(n.value.value) is int",
      "                  for t in n.targets if isinstance(t, ast.Name)}))");

  @Test
  void theDagIsPythonAndKeepsTheCliExitCodes() throws Exception {
    JsonNode constants = new ObjectMapper().readTree(python(CHECK, DAG.toString()));

    assertThat(constants.path("DONE").asInt(-1)).isEqualTo(0);
    assertThat(constants.path("FAILED").asInt(-1)).isEqualTo(1);
    assertThat(constants.path("BAD_CONFIGURATION").asInt(-1)).isEqualTo(2);
    assertThat(constants.path("AUTHENTICATION").asInt(-1)).isEqualTo(3);
    assertThat(constants.path("TEMPORARY_FAILURE").asInt(-1)).isEqualTo(69);
    assertThat(constants.path("BUDGET_EXHAUSTED").asInt(-1)).isEqualTo(75);
  }

  @Test
  void theSampleConfigIsYamlWithTheDocumentedKeys() throws IOException {
    JsonNode config = new YAMLMapper().readTree(CONFIG.toFile());

    assertThat(fields(config)).containsExactly("portal", "objects", "properties", "associations", "sink", "budget", "sync");
    assertThat(fields(config.get("sink")))
        .containsExactly("type", "url", "user", "password", "schema", "tablePrefix");
    assertThat(config.get("sink").get("password").asText()).as("no secret in the file").isEqualTo("${PGPASSWORD}");
    assertThat(fields(config.get("budget")))
        .containsExactly("dailyShare", "burstHeadroom", "searchPerSecond", "timeZone");
    assertThat(fields(config.get("sync"))).containsExactly("overlap", "indexLag", "archivedPassEvery",
        "associationFullScanEvery", "concurrency", "backfillMethod", "progressEvery");
    for (Map.Entry<String, JsonNode> e : config.get("sync").properties()) {
      if (e.getKey().endsWith("Every") || e.getKey().equals("overlap") || e.getKey().equals("indexLag")) {
        assertThat(e.getValue().asText()).as("sync.%s", e.getKey()).matches("(\\d+(ms|s|m|h|d))+");
      }
    }
    assertThat(config.get("associations").get(0).asText()).isEqualTo("contacts->companies");
  }

  private static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** Runs python3 with a script and arguments; fails the test, saying why, if it cannot or the script fails. */
  static String python(String script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("python3", "-c", script));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return fail("This test needs python3 on the PATH (it checks that examples/airflow/hubspot_sync_dag.py "
          + "parses): " + e.getMessage());
    }
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return fail("python3 did not finish within 60 s");
    }
    assertThat(process.exitValue()).as("python3 exit code; output:%n%s", output).isZero();
    return output;
  }
}
