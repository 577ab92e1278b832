package dev.hubspotsync.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/** A plain JDK HTTP client for tests: real calls to the simulated portal, nothing of ours in between. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final String baseUrl;
  private final String token;

  Http(FakeHubSpot hubspot) {
    this(hubspot.baseUrl(), hubspot.token());
  }

  Http(String baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  Http withToken(String otherToken) {
    return new Http(baseUrl, otherToken);
  }

  /** A response: status, headers, raw body and (when it parses) JSON. */
  record Reply(int status, HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (HTTP " + status + "): " + body, e);
      }
    }

    Optional<String> header(String name) {
      return headers.firstValue(name);
    }
  }

  Reply get(String pathAndQuery) {
    return send(request(pathAndQuery).GET().build());
  }

  Reply post(String path, String json) {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  Reply post(String path, JsonNode json) {
    return post(path, json.toString());
  }

  Reply postForm(String path, String form) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build());
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  Reply send(HttpRequest request) {
    try {
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
