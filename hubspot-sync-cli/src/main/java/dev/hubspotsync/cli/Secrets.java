package dev.hubspotsync.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A last line of defence for invariant 8: the secrets a command knows (credentials from the
 * environment, the warehouse password) are masked in every line the CLI itself writes, even if a
 * message from a driver were to quote one.
 */
final class Secrets {
  private final List<String> values = new ArrayList<>();

  Secrets(Map<String, String> env) {
    // every credential variable whatever its prefix (portal.credentials.envPrefix), and the warehouse password
    List<String> suffixes = List.of("SERVICE_KEY", "ACCESS_TOKEN", "CLIENT_SECRET", "REFRESH_TOKEN");
    env.forEach((name, value) -> {
      if (name.equals("PGPASSWORD") || suffixes.stream().anyMatch(name::endsWith)) {
        add(value);
      }
    });
  }

  void add(String secret) {
    if (secret != null && secret.trim().length() >= 4) {
      values.add(secret.trim());
    }
  }

  String mask(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String secret : values) {
      out = out.replace(secret, "****");
    }
    return out;
  }
}
