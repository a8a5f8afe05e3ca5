package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiHarness.data;
import static io.strata.engine.scsi.ScsiHarness.sense;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.scsi.AsymmetricAccess.State;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ALUA of one engine of a highly available array, byte by byte against SPC-4: REPORT TARGET PORT
 * GROUPS (6.37), the VPD page 83h designators (7.8.6), and the commands refused in the standby
 * state (5.16.2.4.4) with their sense data, the way Linux's scsi_dh_alua and multipath's tur
 * checker read them; a promotion or demotion is never transitioning.
 */
class AsymmetricAccessTest {
  @TempDir Path dir;

  /** This engine's portals are group 2: relative target ports 17 and 18. */
  static final Nexus PORT17 = new Nexus("iqn.2026-11.test:a", 0x400001370000L, "iqn.t:x", 17);
  static final Nexus PORT18 = new Nexus("iqn.2026-11.test:b", 0x400001370001L, "iqn.t:x", 18);

  FileBlockDevice device;
  LogicalUnitTarget target;
  AsymmetricAccess alua;

  @BeforeEach
  void setUp() throws Exception {
    device = FileBlockDevice.open(dir.resolve("lun0"), 2048 * 512, 512);
    LogicalUnit lu = new LogicalUnit("vol-0", device, null);
    target = new LogicalUnitTarget("iqn.t:x", Map.of(0, lu), List.of(17, 18), null);
    alua = new AsymmetricAccess(2, 1, 2, State.STANDBY);
    target.useAsymmetricAccess(alua);
    clearUnitAttentions(PORT17);
  }

  @AfterEach
  void tearDown() throws Exception {
    device.close();
  }

  ScsiResponse run(Nexus nexus, String cdbHex) {
    byte[] cdb = HexFormat.of().parseHex(cdbHex.replace(" ", ""));
    return target.execute(new ScsiCommand(nexus, 0, cdb, ByteBuffer.wrap(new byte[512]), 65536,
        1));
  }

  ScsiResponse run(String cdbHex) {
    return run(PORT17, cdbHex);
  }

  void clearUnitAttentions(Nexus nexus) {
    for (int i = 0; i < 20; i++) {
      ScsiResponse r = run(nexus, "00 00 00 00 00 00");
      if (r.status() == ScsiSpec.GOOD || sense(r).senseKey() != ScsiSpec.UNIT_ATTENTION) {
        return;
      }
    }
  }

  static String hex(byte[] b) {
    return HexFormat.ofDelimiter(" ").formatHex(b);
  }

  static void assertNotReady(ScsiResponse r, int ascq) {
    assertThat(r.status()).isEqualTo(ScsiSpec.CHECK_CONDITION);
    assertThat(sense(r).senseKey()).isEqualTo(ScsiSpec.NOT_READY);
    assertThat(sense(r).ascq()).isEqualTo(ascq);
  }

  static final String RTPG = "a3 0a 00 00 00 00 00 00 10 00 00 00";

  @Test
  void reportTargetPortGroupsListsBothEnginesGroupsInTheirStates() {
    // standby engine (group 2): own standby, the other engine's group 1 active/optimized
    assertThat(hex(data(run(RTPG)))).isEqualTo(
        "00 00 00 20 "
            + "00 05 00 01 00 02 00 02 00 00 00 01 00 00 00 02 "
            + "02 05 00 02 00 02 00 02 00 00 00 11 00 00 00 12");
    target.endTransition(State.ACTIVE_OPTIMIZED, true);
    clearUnitAttentions(PORT17);
    assertThat(hex(data(run(RTPG)))).isEqualTo(
        "00 00 00 20 "
            + "02 05 00 01 00 02 00 02 00 00 00 01 00 00 00 02 "
            + "00 05 00 02 00 02 00 02 00 00 00 11 00 00 00 12");
    target.beginDemotion();
    clearUnitAttentions(PORT17);
    byte[] demoting = data(run(RTPG));
    assertThat(demoting[4 + 16]).as("own group standby at once").isEqualTo((byte) 0x02);
    assertThat(demoting[4]).as("the other engine's group, standby").isEqualTo((byte) 0x02);
    target.endTransition(State.STANDBY, false);
    assertThat(data(run(RTPG))[4]).as("the other engine's group once demoted")
        .isEqualTo((byte) 0x00);
  }

  @Test
  void aPromotingEngineReportsNeitherGroupActiveUntilItIsDone() {
    target.beginPromotion();
    byte[] promoting = data(run(RTPG));
    assertThat(promoting[4 + 16]).as("own group still standby").isEqualTo((byte) 0x02);
    assertThat(promoting[4]).as("the other engine's group, standby").isEqualTo((byte) 0x02);
    assertNotReady(run("2a 00 00 00 00 00 00 00 01 00"), ScsiSpec.ASC_TARGET_PORT_IN_STANDBY_STATE);
    target.endTransition(State.ACTIVE_OPTIMIZED, true);
    clearUnitAttentions(PORT17);
    byte[] active = data(run(RTPG));
    assertThat(active[4 + 16]).isEqualTo((byte) 0x00);
    assertThat(active[4]).isEqualTo((byte) 0x02);
  }

  @Test
  void extendedHeaderFormat() {
    byte[] b = data(run("a3 2a 00 00 00 00 00 00 10 00 00 00"));
    assertThat(hex(java.util.Arrays.copyOf(b, 8))).isEqualTo("00 00 00 24 10 00 00 00");
    assertThat(b.length).isEqualTo(8 + 2 * 16);
  }

  @Test
  void inquirySaysImplicitAluaAndVpd83NamesThePortAndItsGroup() {
    byte[] std = data(run("12 00 00 00 60 00"));
    assertThat(std[0]).as("peripheral qualifier 0: the unit is here").isEqualTo((byte) 0);
    assertThat(std[5] & 0x30).as("TPGS 01b: implicit ALUA only").isEqualTo(0x10);
    for (Nexus n : List.of(PORT17, PORT18)) {
      clearUnitAttentions(n);
      byte[] vpd = data(run(n, "12 01 83 01 00 00"));
      assertThat(designator(vpd, 0x14)).as("relative target port")
          .isEqualTo(new byte[] {0, 0, 0, (byte) n.relativeTargetPortId()});
      assertThat(designator(vpd, 0x15)).as("target port group").isEqualTo(new byte[] {0, 0, 0, 2});
    }
  }

  /** The value of the first designator with this PIV/association/type byte. */
  static byte[] designator(byte[] page, int typeByte) {
    int i = 4;
    while (i < page.length) {
      int len = page[i + 3] & 0xff;
      if ((page[i + 1] & 0xbf) == (0x80 | typeByte)) {
        return java.util.Arrays.copyOfRange(page, i + 4, i + 4 + len);
      }
      i += 4 + len;
    }
    throw new AssertionError("no designator " + typeByte);
  }

  @Test
  void standbyRefusesTheMediumAndReservationsWithTargetPortInStandbyState() {
    for (String cdb : List.of(
        "00 00 00 00 00 00", // TEST UNIT READY: multipath's tur checker makes this PATH_GHOST
        "28 00 00 00 00 00 00 00 01 00", // READ(10)
        "2a 00 00 00 00 00 00 00 01 00", // WRITE(10)
        "35 00 00 00 00 00 00 00 00 00", // SYNCHRONIZE CACHE(10)
        "9e 12 00 00 00 00 00 00 00 00 00 00 00 20 00 00", // GET LBA STATUS
        "5e 00 00 00 00 00 00 01 00 00", // PERSISTENT RESERVE IN, READ KEYS
        "5f 00 00 00 00 00 00 00 18 00")) { // PERSISTENT RESERVE OUT, REGISTER
      assertNotReady(run(cdb), ScsiSpec.ASC_TARGET_PORT_IN_STANDBY_STATE);
    }
    byte[] fixed = run("00 00 00 00 00 00").sense();
    assertThat(fixed[0] & 0x7f).isEqualTo(0x70);
    assertThat(new byte[] {fixed[2], fixed[12], fixed[13]}).isEqualTo(new byte[] {2, 4, 0x0b});
  }

  @Test
  void standbyAnswersWhatDescribesTheUnitAndItsPaths() {
    for (String cdb : List.of(
        "12 00 00 00 60 00", // INQUIRY
        "12 01 00 00 60 00", "12 01 80 00 60 00", "12 01 b0 00 60 00", "12 01 b2 00 60 00",
        "a0 00 00 00 00 00 00 00 10 00 00 00", // REPORT LUNS
        RTPG,
        "a3 0c 00 00 00 00 00 00 10 00 00 00", // REPORT SUPPORTED OPERATION CODES
        "1a 00 3f 00 ff 00", // MODE SENSE(6)
        "5a 00 3f 00 00 00 00 10 00 00")) { // MODE SENSE(10)
      assertThat(run(cdb).status()).as(cdb).isEqualTo(ScsiSpec.GOOD);
    }
    byte[] capacity = data(run("25 00 00 00 00 00 00 00 00 00"));
    assertThat(hex(capacity)).as("READ CAPACITY(10): the size, in standby too")
        .isEqualTo("00 00 07 ff 00 00 02 00");
    byte[] capacity16 = data(run("9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00"));
    assertThat(hex(java.util.Arrays.copyOf(capacity16, 12))).isEqualTo(
        "00 00 00 00 00 00 07 ff 00 00 02 00");
    // REQUEST SENSE says why the unit is not ready on this port (what TEST UNIT READY gets)
    byte[] pollable = data(run("03 00 00 00 12 00"));
    assertThat(new byte[] {pollable[2], pollable[12], pollable[13]})
        .isEqualTo(new byte[] {2, 4, 0x0b});
  }

  @Test
  void aDemotingEngineIsStandbyAtOnceNeverTransitioning() {
    // Linux's scsi_dh_alua polls a transitioning group every 2 s; a standby one it leaves at once
    target.endTransition(State.ACTIVE_OPTIMIZED, true);
    clearUnitAttentions(PORT17);
    assertThat(run("2a 00 00 00 00 00 00 00 01 00").status()).isEqualTo(ScsiSpec.GOOD);
    target.beginDemotion();
    ScsiResponse told = run("2a 00 00 00 00 00 00 00 01 00");
    assertThat(sense(told).senseKey()).as("the change is told at once")
        .isEqualTo(ScsiSpec.UNIT_ATTENTION);
    assertThat(sense(told).ascq()).isEqualTo(ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED);
    for (String cdb : List.of("00 00 00 00 00 00", "28 00 00 00 00 00 00 00 01 00",
        "2a 00 00 00 00 00 00 00 01 00", "35 00 00 00 00 00 00 00 00 00")) {
      assertNotReady(run(cdb),
          ScsiSpec.ASC_TARGET_PORT_IN_STANDBY_STATE);
    }
    for (String cdb : List.of("12 00 00 00 60 00", "25 00 00 00 00 00 00 00 00 00", RTPG)) {
      assertThat(run(cdb).status()).isEqualTo(ScsiSpec.GOOD);
    }
    byte[] pollable = data(run("03 00 00 00 12 00"));
    assertThat(new byte[] {pollable[2], pollable[12], pollable[13]})
        .isEqualTo(new byte[] {2, 4, 0x0b});
    target.endTransition(State.STANDBY, false); // nothing more to tell once demoted
    assertNotReady(run("00 00 00 00 00 00"), ScsiSpec.ASC_TARGET_PORT_IN_STANDBY_STATE);
  }

  @Test
  void aChangeOfStateIsAUnitAttentionOnEveryNexusThenTheUnitIsReady() {
    clearUnitAttentions(PORT18);
    target.beginPromotion();
    target.endTransition(State.ACTIVE_OPTIMIZED, true);
    for (Nexus n : List.of(PORT17, PORT18)) {
      assertThat(run(n, "12 00 00 00 60 00").status()).as("INQUIRY does not report it")
          .isEqualTo(ScsiSpec.GOOD);
      ScsiResponse ua = run(n, "00 00 00 00 00 00");
      assertThat(sense(ua).senseKey()).isEqualTo(ScsiSpec.UNIT_ATTENTION);
      assertThat(sense(ua).ascq()).isEqualTo(ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED);
      assertThat(run(n, "00 00 00 00 00 00").status()).isEqualTo(ScsiSpec.GOOD);
      assertThat(run(n, "28 00 00 00 00 00 00 00 01 00").status()).isEqualTo(ScsiSpec.GOOD);
    }
    target.beginPromotion();
    target.endTransition(State.STANDBY, false); // a failed promotion: nothing to tell
    assertNotReady(run("00 00 00 00 00 00"), ScsiSpec.ASC_TARGET_PORT_IN_STANDBY_STATE);
  }

  @Test
  void replacingAUnitKeepsWhatIsQueuedForEachNexusAndRaisesNoInventoryChange() throws Exception {
    // MODE SELECT is allowed in standby: the caching page with WCE off
    byte[] caching = HexFormat.of().parseHex("0000000008120000" + "00".repeat(16));
    ScsiResponse select = target.execute(new ScsiCommand(PORT17, 0,
        HexFormat.of().parseHex("151000001800"), ByteBuffer.wrap(caching), 0, 1));
    assertThat(select.status()).isEqualTo(ScsiSpec.GOOD);
    target.endTransition(State.ACTIVE_OPTIMIZED, true);
    try (FileBlockDevice other = FileBlockDevice.open(dir.resolve("lun0b"), 2048 * 512, 512)) {
      target.replaceLogicalUnit(0, new LogicalUnit("vol-0", other, null));
      ScsiResponse ua = run("00 00 00 00 00 00");
      assertThat(sense(ua).ascq()).isEqualTo(ScsiSpec.ASC_ASYMMETRIC_ACCESS_STATE_CHANGED);
      assertThat(run("00 00 00 00 00 00").status()).as("and nothing else")
          .isEqualTo(ScsiSpec.GOOD);
      byte[] page = data(run("1a 08 08 00 ff 00")); // MODE SENSE(6), caching page, no descriptors
      assertThat(page[4 + 2] & 0x04).as("WCE stays off on the replacing unit").isZero();
    }
  }

  @Test
  void aDemotionWaitsForTheCommandsInFlight() throws Exception {
    target.endTransition(State.ACTIVE_OPTIMIZED, true);
    clearUnitAttentions(PORT17);
    assertThat(target.awaitIdle(10)).isTrue();
    // a command that is executing keeps the target busy until it returns
    var started = new java.util.concurrent.CountDownLatch(1);
    var release = new java.util.concurrent.CountDownLatch(1);
    LogicalUnit slow = new LogicalUnit("vol-0", new io.strata.engine.block.ForwardingBlockDevice(
        device) {
      @Override
      public void read(long lba, ByteBuffer dst) throws java.io.IOException {
        started.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
        super.read(lba, dst);
      }
    }, null);
    target.replaceLogicalUnit(0, slow);
    Thread reader = new Thread(() -> run("28 00 00 00 00 00 00 00 01 00"));
    reader.start();
    started.await();
    target.beginDemotion();
    assertThat(target.awaitIdle(100)).as("a read is in flight").isFalse();
    release.countDown();
    assertThat(target.awaitIdle(5000)).isTrue();
    reader.join();
  }
}
