package io.strata.engine.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.layout.LayoutService;
import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.scsi.Nexus;
import io.strata.engine.scsi.ScsiCommand;
import io.strata.engine.scsi.ScsiResponse;
import io.strata.engine.scsi.ScsiSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stats file carries what an operator's dashboards and a tenant's performance charts need:
 * per-volume reads and writes with their bytes and latency histogram, the flash cache's hits and
 * dirty bytes, the tier mover, drives and rebuilds — counted by a real block stack served through
 * the real SCSI target.
 */
class EngineStatsFileTest {
  static final String IQN = "iqn.2026-12.io.strata:t.stats";
  static final Nexus NEXUS = new Nexus("iqn.2026-12.io.strata:i", 1, IQN, 1);
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  Path layout() throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {"drives": [{"name": "h", "path": "h.img", "media": "HDD", "size": "40M"},
                    {"name": "t", "path": "t.img", "media": "SSD", "size": "16M"},
                    {"name": "c", "path": "c.img", "media": "SSD", "size": "8M"}],
         "pools": [{"name": "p", "drives": ["h"], "tiering": {"drive": "t", "moveRate": "64M"},
                    "cache": {"drive": "c", "mode": "write-back"}}],
         "volumes": [{"name": "vol-a", "pool": "p", "size": "8M"},
                     {"name": "vol-b", "pool": "p", "size": "8M"}],
         "luns": [{"lun": 0, "volume": "vol-a"}, {"lun": 3, "volume": "vol-b"}]}
        """);
    return file;
  }

  static long samLun(int lun) {
    return ((long) lun & 0xff) << 48;
  }

  static ScsiResponse write(IoCounters target, int lun, long lba, int blocks) {
    byte[] cdb = {(byte) ScsiSpec.WRITE_10, 0, 0, 0, (byte) (lba >> 8), (byte) lba, 0, 0, (byte) blocks, 0};
    return target.execute(new ScsiCommand(NEXUS, samLun(lun), cdb,
        ByteBuffer.wrap(new byte[blocks * 512]), 0, 1));
  }

  static ScsiResponse read(IoCounters target, int lun, long lba, int blocks) {
    byte[] cdb = {(byte) ScsiSpec.READ_10, 0, 0, 0, (byte) (lba >> 8), (byte) lba, 0, 0, (byte) blocks, 0};
    return target.execute(new ScsiCommand(NEXUS, samLun(lun), cdb, ByteBuffer.allocate(0), blocks * 512, 2));
  }

  static JsonNode volume(JsonNode stats, String name) {
    for (JsonNode v : stats.path("volumes")) {
      if (v.path("volume").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name + " in " + stats);
  }

  @Test
  void perVolumeIoLatencyCacheTierAndDrivesAreInTheStatsFile() throws Exception {
    try (LayoutService service = LayoutService.open(layout(), IQN)) {
      LogicalUnitTarget scsi = new LogicalUnitTarget(IQN, service.logicalUnits());
      IoCounters counters = new IoCounters(scsi);
      Path file = dir.resolve("stats.json");
      Map<Integer, String> luns = new HashMap<>();
      service.layout().luns().forEach(l -> luns.put(l.lun(), l.volume()));
      StatsFile stats = new StatsFile(file, counters, () -> service.stack().usage(),
          () -> StackFigures.of(service.stack()), () -> luns);
      stats.countSessions(() -> 2);

      for (int lun : new int[] {0, 3}) { // the power-on unit attention goes to the first command
        counters.execute(new ScsiCommand(NEXUS, samLun(lun), new byte[6], ByteBuffer.allocate(0), 0, 9));
      }
      for (int i = 0; i < 5; i++) {
        assertThat(write(counters, 0, i * 8, 8).status()).isEqualTo(ScsiSpec.GOOD);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(read(counters, 0, 0, 8).status()).isEqualTo(ScsiSpec.GOOD);
        assertThat(read(counters, 3, 0, 16).status()).isEqualTo(ScsiSpec.GOOD);
      }
      stats.write();
      JsonNode n = JSON.readTree(file.toFile());

      assertThat(n.path("readOps").asLong()).as("engine-wide figures stay").isEqualTo(6);
      assertThat(n.path("writeOps").asLong()).isEqualTo(5);
      assertThat(n.path("sessions").asInt()).isEqualTo(2);
      JsonNode a = volume(n, "vol-a");
      assertThat(a.path("lun").asInt()).isZero();
      assertThat(a.path("writeOps").asLong()).isEqualTo(5);
      assertThat(a.path("writeBytes").asLong()).isEqualTo(5 * 4096);
      assertThat(a.path("readOps").asLong()).isEqualTo(3);
      assertThat(a.path("queueDepth").asLong()).as("nothing in flight").isZero();
      JsonNode b = volume(n, "vol-b");
      assertThat(b.path("readBytes").asLong()).isEqualTo(3 * 8192);
      assertThat(b.path("writeOps").asLong()).isZero();

      int buckets = LatencyHistogram.BOUNDS_MICROS.length + 1;
      assertThat(n.path("latencyBoundsMicros").size()).isEqualTo(buckets - 1);
      JsonNode wl = a.path("writeLatency").path("counts");
      assertThat(wl.size()).isEqualTo(buckets);
      assertThat(wl.get(buckets - 1).asLong()).as("every write is in the +Inf bucket").isEqualTo(5);
      for (int i = 1; i < buckets; i++) {
        assertThat(wl.get(i).asLong()).as("cumulative").isGreaterThanOrEqualTo(wl.get(i - 1).asLong());
      }
      assertThat(a.path("writeLatency").path("sumMicros").asLong()).isNotNegative();
      assertThat(b.path("readLatency").path("counts").get(buckets - 1).asLong()).isEqualTo(3);

      JsonNode cache = n.path("caches").get(0);
      assertThat(cache.path("pool").asText()).isEqualTo("p");
      // The writes wait on the SSD, but the background destager may already have copied them
      // (a quiet machine does it within the test): dirty bytes are whole lines, at most those
      // five writes' lines, never more than is cached.
      long dirty = cache.path("dirtyBytes").asLong();
      assertThat(cache.has("dirtyBytes")).isTrue();
      assertThat(dirty).isBetween(0L, cache.path("cachedBytes").asLong());
      assertThat(dirty % (64 * 1024)).as("whole 64 KiB lines").isZero();
      assertThat(cache.path("readHits").asLong() + cache.path("readMisses").asLong()).isPositive();
      assertThat(cache.path("capacityBytes").asLong()).isPositive();
      assertThat(n.path("tiers").get(0).path("pool").asText()).isEqualTo("p");
      assertThat(n.path("drives")).extracting(d -> d.path("drive").asText()).contains("h", "t", "c");
      assertThat(n.path("drives").get(0).path("errors").asLong()).isZero();
      assertThat(n.path("rebuilds").get(0).path("rebuildingMembers").asInt()).isZero();

      for (int i = 0; i < 2; i++) {
        write(counters, 0, 0, 8);
      }
      stats.write();
      JsonNode later = volume(JSON.readTree(file.toFile()), "vol-a");
      assertThat(later.path("writeLatency").path("counts").get(buckets - 1).asLong())
          .as("the histogram counts since the engine started, not since the last write")
          .isEqualTo(7);
      stats.close();
    }
  }
}
