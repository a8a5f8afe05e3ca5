package io.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.testsupport.Tokens;
import io.strata.testsupport.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An injected fault raises its alert within 60 s and resolves it after the fix, end to end: a
 * tenant's array mirrors a pool over drives of both nodes; the node that lends it a drive is
 * stopped (agent and drive export service, as a power loss would), so the engine loses the mirror's
 * copy; the control plane's alert evaluation raises the array's alerts and an operator's webhook
 * (a real HTTP server on 127.0.0.1) receives the HMAC-signed FIRING delivery; the node returns, the
 * copy is rebuilt, the alerts resolve and the signed RESOLVED delivery arrives.
 */
class AlertsEndToEndIT extends RunningStack {
  static final Duration WITHIN = Duration.ofSeconds(60);
  static WebhookReceiver receiver;

  @AfterAll
  static void stopReceiver() {
    if (receiver != null) {
      receiver.close();
    }
  }

  /** "EVENT condition" of every delivery about the array, each signature checked. */
  static List<String> deliveriesFor(String arrayId, String secret) throws Exception {
    List<String> out = new ArrayList<>();
    for (WebhookReceiver.Delivery r : receiver.received()) {
      JsonNode n = Api.JSON.readTree(r.body());
      if (n.path("alert").path("arrayId").asText().equals(arrayId)) {
        assertThat(r.signedWith(secret)).as("the signature of %s", r.body()).isTrue();
        out.add(n.path("event").asText() + " " + n.path("alert").path("condition").asText());
      }
    }
    return out;
  }

  static boolean firing(Api api, String arrayId, String condition) throws Exception {
    for (JsonNode a : api.get("/api/v1/alerts?array=" + arrayId + "&state=FIRING").require(200).path("items")) {
      if (a.path("condition").asText().equals(condition)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aStoppedLendingNodeRaisesTheArraysAlertsWithin60sAtTheWebhookAndTheyResolveWhenItReturns() throws Exception {
    receiver = WebhookReceiver.start();

    Api ops = new Api(controlPlaneUrl, Tokens.accessToken("ops"));
    awaitTrue("both storage nodes ONLINE", () -> {
      long online = 0;
      for (JsonNode n : ops.get("/api/v1/admin/nodes").require(200).path("items")) {
        online += n.path("state").asText().equals("ONLINE") ? 1 : 0;
      }
      return online == 2;
    });
    JsonNode hook = ops.post("/api/v1/admin/webhooks",
        Map.of("url", receiver.url(""))).require(201);
    String secret = hook.path("secret").asText();

    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    JsonNode array = acme.post("/api/v1/arrays", Map.of("name", "alerted", "engineSize", "E01", "ssdDrives", 2,
        "hddDrives", 0)).require(201);
    String arrayId = array.path("id").asText();
    array = awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    JsonNode pool = acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "mirror", "driveType", "SSD",
        "protection", "RAID1", "driveCount", 2)).require(201);
    // a volume AVAILABLE: the engine runs the pool, with its copy on the lending node
    createVolume(acme, pool.path("id").asText(), "data");
    String lender = otherNode(nodeServing(array.path("portal").asText()));

    // ---- the fault: the lending node goes away, agent and export service ----
    long exportPid = exportServicePidOf(lender);
    Instant faultAt = Instant.now();
    agents.get(lender).kill();
    ProcessHandle.of(exportPid).ifPresent(p -> {
      p.destroyForcibly();
      p.onExit().join();
    });
    awaitTrue("the array's alert FIRING, at the operator's webhook too", () ->
        firing(acme, arrayId, "array-degraded") && deliveriesFor(arrayId, secret).contains("FIRING array-degraded"));
    Duration raisedAfter = Duration.between(faultAt, Instant.now());
    JsonNode degraded = acme.get("/api/v1/arrays/" + arrayId).require(200);
    System.out.println("alert raised " + raisedAfter.toMillis() + " ms after the fault; the array lacks: "
        + degraded.path("failureReason").asText() + "; deliveries: " + deliveriesFor(arrayId, secret));
    assertThat(raisedAfter).isLessThan(WITHIN);
    assertThat(firing(acme, arrayId, "mirror-lost")).as("mirror-lost for %s", degraded.path("failureReason")).isTrue();
    // another tenant sees none of it
    Api globex = new Api(controlPlaneUrl, Tokens.accessToken("globex-admin"));
    assertThat(globex.get("/api/v1/alerts?array=" + arrayId).require(200).path("items").size()).isZero();

    // ---- the fix: the node returns, the mirror's copy is rebuilt, the alerts resolve ----
    Instant fixedAt = Instant.now();
    agents.get(lender).start();
    awaitTrue("the array ONLINE and its alerts RESOLVED, at the webhook too", () ->
        !firing(acme, arrayId, "array-degraded") && !firing(acme, arrayId, "mirror-lost")
            && deliveriesFor(arrayId, secret).contains("RESOLVED array-degraded"));
    System.out.println("alerts resolved " + Duration.between(fixedAt, Instant.now()).toMillis()
        + " ms after the node returned; deliveries: " + deliveriesFor(arrayId, secret));
    JsonNode log = ops.get("/api/v1/admin/webhooks/" + hook.path("id").asText() + "/deliveries?limit=100").require(200);
    for (JsonNode d : log.path("items")) {
      assertThat(d.path("state").asText()).isIn("DELIVERED", "PENDING");
    }
  }
}
