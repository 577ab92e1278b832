package dev.hubspotsync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The portal caches each record's JSON per projection: no change may ever be served stale. */
class ServedJsonCacheTest {
  private static final String PAGE = "/crm/v3/objects/contacts?limit=100&properties=firstname,favorite_color,nps_score";

  @Test
  void updatesPropertyArchivesAndRetypesAreNeverServedStale() {
    try (FakeHubSpot h = FakeHubSpot.start(PortalSpec.builder().contacts(50).unlimited().indexLag(Duration.ZERO)
        .clock(PortalClock.fixed(Instant.parse("2026-11-01T00:00:00Z"))).build())) {
      Http http = new Http(h);
      long id = h.portal().ids("contacts").get(0);
      http.get(PAGE); // fills the cache
      http.get(PAGE);

      h.portal().update("contacts", id, Map.of("firstname", "Fresh \"quoted\" Ünïcode\nline"));
      assertThat(first(http.get(PAGE).json()).path("properties").path("firstname").asText())
          .isEqualTo("Fresh \"quoted\" Ünïcode\nline");

      h.portal().archiveProperty("contacts", "favorite_color");
      assertThat(first(http.get(PAGE).json()).path("properties").has("favorite_color")).isFalse();

      h.portal().changePropertyType("contacts", "nps_score", "string", "text");
      h.portal().update("contacts", id, Map.of("nps_score", "n/a"));
      assertThat(first(http.get(PAGE).json()).path("properties").path("nps_score").asText()).isEqualTo("n/a");

      // Search serves the same cached bytes for the same state; it must see the update too.
      JsonNode search = http.post("/crm/v3/objects/contacts/search",
          "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_object_id\",\"operator\":\"EQ\",\"value\":\"" + id
              + "\"}]}],\"properties\":[\"firstname\"]}").json();
      assertThat(search.path("results").get(0).path("properties").path("firstname").asText()).startsWith("Fresh");
    }
  }

  private static JsonNode first(JsonNode page) {
    return page.path("results").get(0);
  }
}
