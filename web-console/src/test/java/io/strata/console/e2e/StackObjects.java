package io.strata.console.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;

/**
 * What the browser tests make through the control plane's API besides the browser (arrays,
 * pools, volumes), the waits for their states, and the clean-up that frees the stack's drives and
 * cores for the module's later tests.
 */
final class StackObjects {
  private StackObjects() {}

  /** A RAID1 pool of two drives of {@code driveType} in the array; its id. */
  static String mirroredPool(String token, String arrayId, String name, String driveType) throws Exception {
    JsonNode created = RenderTimeBrowserTest.post(token, "/pools", """
        {"arrayId":"%s","name":"%s","driveType":"%s","protection":"RAID1","driveCount":2}"""
        .formatted(arrayId, name, driveType));
    String id = created.path("id").asText(created.path("object").path("id").asText(""));
    assertThat(id).as("pool %s created: %s", name, created).isNotBlank();
    return id;
  }

  /** A thin 1 GiB volume in the pool; its id. */
  static String thinVolume(String token, String poolId, String name) throws Exception {
    return RenderTimeBrowserTest.post(token, "/volumes", """
        {"poolId":"%s","name":"%s","sizeGib":1,"thin":true}""".formatted(poolId, name)).path("id").asText();
  }

  /**
   * How often a wait reads the control plane again: a quarter of a second, so that a wait ends
   * about when the state changed rather than up to a second later.
   */
  static final long POLL_MILLIS = 250;

  /** Waits (up to {@code seconds}) until the object at {@code path} reads {@code state}. */
  static void awaitState(String token, String path, String state, int seconds) throws Exception {
    Instant deadline = Instant.now().plusSeconds(seconds);
    String now = RenderTimeBrowserTest.get(token, path).path("state").asText();
    while (!now.equals(state)) {
      assertThat(Instant.now()).as("%s is %s, not yet %s", path, now, state).isBefore(deadline);
      Thread.sleep(POLL_MILLIS);
      now = RenderTimeBrowserTest.get(token, path).path("state").asText();
    }
  }

  /**
   * Deletes the array for good (its volumes first: into the recycle bin, then purged), waiting
   * until it is DELETED so that its drives and cores are free again; a delete refused while the
   * array or a volume is still changing is tried again. Best effort: it gives up after four minutes.
   */
  static void deleteArray(String token, String arrayId) throws Exception {
    Instant deadline = Instant.now().plusSeconds(240);
    for (JsonNode v : RenderTimeBrowserTest.get(token, "/volumes?limit=500&arrayId=" + arrayId).path("items")) {
      String id = v.path("id").asText();
      retryWhileConflict(token, "DELETE", "/volumes/" + id, deadline);
      retryWhileConflict(token, "DELETE", "/recycle-bin/" + id, deadline);
    }
    // refused (array-has-volumes) until the engine dropped the purged volumes
    retryWhileConflict(token, "DELETE", "/arrays/" + arrayId, deadline);
    while (Instant.now().isBefore(deadline)) {
      HttpResponse<String> now = send(token, "GET", "/arrays/" + arrayId);
      if (now.statusCode() == 404 || now.body().contains("\"DELETED\"")) {
        return;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  private static void retryWhileConflict(String token, String method, String path, Instant deadline) throws Exception {
    while (send(token, method, path).statusCode() == 409 && Instant.now().isBefore(deadline)) {
      // every refused attempt is audited: few of them
      Thread.sleep(2000);
    }
  }

  static HttpResponse<String> send(String token, String method, String path) throws Exception {
    return RenderTimeBrowserTest.HTTP.send(HttpRequest.newBuilder(URI.create(StrataStack.controlPlaneApi + path))
        .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
