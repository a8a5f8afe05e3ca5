package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.strata.engine.fake.Bytes.pattern;
import static io.strata.engine.fake.Bytes.read;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.block.BlockDevice;
import io.strata.engine.iscsi.initiator.LocalTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool's flash cache and SSD tier on two SSDs (layout {@code "drives": ["s1", "s2"]}, one may
 * be remote), as an HA array has them (docs/high-availability.md point 2): refused layouts,
 * what the status and the service record say, and the loss of either SSD.
 */
class MirroredCacheLayoutTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LINE = 64 * 1024;

  @TempDir Path dir;

  private static String drive(String name, String media, String size) {
    return "{\"name\": \"" + name + "\", \"path\": \"" + name + ".img\", \"media\": \"" + media
        + "\", \"size\": \"" + size + "\"}";
  }

  private static final String DRIVES = drive("h", "HDD", "32M") + ", " + drive("s1", "SSD", "8M")
      + ", " + drive("s2", "SSD", "8M") + ", " + drive("s3", "SSD", "8M") + ", "
      + drive("t1", "SSD", "8M") + ", " + drive("t2", "SSD", "8M");

  private static String remote(String name, int port) {
    return "{\"name\": \"" + name + "\", \"media\": \"SSD\", \"size\": \"8M\", \"remote\":"
        + " {\"portal\": \"127.0.0.1:" + port + "\", \"target\": \"" + LocalTarget.TARGET + "\","
        + " \"initiator\": \"" + LocalTarget.INITIATOR + "\", \"chap\": {\"user\": \""
        + LocalTarget.CHAP.user() + "\", \"secret\": \"the-shared-secret-0123\"}}}";
  }

  /** Pool p0 on HDD h with {@code services} (its cache and tiering fields), volume v1 as LUN 0. */
  private Path layout(String drives, String services, String extra) throws Exception {
    Path file = dir.resolve("layout.json");
    Files.writeString(file, "{\"metadata\": \"meta\", \"drives\": [" + drives + "],"
        + " \"pools\": [{\"name\": \"p0\", \"drives\": [\"h\"]" + services + "}"
        + extra + "], \"volumes\": [{\"name\": \"v1\", \"pool\": \"p0\", \"size\": \"8M\"}],"
        + " \"luns\": [{\"lun\": 0, \"volume\": \"v1\"}]}");
    return file;
  }

  private Path layout(String services) throws Exception {
    return layout(DRIVES, services, "");
  }

  private static final String MIRRORED_CACHE = ", \"cache\": {\"drives\": [\"s1\", \"s2\"]}";

  @Test
  void badCacheAndTierDrivesAreRefusedWithTheReason() throws Exception {
    assertThatThrownBy(() -> ArrayLayout.read(layout(
        ", \"cache\": {\"drive\": \"s1\", \"drives\": [\"s1\", \"s2\"]}")))
        .hasMessage("pool p0: cache names both 'drive' and 'drives'; give one");
    assertThatThrownBy(() -> ArrayLayout.read(layout(", \"cache\": {\"drives\": [\"s1\", \"s1\"]}")))
        .hasMessage("pool p0: cache.drives names drive 's1' twice; a mirror needs two different SSDs");
    assertThatThrownBy(() -> ArrayLayout.read(layout(
        ", \"cache\": {\"drives\": [\"s1\", \"s2\", \"s3\"]}")))
        .hasMessageContaining("pool p0: cache.drives must list one or two SSDs");
    assertThatThrownBy(() -> ArrayLayout.read(layout(", \"tiering\": {\"drives\": [\"t1\", \"x\"]}")))
        .hasMessage("pool p0: tiering names unknown drive 'x'");
    assertThatThrownBy(() -> ArrayLayout.read(layout(", \"cache\": {\"drives\": [\"s1\", \"h\"]}")))
        .hasMessage("pool p0: cache: drive 'h' is a member of the pool itself");
    assertThatThrownBy(() -> ArrayLayout.read(layout(MIRRORED_CACHE
        + ", \"tiering\": {\"drives\": [\"t1\", \"s2\"]}")))
        .hasMessage("pool p0: tiering: drive 's2' already serves the pool's cache");
    String remotes = DRIVES + ", " + remote("r1", 3260) + ", "
        + remote("r2", 3261);
    assertThatThrownBy(() -> ArrayLayout.read(layout(remotes, ", \"cache\": {\"drive\": \"r1\"}", "")))
        .hasMessageContaining("drive 'r1' is remote; a single cache or tier SSD must be local");
    assertThatThrownBy(() -> ArrayLayout.read(layout(remotes,
        ", \"cache\": {\"drives\": [\"r1\", \"r2\"]}", "")))
        .hasMessageContaining("at most one of the two SSDs may be remote");
    // An HDD is not a cache (checked as the pool opens, where a block device's media is known).
    Path hdd = layout(DRIVES + ", " + drive("h2", "HDD", "8M"),
        ", \"cache\": {\"drives\": [\"s1\", \"h2\"]}", "");
    assertThatThrownBy(() -> ArrayStack.open(ArrayLayout.read(hdd), hdd))
        .hasMessageContaining("pool p0: cache needs an SSD; drive 'h2' is HDD");
  }

  @Test
  void anotherPoolClaimingOneOfTheMirroredSsdsIsRefused() throws Exception {
    Path file = layout(DRIVES + ", " + drive("h2", "HDD", "8M"), MIRRORED_CACHE,
        ", {\"name\": \"q\", \"drives\": [\"h2\"], \"cache\": {\"drives\": [\"s3\", \"s2\"]}}");
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.pools()).containsOnlyKeys("p0");
      assertThat(stack.refusedPools().get("q"))
          .isEqualTo("pool q refused: drive 's2' is the flash cache of pool p0");
    }
    // The mirror's labels name it: a later layout giving s2 to another pool's members is refused
    // even without p0 in it, and p0 keeps both SSDs.
    Path taken = layout(DRIVES, "", ", {\"name\": \"q\", \"drives\": [\"s2\"]}");
    Files.writeString(taken, Files.readString(taken).replace("\"drives\": [\"h\"]}",
        "\"drives\": [\"h\"], \"cache\": {\"drives\": [\"s1\", \"s3\"]}}"));
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(taken), taken)) {
      assertThat(stack.refusedPools()).containsKey("p0"); // its record names s1,s2
      assertThat(stack.refusedPools().get("q")).contains("a member of pool 'p0/cache'");
    }
  }

  @Test
  void theStatusSaysHowTheCacheProtectsWritesAndTheRecordKeepsBothSsds() throws Exception {
    Path file = layout(MIRRORED_CACHE + ", \"tiering\": {\"drives\": [\"t1\", \"t2\"]}");
    Path status = dir.resolve("status.json");
    try (LayoutService service = LayoutService.open(file, "iqn.2026-12.io.strata:t.a1")) {
      service.reportTo(status);
      service.writeStatus(1L, null);
      JsonNode said = JSON.readTree(status.toFile());
      assertThat(said.get("ok").asBoolean()).isTrue();
      assertThat(said.get("pools").toString())
          .isEqualTo("[{\"name\":\"p0\",\"cacheProtection\":\"MIRRORED\"}]");
      assertThat(service.stack().health()).extracting(ArrayStack.DriveHealth::name,
          ArrayStack.DriveHealth::pool, ArrayStack.DriveHealth::state)
          .contains(tuple("s1", "p0", "ONLINE"), tuple("s2", "p0", "ONLINE"),
              tuple("t1", "p0", "ONLINE"), tuple("t2", "p0", "ONLINE"));
      // the record is among the pool's metadata on the pool (another node reads it there)
      String record = new String(service.stack().stores().get("p0").record(PoolServiceRecord.RECORD),
          java.nio.charset.StandardCharsets.UTF_8);
      assertThat(record).contains("tier=t1,t2").contains("writeBackCache=s1,s2");
    }

    // The same pair in the other order would read the mirror's members the wrong way round.
    Path swapped = layout(", \"cache\": {\"drives\": [\"s2\", \"s1\"]},"
        + " \"tiering\": {\"drives\": [\"t1\", \"t2\"]}");
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(swapped), swapped)) {
      assertThat(stack.refusedPools().get("p0")).contains("its write-back flash cache 's1,s2'")
          .contains("the cache 's2,s1'");
    }
  }

  @Test
  void oneSsdWritesBackInASingleEngineAndThroughInAnHaEngine() throws Exception {
    Path file = layout(", \"cache\": {\"drive\": \"s1\"}");
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.cacheProtection()).containsExactlyEntriesOf(
          java.util.Map.of("p0", "SINGLE_COPY"));
    }
    Files.writeString(file, Files.readString(file).replace("{\"metadata\"",
        "{\"ha\": {\"role\": \"ACTIVE\", \"epoch\": 1, \"portGroup\": 1, \"peerPortGroup\": 2},"
            + " \"metadata\""));
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.cacheProtection()).containsExactlyEntriesOf(
          java.util.Map.of("p0", "WRITE_THROUGH"));
      BlockDevice v1 = stack.lunDevices(ArrayLayout.read(file)).get(0);
      v1.write(0, pattern(1, LINE), false);
      assertThat(stack.flashCache("p0").counters().dirtyLines()).isZero();
    }
  }

  @Test
  void everyAcknowledgedWriteReadsBackWhenTheFirstSsdIsLost() throws Exception {
    Path file = layout(MIRRORED_CACHE);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      BlockDevice v1 = stack.lunDevices(ArrayLayout.read(file)).get(0);
      for (int i = 0; i < 24; i++) {
        v1.write((long) i * 5 * (LINE / 512), pattern(i, LINE), false);
      }
      assertThat(stack.flashCache("p0").counters().dirtyLines()).isPositive();
    }
    Files.delete(dir.resolve("s1.img")); // the first SSD is gone: a blank one takes its place

    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.cacheProtection().get("p0")).as("s1 is rebuilt from s2")
          .isIn("WRITE_THROUGH", "MIRRORED");
      BlockDevice v1 = stack.lunDevices(ArrayLayout.read(file)).get(0);
      for (int i = 0; i < 24; i++) {
        assertThat(read(v1, (long) i * 5 * (LINE / 512), LINE)).isEqualTo(pattern(i, LINE).array());
      }
      awaitProtection(stack, "MIRRORED");
    }
  }

  @Test
  void aRemoteSsdIsTheSecondCopyAndItsLossSwitchesToWriteThroughUntilItIsBack() throws Exception {
    try (LocalTarget target = new LocalTarget(dir.resolve("remote.img"), 8 << 20, 60)) {
      Path file = layout(DRIVES + ", " + remote("r2", target.port),
          ", \"cache\": {\"drives\": [\"s1\", \"r2\"]}", "");
      Path status = dir.resolve("status.json");
      try (LayoutService service = LayoutService.open(file, "iqn.2026-12.io.strata:t.a1")) {
        service.reportTo(status);
        service.writeStatus(1L, null);
        ArrayStack stack = service.stack();
        assertThat(stack.cacheProtection().get("p0")).isEqualTo("MIRRORED");
        BlockDevice v1 = stack.lunDevices(ArrayLayout.read(file)).get(0);
        v1.write(0, pattern(1, LINE), false);
        assertThat(stack.flashCache("p0").counters().dirtyLines()).isPositive();

        target.stop(); // the other node is lost: the next write drops its SSD
        v1.write(LINE / 512, pattern(2, LINE), false);
        assertThat(stack.cacheProtection().get("p0")).isEqualTo("WRITE_THROUGH");
        awaitStatus(status, "WRITE_THROUGH"); // the status file follows by itself
        assertThat(stack.health()).extracting(ArrayStack.DriveHealth::name,
            ArrayStack.DriveHealth::remote, ArrayStack.DriveHealth::pool,
            ArrayStack.DriveHealth::state).contains(tuple("r2", true, "p0", "FAILED"));
        int dirty = stack.flashCache("p0").counters().dirtyLines();
        v1.write(2 * LINE / 512, pattern(3, LINE), false); // a new line: written through
        assertThat(stack.flashCache("p0").counters().dirtyLines()).isLessThanOrEqualTo(dirty);

        target.start(); // back: put in the mirror again and rebuilt, then write-back again
        awaitProtection(stack, "MIRRORED");
        awaitStatus(status, "MIRRORED");
        for (int i = 1; i <= 3; i++) {
          assertThat(read(v1, (long) (i - 1) * LINE / 512, LINE)).isEqualTo(pattern(i, LINE).array());
        }
      }
    }
  }

  private static void awaitProtection(ArrayStack stack, String wanted) throws Exception {
    Supplier<String> now = () -> stack.cacheProtection().get("p0");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!wanted.equals(now.get()) && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertThat(now.get()).isEqualTo(wanted);
  }

  private static void awaitStatus(Path status, String wanted) throws Exception {
    Supplier<String> said = () -> {
      try {
        return JSON.readTree(status.toFile()).get("pools").get(0).get("cacheProtection").asText();
      } catch (java.io.IOException e) {
        return e.toString(); // being replaced: read again
      }
    };
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!wanted.equals(said.get()) && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    assertThat(said.get()).isEqualTo(wanted);
  }

}
