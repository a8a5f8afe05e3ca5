package io.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.testsupport.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 (points 3 and 5), end to end: a tenant's RAID5 pool grows by a drive through the API
 * while a real initiator (qemu-img over libiscsi, with the tenant's CHAP) keeps writing to a volume
 * in it. The engine restripes the pool onto four drives in the background, first at the rate the
 * tenant asked for with the grow ({@code restripeRateMbps}), then, once two writes went through
 * during it, with no limit ({@code PUT .../restripe-policy}, which reaches the running restripe);
 * the API shows the restripe (the pool's {@code rebuild} of kind RESTRIPE with its progress,
 * {@code capacityGib} held at the old size below {@code targetCapacityGib}) and then the new
 * capacity; every write succeeds and what was written before and during the restripe reads back.
 *
 * <p>Its own stack with 1 GiB SSDs (the smallest size a drive reports, 1 GiB): the restripe
 * rewrites every stripe of the pool, so its length follows the drives' size.
 */
@RunningStack.SsdDrives(mib = 1024, count = 4)
class ParityPoolGrowEndToEndIT extends RunningStack {
  /** The restripe rewrites 4 GiB (four 1 GiB members) on a loaded machine. */
  static final Duration RESTRIPE = Duration.ofMinutes(5);

  @Test
  void aRaid5PoolGrowsByADriveAndIsRestripedWhileAnInitiatorWrites() throws Exception {
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    // the four SSDs of one node: three members, one to grow by
    String arrayId = acme.post("/api/v1/arrays", Map.of("name", "wider", "engineSize", "E01", "spread", "NONE",
        "ssdDrives", 4)).require(201).path("id").asText();
    JsonNode array = awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    String poolId = acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "parity", "driveType", "SSD",
        "protection", "RAID5", "driveCount", 3)).require(201).path("id").asText();
    JsonNode created = acme.get("/api/v1/pools/" + poolId).require(200);
    long capacityBefore = created.path("capacityGib").asLong();
    assertThat(created.path("targetCapacityGib").asLong()).as("no restripe yet").isEqualTo(capacityBefore);
    BusyLun busy = BusyLun.start(acme, array, createVolume(acme, poolId, "busy"), "app3",
        ACME_HOST.replace("web1", "app3"), "acme-app3-secret", 38);
    BackgroundWriter writer = busy.writer;

    // ---- grow by one drive, restriping at 32 MiB/s: slow enough to watch it and write during it ----
    List<String> free = PoolOperationsEndToEndIT.freeSsds(acme, arrayId);
    assertThat(free).hasSize(1);
    long grewAt = System.nanoTime();
    JsonNode grow = acme.post("/api/v1/pools/" + poolId + "/drives", Map.of("driveIds", free,
        "restripeRateMbps", 32)).require(202);
    long targetGib = capacityBefore / 2 * 3; // RAID5: three data drives' worth instead of two
    JsonNode grown = acme.get("/api/v1/pools/" + poolId).require(200);
    assertThat(grown.path("targetCapacityGib").asLong()).as("the capacity with four drives, at once")
        .isEqualTo(targetGib);
    assertThat(grown.path("restripe").path("rateMbps").asInt()).isEqualTo(32);

    // while it restripes: the progress, and the old capacity for volumes until it is done
    List<Double> progress = new ArrayList<>();
    JsonNode[] pool = new JsonNode[1];
    int[] writesAt = {-1, -1}; // when the restripe was first seen, when it was seen last
    Callable<Boolean> restripeSeen = () -> {
      pool[0] = acme.get("/api/v1/pools/" + poolId).require(200);
      JsonNode rebuild = pool[0].path("rebuild");
      if (rebuild.path("kind").asText().equals("RESTRIPE")) {
        assertThat(pool[0].path("capacityGib").asLong()).as("volumes keep the old capacity meanwhile: %s", pool[0])
            .isEqualTo(capacityBefore);
        assertThat(pool[0].path("targetCapacityGib").asLong()).as("%s", pool[0]).isEqualTo(targetGib);
        assertThat(rebuild.path("bytesTotal").asLong()).as("%s", rebuild).isPositive();
        assertThat(rebuild.path("failedAttempts").asInt()).as("%s", rebuild).isZero();
        writesAt[0] = writesAt[0] < 0 ? writer.succeeded() : writesAt[0];
        writesAt[1] = writer.succeeded();
        double percent = rebuild.path("percent").asDouble();
        if (progress.isEmpty() || progress.get(progress.size() - 1) != percent) {
          progress.add(percent);
        }
      }
      return pool[0].path("capacityGib").asLong() == targetGib;
    };
    awaitTrue("two writes while the restripe runs at 32 MiB/s (3 GiB: over a minute)", RESTRIPE, () -> {
      if (restripeSeen.call()) {
        throw new AssertionError("the restripe ended before two writes were seen during it (progress seen "
            + progress + ", writes " + Arrays.toString(writesAt) + "): it did not keep to its rate");
      }
      return writesAt[0] >= 0 && writesAt[1] >= writesAt[0] + 2 && progress.size() >= 2;
    });
    // no limit from now on: the running restripe gets the new rate through the desired state
    assertThat(acme.put("/api/v1/pools/" + poolId + "/restripe-policy", Map.of("rateMbps", 0)).require(200)
        .path("restripe").path("rateMbps").asInt()).isZero();
    long unlimitedAt = System.nanoTime();
    awaitTrue("the restripe done and its capacity in GET /api/v1/pools/" + poolId, RESTRIPE, restripeSeen);
    long doneAt = System.nanoTime();
    assertThat(progress).as("its progress only grows").isSorted();
    assertThat(pool[0].path("targetCapacityGib").asLong()).isEqualTo(targetGib);
    assertThat(pool[0].path("rebuild").isNull()).as("nothing runs any more: %s", pool[0]).isTrue();
    PoolOperationsEndToEndIT.awaitOperation(acme, grow.path("id").asText());
    assertThat(PoolOperationsEndToEndIT.members(acme, arrayId, poolId)).hasSize(4);
    int atRestriped = writer.succeeded();
    awaitTrue("writes after the restripe", () -> writer.succeeded() > atRestriped + 1);
    busy.assertEveryWriteKept();
    System.out.println("parity pool grown: " + writer.succeeded() + " writes, " + (writesAt[1] - writesAt[0])
        + " of them while the restripe was seen running; progress seen " + progress + "; " + capacityBefore
        + " GiB to " + targetGib + " GiB; " + (unlimitedAt - grewAt) / 1_000_000 + " ms at 32 MiB/s, then "
        + (doneAt - unlimitedAt) / 1_000_000 + " ms unlimited until the API showed the new capacity");
  }
}
