package dev.hubspotsync.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.hubspotsync.BackfillMethod;
import dev.hubspotsync.HubSpotSyncException;
import dev.hubspotsync.client.ApiVersion;
import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.source.ChangeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sync config file (YAML, or JSON for {@code .json}), read and checked; every key is documented
 * in docs/configuration.md. Unset settings are null (or empty) and keep the library's defaults.
 * Immutable; holds the resolved secrets (the PostgreSQL password) but {@link #toString()} hides them.
 */
record SyncConfig(Path file, String baseUrl, ApiVersion apiVersion, Credentials credentials, List<String> objects,
    boolean allObjects, Map<String, List<String>> properties, List<Pair> associations, Sink sink, Budget budget, Tuning sync) {

  static final String DEFAULT_DUCKDB_FILE = "hubspot.duckdb";
  private static final List<String> TOP = List.of("portal", "objects", "properties", "associations", "sink", "budget", "sync");
  private static final Pattern PAIR = Pattern.compile("\\s*([^\\s\\->]+)\\s*(?:->|→)\\s*([^\\s\\->]+)\\s*");

  /** Keys of {@code portal.credentials} that would hold a secret: refused, secrets come from the environment. */
  private static final List<String> SECRET_KEYS = List.of("key", "serviceKey", "token", "accessToken", "secret",
      "clientSecret", "refreshToken", "password", "clientId");

  /**
   * {@code portal.credentials}: which kind to use (null: the first complete one in the environment,
   * in HubSpotCredentials' order), the prefix of the environment variables that hold it, and the
   * scopes of client credentials (null: {@code <prefix>SCOPES}). No secret: those stay in the environment.
   */
  record Credentials(HubSpotCredentials.Kind kind, String envPrefix, List<String> scopes) {
    static final Credentials DEFAULT = new Credentials(null, "HUBSPOT_", null);

    HubSpotCredentials.Environment environment() {
      HubSpotCredentials.Environment e = HubSpotCredentials.environment().prefix(envPrefix).kind(kind);
      return scopes != null ? e.scopes(scopes) : e;
    }
  }

  /** An association pair, read from {@code from} to {@code to}. */
  record Pair(String from, String to) {}

  /**
   * Where the data goes: {@code duckdb} (a file), {@code postgres} (a JDBC URL), {@code bigquery} (a dataset)
   * or {@code snowflake}.
   *
   * @param file the DuckDB file, resolved against the config file's folder
   */
  record Sink(String type, Path file, String url, String user, String password, String schema, String tablePrefix,
      Snowflake snowflake, BigQuery bigquery) {
    Sink(String type, Path file, String url, String user, String password, String schema, String tablePrefix) {
      this(type, file, url, user, password, schema, tablePrefix, null, null);
    }

    @Override
    public String toString() {
      return "Sink[" + type + (file != null ? ", file=" + file : "") + (url != null ? ", url=" + url : "")
          + (schema != null ? ", schema=" + schema : "") + (password != null ? ", password hidden" : "")
          + (snowflake != null ? ", " + snowflake : "") + (bigquery != null ? ", " + bigquery : "") + "]";
    }
  }

  /**
   * A Snowflake sink's own settings (user, schema and prefix are the sink's); the password or key
   * passphrase comes from the environment only ({@code SNOWFLAKE_PASSWORD},
   * {@code SNOWFLAKE_PRIVATE_KEY_PASSPHRASE}) and {@link #toString()} hides it.
   *
   * @param endpoint null for {@code https://<account>.snowflakecomputing.com}
   * @param privateKeyFile null for password authentication
   * @param coalesceRows null for the sink's default
   * @param coalesceAge null for the sink's default
   */
  record Snowflake(String account, java.net.URI endpoint, String warehouse, String database, String role,
      Path privateKeyFile, String passphrase, Integer coalesceRows, Duration coalesceAge) {
    Snowflake(String account, java.net.URI endpoint, String warehouse, String database, String role,
        Path privateKeyFile, String passphrase) {
      this(account, endpoint, warehouse, database, role, privateKeyFile, passphrase, null, null);
    }

    @Override
    public String toString() {
      return "Snowflake[account=" + account + ", database=" + database + (privateKeyFile != null ? ", key pair" : "")
          + (passphrase != null ? ", passphrase hidden" : "") + "]";
    }
  }

  /**
   * BigQuery's settings ({@code BigQuerySink.Builder}); the dataset is {@link Sink#schema()}; null keeps the default.
   *
   * @param credentialsFile a service account's JSON key, resolved against the config file's folder; null for
   *     Application Default Credentials
   */
  record BigQuery(String project, String location, Path credentialsFile, String host, Integer coalesceRows,
      Duration coalesceAge) {}

  /**
   * Rate budget settings ({@code TokenBucketRateBudget.Builder}, and for processes sharing one portal
   * {@code SharedRateBudget.Builder}); null keeps the default.
   *
   * @param shared where the portal's processes share the budget: {@code sink} (the PostgreSQL sink's
   *     database) or a {@code jdbc:postgresql:} URL; null when not shared
   * @param workers the static split when nothing is shared: this process takes 1/workers
   * @param portal the name the processes of one portal share the budget under; null: from the credentials
   */
  record Budget(Double dailyShare, Long dailyCeiling, Integer burstLimit, Integer burstHeadroom, Integer searchPerSecond,
      ZoneId timeZone, String shared, Integer workers, String portal, Duration renewEvery, Duration leaseTtl) {}

  /** Job settings ({@code SyncJob.Builder}); null keeps the default. */
  record Tuning(Duration overlap, Duration indexLag, Duration archivedPassEvery, Duration reconcileEvery,
      Duration associationFullScanEvery, Duration associationBackstopEvery, Integer associationBatchSize,
      Integer concurrency, BackfillMethod backfillMethod, Duration progressEvery, Integer listPageSize,
      Integer searchPageSize, Long memoryLimitBytes, ChangeSource changeSource) {}

  /**
   * Reads and checks a config file.
   *
   * @throws dev.hubspotsync.HubSpotSyncException {@code BAD_CONFIGURATION} naming the file, the key
   *     and what is allowed
   */
  static SyncConfig load(Path file, Map<String, String> env) {
    String name = file.toString();
    JsonNode root;
    try {
      String text = Files.readString(file);
      boolean json = name.toLowerCase(Locale.ROOT).endsWith(".json");
      root = (json ? new ObjectMapper() : new YAMLMapper()).readTree(text);
    } catch (NoSuchFileException e) {
      throw ConfigNode.error(name, "file", "the config file does not exist (working directory "
          + Path.of("").toAbsolutePath() + ")");
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      throw ConfigNode.error(name, at == null ? "syntax" : "line " + at.getLineNr() + ", column " + at.getColumnNr(),
          "not valid " + (name.endsWith(".json") ? "JSON" : "YAML") + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ConfigNode.error(name, "file", "cannot be read: " + e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw ConfigNode.error(name, "objects", "the file is empty; it needs at least objects: and a sink:");
    }
    ConfigNode top = new ConfigNode(name, "", root, env).allowOnly(TOP);
    Path folder = file.toAbsolutePath().getParent();

    ConfigNode portal = top.object("portal").allowOnly(List.of("baseUrl", "apiVersion", "credentials"));
    String baseUrl = portal.string("baseUrl").map(String::trim).orElse(null);
    if (baseUrl != null && !baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      throw portal.error(portal.pathOf("baseUrl"), "must start with http:// or https://, was \"" + baseUrl + "\"");
    }
    ApiVersion apiVersion = ApiVersion.V2026_09;
    Optional<String> version = portal.string("apiVersion");
    if (version.isPresent()) {
      try {
        apiVersion = ApiVersion.parse(version.get());
      } catch (HubSpotSyncException e) {
        throw portal.error(portal.pathOf("apiVersion"), e.getMessage());
      }
    }

    Credentials credentials = credentials(portal.object("credentials"));

    List<String> objects = new ArrayList<>();
    boolean all = false;
    ConfigNode objectsNode = top.child("objects")
        .orElseThrow(() -> top.error("objects", "missing; list the object types to sync, e.g. [contacts, companies, deals], or all"));
    if (objectsNode.raw().isValueNode()) {
      String value = objectsNode.asString().trim();
      if (!value.equals("all")) {
        throw objectsNode.error("objects", "expected a list of object types or \"all\", got " + objectsNode.quoted());
      }
      all = true;
    } else {
      for (ConfigNode element : objectsNode.elements()) {
        objects.add(objectType(element));
      }
      if (objects.isEmpty()) {
        throw objectsNode.error("objects", "the list is empty; name at least one object type, or write all");
      }
    }

    Map<String, List<String>> properties = new LinkedHashMap<>();
    top.child("properties").ifPresent(p -> {
      if (!p.raw().isObject()) {
        throw p.error("properties", "expected a map from object type to a list of property names");
      }
      for (var names = p.raw().fieldNames(); names.hasNext(); ) {
        String type = names.next();
        ConfigNode list = p.child(type).orElseThrow();
        if (!objects.isEmpty() && !objects.contains(type)) {
          String hint = Suggest.closest(type, objects).map(s -> "did you mean " + s + "? ").orElse("");
          throw p.error(list.path(), "not among objects; " + hint + "objects: " + String.join(", ", objects));
        }
        List<String> props = list.elements().stream().map(ConfigNode::asString).map(String::trim).toList();
        if (props.isEmpty()) {
          throw p.error(list.path(), "the list is empty; leave the type out to sync all its properties");
        }
        properties.put(type, props);
      }
    });

    List<Pair> associations = new ArrayList<>();
    top.child("associations").ifPresent(a -> {
      for (ConfigNode element : a.elements()) {
        associations.add(pair(element));
      }
    });

    Sink sink = sink(top.object("sink"), folder, env);
    Budget budget = budget(top.object("budget"));
    Tuning tuning = tuning(top.object("sync"));
    return new SyncConfig(file, baseUrl, apiVersion, credentials, List.copyOf(objects), all, Map.copyOf(properties), List.copyOf(associations),
        sink, budget, tuning);
  }

  /** Every stream of the config by name: its object types, then its pairs as {@code from->to}. */
  List<String> streams() {
    List<String> all = new ArrayList<>(objects);
    associations.forEach(p -> all.add(p.from() + "->" + p.to()));
    return all;
  }

  /**
   * The config narrowed to some of its streams ({@code sync --only}): object types by name, pairs as
   * {@code from->to}. With {@code objects: all}, any object type may be named.
   *
   * @throws HubSpotSyncException {@code BAD_CONFIGURATION} naming a stream the config does not have
   */
  SyncConfig only(List<String> names) {
    List<String> keptObjects = new ArrayList<>();
    List<Pair> keptPairs = new ArrayList<>();
    for (String raw : names) {
      String name = raw.trim();
      Matcher m = PAIR.matcher(name);
      if (m.matches()) {
        Pair pair = new Pair(m.group(1), m.group(2));
        if (!associations.contains(pair)) {
          throw notAStream("--only", name);
        }
        if (!keptPairs.contains(pair)) {
          keptPairs.add(pair);
        }
      } else if (!name.isEmpty()) {
        if (!allObjects && !objects.contains(name)) {
          throw notAStream("--only", name);
        }
        if (!keptObjects.contains(name)) {
          keptObjects.add(name);
        }
      }
    }
    if (keptObjects.isEmpty() && keptPairs.isEmpty()) {
      throw ConfigNode.error(file.toString(), "--only", "names no stream; the config's streams: " + String.join(", ", streams()));
    }
    Map<String, List<String>> keptProperties = new LinkedHashMap<>(properties);
    keptProperties.keySet().retainAll(keptObjects);
    return new SyncConfig(file, baseUrl, apiVersion, credentials, List.copyOf(keptObjects), false, Map.copyOf(keptProperties),
        List.copyOf(keptPairs), sink, budget, sync);
  }

  private HubSpotSyncException notAStream(String where, String name) {
    List<String> known = streams();
    return ConfigNode.error(file.toString(), where, "\"" + name + "\" is not a stream of this config; "
        + Suggest.closest(name, known).map(s -> "did you mean " + s + "? ").orElse("")
        + (allObjects ? "with objects: all, any object type, or " : "") + "the config's streams: "
        + (known.isEmpty() ? "(objects: all)" : String.join(", ", known)));
  }

  private static Credentials credentials(ConfigNode c) {
    for (String key : SECRET_KEYS) {
      if (c.has(key)) {
        throw c.error(c.pathOf(key), "secrets are never read from the config file; set the environment variable "
            + "instead (HUBSPOT_SERVICE_KEY, HUBSPOT_ACCESS_TOKEN, HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET or "
            + "HUBSPOT_REFRESH_TOKEN, or with envPrefix: your prefix), and name the kind with kind:");
      }
    }
    c.allowOnly(List.of("kind", "envPrefix", "scopes"));
    HubSpotCredentials.Kind kind = null;
    Optional<String> named = c.string("kind");
    if (named.isPresent()) {
      try {
        kind = HubSpotCredentials.Kind.parse(named.get());
      } catch (HubSpotSyncException e) {
        throw c.error(c.pathOf("kind"), e.getMessage());
      }
    }
    String prefix = c.string("envPrefix").map(String::trim).orElse(Credentials.DEFAULT.envPrefix());
    if (!prefix.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw c.error(c.pathOf("envPrefix"), "\"" + prefix + "\" is not the start of an environment variable name; "
          + "use letters, digits and _, e.g. HUBSPOT_EU_ (then HUBSPOT_EU_SERVICE_KEY, HUBSPOT_EU_CLIENT_ID, …)");
    }
    List<String> scopes = null;
    Optional<ConfigNode> scopesNode = c.child("scopes");
    if (scopesNode.isPresent()) {
      ConfigNode list = scopesNode.get();
      scopes = list.raw().isValueNode() ? List.of(list.asString().trim().split("[\\s,]+"))
          : list.elements().stream().map(ConfigNode::asString).map(String::trim).toList();
      if (scopes.stream().allMatch(String::isEmpty)) {
        throw c.error(list.path(), "the list is empty; name the scopes the client-credentials token should hold, "
            + "e.g. [crm.objects.contacts.read, crm.schemas.contacts.read], or leave scopes out");
      }
      if (kind != null && kind != HubSpotCredentials.Kind.OAUTH_CLIENT_CREDENTIALS) {
        throw c.error(list.path(), "only client credentials ask for scopes; a " + kind + " holds the scopes granted "
            + "to it in HubSpot. Remove scopes:, or set kind: client-credentials");
      }
    }
    return new Credentials(kind, prefix, scopes);
  }

  private static String objectType(ConfigNode element) {
    String type = element.asString().trim();
    if (type.isEmpty()) {
      throw element.error(element.path(), "an object type is empty");
    }
    return type;
  }

  private static Pair pair(ConfigNode element) {
    if (element.raw().isObject()) {
      element.allowOnly(List.of("from", "to"));
      String from = element.string("from").map(String::trim).filter(s -> !s.isEmpty())
          .orElseThrow(() -> element.error(element.pathOf("from"), "missing; a pair needs from: and to:"));
      String to = element.string("to").map(String::trim).filter(s -> !s.isEmpty())
          .orElseThrow(() -> element.error(element.pathOf("to"), "missing; a pair needs from: and to:"));
      return new Pair(from, to);
    }
    Matcher m = PAIR.matcher(element.asString());
    if (!m.matches()) {
      throw element.error(element.path(), "expected \"from->to\" (e.g. contacts->companies) or {from: …, to: …}, got "
          + element.quoted());
    }
    return new Pair(m.group(1), m.group(2));
  }

  private static Sink sink(ConfigNode s, Path folder, Map<String, String> env) {
    s.allowOnly(List.of("type", "file", "url", "user", "password", "schema", "tablePrefix", "account", "endpoint",
        "warehouse", "database", "role", "privateKeyFile", "project", "dataset", "location", "credentialsFile", "host",
        "coalesceRows", "coalesceAge"));
    String type = s.string("type").map(t -> t.trim().toLowerCase(Locale.ROOT)).orElse("duckdb");
    if (!type.equals("bigquery")) {
      for (String key : BIGQUERY_KEYS) {
        if (s.has(key)) {
          throw s.error(s.pathOf(key), "is for type bigquery");
        }
      }
    }
    if (!type.equals("snowflake")) {
      for (String key : SNOWFLAKE_KEYS) {
        if (s.has(key)) {
          throw s.error(s.pathOf(key), "is for type snowflake");
        }
      }
    }
    if (!type.equals("bigquery") && !type.equals("snowflake")) {
      for (String key : COALESCE_KEYS) {
        if (s.has(key)) {
          throw s.error(s.pathOf(key), "is for types bigquery and snowflake, which gather batches into larger loads");
        }
      }
    }
    switch (type) {
      case "duckdb" -> {
        for (String key : List.of("url", "user", "password")) {
          if (s.has(key)) {
            throw s.error(s.pathOf(key), "is for type postgres; type duckdb takes file:");
          }
        }
        String file = s.string("file").map(String::trim).orElse(DEFAULT_DUCKDB_FILE);
        return new Sink(type, folder.resolve(file).normalize(), null, null, null, s.string("schema").orElse(null),
            s.string("tablePrefix").orElse(null));
      }
      case "postgres", "postgresql" -> {
        if (s.has("file")) {
          throw s.error(s.pathOf("file"), "is for type duckdb; type postgres takes url: (and user:, password:)");
        }
        String url = s.string("url").map(String::trim)
            .orElseThrow(() -> s.error(s.pathOf("url"), "missing; type postgres needs url: jdbc:postgresql://host:port/database"));
        if (!url.startsWith("jdbc:postgresql:")) {
          throw s.error(s.pathOf("url"), "expected a jdbc:postgresql://host:port/database URL");
        }
        return new Sink("postgres", null, url, s.string("user").orElse(null), s.string("password").orElse(null),
            s.string("schema").orElse(null), s.string("tablePrefix").orElse(null));
      }
      case "snowflake" -> {
        return snowflake(s, folder, env);
      }
      case "bigquery" -> {
        return bigQuery(s, folder);
      }
      default -> throw s.error(s.pathOf("type"), "unknown sink type \"" + type + "\"; "
          + Suggest.closest(type, List.of("duckdb", "postgres", "bigquery", "snowflake")).map(x -> "did you mean " + x + "? ")
              .orElse("")
          + "available: duckdb (default), postgres, bigquery, snowflake");
    }
  }

  private static final List<String> BIGQUERY_KEYS = List.of("project", "dataset", "location", "credentialsFile", "host");

  private static final List<String> SNOWFLAKE_KEYS = List.of("account", "endpoint", "warehouse", "database", "role",
      "privateKeyFile");

  /** Settings of the warehouses that gather batches into larger loads. */
  private static final List<String> COALESCE_KEYS = List.of("coalesceRows", "coalesceAge");

  /** {@code type: snowflake}: key pair unless no privateKeyFile is given; secrets from the environment only. */
  private static Sink snowflake(ConfigNode s, Path folder, Map<String, String> env) {
    for (String key : List.of("file", "url", "password")) {
      if (s.has(key)) {
        throw s.error(s.pathOf(key), key.equals("password")
            ? "secrets are never read from the config file; set the environment variable SNOWFLAKE_PASSWORD "
                + "(or use privateKeyFile: with SNOWFLAKE_PRIVATE_KEY_PASSPHRASE)"
            : "is not a snowflake setting; type snowflake takes account:, user:, privateKeyFile:, warehouse:, "
                + "database:, schema:, role:, coalesceRows:, coalesceAge:");
      }
    }
    String account = s.string("account").map(String::trim).orElse(null);
    java.net.URI endpoint = s.string("endpoint").map(String::trim).map(e -> {
      if (!e.startsWith("https://") && !e.startsWith("http://")) {
        throw s.error(s.pathOf("endpoint"), "must start with https://, was \"" + e + "\"");
      }
      return java.net.URI.create(e);
    }).orElse(null);
    if (account == null && endpoint == null) {
      throw s.error(s.pathOf("account"), "missing; type snowflake needs account: (e.g. myorg-myaccount)");
    }
    String user = s.string("user").map(String::trim)
        .orElseThrow(() -> s.error(s.pathOf("user"), "missing; type snowflake needs user:"));
    String database = s.string("database").map(String::trim)
        .orElseThrow(() -> s.error(s.pathOf("database"), "missing; type snowflake needs database:"));
    Path key = s.string("privateKeyFile").map(String::trim).map(f -> folder.resolve(f).normalize()).orElse(null);
    String password = null;
    String passphrase = null;
    if (key != null) {
      passphrase = env.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE");
    } else {
      password = env.get("SNOWFLAKE_PASSWORD");
      if (password == null || password.isEmpty()) {
        throw s.error(s.pathOf("privateKeyFile"), "missing, and SNOWFLAKE_PASSWORD is not set; give "
            + "privateKeyFile: (key-pair authentication, recommended) or set SNOWFLAKE_PASSWORD");
      }
    }
    return new Sink("snowflake", null, null, user, password, s.string("schema").orElse(null),
        s.string("tablePrefix").orElse(null), new Snowflake(account, endpoint, s.string("warehouse").orElse(null),
            database, s.string("role").orElse(null), key, passphrase, intOrNull(s.integer("coalesceRows", 0)),
            s.duration("coalesceAge").orElse(null)), null);
  }

  private static Sink bigQuery(ConfigNode s, Path folder) {
    for (String key : List.of("file", "url", "user", "password", "schema")) {
      if (s.has(key)) {
        throw s.error(s.pathOf(key), "is not a bigquery setting; type bigquery takes project:, dataset:, location:, "
            + "credentialsFile:, host:, tablePrefix:, coalesceRows:, coalesceAge:");
      }
    }
    String project = s.string("project").map(String::trim).filter(p -> !p.isEmpty())
        .orElseThrow(() -> s.error(s.pathOf("project"), "missing; type bigquery needs project: (a Google Cloud project id)"));
    String dataset = s.string("dataset").map(String::trim).filter(d -> !d.isEmpty())
        .orElseThrow(() -> s.error(s.pathOf("dataset"), "missing; type bigquery needs dataset: (created if absent)"));
    Path credentials = s.string("credentialsFile").map(String::trim).map(f -> folder.resolve(f).normalize()).orElse(null);
    Integer rows = s.integer("coalesceRows", 1).map(Math::toIntExact).orElse(null);
    return new Sink("bigquery", null, null, null, null, dataset, s.string("tablePrefix").orElse(null), null,
        new BigQuery(project, s.string("location").map(String::trim).orElse(null), credentials,
            s.string("host").map(String::trim).orElse(null), rows, s.duration("coalesceAge").orElse(null)));
  }

  private static Budget budget(ConfigNode b) {
    b.allowOnly(List.of("dailyShare", "dailyCeiling", "burstLimit", "burstHeadroom", "searchPerSecond", "timeZone", "shared",
        "workers", "portal", "renewEvery", "leaseTtl"));
    ZoneId zone = b.child("timeZone").map(z -> {
      String id = z.asString().trim();
      try {
        return ZoneId.of(id);
      } catch (DateTimeException e) {
        throw b.error(z.path(), "unknown time zone \"" + id + "\"; use a region id such as America/New_York, Europe/Berlin or UTC");
      }
    }).orElse(null);
    String shared = b.string("shared").map(String::trim).orElse(null);
    if (shared != null && !shared.equals("sink") && !shared.startsWith("jdbc:postgresql:")) {
      throw b.error(b.pathOf("shared"), "expected sink (the PostgreSQL sink's database) or a jdbc:postgresql://host:port/database "
          + "URL where every process of the portal can reach it");
    }
    Integer workers = intOrNull(b.integer("workers", 1));
    if (shared != null && workers != null) {
      throw b.error(b.pathOf("workers"), "is the static split for processes that share no store; with shared: the "
          + "processes divide the budget among themselves. Keep one of the two");
    }
    for (String key : List.of("portal", "renewEvery", "leaseTtl")) {
      if (shared == null && b.has(key)) {
        throw b.error(b.pathOf(key), "applies to a shared budget only; set budget.shared: sink (or a jdbc:postgresql: URL)");
      }
    }
    return new Budget(b.number("dailyShare", "in (0, 1]", v -> v > 0 && v <= 1).orElse(null),
        b.integer("dailyCeiling", 1).orElse(null), intOrNull(b.integer("burstLimit", 1)),
        intOrNull(b.integer("burstHeadroom", 0)), intOrNull(b.integer("searchPerSecond", 1)), zone, shared, workers,
        b.string("portal").map(String::trim).orElse(null), b.duration("renewEvery").orElse(null),
        b.duration("leaseTtl").orElse(null));
  }

  private static Tuning tuning(ConfigNode s) {
    s.allowOnly(List.of("overlap", "indexLag", "archivedPassEvery", "reconcileEvery", "associationFullScanEvery",
        "associationBackstopEvery", "associationBatchSize", "concurrency", "backfillMethod", "progressEvery", "listPageSize", "searchPageSize", "memoryLimitMb",
        "changeSource", "journalPortalId"));
    BackfillMethod method = s.child("backfillMethod").map(m -> {
      String value = m.asString().trim().toUpperCase(Locale.ROOT);
      try {
        return BackfillMethod.valueOf(value);
      } catch (IllegalArgumentException e) {
        throw s.error(m.path(), "expected auto, search or list, got " + m.quoted());
      }
    }).orElse(null);
    Integer listPage = intOrNull(s.integer("listPageSize", 1));
    if (listPage != null && listPage > 100) {
      throw s.error(s.pathOf("listPageSize"), "HubSpot's list API returns at most 100 a page, was " + listPage);
    }
    Integer searchPage = intOrNull(s.integer("searchPageSize", 1));
    if (searchPage != null && searchPage > 200) {
      throw s.error(s.pathOf("searchPageSize"), "HubSpot's search returns at most 200 a page, was " + searchPage);
    }
    Integer associationBatch = intOrNull(s.integer("associationBatchSize", 1));
    if (associationBatch != null && associationBatch > 1_000) {
      throw s.error(s.pathOf("associationBatchSize"), "HubSpot's association batch read takes at most 1000 parent ids, was "
          + associationBatch);
    }
    Optional<Long> memory = s.integer("memoryLimitMb", 1);
    return new Tuning(s.duration("overlap").orElse(null), s.duration("indexLag").orElse(null),
        s.duration("archivedPassEvery").orElse(null), s.duration("reconcileEvery").orElse(null),
        s.duration("associationFullScanEvery").orElse(null), s.duration("associationBackstopEvery").orElse(null),
        associationBatch, intOrNull(s.integer("concurrency", 1)), method,
        s.duration("progressEvery").orElse(null), listPage, searchPage, memory.map(mb -> mb * 1024 * 1024).orElse(null),
        changeSource(s));
  }

  /** {@code sync.changeSource} (polling or journal) and the {@code sync.journalPortalId} the journal needs; null: the default. */
  private static ChangeSource changeSource(ConfigNode s) {
    Optional<Long> portalId = s.integer("journalPortalId", 1);
    String chosen = s.child("changeSource").map(m -> m.asString().trim().toLowerCase(Locale.ROOT)).orElse(null);
    if ("journal".equals(chosen)) {
      return ChangeSource.journal(portalId.orElseThrow(() -> s.error(s.pathOf("journalPortalId"), "is required with "
          + "changeSource: journal: the id (Hub ID) of the portal whose change journal to read")));
    }
    if (portalId.isPresent()) {
      throw s.error(s.pathOf("journalPortalId"), "is set, but changeSource is not journal; remove it or set changeSource: journal");
    }
    if (chosen == null || chosen.equals("polling")) {
      return chosen == null ? null : ChangeSource.polling();
    }
    throw s.error(s.pathOf("changeSource"), "expected polling or journal, got \"" + chosen + "\"");
  }

  private static Integer intOrNull(Optional<Long> value) {
    return value.map(v -> (int) Math.min(v, Integer.MAX_VALUE)).orElse(null);
  }
}
