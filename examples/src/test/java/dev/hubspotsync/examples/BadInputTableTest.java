package dev.hubspotsync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/bad-input.md stays honest: it has at least 40 numbered cases, every row names a test as
 * {@code `Class#method`}, and each named method exists in the project as a JUnit test
 * ({@code @Test} or {@code @ParameterizedTest}) of a class of that name.
 */
class BadInputTableTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern ROW = Pattern.compile("(?m)^\\| (\\d+) \\|(.*)\\|\\s*$");
  private static final Pattern TEST = Pattern.compile("`(\\w+)#(\\w+)`");

  @Test
  void everyRowNamesTestsThatExist() throws IOException {
    String page = Files.readString(ROOT.resolve("docs/bad-input.md"));
    Map<String, List<String>> sources = javaSourcesByClass();
    List<String> missing = new ArrayList<>();
    int rows = 0;
    Matcher row = ROW.matcher(page);
    while (row.find()) {
      rows++;
      assertThat(Integer.parseInt(row.group(1))).as("rows are numbered 1, 2, 3…").isEqualTo(rows);
      String[] cells = row.group(2).split(" \\| ");
      assertThat(cells).as("row %s has case, behaviour and test", rows).hasSize(3);
      Matcher test = TEST.matcher(cells[2]);
      int named = 0;
      while (test.find()) {
        named++;
        if (!isTestMethod(sources.getOrDefault(test.group(1), List.of()), test.group(2))) {
          missing.add("row " + rows + ": " + test.group());
        }
      }
      assertThat(named).as("tests named by row %s: %s", rows, cells[2]).isPositive();
    }
    assertThat(rows).as("cases in docs/bad-input.md").isGreaterThanOrEqualTo(40);
    assertThat(missing).as("named tests that are not a @Test or @ParameterizedTest method of that class").isEmpty();
  }

  @Test
  void aMisspelledTestIsCaught() throws IOException {
    Map<String, List<String>> sources = javaSourcesByClass();
    assertThat(isTestMethod(sources.get("BadInputTableTest"), "everyRowNamesTestsThatExist")).isTrue();
    assertThat(isTestMethod(sources.get("BadInputTableTest"), "everyRowNamesTestsThatExists")).isFalse();
    assertThat(isTestMethod(sources.get("BadInputTableTest"), "isTestMethod")).as("not a test").isFalse();
    assertThat(sources).doesNotContainKey("NoSuchClassTest");
  }

  /** Whether one of these sources declares {@code method} as a JUnit test. */
  private static boolean isTestMethod(List<String> sources, String method) {
    Pattern declaration = Pattern.compile("\\bvoid\\s+" + Pattern.quote(method) + "\\s*\\(");
    for (String source : sources) {
      Matcher m = declaration.matcher(source);
      while (m.find()) {
        // The method's annotations: from the end of the member before it to its declaration.
        int start = Math.max(source.lastIndexOf("\n  }\n", m.start()), source.lastIndexOf(";\n", m.start()));
        String head = source.substring(Math.max(0, start), m.start());
        if (head.contains("@Test") || head.contains("@ParameterizedTest")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Every Java file of the project outside build output, read, by simple class name. */
  private static Map<String, List<String>> javaSourcesByClass() throws IOException {
    Map<String, List<String>> byClass = new HashMap<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/")).toList()) {
        String name = file.getFileName().toString().replace(".java", "");
        byClass.computeIfAbsent(name, n -> new ArrayList<>()).add(Files.readString(file));
      }
    }
    return byClass;
  }
}
