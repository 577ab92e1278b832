package dev.hubspotsync.cli;

import dev.hubspotsync.client.HubSpotCredentials;
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
    for (String name : List.of(HubSpotCredentials.ENV_ACCESS_TOKEN, HubSpotCredentials.ENV_CLIENT_SECRET,
        HubSpotCredentials.ENV_REFRESH_TOKEN, "PGPASSWORD")) {
      add(env.get(name));
    }
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
