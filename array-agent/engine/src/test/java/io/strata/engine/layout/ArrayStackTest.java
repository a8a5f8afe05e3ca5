package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.pool.MemberState;
import io.strata.engine.pool.Pool;
import io.strata.engine.volume.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrayStackTest {
  @TempDir Path dir;

  Path layout(String volumesSnapshotsAndLuns) throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {
          "drives": [
            {"name": "a", "path": "a.img", "media": "SSD", "size": "40M"},
            {"name": "b", "path": "b.img", "media": "ssd", "size": "40M"}
          ],
          "pools": [{"name": "p", "drives": ["a", "b"], "protection": "mirror"}],
        """ + volumesSnapshotsAndLuns + "\n}\n");
    return file;
  }

  static final String ONE_VOLUME = """
      "volumes": [{"name": "v", "pool": "p", "size": "8M"}],
      "luns": [{"lun": 0, "volume": "v"}]""";

  @Test
  void theLayoutIsTheDesiredState() throws IOException {
    Path file = layout(ONE_VOLUME);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      ArrayLayout withSnapshot = ArrayLayout.read(layout("""
          "volumes": [{"name": "v", "pool": "p", "size": "16M"},
                      {"name": "c", "cloneOf": "s"}],
          "snapshots": [{"name": "s", "volume": "v"}],
          "luns": [{"lun": 0, "volume": "v"}, {"lun": 1, "volume": "s"}]"""));
      stack.reconcile(withSnapshot);
      assertThat(stack.storeOf("v").state().get("v").sizeBytes()).isEqualTo(16 << 20);
      assertThat(stack.storeOf("s")).isNotNull();
      assertThat(stack.storeOf("c")).isNotNull();
      assertThat(stack.lunDevices(withSnapshot).get(1).readOnly()).isTrue();

      stack.reconcile(ArrayLayout.read(layout("""
          "volumes": [{"name": "v", "pool": "p", "size": "16M"}],
          "luns": [{"lun": 0, "volume": "v"}]""")));
      assertThat(stack.storeOf("s")).as("unlisted snapshots are deleted").isNull();
      assertThat(stack.storeOf("c")).isNull();
      assertThatThrownBy(() -> stack.reconcile(ArrayLayout.read(layout(ONE_VOLUME))))
          .hasMessageContaining("cannot shrink");
    }
  }

  @Test
  void aKeptPoolAndItsDrivesCannotChangeByReloadButAFreeDriveComesAndGoes() throws IOException {
    Path file = layout(ONE_VOLUME);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      Path other = dir.resolve("other.json");
      Files.writeString(other, Files.readString(file).replace("\"mirror\"", "\"none\""));
      assertThatThrownBy(() -> stack.reconcile(ArrayLayout.read(other)))
          .hasMessageContaining("pool p: its drives, protection, cache and tiering cannot change");
      Files.writeString(other, Files.readString(file).replace("\"size\": \"40M\"}", "\"size\": \"48M\"}"));
      assertThatThrownBy(() -> stack.reconcile(ArrayLayout.read(other)))
          .hasMessageContaining("drive a is in use by pool p");
      Files.writeString(other, Files.readString(file).replaceFirst("\"drives\": \\[",
          "\"drives\": [{\"name\": \"spare\", \"path\": \"spare.img\", \"media\": \"SSD\","
              + " \"size\": \"8M\"},"));
      stack.reconcile(ArrayLayout.read(other));
      assertThat(stack.drives()).containsKey("spare");
      stack.reconcile(ArrayLayout.read(file));
      assertThat(stack.drives()).doesNotContainKey("spare");
      assertThat(stack.pools().get("p").states()).containsOnly(MemberState.ONLINE);
    }
  }

  /** Pool {@code p} (a mirror of a and b, volume v) and, when given, a second pool's text. */
  Path withSlowPool(String slowPool, String slowVolume) throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {"drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "40M"},
                    {"name": "b", "path": "b.img", "media": "SSD", "size": "40M"},
                    {"name": "h", "path": "h.img", "media": "HDD", "size": "64M"},
                    {"name": "t", "path": "t.img", "media": "SSD", "size": "16M"},
                    {"name": "c", "path": "c.img", "media": "SSD", "size": "16M"}],
         "pools": [{"name": "p", "drives": ["a", "b"], "protection": "mirror"}%s],
         "volumes": [{"name": "v", "pool": "p", "size": "8M"}%s]}
        """.formatted(slowPool, slowVolume));
    return file;
  }

  @Test
  void aPoolWithCacheAndTierComesAndGoesByReloadAndItsDrivesServeANewOne() throws IOException {
    Path file = withSlowPool("", "");
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      Volume v = stack.lunDevices(ArrayLayout.read(layout(ONE_VOLUME))).get(0);
      stack.reconcile(ArrayLayout.read(withSlowPool("""
          , {"name": "slow", "drives": ["h"], "tiering": {"drive": "t"},
             "cache": {"drive": "c", "mode": "write-back"}}""",
          ", {\"name\": \"w\", \"pool\": \"slow\", \"size\": \"8M\", \"tier\": \"SSD\"}")));
      assertThat(stack.tieredDevice("slow")).isNotNull();
      assertThat(stack.storeOf("w").poolName()).isEqualTo("slow");
      Path meta = dir.resolve("metadata/slow");
      assertThat(stack.storeOf("w").metadataOnPool()).as("a new pool keeps its metadata on it")
          .isTrue();
      assertThat(meta.resolve("checkpoint")).as("nothing of the pool in the node's files")
          .doesNotExist();

      stack.reconcile(ArrayLayout.read(withSlowPool("", "")));
      assertThat(stack.pools()).containsOnlyKeys("p");
      assertThat(stack.tieredDevice("slow")).isNull();
      assertThat(meta).doesNotExist();
      assertThat(stack.drives()).as("free drives stay open").containsKeys("h", "t", "c");
      ByteBuffer block = ByteBuffer.allocate(512);
      v.read(0, block);
      assertThat(v.readOnly()).as("pool p's volume still served").isFalse();

      // The same drives, cache and tier swapped: refused unless their labels were cleared.
      stack.reconcile(ArrayLayout.read(withSlowPool("""
          , {"name": "again", "drives": ["h"], "tiering": {"drive": "c"},
             "cache": {"drive": "t", "mode": "write-through"}}""",
          ", {\"name\": \"w2\", \"pool\": \"again\", \"size\": \"8M\"}")));
      assertThat(stack.storeOf("w2").poolName()).isEqualTo("again");
      assertThat(stack.pools().get("again").states()).containsOnly(MemberState.ONLINE);
    }
  }

  @Test
  void badLayoutsAreRefusedWithTheReason() throws IOException {
    assertThatThrownBy(() -> ArrayLayout.read(layout(ONE_VOLUME.replace("\"size\"", "\"sise\""))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown field 'sise'");
    assertThatThrownBy(() -> ArrayLayout.read(layout(ONE_VOLUME.replace("\"v\"}]", "\"w\"}]"))))
        .hasMessageContaining("no volume or snapshot 'w'");
    assertThatThrownBy(() -> ArrayLayout.read(layout(ONE_VOLUME.replace("\"pool\": \"p\"",
        "\"pool\": \"q\"")))).hasMessageContaining("no pool 'q'");
    Path twoPools = dir.resolve("two.json");
    Files.writeString(twoPools, """
        {"drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "8M"}],
         "pools": [{"name": "p", "drives": ["a"]}, {"name": "q", "drives": ["a"]}]}""");
    assertThatThrownBy(() -> ArrayLayout.read(twoPools))
        .hasMessageContaining("in more than one pool");
  }

  @Test
  void aBlankDriveInPlaceOfALostOneIsRebuiltAtStart() throws Exception {
    Path file = layout(ONE_VOLUME);
    ByteBuffer data = ByteBuffer.allocate(4096);
    for (int i = 0; i < 4096; i++) {
      data.put(i, (byte) i);
    }
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      stack.lunDevices(ArrayLayout.read(file)).get(0).write(100, data.duplicate(), true);
    }
    Files.delete(dir.resolve("b.img")); // the drive died; a new blank one takes its place

    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      Pool pool = stack.pools().get("p");
      assertThat(pool.awaitRebuild(60, TimeUnit.SECONDS)).isTrue();
      assertThat(pool.states()).containsOnly(MemberState.ONLINE);
      Volume v = stack.lunDevices(ArrayLayout.read(file)).get(0);
      ByteBuffer back = ByteBuffer.allocate(4096);
      v.read(100, back);
      assertThat(back.flip()).isEqualTo(data);
    }
    // Now the other original drive goes: the rebuilt one holds everything.
    Files.delete(dir.resolve("a.img"));
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      Volume v = stack.lunDevices(ArrayLayout.read(file)).get(0);
      ByteBuffer back = ByteBuffer.allocate(4096);
      v.read(100, back);
      assertThat(back.flip()).isEqualTo(data);
      stack.pools().get("p").awaitRebuild(60, TimeUnit.SECONDS);
    }
  }

  /** An HDD pool "slow" with flash cache s1 and SSD tier s2; {@code fast} goes first when given. */
  Path slowPoolAnd(String fast, String fastVolume) throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {"drives": [{"name": "h", "path": "h.img", "media": "HDD", "size": "64M"},
                    {"name": "s1", "path": "s1.img", "media": "SSD", "size": "16M"},
                    {"name": "s2", "path": "s2.img", "media": "SSD", "size": "16M"}],
         "pools": [%s{"name": "slow", "drives": ["h"],
                    "cache": {"drive": "s1", "mode": "write-back"}, "tiering": {"drive": "s2"}}],
         "volumes": [%s{"name": "v", "pool": "slow", "size": "8M"}],
         "luns": [{"lun": 0, "volume": "v"}%s]}
        """.formatted(fast, fastVolume, fastVolume.isEmpty() ? "" : ", {\"lun\": 1, \"volume\": \"f\"}"));
    return file;
  }

  static final String FAST_ON_SLOWS_SSDS =
      "{\"name\": \"fast\", \"drives\": [\"s1\", \"s2\"], \"protection\": \"mirror\"}, ";
  static final String FAST_VOLUME = "{\"name\": \"f\", \"pool\": \"fast\", \"size\": \"4M\"}, ";

  @Test
  void aNewPoolOnAnotherPoolsCacheAndTierIsRefusedAndThatPoolKeepsServingItsData()
      throws IOException {
    Path file = slowPoolAnd("", "");
    ByteBuffer data = ByteBuffer.allocate(64 * 1024);
    new java.util.Random(16).nextBytes(data.array());
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      Volume v = stack.lunDevices(ArrayLayout.read(file)).get(0);
      v.write(2048, data.duplicate(), false); // write-back: the lines stay dirty on s1 for now

      ArrayLayout withFast = ArrayLayout.read(slowPoolAnd(FAST_ON_SLOWS_SSDS, FAST_VOLUME));
      stack.reconcile(withFast);
      assertThat(stack.pools()).containsOnlyKeys("slow");
      assertThat(stack.refusals()).isEqualTo(
          "pool fast refused: drive 's1' is the flash cache of pool slow");
      assertThat(stack.lunDevices(withFast)).as("no LUN for the refused pool's volume")
          .containsOnlyKeys(0);
      assertThat(readBack(stack.lunDevices(withFast).get(0), data.capacity())).isEqualTo(data);
    }
    assertStillCacheAndTier();

    // The engine restarts with the layout that names both (the new pool first): same outcome.
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.pools()).containsOnlyKeys("slow");
      assertThat(stack.refusedPools()).containsOnlyKeys("fast");
      assertThat(stack.refusals()).contains("drive 's1' is the flash cache of pool slow");
      assertThat(stack.pools().get("slow").states()).containsOnly(MemberState.ONLINE);
      assertThat(readBack(stack.lunDevices(ArrayLayout.read(file)).get(0), data.capacity()))
          .isEqualTo(data);
    }
    assertStillCacheAndTier();

    // Once the layout no longer names the new pool, the refusal is gone.
    Path without = slowPoolAnd("", "");
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(without), without)) {
      assertThat(stack.refusals()).isNull();
      assertThat(readBack(stack.lunDevices(ArrayLayout.read(without)).get(0), data.capacity()))
          .isEqualTo(data);
    }
  }

  @Test
  void theStatusFileReportsTheRefusedPoolWhileTheOtherIsServed() throws Exception {
    Path file = slowPoolAnd("", "");
    Path status = dir.resolve("status.json");
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    try (LayoutService service = LayoutService.open(file, "iqn.2026-12.io.strata:t.a1")) {
      service.reportTo(status);
      slowPoolAnd(FAST_ON_SLOWS_SSDS, FAST_VOLUME);
      assertThat(service.reloadAndReport()).startsWith("layout applied");
      assertThat(service.logicalUnits()).as("LUN 1 (in the refused pool) not served")
          .containsOnlyKeys(0);
      com.fasterxml.jackson.databind.JsonNode said = json.readTree(status.toFile());
      assertThat(said.get("ok").asBoolean()).isFalse();
      assertThat(said.get("error").asText())
          .isEqualTo("pool fast refused: drive 's1' is the flash cache of pool slow");
      assertThat(said.get("refusedPools").get("fast").asText()).contains("flash cache of pool slow");
    }
    try (LayoutService service = LayoutService.open(file, "iqn.2026-12.io.strata:t.a1")) {
      service.reportTo(status);
      service.writeStatus(0L, null); // what the engine writes once it serves, after a restart
      assertThat(json.readTree(status.toFile()).get("refusedPools").has("fast")).isTrue();
      assertThat(service.logicalUnits()).containsOnlyKeys(0);
    }
  }

  @Test
  void aPoolIsNotOpenedWithoutTheTierAndWriteBackCacheThatHoldItsData() throws IOException {
    Path file = slowPoolAnd("", "");
    ByteBuffer data = ByteBuffer.allocate(64 * 1024);
    new java.util.Random(17).nextBytes(data.array());
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      stack.lunDevices(ArrayLayout.read(file)).get(0).write(2048, data.duplicate(), false);
    }
    // A layout that gives the SSDs to a new pool and the HDD pool neither cache nor tier.
    Path taken = dir.resolve("taken.json");
    Files.writeString(taken, Files.readString(file)
        .replace("\"cache\": {\"drive\": \"s1\", \"mode\": \"write-back\"}, \"tiering\": {\"drive\": \"s2\"}", "")
        .replace("\"drives\": [\"h\"],", "\"drives\": [\"h\"]")
        .replace("\"pools\": [", "\"pools\": [" + FAST_ON_SLOWS_SSDS));
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(taken), taken)) {
      assertThat(stack.pools()).isEmpty();
      assertThat(stack.refusedPools()).containsOnlyKeys("fast", "slow");
      assertThat(stack.refusedPools().get("slow")).isEqualTo("pool slow refused: its data is"
          + " partly on SSD tier 's2' and the layout names no tier; refusing to open it without"
          + " that tier");
      assertThat(stack.refusedPools().get("fast")).contains("is a pool's flash cache");
    }
    assertStillCacheAndTier();
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(readBack(stack.lunDevices(ArrayLayout.read(file)).get(0), data.capacity()))
          .isEqualTo(data);
    }
  }

  @Test
  void aPoolNeverLabelsADriveThatIsAFlashCacheOrATier() throws IOException {
    Path file = slowPoolAnd("", "");
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.pools()).containsOnlyKeys("slow");
    }
    try (io.strata.engine.drive.Drive s1 = io.strata.engine.drive.Drive.open("s1",
            dir.resolve("s1.img"), io.strata.engine.drive.MediaType.SSD, 16 << 20, null);
        io.strata.engine.drive.Drive s2 = io.strata.engine.drive.Drive.open("s2",
            dir.resolve("s2.img"), io.strata.engine.drive.MediaType.SSD, 16 << 20, null)) {
      assertThatThrownBy(() -> Pool.open("fast", io.strata.engine.pool.Protection.MIRROR,
          java.util.List.of(s1, s2)))
          .hasMessageContaining("drive 0 of pool fast is a pool's flash cache; refusing to overwrite it");
    }
    assertStillCacheAndTier();
  }

  private void assertStillCacheAndTier() throws IOException {
    assertThat(new String(Files.readAllBytes(dir.resolve("s1.img")), 0, 8,
        java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("STRATAFC");
    assertThat(new String(Files.readAllBytes(dir.resolve("s2.img")), 0, 8,
        java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("STRATATR");
  }

  private static ByteBuffer readBack(Volume v, int bytes) throws IOException {
    ByteBuffer back = ByteBuffer.allocate(bytes);
    v.read(2048, back);
    return back.flip();
  }
}
