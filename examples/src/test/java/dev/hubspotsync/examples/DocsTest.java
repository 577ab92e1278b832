package dev.hubspotsync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The user guide's code cannot rot: every Java, Python and YAML block of these pages is a piece of
 * a file of this module (compiled and tested here), line for line (indentation aside), and every
 * relative link leads to a file that exists.
 */
class DocsTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern BLOCK = Pattern.compile("(?ms)^```(\\w+)\\n(.*?)^```");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
  /** Where a block of each language must come from. */
  private static final Map<String, List<Path>> SOURCES = Map.of(
      "java", List.of(Path.of("src")),
      "python", List.of(Path.of("airflow")),
      "yaml", List.of(Path.of("airflow")));
  @ParameterizedTest
  @ValueSource(strings = {"README.md", "docs/README.md", "docs/quick-start.md", "docs/incremental-sync.md",
      "docs/schema-drift.md", "docs/warehouses.md", "docs/airflow.md", "docs/error-codes.md"})
  void everyCodeBlockIsPartOfATestedFile(String page) throws IOException {
    String text = Files.readString(ROOT.resolve(page));
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      List<Path> roots = SOURCES.get(block.group(1));
      if (roots == null) {
        continue; // bash, xml, text: commands and output, not code
      }
      String snippet = normalize(block.group(2));
      assertThat(sources(roots)).as("%s: no file under %s holds this %s block:%n%s", page, roots, block.group(1),
          block.group(2)).anyMatch(source -> source.contains(snippet));
    }
  }

  /** Every Markdown page of the project: the root README and each page of docs/. */
  @Test
  void everyRelativeLinkLeadsToAFile() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
    }
    assertThat(pages).hasSizeGreaterThan(15);
    for (Path page : pages) {
      Matcher link = LINK.matcher(Files.readString(page));
      while (link.find()) {
        String target = link.group(1);
        if (!target.startsWith("http://") && !target.startsWith("https://")) {
          assertThat(page.getParent().resolve(target)).as("%s links to %s", page, target).exists();
        }
      }
    }
  }

  private static List<String> sources(List<Path> roots) throws IOException {
    List<String> sources = new ArrayList<>();
    for (Path root : roots) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          sources.add(normalize(Files.readString(file)));
        }
      }
    }
    return sources;
  }

  /** Each line without its indentation and trailing blanks; blank lines dropped. */
  private static String normalize(String text) {
    StringBuilder out = new StringBuilder("\n");
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        out.append(line.strip()).append('\n');
      }
    }
    return out.toString();
  }
}
