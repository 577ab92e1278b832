package dev.hubspotsync.client;

import dev.hubspotsync.ErrorCode;
import dev.hubspotsync.HubSpotSyncException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to authenticate to a portal, in one of four {@linkplain Kind kinds}: a service key (what a new
 * user creates today), a legacy private app's token, an OAuth app's refresh token, or a project
 * app's OAuth client credentials. The OAuth kinds obtain 30-minute access tokens and renew them
 * before they expire. Immutable and thread-safe; {@link #toString()} and every error message name
 * the kind and where it came from, never a secret.
 */
public final class HubSpotCredentials {
  private static final Logger LOG = LoggerFactory.getLogger(HubSpotCredentials.class);

  /** Environment variable holding a service key (Development › Keys › Service keys). */
  public static final String ENV_SERVICE_KEY = "HUBSPOT_SERVICE_KEY";
  /** Environment variable holding a legacy private app's access token. */
  public static final String ENV_ACCESS_TOKEN = "HUBSPOT_ACCESS_TOKEN";
  public static final String ENV_CLIENT_ID = "HUBSPOT_CLIENT_ID";
  public static final String ENV_CLIENT_SECRET = "HUBSPOT_CLIENT_SECRET";
  public static final String ENV_REFRESH_TOKEN = "HUBSPOT_REFRESH_TOKEN";
  /** Scopes the client-credentials grant asks for, separated by spaces or commas (optional). */
  public static final String ENV_SCOPES = "HUBSPOT_SCOPES";

  /** The four ways to authenticate, in the order {@link #fromEnvironment()} prefers them. */
  public enum Kind {
    /** A service key: a static bearer key with its own scopes, not tied to a user. */
    SERVICE_KEY("service key", "service-key",
        "HubSpot › Development › Keys › Service keys › your key › Scopes (then copy the key again if HubSpot rotates it)"),
    /** A legacy private app's static access token ({@code pat-…}); such apps can no longer be created. */
    PRIVATE_APP_TOKEN("private-app token", "private-app",
        "HubSpot › Settings › Integrations › Private Apps › your app › Scopes, then commit the change"),
    /** An OAuth app's refresh token with its client id and secret. */
    OAUTH_REFRESH_TOKEN("OAuth refresh token", "oauth-refresh-token",
        "the OAuth app's scopes (its project config or the app settings), then have the portal re-authorize the app "
            + "to get a refresh token that holds them"),
    /** A project app's OAuth client-credentials grant (client id and secret, no refresh token). */
    OAUTH_CLIENT_CREDENTIALS("OAuth client credentials", "client-credentials",
        "the project app's config (scopes / requiredScopes in its app-hsmeta.json), then upload the project and "
            + "reinstall the app in the portal; the scopes asked for (HUBSPOT_SCOPES or portal.credentials.scopes) "
            + "must be among them");

    private final String label;
    private final String configName;
    private final String scopesGrantedAt;

    Kind(String label, String configName, String scopesGrantedAt) {
      this.label = label;
      this.configName = configName;
      this.scopesGrantedAt = scopesGrantedAt;
    }

    /** How messages print it: {@code service key}, {@code private-app token}, … */
    public String label() {
      return label;
    }

    /** How configuration writes it: {@code service-key}, {@code private-app}, {@code oauth-refresh-token}, {@code client-credentials}. */
    public String configName() {
      return configName;
    }

    /** Whether access tokens are obtained from HubSpot's token endpoint (and expire). */
    public boolean oauth() {
      return this == OAUTH_REFRESH_TOKEN || this == OAUTH_CLIENT_CREDENTIALS;
    }

    /** Where in HubSpot this kind's scopes are granted, for messages. */
    public String scopesGrantedAt() {
      return scopesGrantedAt;
    }

    /**
     * Reads a configured kind (its {@link #configName()}, case-insensitive).
     *
     * @throws HubSpotSyncException {@code BAD_CONFIGURATION} naming the accepted values
     */
    public static Kind parse(String value) {
      String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
      return Arrays.stream(values()).filter(k -> k.configName.equals(v)).findFirst()
          .orElseThrow(() -> new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "credential kind \"" + value
              + "\" is unknown; use one of " + String.join(", ", Arrays.stream(values()).map(Kind::configName).toList())));
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private final Kind kind;
  private final String token;
  private final String clientId;
  private final String clientSecret;
  private final String refreshToken;
  private final List<String> scopes;
  private final String source;

  private HubSpotCredentials(Kind kind, String token, String clientId, String clientSecret, String refreshToken,
      List<String> scopes, String source) {
    this.kind = kind;
    this.token = token;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.refreshToken = refreshToken;
    this.scopes = scopes;
    this.source = source;
  }

  /** A service key (Development › Keys › Service keys), sent as a bearer token. */
  public static HubSpotCredentials serviceKey(String key) {
    return new HubSpotCredentials(Kind.SERVICE_KEY, required(key, "service key"), null, null, null, List.of(), null);
  }

  /** A legacy private app's static access token ({@code pat-…}). */
  public static HubSpotCredentials privateApp(String accessToken) {
    return new HubSpotCredentials(Kind.PRIVATE_APP_TOKEN, required(accessToken, "private-app access token"), null, null,
        null, List.of(), null);
  }

  /** An OAuth app: access tokens are obtained (and renewed before they expire) with the refresh token. */
  public static HubSpotCredentials oauth(String clientId, String clientSecret, String refreshToken) {
    return new HubSpotCredentials(Kind.OAUTH_REFRESH_TOKEN, null, required(clientId, "OAuth client id"),
        required(clientSecret, "OAuth client secret"), required(refreshToken, "OAuth refresh token"), List.of(), null);
  }

  /**
   * A project app's OAuth client-credentials grant: access tokens are obtained (and renewed before
   * they expire) with the client id and secret alone.
   *
   * @param scopes the scopes to ask for (HubSpot's {@code scope} field); empty asks for none by name
   */
  public static HubSpotCredentials clientCredentials(String clientId, String clientSecret, Collection<String> scopes) {
    List<String> clean = new ArrayList<>();
    for (String s : Objects.requireNonNull(scopes, "scopes")) {
      if (s != null && !s.isBlank() && !clean.contains(s.trim())) {
        clean.add(s.trim());
      }
    }
    return new HubSpotCredentials(Kind.OAUTH_CLIENT_CREDENTIALS, null, required(clientId, "OAuth client id"),
        required(clientSecret, "OAuth client secret"), null, List.copyOf(clean), null);
  }

  /**
   * The same credentials, saying where they came from (e.g. the environment variables' names);
   * messages print it so an operator knows what to change. Never pass a secret.
   */
  public HubSpotCredentials withSource(String source) {
    return new HubSpotCredentials(kind, token, clientId, clientSecret, refreshToken, scopes, source);
  }

  /**
   * From the environment, preferring (when several are set) {@code HUBSPOT_SERVICE_KEY}, then
   * {@code HUBSPOT_ACCESS_TOKEN}, then {@code HUBSPOT_CLIENT_ID} + {@code HUBSPOT_CLIENT_SECRET} +
   * {@code HUBSPOT_REFRESH_TOKEN}, then {@code HUBSPOT_CLIENT_ID} + {@code HUBSPOT_CLIENT_SECRET}
   * alone (client credentials, scopes from {@code HUBSPOT_SCOPES}). Logs at INFO which one it used.
   *
   * @throws HubSpotSyncException {@code BAD_CONFIGURATION} naming the variables it looked for
   */
  public static HubSpotCredentials fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** As {@link #fromEnvironment()}, reading the given variables. */
  public static HubSpotCredentials fromEnvironment(Map<String, String> env) {
    return environment().read(env);
  }

  /** Reads credentials from environment variables with a prefix other than {@code HUBSPOT_}, or of one kind only. */
  public static Environment environment() {
    return new Environment();
  }

  /**
   * Which environment variables hold the credentials: {@code <prefix>SERVICE_KEY},
   * {@code <prefix>ACCESS_TOKEN}, {@code <prefix>CLIENT_ID}, {@code <prefix>CLIENT_SECRET},
   * {@code <prefix>REFRESH_TOKEN} and {@code <prefix>SCOPES}; the prefix is {@code HUBSPOT_} unless
   * set. Mutable, not thread-safe.
   */
  public static final class Environment {
    private String prefix = "HUBSPOT_";
    private Kind kind;
    private List<String> scopes;

    Environment() {}

    /** The variables' prefix (default {@code HUBSPOT_}), e.g. {@code HUBSPOT_EU_} for a second portal. */
    public Environment prefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** Read only this kind (null: the first complete one in {@link Kind}'s order). */
    public Environment kind(Kind kind) {
      this.kind = kind;
      return this;
    }

    /** Scopes for client credentials, instead of {@code <prefix>SCOPES}. */
    public Environment scopes(Collection<String> scopes) {
      this.scopes = List.copyOf(scopes);
      return this;
    }

    /** The variable's full name, e.g. {@code variable("SERVICE_KEY")} is {@code HUBSPOT_SERVICE_KEY} by default. */
    public String variable(String suffix) {
      return prefix + suffix;
    }

    /** The variables that hold secrets (to mask them in output). */
    public List<String> secretVariables() {
      return List.of(variable("SERVICE_KEY"), variable("ACCESS_TOKEN"), variable("CLIENT_SECRET"), variable("REFRESH_TOKEN"));
    }

    /** The variables each kind reads, required ones first. */
    public List<String> variables(Kind k) {
      return switch (k) {
        case SERVICE_KEY -> List.of(variable("SERVICE_KEY"));
        case PRIVATE_APP_TOKEN -> List.of(variable("ACCESS_TOKEN"));
        case OAUTH_REFRESH_TOKEN -> List.of(variable("CLIENT_ID"), variable("CLIENT_SECRET"), variable("REFRESH_TOKEN"));
        case OAUTH_CLIENT_CREDENTIALS -> List.of(variable("CLIENT_ID"), variable("CLIENT_SECRET"));
      };
    }

    /**
     * The credentials the variables hold.
     *
     * @throws HubSpotSyncException {@code BAD_CONFIGURATION} naming the variables looked for, or the
     *     one missing from a set begun
     */
    public HubSpotCredentials read(Map<String, String> env) {
      List<Kind> candidates = kind != null ? List.of(kind) : List.of(Kind.values());
      for (Kind k : candidates) {
        List<String> missing = missing(env, k);
        if (missing.isEmpty()) {
          HubSpotCredentials c = build(env, k);
          List<String> ignored = new ArrayList<>();
          for (Kind other : Kind.values()) {
            for (String name : variables(other)) {
              if (other != k && !variables(k).contains(name) && set(env, name) && !ignored.contains(name)) {
                ignored.add(name);
              }
            }
          }
          LOG.info("HubSpot credentials: {} from {}{}", k, c.source,
              ignored.isEmpty() ? "" : " (also set, not used: " + String.join(", ", ignored)
                  + (kind != null ? "; the kind was chosen explicitly" : "; the order is in docs/client-and-errors.md") + ")");
          return c;
        }
        if (kind != null || begun(env, k)) {
          List<String> present = variables(k).stream().filter(n -> set(env, n)).toList();
          throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "HubSpot credentials (" + k
              + (kind != null ? ", the kind chosen" : "") + "): " + String.join(" and ", missing)
              + (missing.size() == 1 ? " is" : " are") + " not set"
              + (present.isEmpty() ? "" : " though " + String.join(" and ", present) + (present.size() == 1 ? " is" : " are"))
              + ". Set " + (missing.size() == 1 ? "it" : "them") + (kind == null && !present.isEmpty()
                  ? ", or unset " + String.join(" and ", present) + " to use another kind" : "") + ".");
        }
      }
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "No HubSpot credentials in the environment: looked "
          + "for " + variable("SERVICE_KEY") + " (a service key: HubSpot › Development › Keys › Service keys), "
          + variable("ACCESS_TOKEN") + " (a legacy private app's token), " + variable("CLIENT_ID") + " + "
          + variable("CLIENT_SECRET") + " + " + variable("REFRESH_TOKEN") + " (an OAuth app), and "
          + variable("CLIENT_ID") + " + " + variable("CLIENT_SECRET") + " (a project app's client credentials, scopes in "
          + variable("SCOPES") + "). Set one of them.");
    }

    /** Whether the variables of a multi-variable kind were partly set (a single-variable kind is never partial). */
    private boolean begun(Map<String, String> env, Kind k) {
      return switch (k) {
        case SERVICE_KEY, PRIVATE_APP_TOKEN -> false;
        // a refresh token names its kind; a client id or secret alone is an incomplete client-credentials pair
        case OAUTH_REFRESH_TOKEN -> set(env, variable("REFRESH_TOKEN"));
        case OAUTH_CLIENT_CREDENTIALS -> set(env, variable("CLIENT_ID")) || set(env, variable("CLIENT_SECRET"));
      };
    }

    private List<String> missing(Map<String, String> env, Kind k) {
      return variables(k).stream().filter(n -> !set(env, n)).toList();
    }

    private HubSpotCredentials build(Map<String, String> env, Kind k) {
      String source = String.join(" + ", variables(k));
      return switch (k) {
        case SERVICE_KEY -> serviceKey(value(env, "SERVICE_KEY")).withSource(source);
        case PRIVATE_APP_TOKEN -> privateApp(value(env, "ACCESS_TOKEN")).withSource(source);
        case OAUTH_REFRESH_TOKEN -> oauth(value(env, "CLIENT_ID"), value(env, "CLIENT_SECRET"), value(env, "REFRESH_TOKEN"))
            .withSource(source);
        case OAUTH_CLIENT_CREDENTIALS -> {
          List<String> asked = scopes;
          if (asked == null) {
            String raw = env.get(variable("SCOPES"));
            asked = raw == null || raw.isBlank() ? List.of() : List.of(raw.trim().split("[\\s,]+"));
          }
          yield clientCredentials(value(env, "CLIENT_ID"), value(env, "CLIENT_SECRET"), asked).withSource(source);
        }
      };
    }

    private String value(Map<String, String> env, String suffix) {
      return env.get(variable(suffix)).trim();
    }

    private static boolean set(Map<String, String> env, String name) {
      String v = env.get(name);
      return v != null && !v.isBlank();
    }
  }

  /** Which kind these are. */
  public Kind kind() {
    return kind;
  }

  /** Where they came from (e.g. {@code HUBSPOT_SERVICE_KEY}), or null when built in code without {@link #withSource}. */
  public String source() {
    return source;
  }

  /** The kind and where it came from, for messages: {@code service key (HUBSPOT_SERVICE_KEY)}. Never a secret. */
  public String describe() {
    return kind + (source != null ? " (" + source + ")" : "");
  }

  /** Whether access tokens come from HubSpot's OAuth token endpoint: refresh token or client credentials. */
  public boolean isOAuth() {
    return kind.oauth();
  }

  /** The scopes the client-credentials grant asks for; empty for the other kinds. */
  public List<String> scopes() {
    return scopes;
  }

  /** The bearer token of a service key or private app; null for the OAuth kinds. */
  String accessToken() {
    return token;
  }

  String clientId() {
    return clientId;
  }

  String clientSecret() {
    return clientSecret;
  }

  String refreshToken() {
    return refreshToken;
  }

  private static String required(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new HubSpotSyncException(ErrorCode.BAD_CONFIGURATION, "HubSpot credentials: the " + name + " is empty.");
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HubSpotCredentials c && kind == c.kind && Objects.equals(token, c.token)
        && Objects.equals(clientId, c.clientId) && Objects.equals(clientSecret, c.clientSecret)
        && Objects.equals(refreshToken, c.refreshToken) && scopes.equals(c.scopes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, token, clientId, clientSecret, refreshToken, scopes);
  }

  @Override
  public String toString() {
    return "HubSpotCredentials[" + kind + (source != null ? " from " + source : "")
        + (clientId != null ? ", clientId=" + clientId : "") + (scopes.isEmpty() ? "" : ", scopes=" + scopes)
        + ", secrets hidden]";
  }
}
