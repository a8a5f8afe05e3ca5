package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone engine against libiscsi's conformance suite and tools: iSCSI protocol suites,
 * the SCSI suites, multipath over two portals, and malformed input on a raw socket.
 */
class IscsiConformanceIT {
  static final String IQN = "iqn.2026-11.io.strata:it.conformance";
  @TempDir static Path dir;
  static EngineProcess engine;
  static int port;

  static String url(String host) {
    return lunUrl(host, 0);
  }

  static String lunUrl(String host, int lun) {
    return "iscsi://" + host + ":" + port + "/" + IQN + "/" + lun;
  }

  @BeforeAll
  static void start() throws Exception {
    LibIscsi.requireTools();
    port = EngineProcess.freePort();
    engine = EngineProcess.start(
        "--portal", "127.0.0.1:" + port, "--portal", "127.0.0.2:" + port,
        "--iqn", IQN, "--lun", "0=" + dir.resolve("lun0.img") + ":128M",
        // A write-protected LUN (what a snapshot exposed as a LUN is) for the ReadOnly suite,
        // and one with 4 KiB physical blocks for the tests that need LBPPB >= 2.
        "--lun", "1=" + dir.resolve("readonly.img") + ":16M:ro",
        "--lun", "2=" + dir.resolve("physical4k.img") + ":64M:physical=4096");
  }

  @AfterAll
  static void stop() throws Exception {
    if (engine != null) {
      // 143 = 128 + SIGTERM: the JVM's status after its shutdown hook stopped the engine.
      assertThat(engine.stop()).as("exit code after SIGTERM").isIn(0, 143);
      assertThat(engine.output.toString()).contains("stopped");
    }
  }

  @Test
  void iscsiProtocolSuitesPass() throws Exception {
    LibIscsi.Result r = LibIscsi.testCu(
        "iSCSI", url("127.0.0.1"));
    assertThat(r.ran()).as(r.output()).isEqualTo(15);
    assertThat(r.failed()).as(r.output()).isZero();
  }

  @Test
  void allSuitesPassWithTwoPortals() throws Exception {
    // What the referee runs: every suite, destructive tests allowed, a second path for multipath.
    LibIscsi.Result r = LibIscsi.testCu("ALL", url("127.0.0.1"), url("127.0.0.2"));
    assertThat(r.ran()).as(r.output()).isGreaterThanOrEqualTo(230);
    assertThat(r.failedTests()).as(r.output()).isEmpty();
    assertThat(r.failed()).as(r.output()).isZero();
  }

  @Test
  void readOnlyLunRefusesEveryMediumWrite() throws Exception {
    // Against a writable LUN this suite skips itself; here it must run.
    LibIscsi.Result r = LibIscsi.testCu("ALL.ReadOnly", lunUrl("127.0.0.1", 1));
    assertThat(r.output()).doesNotContain("SKIPPED");
    assertThat(r.ran()).as(r.output()).isEqualTo(1);
    assertThat(r.failed()).as(r.output()).isZero();
  }

  @Test
  void testsNeedingSeveralLogicalBlocksPerPhysicalBlockRunOnA4KibPhysicalLun() throws Exception {
    // These skip on LUN 0, which reports one logical block per physical block (see
    // LogicalUnit.Options for why that is the default).
    for (String test : new String[] {
        "ALL.CompareAndWrite.InvalidDataOutSize",
        "ALL.WriteSame10.UnmapUnaligned", "ALL.WriteSame10.InvalidDataOutSize",
        "ALL.WriteSame16.UnmapUnaligned", "ALL.WriteSame16.InvalidDataOutSize"}) {
      LibIscsi.Result r = LibIscsi.testCu(test, lunUrl("127.0.0.1", 2));
      assertThat(r.output()).as(test).doesNotContain("SKIPPED");
      assertThat(r.ran()).as(r.output()).isEqualTo(1);
      assertThat(r.failed()).as(r.output()).isZero();
    }
  }

  @Test
  void multipathOverTwoPortalsPasses() throws Exception {
    LibIscsi.Result r = LibIscsi.testCu("ALL.MultipathIO", url("127.0.0.1"), url("127.0.0.2"));
    assertThat(r.ran()).as(r.output()).isGreaterThanOrEqualTo(4);
    assertThat(r.failed()).as(r.output()).isZero();
  }

  @Test
  void discoveryListsTheTargetOnEveryPortal() throws Exception {
    String out = LibIscsi.run(30, "iscsi-ls", "-s", "iscsi://127.0.0.1:" + port);
    assertThat(out).contains(IQN + " Portal:127.0.0.1:" + port + ",1")
        .contains(IQN + " Portal:127.0.0.2:" + port + ",2");
  }

  @Test
  void oversizedPduClosesOnlyThatConnection() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      byte[] bhs = new byte[48];
      bhs[0] = 0x43; // Login Request, immediate
      bhs[5] = (byte) 0xff; // DataSegmentLength 16 MiB - 1
      bhs[6] = (byte) 0xff;
      bhs[7] = (byte) 0xff;
      OutputStream out = s.getOutputStream();
      out.write(bhs);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] answer = new byte[48];
      in.readFully(answer);
      assertThat(answer[0] & 0x3f).isEqualTo(0x23); // Login Response
      assertThat(answer[36]).isEqualTo((byte) 2); // initiator error class
      assertThat(in.read()).as("connection closed").isEqualTo(-1);
    }
    assertThat(LibIscsi.run(30, "iscsi-inq", url("127.0.0.1"))).contains("DIRECT_ACCESS");
  }

  @Test
  void nonLoginPduBeforeLoginGetsInvalidDuringLogin() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      byte[] bhs = new byte[48];
      bhs[0] = 0x01; // SCSI Command before login
      s.getOutputStream().write(bhs);
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] answer = new byte[48];
      in.readFully(answer);
      assertThat(answer[0] & 0x3f).isEqualTo(0x23);
      assertThat(answer[36]).isEqualTo((byte) 0x02);
      assertThat(answer[37]).isEqualTo((byte) 0x0b);
      assertThat(in.read()).isEqualTo(-1);
    }
  }
}
