package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.scsi.Nexus;
import io.strata.engine.scsi.ScsiCommand;
import io.strata.engine.scsi.ScsiResponse;
import io.strata.engine.scsi.ScsiSpec;
import io.strata.engine.scsi.SenseData;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine of a highly available array through its layout: a standby opens no drive and answers
 * from the layout, a reload promotes it onto the pools another engine wrote, and a reload demotes
 * it under I/O without failing a command with anything but the ALUA senses or acknowledging a
 * write the pools do not have.
 */
class HaLayoutTest {
  static final String IQN = "iqn.2026-11.io.strata:t.ha";
  static final Nexus N1 = new Nexus("iqn.2026-11.test:h1", 0x400001370000L, IQN, 17);
  static final Nexus N2 = new Nexus("iqn.2026-11.test:h2", 0x400001370001L, IQN, 17);
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  /** The size of volume v in the layouts written. */
  String vSize = "8M";

  Path layout(String role, long epoch) throws Exception {
    return layout(role, epoch, "");
  }

  Path layout(String role, long epoch, String extraHa) throws Exception {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {
          "revision": %d,
          "drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "48M"},
                     {"name": "b", "path": "b.img", "media": "SSD", "size": "48M"}],
          "pools": [{"name": "p", "drives": ["a", "b"], "protection": "raid1"}],
          "volumes": [{"name": "v", "pool": "p", "size": "%s"},
                      {"name": "w", "pool": "p", "size": "4M", "thick": true}],
          "snapshots": [{"name": "s", "volume": "v"}],
          "luns": [{"lun": 0, "volume": "v"}, {"lun": 1, "volume": "w"}, {"lun": 2, "volume": "s"}],
          "ha": {"role": "%s", "epoch": %d, "portGroup": 2, "peerPortGroup": 1%s}
        }
        """.formatted(epoch, vSize, role, epoch, extraHa));
    return file;
  }

  static LogicalUnitTarget targetOf(LayoutService service) {
    LogicalUnitTarget target = new LogicalUnitTarget(IQN, service.logicalUnits(), List.of(17),
        null);
    service.attach(target);
    return target;
  }

  static ScsiResponse run(LogicalUnitTarget t, Nexus n, int lun, String cdbHex, byte[] out) {
    byte[] cdb = HexFormat.of().parseHex(cdbHex.replace(" ", ""));
    return t.execute(new ScsiCommand(n, (long) lun << 48, cdb, ByteBuffer.wrap(out), 65536, 1));
  }

  static ScsiResponse write(LogicalUnitTarget t, Nexus n, int lun, long lba, byte[] block) {
    return run(t, n, lun, String.format("2a 00 %08x 00 00 01 00", lba), block);
  }

  static ScsiResponse read(LogicalUnitTarget t, Nexus n, int lun, long lba) {
    return run(t, n, lun, String.format("28 00 %08x 00 00 01 00", lba), new byte[0]);
  }

  static byte[] bytes(ScsiResponse r) {
    ByteBuffer b = r.dataIn().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static SenseData sense(ScsiResponse r) {
    return SenseData.parse(r.sense());
  }

  static byte[] block(int value) {
    byte[] b = new byte[512];
    java.util.Arrays.fill(b, (byte) value);
    ByteBuffer.wrap(b).putInt(value);
    return b;
  }

  /** Clears what is pending for {@code n} on every LUN; returns the unit attentions seen. */
  static List<Integer> takeUnitAttentions(LogicalUnitTarget t, Nexus n, int... luns) {
    List<Integer> seen = new ArrayList<>();
    for (int lun : luns) {
      for (int i = 0; i < 20; i++) {
        ScsiResponse r = run(t, n, lun, "00 00 00 00 00 00", new byte[0]);
        if (r.status() != ScsiSpec.CHECK_CONDITION
            || sense(r).senseKey() != ScsiSpec.UNIT_ATTENTION) {
          break;
        }
        seen.add(sense(r).ascq());
      }
    }
    return seen;
  }

  /** Every file of the array but the layout and the status: content hash and modification time. */
  Map<String, String> arrayFiles() throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        String name = dir.relativize(p).toString();
        if (name.startsWith("array.json") || name.startsWith("status")) {
          continue;
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
        out.put(name, HexFormat.of().formatHex(digest) + "@" + Files.getLastModifiedTime(p)
            .toMillis());
      }
    }
    return out;
  }

  JsonNode status() throws Exception {
    return JSON.readTree(dir.resolve("status.json").toFile());
  }

  @Test
  void standbyOpensNothingPromotesOntoAnotherEnginesDataAndDemotesUnderIo() throws Exception {
    // Another engine (the active one) writes the volumes, then goes away.
    layout("ACTIVE", 1);
    try (LayoutService other = LayoutService.open(dir.resolve("array.json"), IQN)) {
      LogicalUnitTarget t = targetOf(other);
      takeUnitAttentions(t, N1, 0, 1);
      for (int lba = 0; lba < 64; lba++) {
        assertThat(write(t, N1, 0, lba, block(0x100 + lba)).status()).isEqualTo(ScsiSpec.GOOD);
        assertThat(write(t, N1, 1, lba, block(0x200 + lba)).status()).isEqualTo(ScsiSpec.GOOD);
      }
    }
    Map<String, String> before = arrayFiles();
    assertThat(before).containsKeys("a.img", "b.img");

    layout("STANDBY", 2);
    try (LayoutService service = LayoutService.open(dir.resolve("array.json"), IQN)) {
      LogicalUnitTarget t = targetOf(service);
      service.reportTo(dir.resolve("status.json"));
      service.writeStatus(2L, null);
      assertThat(service.haState()).isEqualTo(LayoutService.HaState.STANDBY);
      assertThat(service.stack().health()).as("no drive open").isEmpty();
      assertThat(status().get("ha").toString())
          .isEqualTo("{\"role\":\"STANDBY\",\"epoch\":2,\"state\":\"STANDBY\"}");
      assertThat(takeUnitAttentions(t, N1, 0, 1, 2)).containsOnly(ScsiSpec.ASC_POWER_ON_RESET);
      takeUnitAttentions(t, N2, 0, 1, 2);
      ScsiResponse tur = run(t, N1, 0, "00 00 00 00 00 00", new byte[0]);
      assertThat(sense(tur).ascq()).isEqualTo(ScsiSpec.ASC_TARGET_PORT_IN_STANDBY_STATE);
      assertThat(sense(read(t, N1, 0, 0)).ascq())
          .isEqualTo(ScsiSpec.ASC_TARGET_PORT_IN_STANDBY_STATE);
      // READ CAPACITY answers the layout's sizes; the snapshot is write-protected in MODE SENSE
      assertThat(HexFormat.of().formatHex(bytes(run(t, N1, 0, "25 00 00 00 00 00 00 00 00 00",
          new byte[0])))).isEqualTo("00003fff00000200");
      assertThat(HexFormat.of().formatHex(bytes(run(t, N1, 1, "25 00 00 00 00 00 00 00 00 00",
          new byte[0])))).isEqualTo("00001fff00000200");
      assertThat(bytes(run(t, N1, 2, "1a 00 3f 00 ff 00", new byte[0]))[2] & 0x80).isNotZero();
      Thread.sleep(LayoutService.HEALTH_CHECK_SECONDS * 1000 + 200); // the health timer ran
      assertThat(arrayFiles()).as("a standby reads and writes no drive or metadata file")
          .isEqualTo(before);

      // A reload that keeps it standby changes the LUN map and sizes, still touching nothing.
      vSize = "16M";
      layout("STANDBY", 2);
      assertThat(service.reloadAndReport()).startsWith("layout applied (standby)");
      for (Nexus n : List.of(N1, N2)) {
        assertThat(sense(run(t, n, 0, "00 00 00 00 00 00", new byte[0])).ascq())
            .as("READ CAPACITY's size changed").isEqualTo(ScsiSpec.ASC_CAPACITY_DATA_HAS_CHANGED);
      }
      assertThat(arrayFiles()).isEqualTo(before);

      // Promotion: the pools open (journals replayed), every volume reads what the other wrote.
      layout("ACTIVE", 3);
      assertThat(service.reloadAndReport()).startsWith("promoted");
      assertThat(service.haState()).isEqualTo(LayoutService.HaState.ACTIVE);
      assertThat(status().get("ha").get("state").asText()).isEqualTo("ACTIVE");
      assertThat(status().get("ok").asBoolean()).isTrue();
      for (Nexus n : List.of(N1, N2)) {
        assertThat(takeUnitAttentions(t, n, 0, 1, 2)).as("every nexus, every LUN")
            .containsExactly(ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED,
                ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED,
                ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED);
      }
      for (int lba = 0; lba < 64; lba++) {
        assertThat(bytes(read(t, N1, 0, lba))).isEqualTo(block(0x100 + lba));
        assertThat(bytes(read(t, N1, 1, lba))).isEqualTo(block(0x200 + lba));
      }
      assertThat(HexFormat.of().formatHex(bytes(run(t, N1, 0, "25 00 00 00 00 00 00 00 00 00",
          new byte[0])))).as("the grown volume").isEqualTo("00007fff00000200");

      // Demotion under I/O: four writers keep writing distinct blocks of LUN 0.
      // Each writer owns 4000 blocks and writes them round after round until told to stop; the
      // last acknowledged content of each block is what must be there.
      Map<Long, byte[]> acknowledged = new ConcurrentHashMap<>();
      AtomicLong acks = new AtomicLong();
      ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        Thread th = new Thread(() -> {
          for (long i = 0; !stop.get(); i++) {
            long lba = 1000 + writer * 4000L + i % 4000;
            byte[] data = block((int) (lba * 7 + 3 + i / 4000 * 101));
            ScsiResponse r = write(t, N1, 0, lba, data);
            if (r.status() == ScsiSpec.GOOD) {
              acknowledged.put(lba, data);
              acks.incrementAndGet();
            } else if (!allowedDuringDemotion(r)) {
              unexpected.add(r.status() + " " + (r.sense() == null ? "" : sense(r)));
            }
          }
        });
        writers.add(th);
        th.start();
      }
      while (acks.get() < 2000) {
        Thread.sleep(5);
      }
      layout("STANDBY", 4);
      assertThat(service.reloadAndReport()).startsWith("demoted");
      assertThat(service.haState()).isEqualTo(LayoutService.HaState.STANDBY);
      long ackedAtDemotion = acks.get();
      Map<String, String> afterClose = arrayFiles();
      Thread.sleep(300); // the writers go on against the standby
      assertThat(acks.get()).as("no write acknowledged after the pools closed")
          .isEqualTo(ackedAtDemotion);
      assertThat(arrayFiles()).as("nothing written after the pools closed").isEqualTo(afterClose);
      stop.set(true);
      for (Thread th : writers) {
        th.join();
      }
      assertThat(unexpected).as("commands that failed otherwise").isEmpty();
      assertThat(status().get("ha").get("state").asText()).isEqualTo("STANDBY");
      assertThat(takeUnitAttentions(t, N2, 0, 1, 2))
          .containsExactly(ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED,
              ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED,
              ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED);

      // Promoted again: every acknowledged write is there.
      layout("ACTIVE", 5);
      assertThat(service.reloadAndReport()).startsWith("promoted");
      takeUnitAttentions(t, N1, 0);
      for (Map.Entry<Long, byte[]> e : acknowledged.entrySet()) {
        assertThat(bytes(read(t, N1, 0, e.getKey()))).as("LBA " + e.getKey())
            .isEqualTo(e.getValue());
      }
    }
  }

  /** What a command may get while an engine demotes: the ALUA senses and nothing else. */
  static boolean allowedDuringDemotion(ScsiResponse r) {
    if (r.status() != ScsiSpec.CHECK_CONDITION) {
      return false;
    }
    SenseData s = sense(r);
    return (s.senseKey() == ScsiSpec.NOT_READY
            && s.ascq() == ScsiSpec.ASC_TARGET_PORT_IN_STANDBY_STATE)
        || (s.senseKey() == ScsiSpec.UNIT_ATTENTION
            && s.ascq() == ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED);
  }

  @Test
  void aPromotionThatCannotOpenADriveStaysStandbyAndIsTriedAgain() throws Exception {
    layout("ACTIVE", 1);
    LayoutService.open(dir.resolve("array.json"), IQN).close(); // the pool exists
    layout("STANDBY", 1);
    try (LayoutService service = LayoutService.open(dir.resolve("array.json"), IQN)) {
      LogicalUnitTarget t = targetOf(service);
      service.reportTo(dir.resolve("status.json"));
      service.writeStatus(1L, null);
      takeUnitAttentions(t, N1, 0);
      Path drive = dir.resolve("b.img");
      Path away = dir.resolve("b.away");
      Files.move(drive, away);
      Files.createDirectory(drive); // a drive that cannot be opened
      layout("ACTIVE", 2);
      assertThat(service.reloadAndReport()).contains("NOT applied").contains("promotion failed");
      assertThat(service.haState()).isEqualTo(LayoutService.HaState.STANDBY);
      JsonNode failed = status();
      assertThat(failed.get("ok").asBoolean()).isFalse();
      assertThat(failed.get("error").asText()).contains("b.img");
      assertThat(failed.get("ha").toString())
          .isEqualTo("{\"role\":\"ACTIVE\",\"epoch\":2,\"state\":\"STANDBY\",\"awaitingDrop\":[]}");
      assertThat(sense(run(t, N1, 0, "00 00 00 00 00 00", new byte[0])).ascq())
          .as("still standby, nothing to tell").isEqualTo(ScsiSpec.ASC_TARGET_PORT_IN_STANDBY_STATE);

      Files.delete(drive);
      Files.move(away, drive);
      long deadline = System.nanoTime() + 20_000_000_000L;
      // the state turns ACTIVE inside the reload; the status says ok once the reload is done
      while ((service.haState() != LayoutService.HaState.ACTIVE || !status().get("ok").asBoolean())
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(service.haState()).as("tried again by itself").isEqualTo(
          LayoutService.HaState.ACTIVE);
      assertThat(status().get("ok").asBoolean()).isTrue();
      assertThat(takeUnitAttentions(t, N1, 0))
          .containsExactly(ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED);
    }
  }

  @Test
  void aReloadMayRaiseTheEpochButNotLowerItNorChangeThePortGroups() throws Exception {
    layout("STANDBY", 5);
    try (LayoutService service = LayoutService.open(dir.resolve("array.json"), IQN)) {
      layout("STANDBY", 4);
      assertThatThrownBy(service::reload).hasMessageContaining("ha.epoch 4 is lower than the"
          + " epoch 5");
      Files.writeString(dir.resolve("array.json"), Files.readString(dir.resolve("array.json"))
          .replace("\"portGroup\": 2, \"peerPortGroup\": 1", "\"portGroup\": 1, \"peerPortGroup\": 2"));
      assertThatThrownBy(service::reload).hasMessageContaining("ha.portGroup");
      Files.writeString(dir.resolve("array.json"), Files.readString(dir.resolve("array.json"))
          .replaceAll(",\\s*\"ha\": \\{[^}]*}", ""));
      assertThatThrownBy(service::reload).hasMessageContaining("ha cannot be removed");
      layout("STANDBY", 6);
      assertThat(service.reload()).startsWith("layout applied (standby)");
    }
  }

  @Test
  void theHaBlockIsCheckedStrictly() throws Exception {
    Map<String, String> bad = Map.of(
        "\"role\": \"MASTER\", \"epoch\": 1, \"portGroup\": 1, \"peerPortGroup\": 2",
        "ha.role 'MASTER' is not ACTIVE or STANDBY",
        "\"epoch\": 1, \"portGroup\": 1, \"peerPortGroup\": 2", "ha.role is missing",
        "\"role\": \"ACTIVE\", \"portGroup\": 1, \"peerPortGroup\": 2", "ha.epoch is missing",
        "\"role\": \"ACTIVE\", \"epoch\": 1, \"portGroup\": 3, \"peerPortGroup\": 2",
        "ha.portGroup 3 is not 1 or 2",
        "\"role\": \"ACTIVE\", \"epoch\": 1, \"portGroup\": 1", "ha.peerPortGroup is missing",
        "\"role\": \"ACTIVE\", \"epoch\": 1, \"portGroup\": 2, \"peerPortGroup\": 2",
        "ha.peerPortGroup 2 is the same as ha.portGroup",
        "\"role\": \"ACTIVE\", \"epoch\": 1, \"portGroup\": 1, \"peerPortGroup\": 2,"
            + " \"outdated\": [\"zz\"]", "ha.outdated: no drive 'zz'",
        "\"role\": \"ACTIVE\", \"epoch\": 1, \"portGroup\": 1, \"peerPortGroup\": 2,"
            + " \"outdated\": [\"a\", \"a\"]", "ha.outdated: drive a is listed twice",
        "\"role\": \"ACTIVE\", \"epoch\": -1, \"portGroup\": 1, \"peerPortGroup\": 2",
        "ha.epoch -1 is negative",
        "\"role\": \"ACTIVE\", \"epoch\": 1, \"portGroup\": 1, \"peerPortGroup\": 2,"
            + " \"peer\": 2", "unknown field 'peer'");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      Path file = dir.resolve("bad.json");
      Files.writeString(file, """
          {"drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "8M"}],
           "ha": {%s}}
          """.formatted(e.getKey()));
      assertThatThrownBy(() -> ArrayLayout.read(file)).as(e.getKey())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(e.getValue());
    }
    Path file = dir.resolve("good.json");
    Files.writeString(file, """
        {"drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "8M"},
                    {"name": "b", "path": "b.img", "media": "SSD", "size": "8M"}],
         "ha": {"role": "STANDBY", "epoch": 7, "portGroup": 2, "peerPortGroup": 1,
                "outdated": ["b"]}}
        """);
    ArrayLayout good = ArrayLayout.read(file);
    assertThat(good.standby()).isTrue();
    assertThat(good.ha().outdated()).containsExactly("b");
    assertThat(good.ha().epoch()).isEqualTo(7);
    Files.writeString(file, "{\"drives\": []}");
    assertThat(ArrayLayout.read(file).ha()).as("absent: a single engine").isNull();
    assertThat(ArrayLayout.read(file).standby()).isFalse();
  }
}
