package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.PoolScrub;
import io.strata.engine.stats.IoCounters;
import io.strata.engine.stats.StackFigures;
import io.strata.engine.stats.StatsFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a scrub found, and a running rebuild, reach the files the agent reads (issue 18 and 19):
 * the stats file's {@code scrubs} (what Prometheus gets) and the layout status's pool entries
 * (what the control plane gets). A block of one mirror copy is made to differ before the scrub:
 * a two-way mirror cannot tell which copy is right, so it is counted mismatched and unrepairable.
 */
class ScrubAndRebuildReportTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  Path layout(String scrub) throws IOException {
    return LayoutScrubTest.layout(dir, "mirror", scrub);
  }

  /** Makes one 512-byte block of drive {@code name}'s data area differ from its mirror copy. */
  void corruptOneBlock(String name) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(name + ".img").toFile(), "rw")) {
      f.seek(Pool.DATA_OFFSET_BLOCKS * Pool.BLOCK_SIZE + 3 * 4096);
      f.write(new byte[] {0x5a, 0x5a, 0x5a, 0x5a});
    }
  }

  @Test
  void aScrubsMismatchesReachTheStatsFileAndTheLayoutStatus() throws Exception {
    Path file = layout(null);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(StackFigures.of(stack).scrubs()).as("never scrubbed").isEmpty();
    }
    corruptOneBlock("a");
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      stack.reconcile(ArrayLayout.read(layout("{\"request\": \"s1\", \"rate\": \"0\"}")));
      LayoutScrubTest.awaitDone(stack, "s1");

      Path statsPath = dir.resolve("stats.json");
      StatsFile stats = new StatsFile(statsPath, new IoCounters(null), stack::usage,
          () -> StackFigures.of(stack), Map::of);
      stats.close(); // writes once
      JsonNode scrub = JSON.readTree(statsPath.toFile()).path("scrubs").get(0);
      assertThat(scrub.path("pool").asText()).isEqualTo("p");
      assertThat(scrub.path("request").asText()).isEqualTo("s1");
      assertThat(scrub.path("state").asText()).isEqualTo("DONE");
      assertThat(scrub.path("mismatchedBlocks").asLong()).isEqualTo(1);
      assertThat(scrub.path("unrepairableBlocks").asLong())
          .as("two copies that disagree cannot be decided").isEqualTo(1);
      assertThat(scrub.path("rowsDone").asLong()).isEqualTo(scrub.path("rows").asLong());
      assertThat(scrub.path("finished").asText()).isNotEmpty();

      Path status = dir.resolve("layout-status.json");
      LayoutStatus.write(status, 3L, null, stack.health(), Map.of(), List.of(), null, Map.of(),
          null, stack.scrubs(), StackFigures.running(stack), List.of());
      JsonNode pool = JSON.readTree(status.toFile()).path("pools").get(0);
      assertThat(pool.path("name").asText()).isEqualTo("p");
      assertThat(pool.path("scrub").path("mismatchedBlocks").asLong()).isEqualTo(1);
      assertThat(pool.has("rebuild")).as("no rebuild runs").isFalse();
    }
  }

  @Test
  void aRunningRebuildIsInItsPoolsEntryOfTheLayoutStatus() throws Exception {
    Path status = dir.resolve("layout-status.json");
    StackFigures.Rebuild copy = new StackFigures.Rebuild("p", 1, 3, 12, "COPY", 0, "c", 3L << 20,
        12L << 20);
    LayoutStatus.write(status, 4L, null, List.of(), Map.of(), List.of(), null,
        Map.of("p", "MIRRORED"), null, Map.of(), Map.of("p", copy), List.of());
    JsonNode pool = JSON.readTree(status.toFile()).path("pools").get(0);
    assertThat(pool.path("cacheProtection").asText()).isEqualTo("MIRRORED");
    JsonNode r = pool.path("rebuild");
    assertThat(r.path("kind").asText()).isEqualTo("COPY");
    assertThat(r.path("member").asInt()).isZero();
    assertThat(r.path("drive").asText()).isEqualTo("c");
    assertThat(r.path("bytesDone").asLong()).isEqualTo(3L << 20);
    assertThat(r.path("bytesTotal").asLong()).isEqualTo(12L << 20);
  }

  @Test
  void anIdlePoolsLastScrubIsReadFromItsDrivesOnceNotAtEveryAsk() throws Exception {
    Path file = layout("{\"request\": \"s1\", \"rate\": \"0\"}");
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      LayoutScrubTest.awaitDone(stack, "s1");
    }
    Path idle = layout(null);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(idle), idle)) {
      PoolScrub.Progress first = stack.scrubs().get("p");
      assertThat(first.state()).isEqualTo(PoolScrub.State.DONE);
      assertThat(stack.scrubs().get("p")).as("the same result object: not read again")
          .isSameAs(first);
    }
  }
}
