package dev.hubspotsync.snowflake.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.duckdb.DuckDBConnection;

/**
 * A local Snowflake for tests: the real Snowflake JDBC driver talks to it over plain HTTP on
 * 127.0.0.1 (login, gzip query requests, {@code PUT} to a local-directory stage, session close),
 * and it <em>executes</em> each statement on DuckDB with Snowflake's session semantics: auto-commit
 * as the session sets it, every DDL statement committing the open transaction first, temporary
 * tables private to the session, {@code COPY INTO} reading the staged gzip CSV files. The small
 * translation is {@link SnowflakeToDuckDb}; what it cannot run faithfully fails loudly with a
 * Snowflake-style error. Every statement is recorded as sent and as run ({@link #statements()}).
 * Thread-safe; {@link #close()} stops it and deletes its stage.
 */
public final class SnowflakeStandIn implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SELECT = 0x1000;
  private static final long INSERT = 0x3100;
  private static final long UPDATE = 0x3200;
  private static final long DELETE = 0x3300;
  private static final long MERGE = 0x3400;
  private static final long COPY = 0x3600;
  private static final long ALTER_SESSION = 0x4100;
  private static final long USE = 0x4300;
  private static final long TCL = 0x5000;
  private static final long DDL = 0x6000;
  private static final long PUT = 0x7102;

  private final HttpServer server;
  private final ExecutorService executor;
  private final DuckDBConnection root;
  private final Path stageRoot;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final List<Executed> statements = Collections.synchronizedList(new ArrayList<>());
  private final List<JsonNode> logins = Collections.synchronizedList(new ArrayList<>());
  private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong ids = new AtomicLong();
  private volatile String password;

  /** A statement as the driver sent it and as DuckDB ran it (null when the stand-in ran none). */
  public record Executed(long session, String sent, String ran) {}

  private record Fault(Pattern statement, String code, String message) {}

  private SnowflakeStandIn(HttpServer server, ExecutorService executor, DuckDBConnection root, Path stageRoot) {
    this.server = server;
    this.executor = executor;
    this.root = root;
    this.stageRoot = stageRoot;
  }

  /** Starts a stand-in with an empty in-memory DuckDB database on a free port of 127.0.0.1. */
  public static SnowflakeStandIn start() {
    // Small request/response pairs otherwise wait on delayed ACKs (~40 ms a statement).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    try {
      DuckDBConnection root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
      try (Statement s = root.createStatement()) {
        s.execute("SET TimeZone = 'UTC'");
      }
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "snowflake-stand-in");
        t.setDaemon(true);
        return t;
      });
      SnowflakeStandIn standIn = new SnowflakeStandIn(server, executor, root,
          Files.createTempDirectory("snowflake-stand-in-stage"));
      server.createContext("/", standIn::handle);
      server.setExecutor(executor);
      server.start();
      return standIn;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB did not start", e);
    }
  }

  /** {@code http://127.0.0.1:port}: what the sink's {@code endpoint(…)} takes. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Logins must use this password from now on (default: any password or key is accepted). */
  public void requirePassword(String required) {
    this.password = required;
  }

  /** The next statement whose text (as sent) matches fails with this Snowflake error, before it runs. */
  public void failNext(String regex, String code, String message) {
    faults.add(new Fault(Pattern.compile(regex, Pattern.DOTALL), code, message));
  }

  /** Every statement so far, in order. */
  public List<Executed> statements() {
    synchronized (statements) {
      return List.copyOf(statements);
    }
  }

  /** The body of every login request, in order. */
  public List<JsonNode> logins() {
    synchronized (logins) {
      return List.copyOf(logins);
    }
  }

  /** Sessions logged in and not closed. */
  public int openSessions() {
    return sessions.size();
  }

  /**
   * Runs a query on the database itself (committed data only); each row column name → Long, String,
   * Double, BigDecimal, Boolean, LocalDate, Instant or Integer. For assertions.
   */
  public List<Map<String, Object>> query(String sql) {
    try (Connection c = root.duplicate(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<Map<String, Object>> rows = new ArrayList<>();
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnLabel(i), rs.getObject(i) == null ? null : switch (meta.getColumnTypeName(i)) {
            case "TIMESTAMP WITH TIME ZONE" -> rs.getObject(i, OffsetDateTime.class).toInstant();
            case "DATE" -> rs.getObject(i, LocalDate.class);
            case "BIGINT" -> rs.getLong(i);
            default -> rs.getObject(i);
          });
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("stand-in query failed: " + sql, e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    sessions.values().forEach(Session::close);
    sessions.clear();
    try {
      root.close();
    } catch (SQLException e) {
      // closing an in-memory database
    }
    try (Stream<Path> files = Files.walk(stageRoot)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      JsonNode body = body(exchange);
      ObjectNode answer;
      if (path.equals("/session/v1/login-request")) {
        answer = login(body);
      } else if (path.equals("/queries/v1/query-request")) {
        Session session = sessions.get(token(exchange));
        answer = session == null ? error("390112", "08001", "Your session has expired. Please login again.")
            : session.query(body);
      } else if (path.equals("/session") && String.valueOf(exchange.getRequestURI().getQuery()).contains("delete=true")) {
        Session session = sessions.remove(token(exchange));
        if (session != null) {
          session.close();
        }
        answer = success(JSON.createObjectNode());
      } else if (path.startsWith("/telemetry") || path.equals("/session/heartbeat")) {
        answer = success(JSON.createObjectNode());
      } else {
        answer = error("000001", "0A000", "The Snowflake stand-in does not serve " + exchange.getRequestMethod()
            + " " + path);
      }
      byte[] out = JSON.writeValueAsBytes(answer);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, out.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(out);
      }
    }
  }

  private static JsonNode body(HttpExchange exchange) throws IOException {
    byte[] raw = exchange.getRequestBody().readAllBytes();
    if (raw.length == 0) {
      return JSON.createObjectNode();
    }
    InputStream in = new ByteArrayInputStream(raw);
    if (raw.length > 1 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
      in = new GZIPInputStream(in);
    }
    return JSON.readTree(in);
  }

  private static String token(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    Matcher m = Pattern.compile("Token=\"([^\"]*)\"").matcher(header == null ? "" : header);
    return m.find() ? m.group(1) : "";
  }

  private ObjectNode login(JsonNode body) {
    logins.add(body);
    JsonNode data = body.path("data");
    String required = password;
    if (required != null && !required.equals(data.path("PASSWORD").asText(null))) {
      return error("390100", "08004", "Incorrect username or password was specified.");
    }
    String token = "token-" + UUID.randomUUID();
    Session session;
    try {
      session = new Session(ids.incrementAndGet(), root.duplicate());
    } catch (SQLException e) {
      return error("000001", "08001", "stand-in: " + e.getMessage());
    }
    sessions.put(token, session);
    ObjectNode out = JSON.createObjectNode();
    out.put("token", token);
    out.put("masterToken", "master-" + token);
    out.put("validityInSeconds", 3600);
    out.put("masterValidityInSeconds", 14400);
    out.put("sessionId", session.id);
    out.put("serverVersion", "hubspot-sync stand-in");
    ObjectNode info = out.putObject("sessionInfo");
    info.put("databaseName", data.path("SESSION_PARAMETERS").path("DATABASE").asText(null));
    info.putNull("schemaName");
    info.put("warehouseName", "STANDIN_WH");
    info.put("roleName", "PUBLIC");
    ArrayNode parameters = out.putArray("parameters");
    parameters.addObject().put("name", "AUTOCOMMIT").put("value", true);
    parameters.addObject().put("name", "CLIENT_SESSION_KEEP_ALIVE").put("value", false);
    out.put("healthCheckInterval", 45);
    return success(out);
  }

  private static ObjectNode success(ObjectNode data) {
    ObjectNode out = JSON.createObjectNode();
    out.set("data", data);
    out.putNull("code");
    out.putNull("message");
    out.put("success", true);
    return out;
  }

  private static ObjectNode error(String code, String sqlState, String message) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode data = out.putObject("data");
    data.put("errorCode", code);
    data.put("sqlState", sqlState);
    data.put("internalError", false);
    data.put("queryId", UUID.randomUUID().toString());
    out.put("code", code);
    out.put("message", message);
    out.put("success", false);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // A Snowflake session on its own DuckDB connection

  private final class Session {
    private final long id;
    private final Connection duck;
    private final List<SnowflakeToDuckDb.TempTable> tempTables = new ArrayList<>();
    private boolean autocommit = true;
    private boolean inTransaction;

    Session(long id, Connection duck) {
      this.id = id;
      this.duck = duck;
    }

    synchronized ObjectNode query(JsonNode body) {
      String sql = body.path("sqlText").asText();
      String queryId = UUID.randomUUID().toString();
      try {
        for (Fault fault : faults) {
          if (fault.statement.matcher(sql).find()) {
            faults.remove(fault);
            statements.add(new Executed(id, sql, null));
            return error(fault.code, "P0000", fault.message);
          }
        }
        ObjectNode data = run(sql, body.path("bindings"));
        data.put("queryId", queryId);
        data.put("queryResultFormat", "json");
        data.put("version", 1);
        data.putArray("parameters");
        return success(data);
      } catch (SnowflakeToDuckDb.Unsupported e) {
        statements.add(new Executed(id, sql, null));
        return error("001003", "0A000", e.getMessage());
      } catch (SQLException e) {
        return error("100000", e.getSQLState() == null ? "P0000" : e.getSQLState(),
            "stand-in (DuckDB): " + e.getMessage());
      } catch (IOException e) {
        return error("100000", "58030", "stand-in stage: " + e.getMessage());
      }
    }

    private ObjectNode run(String sql, JsonNode bindings) throws SQLException, IOException {
      String head = sql.stripLeading().toUpperCase(Locale.ROOT);
      if (head.startsWith("ALTER SESSION")) {
        statements.add(new Executed(id, sql, null));
        alterSession(sql);
        return status(ALTER_SESSION, "Statement executed successfully.");
      }
      if (head.startsWith("USE ")) {
        statements.add(new Executed(id, sql, null));
        return status(USE, "Statement executed successfully.");
      }
      if (head.matches("(?s)^(COMMIT|ROLLBACK|BEGIN|START TRANSACTION)\\b.*")) {
        statements.add(new Executed(id, sql, head.startsWith("ROLLBACK") ? "ROLLBACK" : head.startsWith("COMMIT")
            ? "COMMIT" : "BEGIN TRANSACTION"));
        if (head.startsWith("COMMIT") || head.startsWith("ROLLBACK")) {
          if (inTransaction) {
            plain(head.startsWith("COMMIT") ? "COMMIT" : "ROLLBACK");
            inTransaction = false;
          }
        } else if (!inTransaction) {
          plain("BEGIN TRANSACTION");
          inTransaction = true;
        }
        return status(TCL, "Statement executed successfully.");
      }
      if (head.startsWith("PUT ")) {
        statements.add(new Executed(id, sql, null));
        return put(sql);
      }
      List<String> script = SnowflakeToDuckDb.scriptStatements(sql);
      if (script != null) {
        for (String statement : script) {
          run(statement, JSON.createObjectNode());
        }
        return status(DDL, "Anonymous block executed.");
      }
      if (head.matches("(?s)^(CREATE|ALTER|DROP|COMMENT|GRANT|REVOKE)\\b.*")) {
        // Snowflake runs each DDL statement as its own transaction, committing the open one first.
        if (inTransaction) {
          plain("COMMIT");
          inTransaction = false;
        }
        SnowflakeToDuckDb.TempTable temp = SnowflakeToDuckDb.tempTable(sql);
        String ran = temp == null ? SnowflakeToDuckDb.translate(sql, tempTables)
            : SnowflakeToDuckDb.translate(SnowflakeToDuckDb.createTemp(sql), List.of());
        statements.add(new Executed(id, sql, ran));
        plain(ran);
        if (temp != null && !tempTables.contains(temp)) {
          tempTables.add(temp);
        }
        return status(DDL, "Statement executed successfully.");
      }
      if (!autocommit && !inTransaction) {
        plain("BEGIN TRANSACTION");
        inTransaction = true;
      }
      if (head.startsWith("COPY INTO")) {
        return copy(sql);
      }
      String ran = SnowflakeToDuckDb.translate(sql, tempTables);
      statements.add(new Executed(id, sql, ran));
      long type = head.startsWith("SELECT") || head.startsWith("WITH") ? SELECT : head.startsWith("INSERT") ? INSERT
          : head.startsWith("UPDATE") ? UPDATE : head.startsWith("DELETE") ? DELETE : head.startsWith("MERGE") ? MERGE
          : -1;
      if (type < 0) {
        throw new SnowflakeToDuckDb.Unsupported("statements of this kind: " + sql);
      }
      try (PreparedStatement s = duck.prepareStatement(ran)) {
        bind(s, bindings);
        if (type == SELECT) {
          try (ResultSet rs = s.executeQuery()) {
            return rows(rs);
          }
        }
        long count = s.executeUpdate();
        List<String> names = switch ((int) type) {
          case (int) INSERT -> List.of("number of rows inserted");
          case (int) UPDATE -> List.of("number of rows updated", "number of multi-joined rows updated");
          case (int) DELETE -> List.of("number of rows deleted");
          default -> List.of("number of rows inserted", "number of rows updated");
        };
        ObjectNode data = JSON.createObjectNode();
        data.put("statementTypeId", type);
        ArrayNode rowtype = data.putArray("rowtype");
        ArrayNode row = data.putArray("rowset").addArray();
        for (int i = 0; i < names.size(); i++) {
          rowtype.add(column(names.get(i), "fixed", 38, 0));
          row.add(i == 0 ? Long.toString(count) : "0");
        }
        data.put("total", 1);
        data.put("returned", 1);
        return data;
      }
    }

    private void alterSession(String sql) throws SQLException {
      Matcher m = Pattern.compile("(?i)(\\w+)\\s*=\\s*('[^']*'|\\w+)").matcher(sql.replaceFirst("(?i)^\\s*ALTER SESSION SET", ""));
      while (m.find()) {
        String key = m.group(1).toUpperCase(Locale.ROOT);
        String value = m.group(2).replace("'", "");
        switch (key) {
          case "AUTOCOMMIT" -> {
            boolean on = value.equalsIgnoreCase("true");
            if (on && inTransaction) {
              plain("COMMIT");
              inTransaction = false;
            }
            autocommit = on;
          }
          case "TIMEZONE" -> plain("SET TimeZone = '" + value.replace("'", "") + "'");
          case "TIMESTAMP_TYPE_MAPPING" -> {
            if (!value.equalsIgnoreCase("TIMESTAMP_TZ")) {
              throw new SnowflakeToDuckDb.Unsupported("TIMESTAMP_TYPE_MAPPING = " + value);
            }
          }
          case "QUERY_TAG" -> { }
          default -> throw new SnowflakeToDuckDb.Unsupported("the session parameter " + key);
        }
      }
    }

    /** PUT 'file://…' @~/folder/ …: the driver copies the file into the folder (a LOCAL_FS stage). */
    private ObjectNode put(String sql) throws IOException {
      Matcher m = Pattern.compile("(?is)^\\s*PUT\\s+'?file://([^'\\s]+)'?\\s+@~/(\\S+)\\s*(.*)$").matcher(sql);
      if (!m.matches()) {
        throw new SnowflakeToDuckDb.Unsupported("only PUT file://… @~/<folder>/ is supported: " + sql);
      }
      Path folder = userStage(m.group(2));
      Files.createDirectories(folder);
      ObjectNode data = JSON.createObjectNode();
      data.put("command", "UPLOAD");
      data.putArray("src_locations").add(m.group(1));
      data.put("autoCompress", !m.group(3).toUpperCase(Locale.ROOT).contains("AUTO_COMPRESS = FALSE"));
      data.put("sourceCompression", "gzip");
      data.put("parallel", 1);
      data.put("overwrite", true);
      data.putNull("encryptionMaterial");
      ObjectNode stage = data.putObject("stageInfo");
      stage.put("locationType", "LOCAL_FS");
      stage.put("location", folder.toString() + "/");
      stage.putNull("region");
      stage.put("isClientSideEncrypted", false);
      stage.putObject("creds");
      data.put("statementTypeId", PUT);
      return data;
    }

    private ObjectNode copy(String sql) throws SQLException, IOException {
      SnowflakeToDuckDb.Copy copy = SnowflakeToDuckDb.copy(SnowflakeToDuckDb.translate(sql, tempTables));
      Path folder = userStage(copy.folder());
      List<Path> files;
      try (Stream<Path> list = Files.exists(folder) ? Files.list(folder) : Stream.empty()) {
        files = list.sorted().toList();
      }
      String ran = copy.insert(folder);
      statements.add(new Executed(id, sql, ran));
      long loaded = 0;
      if (!files.isEmpty()) {
        try (Statement s = duck.createStatement()) {
          loaded = s.executeUpdate(ran);
        }
      }
      ObjectNode data = JSON.createObjectNode();
      data.put("statementTypeId", COPY);
      ArrayNode rowtype = data.putArray("rowtype");
      rowtype.add(column("file", "text", 0, 0));
      rowtype.add(column("status", "text", 0, 0));
      rowtype.add(column("rows_parsed", "fixed", 38, 0));
      rowtype.add(column("rows_loaded", "fixed", 38, 0));
      ArrayNode rowset = data.putArray("rowset");
      if (!files.isEmpty()) {
        // One row for the whole folder: the stand-in loads it in one statement.
        rowset.addArray().add(copy.folder()).add("LOADED").add(Long.toString(loaded)).add(Long.toString(loaded));
      }
      for (Path file : files) {
        Files.delete(file); // PURGE = TRUE
      }
      data.put("total", rowset.size());
      data.put("returned", rowset.size());
      return data;
    }

    private Path userStage(String folder) {
      Path resolved = stageRoot.resolve("user").resolve(folder).normalize();
      if (!resolved.startsWith(stageRoot)) {
        throw new SnowflakeToDuckDb.Unsupported("a stage path outside the user stage: " + folder);
      }
      return resolved;
    }

    private void bind(PreparedStatement s, JsonNode bindings) throws SQLException {
      for (int i = 1; bindings.has(Integer.toString(i)); i++) {
        JsonNode b = bindings.path(Integer.toString(i));
        JsonNode value = b.path("value");
        String type = b.path("type").asText();
        if (value.isNull()) {
          s.setObject(i, null);
          continue;
        }
        switch (type) {
          case "TEXT" -> s.setString(i, value.asText());
          case "FIXED" -> s.setBigDecimal(i, new BigDecimal(value.asText()));
          case "REAL" -> s.setDouble(i, Double.parseDouble(value.asText()));
          case "BOOLEAN" -> s.setBoolean(i, Boolean.parseBoolean(value.asText()) || value.asText().equals("1"));
          default -> throw new SnowflakeToDuckDb.Unsupported("a bound value of type " + type);
        }
      }
    }

    private ObjectNode rows(ResultSet rs) throws SQLException {
      ObjectNode data = JSON.createObjectNode();
      data.put("statementTypeId", SELECT);
      ResultSetMetaData meta = rs.getMetaData();
      ArrayNode rowtype = data.putArray("rowtype");
      int n = meta.getColumnCount();
      String[] kinds = new String[n];
      for (int i = 1; i <= n; i++) {
        int jdbc = meta.getColumnType(i);
        String kind = switch (jdbc) {
          case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> "fixed";
          case Types.DECIMAL, Types.NUMERIC -> "fixed";
          case Types.VARCHAR, Types.CHAR -> "text";
          case Types.BOOLEAN, Types.BIT -> "boolean";
          case Types.DOUBLE, Types.FLOAT, Types.REAL -> "real";
          default -> throw new SnowflakeToDuckDb.Unsupported("returning a " + meta.getColumnTypeName(i)
              + " column (" + meta.getColumnLabel(i) + ") in Snowflake's JSON result format");
        };
        kinds[i - 1] = kind;
        rowtype.add(column(meta.getColumnLabel(i), kind, kind.equals("fixed") ? 38 : 0,
            jdbc == Types.DECIMAL || jdbc == Types.NUMERIC ? meta.getScale(i) : 0));
      }
      ArrayNode rowset = data.putArray("rowset");
      while (rs.next()) {
        ArrayNode row = rowset.addArray();
        for (int i = 1; i <= n; i++) {
          Object value = rs.getObject(i);
          if (value == null) {
            row.addNull();
          } else if (value instanceof Boolean bool) {
            row.add(bool ? "1" : "0");
          } else if (value instanceof BigDecimal decimal) {
            row.add(decimal.toPlainString());
          } else {
            row.add(value.toString());
          }
        }
      }
      data.put("total", rowset.size());
      data.put("returned", rowset.size());
      return data;
    }

    private ObjectNode status(long type, String message) {
      ObjectNode data = JSON.createObjectNode();
      data.put("statementTypeId", type);
      data.putArray("rowtype").add(column("status", "text", 0, 0));
      data.putArray("rowset").addArray().add(message);
      data.put("total", 1);
      data.put("returned", 1);
      return data;
    }

    private void plain(String sql) throws SQLException {
      try (Statement s = duck.createStatement()) {
        s.execute(sql);
      }
    }

    void close() {
      try {
        duck.close();
      } catch (SQLException e) {
        // the duplicate goes with the root
      }
    }
  }

  private static ObjectNode column(String name, String type, int precision, int scale) {
    ObjectNode c = JSON.createObjectNode();
    c.put("name", name);
    c.put("database", "");
    c.put("schema", "");
    c.put("table", "");
    c.put("type", type);
    c.put("nullable", true);
    c.put("byteLength", type.equals("text") ? 16777216 : 0);
    c.put("length", type.equals("text") ? 16777216 : 0);
    if (type.equals("fixed")) {
      c.put("precision", precision);
      c.put("scale", scale);
    } else {
      c.putNull("precision");
      c.putNull("scale");
    }
    c.putNull("collation");
    return c;
  }

  @Override
  public String toString() {
    return "SnowflakeStandIn[" + endpoint() + ", " + sessions.size() + " sessions]";
  }
}
