package io.strata.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.fake.Bytes;
import io.strata.engine.iscsi.initiator.InitiatorConfig;
import io.strata.engine.iscsi.initiator.RemoteDrive;
import io.strata.engine.nvme.initiator.NvmeTcpInitiator;
import io.strata.engine.nvme.initiator.Sqe;
import io.strata.engine.nvme.io.IoCommands;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine with {@code --nvme-portal}: the same LUN over iSCSI and NVMe/TCP at once, a write
 * through either read back through the other; a host off the {@code --nvme-host} list is refused.
 */
class EngineNvmePortalTest {
  static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:engine-test";

  @TempDir Path folder;

  @Test
  void aLunIsServedOverIscsiAndNvmeTcpFromTheSameDevice() throws Exception {
    int iscsiPort = freePort();
    int nvmePort = freePort();
    List<String> lines = new CopyOnWriteArrayList<>();
    HostedEngine engine = HostedEngine.start("engine-nvme", List.of(
        "--portal", "127.0.0.1:" + iscsiPort, "--nvme-portal", "127.0.0.1:" + nvmePort,
        "--iqn", "iqn.2026-12.io.strata:acme.db", "--nvme-host", HOST,
        "--lun", "0=" + folder.resolve("lun0.img") + ":16M"), lines::add);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (lines.stream().noneMatch(l -> l.contains("ready")) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(lines).anyMatch(l -> l.contains("ready")
          && l.contains("127.0.0.1:" + nvmePort + " (nvme nqn.2026-11.io.strata:acme.db)"));
      String nqn = "nqn.2026-11.io.strata:acme.db";
      try (NvmeTcpInitiator admin = new NvmeTcpInitiator("127.0.0.1", nvmePort);
          NvmeTcpInitiator io = new NvmeTcpInitiator("127.0.0.1", nvmePort);
          RemoteDrive iscsi = RemoteDrive.open("lun0", InitiatorConfig.of("127.0.0.1", iscsiPort,
              "iqn.2026-12.io.strata:acme.db", 0, "iqn.2026-12.io.strata:test-host", null),
              16L << 20)) {
        admin.initialize(true, true);
        int cntlid = admin.connectAdmin(nqn, HOST);
        io.initialize(false, false);
        assertThat(io.connect(1, cntlid, nqn, HOST, 0).ok()).isTrue();

        ByteBuffer viaNvme = Bytes.pattern(11, 64 << 10);
        assertThat(io.execute(Sqe.of(IoCommands.WRITE).nsid(1).dword(10, 40).dword(12, 127),
            viaNvme, 0, false).ok()).isTrue();
        ByteBuffer readByIscsi = ByteBuffer.allocate(64 << 10);
        iscsi.read(40, readByIscsi);
        assertThat(readByIscsi.array()).isEqualTo(viaNvme.array());

        ByteBuffer viaIscsi = Bytes.pattern(12, 8 << 10);
        iscsi.write(400, viaIscsi.duplicate(), false);
        byte[] readByNvme = io.execute(Sqe.of(IoCommands.READ).nsid(1).dword(10, 400)
            .dword(12, 15), null, 8 << 10, false).data();
        assertThat(readByNvme).isEqualTo(viaIscsi.array());
      }
      try (NvmeTcpInitiator stranger = new NvmeTcpInitiator("127.0.0.1", nvmePort)) {
        stranger.initialize(false, false);
        assertThat(stranger.connect(0, 0xFFFF, nqn, "nqn.2014-08.org.nvmexpress:uuid:other", 0)
            .status()).isEqualTo(io.strata.engine.nvme.command.Status.CONNECT_INVALID_HOST);
      }
    } finally {
      engine.stop();
    }
    assertThat(engine.onExit().get(10, TimeUnit.SECONDS)).isZero();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
