package dev.hubspotsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of a config file, with its dotted path, for reading typed values with messages that name
 * the file, the key and what is allowed. Strings may hold {@code ${NAME}} (an environment variable;
 * {@code $${} for a literal {@code ${}), resolved when read, so a variable is needed only by keys
 * that are used. Never puts a value it resolved into a message.
 */
final class ConfigNode {
  private static final Pattern VARIABLE = Pattern.compile("\\$(\\$?)\\{([^}]*)}");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final String file;
  private final String path;
  private final JsonNode node;
  private final Map<String, String> env;

  ConfigNode(String file, String path, JsonNode node, Map<String, String> env) {
    this.file = file;
    this.path = path;
    this.node = node;
    this.env = env;
  }

  String path() {
    return path;
  }

  JsonNode raw() {
    return node;
  }

  /** The key's dotted path below this node. */
  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** A config error naming the file and the key. */
  HubSpotSyncException error(String key, String problem) {
    return error(file, key.isEmpty() ? "(top level)" : key, problem);
  }

  static HubSpotSyncException error(String file, String key, String problem) {
    return new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, file + ": " + key + ": " + problem);
  }

  /** Fails on any key not among {@code allowed}, suggesting the closest allowed one. */
  ConfigNode allowOnly(List<String> allowed) {
    requireObject();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        String suggestion = Suggest.closest(name, allowed).map(s -> "did you mean '" + pathOf(s) + "'? ").orElse("");
        throw error(pathOf(name), "unknown key; " + suggestion + "allowed here: " + String.join(", ", allowed));
      }
    }
    return this;
  }

  private void requireObject() {
    if (!node.isObject()) {
      throw error(path, "expected a map of keys, got " + kind(node));
    }
  }

  boolean has(String key) {
    JsonNode child = node.get(key);
    return child != null && !child.isNull();
  }

  /** The child map at {@code key}, or an empty one when absent. */
  ConfigNode object(String key) {
    JsonNode child = node.get(key);
    if (child == null || child.isNull()) {
      return new ConfigNode(file, pathOf(key), com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), env);
    }
    ConfigNode c = new ConfigNode(file, pathOf(key), child, env);
    c.requireObject();
    return c;
  }

  /** The child at {@code key} as it is (any kind), or empty. */
  Optional<ConfigNode> child(String key) {
    JsonNode child = node.get(key);
    return child == null || child.isNull() ? Optional.empty() : Optional.of(new ConfigNode(file, pathOf(key), child, env));
  }

  /** The elements of this node, which must be a list. */
  List<ConfigNode> elements() {
    if (!node.isArray()) {
      throw error(path, "expected a list, got " + kind(node));
    }
    List<ConfigNode> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      out.add(new ConfigNode(file, path + "[" + i + "]", node.get(i), env));
    }
    return out;
  }

  /** This node as a string (a scalar; numbers and booleans as written), with variables resolved. */
  String asString() {
    if (!node.isValueNode()) {
      throw error(path, "expected a text value, got " + kind(node));
    }
    return resolve(node.asText());
  }

  Optional<String> string(String key) {
    return child(key).map(ConfigNode::asString);
  }

  Optional<Long> integer(String key, long min) {
    return child(key).map(c -> {
      String text = c.asString().trim().replace("_", "");
      long value;
      try {
        value = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw c.error(c.path, "expected a whole number, got " + c.quoted());
      }
      if (value < min) {
        throw c.error(c.path, "must be at least " + min + ", was " + value);
      }
      return value;
    });
  }

  Optional<Double> number(String key, String allowed, java.util.function.DoublePredicate ok) {
    return child(key).map(c -> {
      double value;
      try {
        value = Double.parseDouble(c.asString().trim());
      } catch (NumberFormatException e) {
        throw c.error(c.path, "expected a number " + allowed + ", got " + c.quoted());
      }
      if (!ok.test(value)) {
        throw c.error(c.path, "must be a number " + allowed + ", was " + value);
      }
      return value;
    });
  }

  Optional<Duration> duration(String key) {
    return child(key).map(c -> {
      String text = c.asString().trim();
      Duration d = parseDuration(text);
      if (d == null) {
        throw c.error(c.path, "expected a duration such as 90s, 5m, 1h, 1d, 1h30m or ISO-8601 PT5M, got " + c.quoted());
      }
      return d;
    });
  }

  /** {@code 5m}, {@code 90s}, {@code 1h30m}, {@code 250ms}, {@code 1d}, or ISO-8601 ({@code PT5M}, {@code P1D}); null if neither. */
  static Duration parseDuration(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (!lower.isEmpty() && Character.isDigit(lower.charAt(0))) {
      Matcher m = DURATION_PART.matcher(lower);
      Duration total = Duration.ZERO;
      int end = 0;
      while (m.find() && m.start() == end) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
        end = m.end();
      }
      return end == lower.length() && end > 0 ? total : null;
    }
    try {
      Duration d = Duration.parse(text.toUpperCase(Locale.ROOT));
      return d.isNegative() ? null : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private String resolve(String text) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (!m.group(1).isEmpty()) {
        replacement = "${" + m.group(2) + "}";
      } else {
        String name = m.group(2);
        String value = env.get(name);
        if (value == null) {
          throw error(path, "the environment variable " + name + " named by ${" + name + "} is not set");
        }
        replacement = value;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The value as written in the file (variables not resolved), for messages. */
  String quoted() {
    return node.isTextual() ? "\"" + node.asText() + "\"" : node.toString();
  }

  private static String kind(JsonNode n) {
    if (n.isArray()) {
      return "a list";
    }
    if (n.isObject()) {
      return "a map";
    }
    return n.isTextual() ? "\"" + n.asText() + "\"" : n.toString();
  }
}
