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
 * ISSUE-19 pt 3's injected faults, end to end, besides the stopped node of AlertsEndToEndIT: the
 * packaged control plane and two agents running real engines (RunningStack), each node with two
 * 1 GiB SSDs and two demo HDDs; each fault raises its alert within 60 s and the alert resolves
 * after the fix.
 *
 * <p>A pool filled: a tenant's RAID1 pool of 1 GiB; a real initiator (qemu-img over libiscsi,
 * with the tenant's CHAP) writes ~1000 MiB of random data into four thin volumes. The pool's fill
 * travels as the engine reports it (the agent's per-pool performance sample) to the control
 * plane, whose evaluation raises the pool's own {@code pool-full} alert (≥ 95 %, the default
 * threshold). The fix: two of the volumes are deleted and purged from the recycle bin; the engine
 * frees their space.
 *
 * <p>A drive file made unreadable: one HDD's file of a RAID1 pool is replaced by a directory
 * (which not even root can open as a file) and the engine restarted (SIGKILL; its agent starts it
 * again), so it opens its drives anew: the pool serves without that drive, the array is DEGRADED
 * and {@code drive-failed} fires. The fix: the file put back and the engine restarted; the drive
 * is rebuilt and the alert resolves; the data written before reads back.
 */
@RunningStack.SsdDrives(mib = 1024)
class FaultAlertsEndToEndIT extends RunningStack {
  static final Duration WITHIN = Duration.ofSeconds(60);
  static final int VOLUMES = 4;
  static final int MIB_EACH = 250;
  /** The second test's server: another of acme's hosts. */
  static final String READER_HOST = "iqn.2026-11.com.acme:reader";

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
    Mirrored m = mirroredArray(acme, "filled", "SSD", "small");
    String arrayId = m.arrayId();
    String portal = m.portal();
    String target = m.target();
    String poolId = m.poolId();
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

  @Test
  void aDriveFileMadeUnreadableRaisesDriveFailedWithin60sAndItResolvesOnceTheFileIsBack() throws Exception {
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    Mirrored m = mirroredArray(acme, "unreadable", "HDD", "mirror");
    String arrayId = m.arrayId();
    String portal = m.portal();
    String target = m.target();
    String node = nodeServing(portal);
    String poolId = m.poolId();
    String volume = createVolume(acme, poolId, "kept");
    String serverId = acme.post("/api/v1/servers", Map.of("name", "reader", "iqn", READER_HOST,
        "chapUser", "reader", "chapSecret", "acme-reader-secret")).require(201).path("id").asText();
    Initiator reader = new Initiator(READER_HOST, "reader", "acme-reader-secret");
    int lun = attach(acme, volume, serverId).path("lun").asInt();
    awaitTrue("the LUN visible", () -> reader.discover(portal).output().contains("Lun:" + lun));
    byte[] data = new byte[1 << 20];
    new Random(18).nextBytes(data);
    Initiator.Result wrote = reader.write(portal, target, lun, Files.write(work.resolve("kept.bin"), data));
    assertThat(wrote.exit()).as("writing: %s", wrote.output()).isZero();

    // ---- the fault: the file of one of the pool's HDDs made unreadable; the engine opens its drives anew ----
    Path drive = work.resolve("nodes").resolve(node).resolve("drives").resolve("hdd-1.hdd.img");
    Path aside = drive.resolveSibling("hdd-1.hdd.img.aside");
    Files.move(drive, aside);
    Files.createDirectory(drive);
    Instant faultAt = Instant.now();
    restartEngine(node, arrayId);
    awaitTrue("drive-failed FIRING", () -> firing(acme, arrayId, "drive-failed"));
    Duration raisedAfter = Duration.between(faultAt, Instant.now());
    JsonNode degraded = acme.get("/api/v1/arrays/" + arrayId).require(200);
    System.out.println("drive-failed raised " + raisedAfter.toMillis() + " ms after the drive file was made"
        + " unreadable; the array: " + degraded.path("state").asText() + ", " + degraded.path("failureReason").asText());
    assertThat(raisedAfter).isLessThan(WITHIN);
    assertThat(degraded.path("state").asText()).isEqualTo("DEGRADED");
    assertThat(degraded.path("failureReason").asText()).contains("hdd-1").contains("cannot be opened");
    // the pool serves without it
    awaitTrue("the LUN readable, degraded", () -> tryRead(reader, portal, target, lun) != null);
    assertThat(tryRead(reader, portal, target, lun)).isEqualTo(data);

    // ---- the fix: the file back, the engine restarted; the drive is rebuilt ----
    Files.delete(drive);
    Files.move(aside, drive);
    Instant fixedAt = Instant.now();
    restartEngine(node, arrayId);
    awaitTrue("the array ONLINE and drive-failed RESOLVED", () -> !firing(acme, arrayId, "drive-failed")
        && !firing(acme, arrayId, "array-degraded")
        && acme.get("/api/v1/arrays/" + arrayId).require(200).path("state").asText().equals("ONLINE"));
    System.out.println("drive-failed resolved " + Duration.between(fixedAt, Instant.now()).toMillis()
        + " ms after the file was put back");
    awaitTrue("the LUN readable again", () -> tryRead(reader, portal, target, lun) != null);
    assertThat(tryRead(reader, portal, target, lun)).isEqualTo(data);
  }

  /** An ONLINE array of two drives of one type on one node (spread NONE), mirrored in one RAID1 pool. */
  record Mirrored(String arrayId, String portal, String target, String poolId) {}

  static Mirrored mirroredArray(Api api, String name, String driveType, String poolName) throws Exception {
    boolean ssd = driveType.equals("SSD");
    String arrayId = api.post("/api/v1/arrays", Map.of("name", name, "engineSize", "E01", "ssdDrives", ssd ? 2 : 0,
        "hddDrives", ssd ? 0 : 2, "spread", "NONE")).require(201).path("id").asText();
    JsonNode array = awaitState(api, "/api/v1/arrays/" + arrayId, "ONLINE");
    JsonNode pool = api.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", poolName, "driveType", driveType,
        "protection", "RAID1", "driveCount", 2)).require(201);
    return new Mirrored(arrayId, array.path("portal").asText(), array.path("targetIqn").asText(),
        pool.path("id").asText(pool.path("object").path("id").asText()));
  }

  static boolean firing(Api api, String arrayId, String condition) throws Exception {
    for (JsonNode a : api.get("/api/v1/alerts?array=" + arrayId + "&state=FIRING").require(200).path("items")) {
      if (a.path("condition").asText().equals(condition)) {
        return true;
      }
    }
    return false;
  }

  /** Kills the array's engine on the node (SIGKILL) and waits until its agent has started another. */
  static void restartEngine(String node, String arrayId) throws Exception {
    Path pidFile = work.resolve("nodes").resolve(node).resolve("arrays").resolve(arrayId).resolve("engine.pid");
    long pid = Long.parseLong(Files.readString(pidFile).trim().split(" ")[0]);
    ProcessHandle engine = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no engine " + pid));
    engine.destroyForcibly();
    engine.onExit().join();
    awaitTrue("the agent started the engine again", () -> {
      if (!Files.isRegularFile(pidFile)) {
        return false;
      }
      long now = Long.parseLong(Files.readString(pidFile).trim().split(" ")[0]);
      return now != pid && ProcessHandle.of(now).map(ProcessHandle::isAlive).orElse(false);
    });
  }

  /** The LUN's first MiB, or null while the initiator cannot read it. */
  static byte[] tryRead(Initiator initiator, String portal, String target, int lun) throws Exception {
    try {
      return initiator.read(portal, target, lun, 1, work.resolve("read-back.bin"));
    } catch (AssertionError notYet) {
      return null;
    }
  }
}
