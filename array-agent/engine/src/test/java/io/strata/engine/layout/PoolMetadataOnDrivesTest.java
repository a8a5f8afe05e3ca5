package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.Protection;
import io.strata.engine.scsi.ReservationStore;
import io.strata.engine.volume.MetadataCorruptException;
import io.strata.engine.volume.MetadataState;
import io.strata.engine.volume.Volume;
import io.strata.engine.volume.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything an array knows is on its pools' drives: another engine (another node, its own empty
 * metadata directory) that opens the same drives has every volume, snapshot, clone, extent map,
 * the pool's cache/tier record and each LUN's persistent reservations.
 */
class PoolMetadataOnDrivesTest {
  static final int MIB = 1 << 20;
  static final String RESERVATIONS = """
      # strata persistent reservations; rewritten on every change
      generation 4
      aptpl 0
      type 5
      holder aaaa0001 1 0 iqn.2026-11.test:a,i,0x1
      reg bbbb0002 1 1 iqn.2026-11.test:b,i,0x2
      """;

  @TempDir Path dir;

  Path layout(Path nodeDir, String extraPool, String volumesAndSnapshots) throws IOException {
    Files.createDirectories(nodeDir);
    Path file = nodeDir.resolve("array.json");
    Files.writeString(file, """
        {"drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "40M"},
                    {"name": "b", "path": "b.img", "media": "SSD", "size": "40M"},
                    {"name": "h", "path": "h.img", "media": "HDD", "size": "32M"},
                    {"name": "c", "path": "c.img", "media": "SSD", "size": "16M"}],
         "pools": [{"name": "p", "drives": ["a", "b"], "protection": "mirror"}%s],
         %s}
        """.formatted(extraPool, volumesAndSnapshots));
    return file;
  }

  static final String VOLUME_ONLY = """
      "volumes": [{"name": "v", "pool": "p", "size": "8M"}]""";
  static final String WITH_SNAPSHOT_AND_CLONE = """
      "volumes": [{"name": "v", "pool": "p", "size": "8M"}, {"name": "c", "cloneOf": "s"}],
      "snapshots": [{"name": "s", "volume": "v"}]""";

  static ByteBuffer pattern(int seed) {
    ByteBuffer b = ByteBuffer.allocate(8 * 512);
    for (int i = 0; i < b.capacity(); i++) {
      b.put(i, (byte) (seed * 7 + i / 512));
    }
    return b;
  }

  static ByteBuffer read(BlockDevice d, long lba) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 * 512);
    d.read(lba, b);
    return b.flip();
  }

  static Map<String, String> maps(VolumeStore store) {
    Map<String, String> all = new TreeMap<>();
    for (String name : store.names()) {
      MetadataState.Obj o = store.state().get(name);
      try {
        all.put(name, o.kind() + " " + o.sizeBytes() + " " + o.origin() + " "
            + Arrays.toString(store.mappedPhysicalExtents(name)));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return all;
  }

  /** Builds the array on node 1: v written, snapshot s, clone c, v written again, reservations. */
  Map<String, String> buildOnNode1(Path node1) throws IOException {
    Path file = layout(node1, "", VOLUME_ONLY);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      Volume v = stack.storeOf("v").open("v");
      v.write(2048 * 3 + 8, pattern(1), true);
      ArrayLayout full = ArrayLayout.read(layout(node1, "", WITH_SNAPSHOT_AND_CLONE));
      stack.reconcile(full);
      v.write(2048 * 3 + 8, pattern(2), true);
      stack.storeOf("c").open("c").write(16, pattern(3), true);
      stack.reservationStore(full, file, "v").save(RESERVATIONS);
      assertThat(stack.storeOf("v").metadataOnPool()).isTrue();
      return maps(stack.storeOf("v"));
    }
  }

  /** The drive images of node 1, as another node sees them (its own metadata directory). */
  Path node2With(Path node1, String... images) throws IOException {
    Path node2 = dir.resolve("node2");
    Files.createDirectories(node2);
    for (String image : images) {
      Files.copy(node1.resolve(image), node2.resolve(image));
    }
    return node2;
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  void assertWholeArray(ArrayStack stack, ArrayLayout layout, Path file,
      Map<String, String> maps) throws IOException {
    VolumeStore store = stack.storeOf("v");
    assertThat(maps(store)).isEqualTo(maps);
    assertThat(read(store.open("v"), 2048 * 3 + 8)).isEqualTo(pattern(2));
    assertThat(read(store.open("s"), 2048 * 3 + 8)).isEqualTo(pattern(1));
    assertThat(read(store.open("c"), 2048 * 3 + 8)).isEqualTo(pattern(1));
    assertThat(read(store.open("c"), 16)).isEqualTo(pattern(3));
    assertThat(stack.reservationStore(layout, file, "v").load()).isEqualTo(RESERVATIONS);
  }

  @Test
  void anEngineOnAnotherNodeOpensTheWholeArrayFromTheDrivesAlone() throws IOException {
    Path node1 = dir.resolve("node1");
    Map<String, String> maps = buildOnNode1(node1);
    try (Stream<Path> files = Files.walk(node1.resolve("metadata"))) {
      assertThat(files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()))
          .as("nothing of the array in the node's files, only the lock of a running engine")
          .containsOnly("lock");
    }
    deleteTree(node1.resolve("metadata"));
    Path node2 = node2With(node1, "a.img", "b.img");

    Path file = layout(node2, "", WITH_SNAPSHOT_AND_CLONE);
    ArrayLayout layout = ArrayLayout.read(file);
    try (ArrayStack stack = ArrayStack.open(layout, file)) {
      assertWholeArray(stack, layout, file, maps);
      assertThat(stack.refusedPools()).isEmpty();
    }
    try (ArrayStack stack = ArrayStack.open(layout, layout(node1, "", WITH_SNAPSHOT_AND_CLONE))) {
      assertWholeArray(stack, layout, node1.resolve("array.json"), maps);
    }
  }

  @Test
  void theArrayOpensFromOneMirrorMemberWhenTheOtherIsMissing() throws IOException {
    Path node1 = dir.resolve("node1");
    Map<String, String> maps = buildOnNode1(node1);
    Path node2 = node2With(node1, "a.img");

    try (Drive a = Drive.open("a", node2.resolve("a.img"), MediaType.SSD, 40 * MIB, null)) {
      Pool pool = Pool.open("p", Protection.MIRROR, Arrays.<BlockDevice>asList(a, null));
      assertThat(pool.createdNow()).isFalse();
      VolumeStore store = VolumeStore.openOnPool("p", pool, false).serve(pool);
      assertThat(maps(store)).isEqualTo(maps);
      assertThat(read(store.open("s"), 2048 * 3 + 8)).isEqualTo(pattern(1));
      assertThat(read(store.open("v"), 2048 * 3 + 8)).isEqualTo(pattern(2));
      assertThat(new String(store.record("pr/v"), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo(RESERVATIONS);
      store.close();
      pool.close();
    }
  }

  @Test
  void aPoolsCacheRecordIsOnThePoolSoAnotherNodeRefusesItWithoutItsWriteBackCache()
      throws IOException {
    Path node1 = dir.resolve("node1");
    String slow = """
        , {"name": "slow", "drives": ["h"], "cache": {"drive": "c", "mode": "write-back"}}""";
    String volumes = """
        "volumes": [{"name": "v", "pool": "p", "size": "8M"},
                    {"name": "w", "pool": "slow", "size": "4M"}]""";
    Path file = layout(node1, slow, volumes);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      stack.storeOf("w").open("w").write(0, pattern(4), false);
    }
    Path node2 = node2With(node1, "a.img", "b.img", "h.img", "c.img");
    Path withoutCache = layout(node2, """
        , {"name": "slow", "drives": ["h"]}""", volumes);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(withoutCache), withoutCache)) {
      assertThat(stack.refusedPools()).containsOnlyKeys("slow");
      assertThat(stack.refusedPools().get("slow"))
          .contains("write-back flash cache 'c' may hold dirty lines");
      assertThat(stack.storeOf("v")).as("the other pool serves").isNotNull();
    }
    Path withCache = layout(node2, slow, volumes);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(withCache), withCache)) {
      assertThat(stack.refusedPools()).isEmpty();
      assertThat(read(stack.storeOf("w").open("w"), 0)).isEqualTo(pattern(4));
    }
  }

  @Test
  void aPoolWhoseMetadataIsInFilesKeepsThemAsBefore() throws IOException {
    Path node = dir.resolve("legacy");
    Path file = layout(node, "", VOLUME_ONLY);
    Path meta = node.resolve("metadata").resolve("p");
    // What an engine before the metadata moved onto pools left behind.
    try (Drive a = Drive.open("a", node.resolve("a.img"), MediaType.SSD, 40 * MIB, null);
        Drive b = Drive.open("b", node.resolve("b.img"), MediaType.SSD, 40 * MIB, null)) {
      Pool pool = Pool.open("p", Protection.MIRROR, Arrays.<BlockDevice>asList(a, b));
      VolumeStore store = VolumeStore.open(meta, "p", pool);
      store.createVolume("v", 8 * MIB, false);
      store.open("v").write(40, pattern(5), true);
      store.close();
      pool.close();
    }
    ReservationStore.inFile(meta.resolve("v.pr")).save(RESERVATIONS);
    long legacyExtents;
    ArrayLayout layout = ArrayLayout.read(file);
    try (ArrayStack stack = ArrayStack.open(layout, file)) {
      VolumeStore store = stack.storeOf("v");
      assertThat(store.metadataOnPool()).isFalse();
      assertThat(VolumeStore.metadataAreaOn(stack.pools().get("p"))).isFalse();
      assertThat(read(store.open("v"), 40)).isEqualTo(pattern(5));
      assertThat(stack.reservationStore(layout, file, "v").load()).isEqualTo(RESERVATIONS);
      legacyExtents = store.totalExtents();
      assertThat(legacyExtents).as("every extent still the volumes'")
          .isEqualTo(stack.pools().get("p").blockCount() / 2048);
    }
    assertThat(meta.resolve("services.properties")).exists();

    // The same pool on a node without its files: refused, never started empty over its data.
    deleteTree(node.resolve("metadata"));
    assertThatThrownBy(() -> ArrayStack.open(layout, file))
        .isInstanceOf(MetadataCorruptException.class)
        .hasMessageContaining("carries no volume metadata area");
  }
}
