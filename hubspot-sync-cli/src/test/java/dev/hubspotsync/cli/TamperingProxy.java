package dev.hubspotsync.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server between the CLI and FakeHubSpot: it passes every call through, and a rule may
 * replace the answer, as a broken proxy, a captive portal or a buggy API version would.
 * FakeHubSpot itself always answers well-formed JSON; this is how a test gets the rest.
 */
final class TamperingProxy implements AutoCloseable {
  /** What the client receives: a status, headers and a body. */
  record Answer(int status, Map<String, List<String>> headers, byte[] body) {
    Answer withBody(String contentType, byte[] newBody) {
      Map<String, List<String>> h = new java.util.HashMap<>(headers);
      h.keySet().removeIf(k -> k.equalsIgnoreCase("content-type"));
      h.put("Content-Type", List.of(contentType));
      return new Answer(status, h, newBody);
    }
  }

  /** Decides the answer to one call, given HubSpot's own. */
  @FunctionalInterface
  interface Rule {
    Answer answer(String method, String pathAndQuery, Answer upstream);
  }

  private static final Set<String> HOP_BY_HOP = Set.of("content-length", "transfer-encoding", "connection", "date",
      "keep-alive");
  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();
  private final String target;
  private final AtomicInteger tampered = new AtomicInteger();
  private volatile Rule rule = (method, path, upstream) -> upstream;

  private TamperingProxy(String target) {
    this.target = target;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.start();
  }

  /** A proxy in front of {@code targetBaseUrl}, passing everything through until {@link #rule} says otherwise. */
  static TamperingProxy to(String targetBaseUrl) {
    return new TamperingProxy(targetBaseUrl);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void rule(Rule rule) {
    this.rule = rule;
  }

  /** Answers the rule changed (not the same object as HubSpot's). */
  int tampered() {
    return tampered.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      String pathAndQuery = ex.getRequestURI().getRawPath()
          + (ex.getRequestURI().getRawQuery() != null ? "?" + ex.getRequestURI().getRawQuery() : "");
      byte[] requestBody = in.readAllBytes();
      HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
          .method(ex.getRequestMethod(), requestBody.length == 0 ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(requestBody));
      for (String name : List.of("Authorization", "Content-Type")) {
        String value = ex.getRequestHeaders().getFirst(name);
        if (value != null) {
          forward.header(name, value);
        }
      }
      HttpResponse<byte[]> response;
      try {
        response = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      Answer upstream = new Answer(response.statusCode(), response.headers().map(), response.body());
      Answer answer = rule.answer(ex.getRequestMethod(), pathAndQuery, upstream);
      if (answer != upstream) {
        tampered.incrementAndGet();
      }
      answer.headers().forEach((name, values) -> {
        if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
          ex.getResponseHeaders().put(name, values);
        }
      });
      ex.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(answer.body());
      }
    } finally {
      ex.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
