package io.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.testsupport.Tokens;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 4, end to end (and, second, the recycle bin: below): a volume moves from an HDD pool to an SSD pool of its array
 * (both mirrored across the two nodes, spread NODE) through the API, while a real initiator
 * (qemu-img over libiscsi, with the tenant's CHAP) keeps writing to its LUN; the volume shows
 * MOVING with its progress, the move's operation succeeds, the volume is AVAILABLE in its new
 * pool, and the data written before the move and the last write made during it read back. Then
 * the tenant moves it back and cancels that move mid-copy: the volume is AVAILABLE in the pool it
 * was in, its writes (during the cancel too) kept. The
 * agents' engines copy at most one extent per 20 ms (RunningStack), so the move lasts long enough
 * for writes to land during it.
 */
class VolumeMoveEndToEndIT extends RunningStack {

  @Test
  void aVolumeMovesToAnotherPoolWhileAnInitiatorWritesAndKeepsEveryWrite() throws Exception {
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    String arrayId = acme.post("/api/v1/arrays", Map.of("name", "mover", "engineSize", "E01", "ssdDrives", 2,
        "hddDrives", 2)).require(201).path("id").asText();
    JsonNode array = awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    String slow = acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "slow", "driveType", "HDD",
        "protection", "RAID1", "driveCount", 2)).require(201).path("id").asText();
    String fast = acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "fast", "driveType", "SSD",
        "protection", "RAID1", "driveCount", 2)).require(201).path("id").asText();
    String volume = createVolume(acme, slow, "moving");
    // 8 MiB before the move (8 extents the engine copies with their data), then a writer rewrites
    // the first MiB, round after round, until told to stop
    BusyLun busy = BusyLun.start(acme, array, volume, "app1", ACME_HOST, "acme-app1-secret", 18);
    BackgroundWriter writer = busy.writer;

    Api.Reply accepted = acme.post("/api/v1/volumes/" + volume + "/move", Map.of("poolId", fast));
    JsonNode op = accepted.require(202);
    assertThat(op.path("kind").asText()).isEqualTo("volume.move");
    JsonNode moving = acme.get("/api/v1/volumes/" + volume).require(200);
    assertThat(moving.path("state").asText()).isEqualTo("MOVING");
    assertThat(moving.path("poolId").asText()).isEqualTo(fast);
    assertThat(moving.path("move").path("fromPoolId").asText()).isEqualTo(slow);

    // writes succeed while the volume is MOVING, and the engine's progress shows
    int atStart = writer.succeeded();
    awaitTrue("writes during the move, and its progress", () -> {
      JsonNode v = acme.get("/api/v1/volumes/" + volume).body();
      return v.path("state").asText().equals("MOVING") && writer.succeeded() > atStart + 1
          && v.path("move").path("progressPercent").asInt() > 0;
    });
    int duringMove = writer.succeeded() - atStart;
    JsonNode done = awaitMoved(acme, volume);
    assertThat(done.path("poolId").asText()).isEqualTo(fast);
    assertThat(done.path("move").isNull() || done.path("move").isMissingNode()).isTrue();
    assertThat(acme.get("/api/v1/operations/" + op.path("id").asText()).require(200).path("state").asText())
        .isEqualTo("SUCCEEDED");
    int afterEnd = writer.succeeded();
    awaitTrue("a write after the move", () -> writer.succeeded() > afterEnd);

    // ---- the tenant moves it back, thinks better of it mid-copy, and cancels ----
    JsonNode backOp = acme.post("/api/v1/volumes/" + volume + "/move", Map.of("poolId", slow)).require(202);
    awaitTrue("the move back under way", () -> acme.get("/api/v1/volumes/" + volume).body().path("move")
        .path("copiedExtents").asLong() > 0);
    JsonNode cancelOp = acme.post("/api/v1/volumes/" + volume + "/move/cancel", Map.of()).require(202);
    assertThat(cancelOp.path("kind").asText()).isEqualTo("volume.move-cancel");
    JsonNode cancelling = acme.get("/api/v1/volumes/" + volume).require(200);
    assertThat(cancelling.path("poolId").asText()).as("%s", cancelling).isEqualTo(fast);
    assertThat(cancelling.path("move").path("cancelling").asBoolean()).as("%s", cancelling).isTrue();
    int atCancel = writer.succeeded();
    JsonNode kept = awaitMoved(acme, volume);
    assertThat(kept.path("poolId").asText()).as("back where it was before the cancelled move").isEqualTo(fast);
    assertThat(acme.get("/api/v1/operations/" + backOp.path("id").asText()).require(200).path("state").asText())
        .isEqualTo("FAILED");
    assertThat(acme.get("/api/v1/operations/" + cancelOp.path("id").asText()).require(200).path("state").asText())
        .isEqualTo("SUCCEEDED");
    awaitTrue("writes after the cancel", () -> writer.succeeded() > atCancel + 1);
    // every write kept: the last one in the first MiB, the data from before the move after it
    busy.assertEveryWriteKept();
    System.out.println("move: " + duringMove + " writes while MOVING, " + writer.succeeded() + " in all");
  }

  /**
   * Issue 18, item 4, the recycle bin end to end: a volume a real initiator wrote is detached and
   * deleted (RECYCLED, in the bin), restored by the tenant (AVAILABLE, unattached), attached again,
   * and reads back every byte written before the delete.
   */
  @Test
  void aDeletedVolumeRestoredFromTheRecycleBinReadsBackEveryWrite() throws Exception {
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    String arrayId = acme.post("/api/v1/arrays", Map.of("name", "binned", "engineSize", "E01", "ssdDrives", 2))
        .require(201).path("id").asText();
    JsonNode array = awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    String pool = acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "bin", "driveType", "SSD",
        "protection", "RAID1", "driveCount", 2)).require(201).path("id").asText();
    String volume = createVolume(acme, pool, "kept");
    BusyLun busy = BusyLun.start(acme, array, volume, "binner", "iqn.2026-11.com.acme:bin1", "acme-bin1-secret", 23);
    int atStop = busy.writer.succeeded();
    awaitTrue("a few writes", () -> busy.writer.succeeded() > atStop + 1);
    busy.writer.close();

    JsonNode attachment = acme.get("/api/v1/attachments?volumeId=" + volume).require(200).path("items").get(0);
    acme.delete("/api/v1/attachments/" + attachment.path("id").asText()).require(202);
    awaitTrue("the volume detached", () -> {
      for (JsonNode att : acme.get("/api/v1/attachments?volumeId=" + volume).require(200).path("items")) {
        if (!att.path("state").asText().equals("DETACHED")) {
          return false;
        }
      }
      return true;
    });
    acme.delete("/api/v1/volumes/" + volume).require(202);
    awaitState(acme, "/api/v1/volumes/" + volume, "RECYCLED");
    assertThat(acme.get("/api/v1/recycle-bin?arrayId=" + arrayId).require(200).path("items").toString())
        .contains(volume);

    JsonNode restored = acme.post("/api/v1/recycle-bin/" + volume + "/restore", Map.of()).require(200);
    assertThat(restored.path("state").asText()).as("%s", restored).isEqualTo("AVAILABLE");
    String serverId = attachment.path("serverId").asText();
    int lun = attach(acme, volume, serverId).path("lun").asInt();
    awaitTrue("the restored LUN visible", () -> busy.initiator.discover(busy.portal).output().contains("Lun:" + lun));
    busy.assertEveryWriteKept(lun);
    System.out.println("recycle bin: " + busy.writer.succeeded() + " writes before the delete, all read back after the restore");
  }

  /** Waits (up to ten minutes: the copy is paced) until the volume is AVAILABLE again. */
  private static JsonNode awaitMoved(Api api, String volume) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
    while (System.nanoTime() < deadline) {
      JsonNode v = api.get("/api/v1/volumes/" + volume).body();
      if (v.path("state").asText().equals("AVAILABLE")) {
        return v;
      }
      assertThat(v.path("state").asText()).as("the volume while it moves: %s", v).isEqualTo("MOVING");
      Thread.sleep(1000);
    }
    throw new AssertionError("the move did not finish within ten minutes\n" + controlPlane.tail());
  }
}
