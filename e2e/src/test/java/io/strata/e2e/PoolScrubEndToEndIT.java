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
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 (point 3: a scrub "reporting mismatches") and issue 19 (point 1), end to end: the
 * packaged control plane and agents running real engines (RunningStack). A tenant's RAID1 pool
 * has one block of one of its drive files changed behind the engine's back; the tenant asks for a
 * scrub through the API; the engine's scrub finds the two copies disagree (a two-way mirror cannot
 * tell which is right), the agent carries its counts in ArrayStatus, and they reach
 * {@code GET /api/v1/pools/{id}} as {@code lastScrub}; the tenant's {@code scrub-unrepairable}
 * alert fires.
 */
class PoolScrubEndToEndIT extends RunningStack {
  /** A scrub reads every row of each 4 GiB demo drive (sparse: mostly holes) on a loaded machine. */
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
}
