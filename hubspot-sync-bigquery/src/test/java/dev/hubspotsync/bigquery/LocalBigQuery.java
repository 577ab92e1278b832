package dev.hubspotsync.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.zetasql.Value;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A local BigQuery on 127.0.0.1 that the real Google client talks to (REST v2: datasets, tables,
 * query jobs with sessions and positional parameters, getQueryResults, resumable uploads of
 * newline-delimited JSON load jobs) and that <em>executes</em> what it receives with ZetaSQL
 * ({@link ZetaStore}): every statement is analysed with BigQuery's language options first, so one
 * BigQuery would reject fails here too. Jobs run synchronously; a job id is taken once (409 after).
 * For tests: start one per test class, give the sink {@link #host()} and {@code NoCredentials}.
 */
final class LocalBigQuery implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The dataset of query results (BigQuery's anonymous tables); a job's results are table {@code <jobId>}. */
  private static final String ANONYMOUS = "_anonymous";
  private static final Pattern PATH = Pattern.compile("/(?:upload/)?bigquery/v2/projects/([^/]+)(/.*)?");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final ZetaStore store = new ZetaStore();
  private final Map<String, ObjectNode> jobs = new ConcurrentHashMap<>();
  private final Map<String, Object[]> results = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> uploads = new ConcurrentHashMap<>();
  private final Map<String, ByteArrayOutputStream> uploadData = new ConcurrentHashMap<>();
  private final List<String> statements = new CopyOnWriteArrayList<>();
  private final AtomicInteger uploadIds = new AtomicInteger();
  private volatile Predicate<String> loseAnswer;
  private final AtomicInteger answersLost = new AtomicInteger();

  static {
    // Without it the JDK server writes headers and body in two packets and Nagle's algorithm delays each answer.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private LocalBigQuery() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  static LocalBigQuery start() {
    try {
      return new LocalBigQuery();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the local BigQuery", e);
    }
  }

  /** {@code http://127.0.0.1:PORT}, for {@code BigQuerySink.Builder#host}. */
  String host() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  ZetaStore store() {
    return store;
  }

  /** Every query text the stand-in received, in order. */
  List<String> statements() {
    return statements;
  }

  /**
   * The next query job whose text matches runs, and its answer is lost (HTTP 503), as when a
   * connection breaks after BigQuery accepted the job.
   */
  void loseAnswerOfNextJob(Predicate<String> matches) {
    loseAnswer = matches;
  }

  /** How many answers {@link #loseAnswerOfNextJob} lost. */
  int answersLost() {
    return answersLost.get();
  }

  @Override
  public void close() {
    System.err.println("local BigQuery: " + statements.size() + " jobs, " + store.statementsRun() + " statements, "
        + store.millis() + " ms in ZetaSQL");
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = readBody(exchange);
      String path = exchange.getRequestURI().getPath();
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      Matcher m = PATH.matcher(path);
      if (!m.matches()) {
        send(exchange, 404, error(404, "notFound", "No such path " + path));
        return;
      }
      String project = m.group(1);
      String rest = m.group(2) == null ? "" : m.group(2);
      String method = exchange.getRequestMethod();
      Reply reply = route(exchange, method, project, rest, path.startsWith("/upload"), query, body);
      if (reply.location != null) {
        exchange.getResponseHeaders().add("Location", reply.location);
      }
      if (reply.range != null) {
        exchange.getResponseHeaders().add("Range", reply.range);
      }
      send(exchange, reply.status, reply.body);
    } catch (RuntimeException e) {
      send(exchange, 500, error(500, "internalError", String.valueOf(e)));
    }
  }

  private record Reply(int status, JsonNode body, String location, String range) {
    static Reply ok(JsonNode body) {
      return new Reply(200, body, null, null);
    }
  }

  private Reply route(HttpExchange exchange, String method, String project, String rest, boolean upload,
      Map<String, String> query, byte[] body) throws IOException {
    String[] parts = rest.split("/");
    if (upload) {
      return upload(exchange, method, project, query, body);
    }
    if (rest.equals("/datasets") && method.equals("POST")) {
      JsonNode dataset = JSON.readTree(body);
      String id = dataset.path("datasetReference").path("datasetId").asText();
      if (!store.createDataset(project + "." + id)) {
        return new Reply(409, error(409, "duplicate", "Already Exists: Dataset " + project + ":" + id), null, null);
      }
      return Reply.ok(dataset(project, id));
    }
    if (parts.length == 3 && parts[1].equals("datasets") && method.equals("GET")) {
      return store.hasDataset(project + "." + parts[2]) ? Reply.ok(dataset(project, parts[2]))
          : new Reply(404, error(404, "notFound", "Not found: Dataset " + project + ":" + parts[2]), null, null);
    }
    if (parts.length == 4 && parts[3].equals("tables") && method.equals("POST")) {
      JsonNode table = JSON.readTree(body);
      String name = table.path("tableReference").path("tableId").asText();
      String full = project + "." + parts[2] + "." + name;
      try {
        store.createTable(full, table.path("schema").path("fields"));
      } catch (ZetaStore.StandInException e) {
        return new Reply(e.status, error(e.status, e.reason, e.getMessage()), null, null);
      }
      ObjectNode out = ((ObjectNode) table).put("kind", "bigquery#table").put("type", "TABLE").put("id", project + ":" + parts[2] + "." + name);
      return Reply.ok(out);
    }
    if (parts.length == 5 && parts[3].equals("tables") && method.equals("DELETE")) {
      boolean dropped = store.dropTable(project + "." + parts[2] + "." + parts[4]);
      return dropped ? new Reply(204, null, null, null)
          : new Reply(404, error(404, "notFound", "Not found: Table " + project + ":" + parts[2] + "." + parts[4]), null,
              null);
    }
    if (rest.equals("/jobs") && method.equals("POST")) {
      return insertJob(project, (ObjectNode) JSON.readTree(body));
    }
    if (parts.length == 3 && parts[1].equals("jobs") && method.equals("GET")) {
      ObjectNode job = jobs.get(parts[2]);
      return job != null ? Reply.ok(job)
          : new Reply(404, error(404, "notFound", "Not found: Job " + project + ":" + parts[2]), null, null);
    }
    if (parts.length == 6 && parts[2].equals(ANONYMOUS) && parts[5].equals("data") && method.equals("GET")) {
      return queryResults(project, parts[4], query);
    }
    if (parts.length == 3 && parts[1].equals("queries") && method.equals("GET")) {
      return queryResults(project, parts[2], query);
    }
    return new Reply(400, error(400, "invalid", "The local BigQuery does not serve " + method + " " + rest), null,
        null);
  }

  private Reply insertJob(String project, ObjectNode job) {
    String id = job.path("jobReference").path("jobId").asText();
    if (jobs.containsKey(id)) {
      return new Reply(409, error(409, "duplicate", "Already Exists: Job " + project + ":" + id), null, null);
    }
    JsonNode config = job.path("configuration").path("query");
    String sql = config.path("query").asText();
    statements.add(sql);
    ObjectNode status = job.putObject("status");
    ObjectNode stats = job.putObject("statistics");
    ObjectNode queryStats = stats.putObject("query");
    try {
      String session = null;
      for (JsonNode property : config.path("connectionProperties")) {
        if (property.path("key").asText().equals("session_id")) {
          session = property.path("value").asText();
        }
      }
      if (config.path("createSession").asBoolean(false)) {
        session = store.newSession();
        stats.putObject("sessionInfo").put("sessionId", session);
      }
      ZetaStore.Result result = store.execute(sql, config.path("queryParameters"), session);
      if (result.dmlAffected() != null) {
        queryStats.put("numDmlAffectedRows", Long.toString(result.dmlAffected()));
      }
      queryStats.put("statementType", result.statementType());
      results.put(id, new Object[] {result});
      ((ObjectNode) job.path("configuration").path("query")).putObject("destinationTable").put("projectId", project)
          .put("datasetId", ANONYMOUS).put("tableId", id);
    } catch (ZetaStore.StandInException e) {
      status.set("errorResult", errorProto(e.reason, e.getMessage()));
      status.putArray("errors").add(errorProto(e.reason, e.getMessage()));
    }
    status.put("state", "DONE");
    job.put("kind", "bigquery#job").put("id", project + ":" + id);
    jobs.put(id, job);
    Predicate<String> lose = loseAnswer;
    if (lose != null && lose.test(sql)) {
      loseAnswer = null;
      answersLost.incrementAndGet();
      return new Reply(503, error(503, "backendError", "The service is unavailable (the local BigQuery lost the answer)"),
          null, null);
    }
    return Reply.ok(job);
  }

  private Reply queryResults(String project, String id, Map<String, String> query) {
    ObjectNode job = jobs.get(id);
    if (job == null) {
      return new Reply(404, error(404, "notFound", "Not found: Job " + project + ":" + id), null, null);
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("kind", "bigquery#getQueryResultsResponse");
    out.set("jobReference", job.get("jobReference"));
    out.put("jobComplete", true);
    Object[] held = results.get(id);
    if (job.path("status").has("errorResult")) {
      JsonNode e = job.path("status").path("errorResult");
      return new Reply(400, error(400, e.path("reason").asText(), e.path("message").asText()), null, null);
    }
    ZetaStore.Result result = (ZetaStore.Result) held[0];
    boolean micros = "true".equals(query.get("formatOptions.useInt64Timestamp"));
    ObjectNode schema = out.putObject("schema");
    ArrayNode fields = schema.putArray("fields");
    result.columns().forEach(c -> fields.addObject().put("name", c.name()).put("type", c.bigQueryType())
        .put("mode", "NULLABLE"));
    ArrayNode rows = out.putArray("rows");
    boolean none = "0".equals(query.get("maxResults"));
    if (!none) {
      for (List<Value> row : result.rows()) {
        ArrayNode f = rows.addObject().putArray("f");
        for (int i = 0; i < row.size(); i++) {
          String text = ZetaStore.restText(row.get(i), result.columns().get(i).bigQueryType(), micros);
          if (text == null) {
            f.addObject().putNull("v");
          } else {
            f.addObject().put("v", text);
          }
        }
      }
    }
    out.put("totalRows", Integer.toString(result.rows().size()));
    if (result.dmlAffected() != null) {
      out.put("numDmlAffectedRows", Long.toString(result.dmlAffected()));
    }
    return Reply.ok(out);
  }

  private Reply upload(HttpExchange exchange, String method, String project, Map<String, String> query, byte[] body)
      throws IOException {
    if (method.equals("POST")) {
      String uploadId = "u" + uploadIds.incrementAndGet();
      uploads.put(uploadId, (ObjectNode) JSON.readTree(body));
      uploadData.put(uploadId, new ByteArrayOutputStream());
      return new Reply(200, null, host() + "/upload/bigquery/v2/projects/" + project
          + "/jobs?uploadType=resumable&upload_id=" + uploadId, null);
    }
    String uploadId = query.get("upload_id");
    ObjectNode job = uploads.get(uploadId);
    if (job == null) {
      return new Reply(404, error(404, "notFound", "No upload " + uploadId), null, null);
    }
    ByteArrayOutputStream data = uploadData.get(uploadId);
    data.write(body);
    String range = exchange.getRequestHeaders().getFirst("Content-Range");
    boolean last = range == null || !range.endsWith("/*");
    if (!last) {
      return new Reply(308, null, null, "bytes=0-" + (data.size() - 1));
    }
    uploads.remove(uploadId);
    uploadData.remove(uploadId);
    return Reply.ok(runLoad(project, job, data.toByteArray()));
  }

  private ObjectNode runLoad(String project, ObjectNode job, byte[] data) {
    String id = job.path("jobReference").path("jobId").asText();
    JsonNode load = job.path("configuration").path("load");
    JsonNode table = load.path("destinationTable");
    String full = table.path("projectId").asText(project) + "." + table.path("datasetId").asText() + "."
        + table.path("tableId").asText();
    ObjectNode status = job.putObject("status");
    try {
      List<JsonNode> rows = new ArrayList<>();
      for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          rows.add(JSON.readTree(line));
        }
      }
      store.load(full, rows, "WRITE_TRUNCATE".equals(load.path("writeDisposition").asText()));
      job.putObject("statistics").putObject("load").put("outputRows", Integer.toString(rows.size()));
    } catch (ZetaStore.StandInException e) {
      status.set("errorResult", errorProto(e.reason, e.getMessage()));
    } catch (IOException e) {
      status.set("errorResult", errorProto("invalid", "Error while reading data: " + e.getMessage()));
    }
    status.put("state", "DONE");
    job.put("kind", "bigquery#job").put("id", project + ":" + id);
    jobs.put(id, job);
    return job;
  }

  private static ObjectNode dataset(String project, String id) {
    ObjectNode out = JSON.createObjectNode();
    out.put("kind", "bigquery#dataset").put("id", project + ":" + id);
    out.putObject("datasetReference").put("projectId", project).put("datasetId", id);
    out.put("location", "US");
    return out;
  }

  private static ObjectNode errorProto(String reason, String message) {
    return JSON.createObjectNode().put("reason", reason).put("message", message).put("location", "query");
  }

  static ObjectNode error(int code, String reason, String message) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode error = out.putObject("error");
    error.put("code", code).put("message", message);
    error.putArray("errors").addObject().put("reason", reason).put("message", message).put("domain", "global");
    return out;
  }

  private static byte[] readBody(HttpExchange exchange) throws IOException {
    InputStream in = exchange.getRequestBody();
    if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
      in = new GZIPInputStream(in);
    }
    return in.readAllBytes();
  }

  private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
    exchange.sendResponseHeaders(status, status == 204 || bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      out.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }
}
