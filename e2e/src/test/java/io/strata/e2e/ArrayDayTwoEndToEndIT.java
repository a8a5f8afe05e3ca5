package io.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.testsupport.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 2, end to end: the packaged control plane, billing and two agents running real
 * engines (RunningStack), driven through the API, with a real initiator (libiscsi's tools and
 * qemu-img) logging in with the tenant's CHAP. The array is made with the API's defaults (spread
 * NODE: its mirror across both nodes). An initiator keeps writing while the engine is resized
 * (the engine restarts at the new size; writes refused during the pause are written again, as an
 * initiator retries them) and every write that succeeded reads back; data written before a
 * hibernation reads back after the resume; while hibernated no engine listens (a login is refused
 * at once rather than hanging).
 */
class ArrayDayTwoEndToEndIT extends RunningStack {

  @Test
  void aResizeKeepsTheDataWrittenDuringItAndAHibernatedArrayResumesWithItsData() throws Exception {
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    JsonNode array = acme.post("/api/v1/arrays", Map.of("name", "daytwo", "engineSize", "E01",
        "ssdDrives", 2)).require(201);
    String arrayId = array.path("id").asText();
    array = awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    String portal = array.path("portal").asText();
    String target = array.path("targetIqn").asText();
    JsonNode pool = acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "mirror", "driveType", "SSD",
        "protection", "RAID1", "driveCount", 2)).require(201);
    String before = createVolume(acme, pool.path("id").asText(), "before");
    String during = createVolume(acme, pool.path("id").asText(), "during");
    String serverId = acme.post("/api/v1/servers", Map.of("name", "app1", "iqn", ACME_HOST, "chapUser", "app1",
        "chapSecret", "acme-app1-secret")).require(201).path("id").asText();
    int lunBefore = attach(acme, before, serverId).path("lun").asInt();
    int lunDuring = attach(acme, during, serverId).path("lun").asInt();
    Initiator app1 = new Initiator(ACME_HOST, "app1", "acme-app1-secret");
    awaitTrue("both LUNs visible", () -> {
      String listing = app1.discover(portal).output();
      return listing.contains("Lun:" + lunBefore) && listing.contains("Lun:" + lunDuring);
    });
    byte[] first = randomBytes(1, 11);
    assertThat(app1.write(portal, target, lunBefore, Files.write(work.resolve("first.bin"), first)).exit()).isZero();

    // ---- resize while the initiator writes: each round writes a new pattern; a round refused
    // during the restart is written again; the last pattern written reads back ----
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger succeeded = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    byte[][] lastWritten = new byte[1][];
    Thread writer = new Thread(() -> {
      int round = 0;
      try {
        boolean lastOk = false;
        // until told to stop, and then until its last write went through (a refused one is retried)
        while (!stop.get() || !lastOk) {
          byte[] pattern = randomBytes(1, 100 + round);
          Path file = Files.write(work.resolve("during-" + round + ".bin"), pattern);
          lastOk = app1.write(portal, target, lunDuring, file).exit() == 0;
          if (lastOk) {
            lastWritten[0] = pattern;
            succeeded.incrementAndGet();
            round++;
          } else {
            refused.incrementAndGet();
            Thread.sleep(500);
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "writer-during-resize");
    writer.start();
    awaitTrue("a write before the resize", () -> succeeded.get() > 0);
    JsonNode resizing = acme.patch("/api/v1/arrays/" + arrayId, Map.of("engineSize", "E02")).require(202);
    assertThat(resizing.path("state").asText()).isEqualTo("RESIZING");
    JsonNode online = awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    assertThat(online.path("engineSize").asText()).isEqualTo("E02");
    assertThat(online.path("vcpus").asInt()).isEqualTo(2);
    int beforeEnd = succeeded.get();
    awaitTrue("a write after the resize", () -> succeeded.get() > beforeEnd);
    stop.set(true);
    writer.join();
    assertThat(app1.read(portal, target, lunDuring, 1, work.resolve("during-back.bin"))).isEqualTo(lastWritten[0]);
    assertThat(app1.read(portal, target, lunBefore, 1, work.resolve("first-back.bin"))).isEqualTo(first);

    // ---- hibernate: the engine stops (initiators asked to log out), nothing listens ----
    acme.post("/api/v1/arrays/" + arrayId + "/hibernate", Map.of()).require(202);
    awaitState(acme, "/api/v1/arrays/" + arrayId, "HIBERNATED");
    Initiator.Result refusedLogin = app1.inquiry(portal, target, lunBefore);
    assertThat(refusedLogin.exit()).as("a login while hibernated: %s", refusedLogin.output()).isNotZero();
    assertThat(acme.get("/api/v1/arrays/" + arrayId + "/drives").require(200).size()).isEqualTo(2);

    // ---- resume: the same data ----
    acme.post("/api/v1/arrays/" + arrayId + "/resume", Map.of()).require(202);
    awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    awaitTrue("the LUNs visible again", () -> app1.discover(portal).output().contains("Lun:" + lunBefore));
    assertThat(app1.read(portal, target, lunBefore, 1, work.resolve("first-resumed.bin"))).isEqualTo(first);
    assertThat(app1.read(portal, target, lunDuring, 1, work.resolve("during-resumed.bin"))).isEqualTo(lastWritten[0]);
    System.out.println("resize: " + succeeded.get() + " writes succeeded, " + refused.get()
        + " refused during the engine's restart and written again");
  }
}
