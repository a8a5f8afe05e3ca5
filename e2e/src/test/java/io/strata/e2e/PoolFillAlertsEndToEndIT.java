package io.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.testsupport.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ISSUE-19 pt 3's "a pool filled", end to end: the packaged control plane and two agents running
 * real engines (RunningStack), each node with two 1 GiB SSDs. A tenant's array mirrors them in a
 * RAID1 pool of 1 GiB; a real initiator (qemu-img over libiscsi, with the tenant's CHAP) writes
 * ~1000 MiB of random data into four thin volumes. The pool's fill travels as the engine reports
 * it (the agent's per-pool performance sample) to the control plane, whose evaluation raises the
 * pool's own {@code pool-full} alert (≥ 95 %, the default threshold) within 60 s of the last write.
 * The fix: two of the volumes are deleted and purged from the recycle bin; the engine frees their
 * space and the alert RESOLVES.
 */
@RunningStack.SsdDrives(mib = 1024)
class PoolFillAlertsEndToEndIT extends RunningStack {
  static final Duration WITHIN = Duration.ofSeconds(60);
  static final int VOLUMES = 4;
  static final int MIB_EACH = 250;

  static List<JsonNode> poolAlerts(Api api, String arrayId, String state) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode a : api.get("/api/v1/alerts?array=" + arrayId + "&state=" + state).require(200).path("items")) {
      if (a.path("condition").asText().startsWith("pool-")) {
        out.add(a);
      }
    }
    return out;
  }

  @Test
  void aPoolFilledThroughAnInitiatorRaisesItsPoolFullAlertWithin60sAndItResolvesOnceSpaceIsFreed() throws Exception {
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    JsonNode array = acme.post("/api/v1/arrays", Map.of("name", "filled", "engineSize", "E01", "ssdDrives", 2,
        "hddDrives", 0, "spread", "NONE")).require(201);
    String arrayId = array.path("id").asText();
    array = awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    String portal = array.path("portal").asText();
    String target = array.path("targetIqn").asText();
    JsonNode pool = acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "small", "driveType", "SSD",
        "protection", "RAID1", "driveCount", 2)).require(201);
    String poolId = pool.path("id").asText(pool.path("object").path("id").asText());
    assertThat(acme.get("/api/v1/pools/" + poolId).require(200).path("capacityGib").asInt()).isEqualTo(1);
    String serverId = acme.post("/api/v1/servers", Map.of("name", "filler", "iqn", ACME_HOST, "chapUser", "filler",
        "chapSecret", "acme-filler-secret")).require(201).path("id").asText();
    Initiator filler = new Initiator(ACME_HOST, "filler", "acme-filler-secret");

    List<String> volumes = new ArrayList<>();
    List<Integer> luns = new ArrayList<>();
    for (int i = 0; i < VOLUMES; i++) {
      String id = acme.post("/api/v1/volumes", Map.of("poolId", poolId, "name", "fill-" + i, "sizeGib", 1,
          "thin", true)).require(201).path("id").asText();
      awaitState(acme, "/api/v1/volumes/" + id, "AVAILABLE");
      volumes.add(id);
      luns.add(attach(acme, id, serverId).path("lun").asInt());
    }
    awaitTrue("the LUNs visible", () -> {
      String listing = filler.discover(portal).output();
      return luns.stream().allMatch(l -> listing.contains("Lun:" + l));
    });
    assertThat(poolAlerts(acme, arrayId, "FIRING")).isEmpty();

    // ---- the fault: the pool filled, ~1000 of its 1024 MiB written (random: nothing is skipped as zeros) ----
    byte[] data = new byte[MIB_EACH << 20];
    new Random(19).nextBytes(data);
    Path file = Files.write(work.resolve("fill.bin"), data);
    for (int lun : luns) {
      Initiator.Result wrote = filler.write(portal, target, lun, file);
      assertThat(wrote.exit()).as("writing %d MiB to LUN %d: %s", MIB_EACH, lun, wrote.output()).isZero();
    }
    Instant filledAt = Instant.now();
    awaitTrue("the pool's pool-full alert FIRING", () -> poolAlerts(acme, arrayId, "FIRING").stream()
        .anyMatch(a -> a.path("condition").asText().equals("pool-full")));
    Duration raisedAfter = Duration.between(filledAt, Instant.now());
    JsonNode alert = poolAlerts(acme, arrayId, "FIRING").get(0);
    System.out.println("pool-full raised " + raisedAfter.toMillis() + " ms after the pool was filled: "
        + alert.path("summary").asText());
    assertThat(raisedAfter).isLessThan(WITHIN);
    assertThat(alert.path("objectKey").asText()).isEqualTo("pool:" + poolId);
    assertThat(alert.path("severity").asText()).isEqualTo("critical");
    assertThat(alert.path("summary").asText()).contains("pool small is");
    // another tenant sees none of it
    Api globex = new Api(controlPlaneUrl, Tokens.accessToken("globex-admin"));
    assertThat(globex.get("/api/v1/alerts?array=" + arrayId).require(200).path("items").size()).isZero();

    // ---- the fix: two volumes deleted and purged; the engine frees their space ----
    Instant freedAt = Instant.now();
    for (String id : volumes.subList(0, 2)) {
      for (JsonNode att : acme.get("/api/v1/attachments?volumeId=" + id).require(200).path("items")) {
        acme.delete("/api/v1/attachments/" + att.path("id").asText()).require(202);
      }
      awaitTrue("volume " + id + " detached", () -> {
        for (JsonNode att : acme.get("/api/v1/attachments?volumeId=" + id).require(200).path("items")) {
          if (!att.path("state").asText().equals("DETACHED")) {
            return false;
          }
        }
        return true;
      });
      acme.delete("/api/v1/volumes/" + id).require(202);
      awaitState(acme, "/api/v1/volumes/" + id, "RECYCLED");
      acme.delete("/api/v1/recycle-bin/" + id).require(202);
    }
    awaitTrue("the pool's alerts RESOLVED", () -> poolAlerts(acme, arrayId, "FIRING").isEmpty());
    System.out.println("pool alerts resolved " + Duration.between(freedAt, Instant.now()).toMillis()
        + " ms after two volumes were purged; resolved: " + poolAlerts(acme, arrayId, "RESOLVED"));
    assertThat(poolAlerts(acme, arrayId, "RESOLVED")).anyMatch(a -> a.path("condition").asText().equals("pool-full"));
  }
}
