package io.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.testsupport.Tokens;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 (points 3 and 5) and issue 19 (point 1), end to end: the packaged control plane and
 * agents running real engines (RunningStack), each node with five 2 GiB SSDs.
 *
 * <p>A pool grows, has a member replaced and is scrubbed through the API while a real initiator
 * (qemu-img over libiscsi, with the tenant's CHAP) keeps writing to a volume in it; every write
 * succeeds and the data reads back afterwards.
 *
 * <p>A tenant's RAID1 pool has one block of one of its drive files changed behind the engine's
 * back; the tenant asks for a scrub; the engine's scrub finds the two copies disagree (a two-way
 * mirror cannot tell which is right), the agent carries its counts in ArrayStatus, and they reach
 * {@code GET /api/v1/pools/{id}} as {@code lastScrub}; the tenant's {@code scrub-unrepairable}
 * alert fires.
 */
@RunningStack.SsdDrives(mib = 2048, count = 5)
class PoolOperationsEndToEndIT extends RunningStack {
  /** A scrub reads every row of each 2 GiB drive (sparse: mostly holes) on a loaded machine. */
  static final Duration SCRUB = Duration.ofMinutes(10);

  /** The engine's layout file of {@code arrayId}, on whichever node runs its engine. */
  static Path layoutOf(String arrayId) throws IOException {
    try (Stream<Path> nodes = Files.list(work.resolve("nodes"))) {
      return nodes.map(n -> n.resolve("arrays").resolve(arrayId).resolve("layout.json")).filter(Files::isRegularFile)
          .findFirst().orElseThrow(() -> new AssertionError("no layout of array " + arrayId));
    }
  }

  /** The file of a member drive of pool {@code poolId}, from the engine's layout. */
  static Path memberFile(String arrayId, String poolId) throws IOException {
    JsonNode layout = Api.JSON.readTree(layoutOf(arrayId).toFile());
    for (JsonNode pool : layout.path("pools")) {
      if (pool.path("name").asText().equals(poolId)) {
        String member = pool.path("drives").get(0).asText();
        for (JsonNode d : layout.path("drives")) {
          if (d.path("name").asText().equals(member) && d.hasNonNull("path")) {
            return Path.of(d.path("path").asText());
          }
        }
      }
    }
    throw new AssertionError("no local member drive of pool " + poolId + " in " + layout);
  }

  @Test
  void aMismatchAScrubFindsReachesThePoolInTheApiAndRaisesTheTenantsAlert() throws Exception {
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    // both drives on one node: the scrub reads local files only
    String arrayId = acme.post("/api/v1/arrays", Map.of("name", "scrubbed", "engineSize", "E01", "spread", "NONE",
        "ssdDrives", 2)).require(201).path("id").asText();
    awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    String poolId = acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "mirror", "driveType", "SSD",
        "protection", "RAID1", "driveCount", 2)).require(201).path("id").asText();
    awaitTrue("the engine serves the pool", () -> Files.readString(layoutOf(arrayId)).contains(poolId)
        && acme.get("/api/v1/arrays/" + arrayId).require(200).path("state").asText().equals("ONLINE"));
    assertThat(acme.get("/api/v1/pools/" + poolId).require(200).path("lastScrub").isNull()).isTrue();

    // one 512-byte block of one copy differs from the other: 1 MiB in is the pool's data area
    Path drive = memberFile(arrayId, poolId);
    try (FileChannel f = FileChannel.open(drive, StandardOpenOption.WRITE)) {
      f.write(ByteBuffer.wrap(new byte[] {0x5a, 0x5a, 0x5a, 0x5a}), (1L << 20) + 3 * 4096);
      f.force(true);
    }

    acme.post("/api/v1/pools/" + poolId + "/scrub", Map.of()).require(202);
    JsonNode[] scrub = new JsonNode[1];
    awaitTrue("the scrub's result in GET /api/v1/pools/" + poolId, SCRUB, () -> {
      scrub[0] = acme.get("/api/v1/pools/" + poolId).require(200).path("lastScrub");
      return "DONE".equals(scrub[0].path("state").asText());
    });
    String requested = acme.get("/api/v1/pools/" + poolId).require(200).path("scrub").path("requestId").asText();
    assertThat(scrub[0].path("requestId").asText()).as("the scrub asked for").isEqualTo(requested);
    assertThat(scrub[0].path("mismatchedBlocks").asLong()).as("%s", scrub[0]).isEqualTo(1);
    assertThat(scrub[0].path("unrepairableBlocks").asLong()).as("a two-way mirror cannot tell").isEqualTo(1);
    assertThat(scrub[0].path("percent").asDouble()).isEqualTo(100.0);
    assertThat(scrub[0].path("finishedAt").asText()).isNotBlank();

    awaitTrue("the tenant's scrub-unrepairable alert", () -> {
      for (JsonNode a : acme.get("/api/v1/alerts?array=" + arrayId + "&state=FIRING").require(200).path("items")) {
        if (a.path("condition").asText().equals("scrub-unrepairable")
            && a.path("objectKey").asText().equals("pool:" + poolId)) {
          return true;
        }
      }
      return false;
    });
    System.out.println("scrub of pool " + poolId + ": " + scrub[0]);
  }

  @Test
  void aPoolGrowsHasAMemberReplacedAndIsScrubbedWhileAnInitiatorWrites() throws Exception {
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    // all five SSDs of one node: two members, a pair to grow by, one to replace a member with
    String arrayId = acme.post("/api/v1/arrays", Map.of("name", "day-two-pool", "engineSize", "E01", "spread", "NONE",
        "ssdDrives", 5)).require(201).path("id").asText();
    JsonNode array = awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    String poolId = acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "grown", "driveType", "SSD",
        "protection", "RAID1", "driveCount", 2)).require(201).path("id").asText();
    long capacityBefore = acme.get("/api/v1/pools/" + poolId).require(200).path("capacityGib").asLong();
    BusyLun busy = BusyLun.start(acme, array, createVolume(acme, poolId, "busy"), "app2",
        GLOBEX_HOST.replace("globex", "acme"), "acme-app2-secret", 28);
    BackgroundWriter writer = busy.writer;

    // ---- grow by a mirror pair ----
    List<String> free = freeSsds(acme, arrayId);
    assertThat(free).hasSize(3);
    int atGrow = writer.succeeded();
    JsonNode grow = acme.post("/api/v1/pools/" + poolId + "/drives", Map.of("driveIds", free.subList(0, 2)))
        .require(202);
    awaitOperation(acme, grow.path("id").asText());
    assertThat(acme.get("/api/v1/pools/" + poolId).require(200).path("capacityGib").asLong())
        .isGreaterThan(capacityBefore);
    awaitTrue("writes while and after the pool grew", () -> writer.succeeded() > atGrow + 1);

    // ---- replace a healthy member with the last free SSD ----
    String outgoing = members(acme, arrayId, poolId).get(0);
    String incoming = free.get(2);
    int atReplace = writer.succeeded();
    acme.post("/api/v1/pools/" + poolId + "/drives/" + outgoing + "/replace",
        Map.of("replacementDriveId", incoming)).require(200);
    JsonNode replaceOp = acme.get("/api/v1/operations?targetId=" + incoming).require(200).path("items").get(0);
    assertThat(replaceOp.path("kind").asText()).isEqualTo("pool.drive.replace");
    awaitOperation(acme, replaceOp.path("id").asText());
    assertThat(members(acme, arrayId, poolId)).contains(incoming).doesNotContain(outgoing).hasSize(4);
    awaitTrue("writes while and after the member was replaced", () -> writer.succeeded() > atReplace + 1);

    // ---- scrub while it is written: nothing differs between the copies ----
    int atScrub = writer.succeeded();
    acme.post("/api/v1/pools/" + poolId + "/scrub", Map.of()).require(202);
    JsonNode[] scrub = new JsonNode[1];
    awaitTrue("the scrub of the busy pool", SCRUB, () -> {
      scrub[0] = acme.get("/api/v1/pools/" + poolId).require(200).path("lastScrub");
      return "DONE".equals(scrub[0].path("state").asText());
    });
    assertThat(scrub[0].path("mismatchedBlocks").asLong()).as("%s", scrub[0]).isZero();
    awaitTrue("writes while and after the scrub", () -> writer.succeeded() > atScrub + 1);
    busy.assertEveryWriteKept();
    System.out.println("pool day two: " + writer.succeeded() + " writes; grew " + capacityBefore + " GiB to "
        + acme.get("/api/v1/pools/" + poolId).require(200).path("capacityGib").asLong() + " GiB; scrub " + scrub[0]);
  }

  /** The array's SSDs in no pool. */
  static List<String> freeSsds(Api api, String arrayId) throws Exception {
    List<String> free = new java.util.ArrayList<>();
    for (JsonNode d : api.get("/api/v1/arrays/" + arrayId + "/drives").require(200)) {
      if (d.path("type").asText().equals("SSD") && d.path("poolId").isNull()) {
        free.add(d.path("driveId").asText());
      }
    }
    return free;
  }

  /** The pool's member drives. */
  static List<String> members(Api api, String arrayId, String poolId) throws Exception {
    List<String> members = new java.util.ArrayList<>();
    for (JsonNode d : api.get("/api/v1/arrays/" + arrayId + "/drives").require(200)) {
      if (poolId.equals(d.path("poolId").asText()) && d.path("role").asText().equals("MEMBER")) {
        members.add(d.path("driveId").asText());
      }
    }
    return members;
  }

  /** Waits (the scrub's time: a copy or rebuild reads whole drives) until the operation SUCCEEDED. */
  static void awaitOperation(Api api, String operationId) throws Exception {
    awaitTrue("operation " + operationId + " SUCCEEDED", SCRUB, () -> {
      JsonNode op = api.get("/api/v1/operations/" + operationId).require(200);
      assertThat(op.path("state").asText()).as("%s", op).isNotEqualTo("FAILED");
      return op.path("state").asText().equals("SUCCEEDED");
    });
  }
}
