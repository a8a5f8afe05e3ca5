package io.strata.engine.nvme;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.fake.Bytes;
import io.strata.engine.nvme.fabrics.HostAccess;
import io.strata.engine.nvme.fabrics.Namespace;
import io.strata.engine.nvme.fabrics.Subsystem;
import io.strata.engine.nvme.fabrics.Subsystems;
import io.strata.engine.nvme.initiator.NvmeTcpInitiator;
import io.strata.engine.nvme.initiator.Sqe;
import io.strata.engine.nvme.io.IoCommands;
import io.strata.engine.nvme.pdu.Framing;
import io.strata.engine.nvme.pdu.Pdu;
import io.strata.engine.nvme.pdu.PduType;
import io.strata.engine.nvme.pdu.PduWriter;
import io.strata.engine.nvme.pdu.Pdus;
import io.strata.engine.nvme.pdu.ProtocolError;
import io.strata.engine.transport.ConnectionLimits;
import io.strata.engine.transport.Portal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PDUs modelled on the nvmet-tcp and SPDK vulnerabilities (H2CData for a command that asked for
 * none, CVE-2023-5178's header length with digests, PDU lengths past the buffer): each costs its
 * own connection, answered with a C2HTermReq naming the error, while a second host connected
 * meanwhile keeps reading and writing.
 */
class MalformedPduTest {
  static final String NQN = "nqn.2026-11.io.strata:acme.db";
  static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:host-a";

  @TempDir Path dir;
  BlockDevice device;
  NvmeTcpTarget target;
  int port;
  NvmeTcpInitiator bystanderAdmin;
  NvmeTcpInitiator bystander;

  @BeforeEach
  void start() throws IOException {
    device = FileBlockDevice.open(dir.resolve("vol"), 4L << 20, 512);
    Subsystem s = Subsystem.nvm(NQN, () -> List.of(new Namespace(1, "vol", device, false)),
        HostAccess.ANY);
    target = new NvmeTcpTarget(new Subsystems(List.of(s)), List.of(new Portal("127.0.0.1", 0, 1)),
        2, ConnectionLimits.defaults());
    target.start();
    port = target.boundPortals().get(0).port();
    bystanderAdmin = new NvmeTcpInitiator("127.0.0.1", port);
    bystanderAdmin.initialize(true, true);
    int cntlid = bystanderAdmin.connectAdmin(NQN, HOST);
    bystander = new NvmeTcpInitiator("127.0.0.1", port);
    bystander.hostId[0] = bystanderAdmin.hostId[0];
    bystander.initialize(true, true);
    assertThat(bystander.connect(1, cntlid, NQN, HOST, 0).ok()).isTrue();
  }

  @AfterEach
  void stop() throws IOException {
    bystander.close();
    bystanderAdmin.close();
    target.close();
    device.close();
  }

  /** The bystander still writes and reads back. */
  void engineStillServes(int seed) throws IOException {
    ByteBuffer data = Bytes.pattern(seed, 8192);
    assertThat(bystander.execute(Sqe.of(IoCommands.WRITE).nsid(1).dword(10, seed).dword(12, 15),
        data, 0, false).ok()).isTrue();
    assertThat(bystander.execute(Sqe.of(IoCommands.READ).nsid(1).dword(10, seed).dword(12, 15),
        null, 8192, false).data()).isEqualTo(data.array());
  }

  /** A connection that has done ICReq (with digests as given) and connected an admin queue. */
  NvmeTcpInitiator attacker(boolean digests) throws IOException {
    NvmeTcpInitiator a = new NvmeTcpInitiator("127.0.0.1", port);
    a.initialize(digests, digests);
    a.hostId[0] = 0x33;
    a.connectAdmin(NQN, "nqn.2014-08.org.nvmexpress:uuid:attacker");
    return a;
  }

  /** Reads until the target's C2HTermReq; returns its FES; the socket is then closed. */
  static int terminationOf(NvmeTcpInitiator a) throws IOException {
    try {
      while (true) {
        a.next();
      }
    } catch (NvmeTcpInitiator.Terminated t) {
      assertThat(a.closedByTarget()).as("closed after the termination request").isTrue();
      return t.status;
    }
  }

  @Test
  void h2cDataForATransferNoR2tAskedForClosesTheConnection() throws IOException {
    try (NvmeTcpInitiator a = attacker(true)) {
      a.send(Pdus.h2cData(7, 0x1234, 0, ByteBuffer.allocate(4096), true));
      assertThat(terminationOf(a)).isEqualTo(ProtocolError.INVALID_HEADER_FIELD);
    }
    engineStillServes(1);
  }

  @Test
  void h2cDataPastTheR2tRangeClosesTheConnection() throws IOException {
    try (NvmeTcpInitiator a = new NvmeTcpInitiator("127.0.0.1", port)) {
      a.initialize(false, false);
      // A Connect whose 1024 bytes of data are to come through R2T...
      Sqe connect = Sqe.fabrics(0x01).u16(42, 0).u16(44, 31).id(5).sgl(1024, false);
      a.send(Pdus.capsuleCommand(connect.bytes(), null));
      Pdu r2t = a.next();
      assertThat(r2t.type()).isEqualTo(PduType.R2T);
      assertThat(Pdus.dataLength(r2t)).isEqualTo(1024);
      // ...answered with twice as much.
      a.send(Pdus.h2cData(5, Pdus.transferTag(r2t), 0, ByteBuffer.allocate(2048), true));
      assertThat(terminationOf(a)).isEqualTo(ProtocolError.DATA_OUT_OF_RANGE);
    }
    engineStillServes(2);
  }

  @Test
  void aHeaderLengthCountingTheDigestClosesTheConnection() throws IOException {
    try (NvmeTcpInitiator a = attacker(true)) {
      ByteBuffer wire = PduWriter.encode(Pdus.capsuleCommand(new byte[64], null),
          new Framing(true, true, 1 << 20, 4));
      wire.put(2, (byte) (72 + 4));
      a.sendRaw(wire);
      assertThat(terminationOf(a)).isEqualTo(ProtocolError.INVALID_HEADER_FIELD);
    }
    engineStillServes(3);
  }

  @Test
  void aPduLengthPastTheBufferClosesTheConnection() throws IOException {
    try (NvmeTcpInitiator a = attacker(true)) {
      ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      header.put(0, (byte) 0x06).put(1, (byte) 0x01).put(2, (byte) 24).put(3, (byte) 28)
          .putInt(4, 0xFFFFFF00);
      a.sendRaw(header);
      assertThat(terminationOf(a)).isEqualTo(ProtocolError.DATA_LIMIT_EXCEEDED);
    }
    engineStillServes(4);
  }

  @Test
  void aDataOffsetPastThePduClosesTheConnection() throws IOException {
    try (NvmeTcpInitiator a = attacker(false)) {
      ByteBuffer wire = PduWriter.encode(Pdus.capsuleCommand(new byte[64], ByteBuffer.allocate(64)),
          new Framing(false, false, 1 << 20, 4));
      wire.put(3, (byte) 200); // PDO beyond PLEN (136)
      a.sendRaw(wire);
      assertThat(terminationOf(a)).isEqualTo(ProtocolError.INVALID_HEADER_FIELD);
    }
    engineStillServes(5);
  }

  @Test
  void aCommandBeforeIcReqClosesTheConnection() throws IOException {
    try (NvmeTcpInitiator a = new NvmeTcpInitiator("127.0.0.1", port)) {
      a.sendRaw(PduWriter.encode(Pdus.capsuleCommand(new byte[64], null), Framing.INITIAL));
      assertThat(terminationOf(a)).isEqualTo(ProtocolError.PDU_SEQUENCE_ERROR);
    }
    engineStillServes(6);
  }
}
