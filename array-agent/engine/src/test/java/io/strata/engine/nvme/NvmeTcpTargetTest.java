package io.strata.engine.nvme;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.fake.Bytes;
import io.strata.engine.nvme.admin.AdminCommands;
import io.strata.engine.nvme.command.Status;
import io.strata.engine.nvme.fabrics.HostAccess;
import io.strata.engine.nvme.fabrics.Namespace;
import io.strata.engine.nvme.fabrics.Subsystem;
import io.strata.engine.nvme.fabrics.Subsystems;
import io.strata.engine.nvme.initiator.NvmeTcpInitiator;
import io.strata.engine.nvme.initiator.NvmeTcpInitiator.Result;
import io.strata.engine.nvme.initiator.Sqe;
import io.strata.engine.nvme.io.IoCommands;
import io.strata.engine.nvme.pdu.Pdus;
import io.strata.engine.transport.ConnectionLimits;
import io.strata.engine.transport.Portal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target through a real socket: what a host does from ICReq to reading back its writes. */
class NvmeTcpTargetTest {
  static final String NQN = "nqn.2026-11.io.strata:acme.db";
  static final String OTHER_NQN = "nqn.2026-11.io.strata:acme.web";
  static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:host-a";
  static final String STRANGER = "nqn.2014-08.org.nvmexpress:uuid:host-z";

  @TempDir Path dir;
  BlockDevice device;
  final List<Namespace> namespaces = new CopyOnWriteArrayList<>();
  NvmeTcpTarget target;
  int port;

  @BeforeEach
  void start() throws IOException {
    device = FileBlockDevice.open(dir.resolve("vol1"), 16L << 20, 512);
    namespaces.add(new Namespace(1, "vol-1", device, false));
    Subsystem db = Subsystem.nvm(NQN, () -> List.copyOf(namespaces), HostAccess.only(Set.of(HOST)));
    Subsystem web = Subsystem.nvm(OTHER_NQN, List::of, HostAccess.only(Set.of(STRANGER)));
    target = new NvmeTcpTarget(new Subsystems(List.of(db, web)),
        List.of(new Portal("127.0.0.1", 0, 1)), 2, ConnectionLimits.defaults());
    target.start();
    port = target.boundPortals().get(0).port();
  }

  @AfterEach
  void stop() throws IOException {
    target.close();
    device.close();
  }

  NvmeTcpInitiator host(boolean digests) throws IOException {
    NvmeTcpInitiator h = new NvmeTcpInitiator("127.0.0.1", port);
    h.initialize(digests, digests);
    return h;
  }

  @Test
  void identifyShowsTheSubsystemAndTheVolumeWithAStableNguid() throws IOException {
    try (NvmeTcpInitiator admin = host(false)) {
      int cntlid = admin.connectAdmin(NQN, HOST);
      Result ctrl = admin.identify(0x01, 0);
      assertThat(ctrl.ok()).isTrue();
      assertThat(ctrl.dataLE().getShort(78) & 0xffff).isEqualTo(cntlid);
      assertThat(text(ctrl.data(), 768, 256)).isEqualTo(NQN);
      assertThat(ctrl.dataLE().getShort(520) & 0x0C).isEqualTo(0x0C); // DSM, Write Zeroes

      Result list = admin.identify(0x02, 0);
      assertThat(list.dataLE().getInt(0)).isEqualTo(1);
      assertThat(list.dataLE().getInt(4)).isZero();

      Result ns = admin.identify(0x00, 1);
      assertThat(ns.dataLE().getLong(0)).isEqualTo((16L << 20) / 512); // NSZE
      assertThat(ns.data()[128 + 2]).isEqualTo((byte) 9); // LBADS: 512-byte blocks
      byte[] nguid = java.util.Arrays.copyOfRange(ns.data(), 104, 120);
      assertThat(nguid).isEqualTo(new Namespace(1, "vol-1", device, false).nguid())
          .isNotEqualTo(new byte[16]);

      Result descriptors = admin.identify(0x03, 1);
      assertThat(descriptors.data()[0]).isEqualTo((byte) 1); // EUI-64 first
      assertThat(java.util.Arrays.copyOfRange(descriptors.data(), 16, 32)).isEqualTo(nguid);

      assertThat(admin.identify(0x03, 7).status()).isEqualTo(Status.INVALID_NAMESPACE);
    }
  }

  @Test
  void writesReadBackThroughInCapsuleDataAndR2tWithDigests() throws IOException {
    try (NvmeTcpInitiator admin = host(true)) {
      int cntlid = admin.connectAdmin(NQN, HOST);
      Result queues = admin.execute(Sqe.of(AdminCommands.SET_FEATURES)
          .dword(10, AdminCommands.FEATURE_NUMBER_OF_QUEUES).dword(11, 3 | 3 << 16), null, 0, false);
      assertThat(queues.result()).isEqualTo(3 | 3L << 16);
      try (NvmeTcpInitiator io = new NvmeTcpInitiator("127.0.0.1", port)) {
        io.initialize(true, true);
        System.arraycopy(admin.hostId, 0, io.hostId, 0, 16);
        Result connected = io.connect(2, cntlid, NQN, HOST, 0); // Connect data through R2T
        assertThat(connected.ok()).isTrue();

        ByteBuffer small = Bytes.pattern(1, 4096);
        assertThat(io.execute(write(8, 8), small, 0, true).ok()).isTrue(); // in the capsule
        ByteBuffer large = Bytes.pattern(2, 512 << 10);
        assertThat(io.execute(write(100, 1024), large, 0, false).ok()).isTrue(); // R2T, 4 H2CData

        Result r1 = io.execute(read(8, 8), null, 4096, false);
        assertThat(r1.data()).isEqualTo(small.array());
        Result r2 = io.execute(read(100, 1024), null, 512 << 10, false);
        assertThat(r2.data()).isEqualTo(large.array());
        assertThat(Bytes.read(device, 100, 512 << 10)).isEqualTo(large.array()); // on the device

        assertThat(io.execute(Sqe.of(IoCommands.FLUSH).nsid(1), null, 0, false).ok()).isTrue();
        assertThat(io.execute(read(32767, 2), null, 1024, false).status())
            .isEqualTo(Status.LBA_OUT_OF_RANGE);
        assertThat(io.execute(read(0, 1).nsid(9), null, 512, false).status())
            .isEqualTo(Status.INVALID_NAMESPACE);
      }
    }
  }

  @Test
  void writesQueuedBehindAnR2tGetTheirOwnR2tInTurn() throws IOException {
    try (NvmeTcpInitiator admin = host(false)) {
      int cntlid = admin.connectAdmin(NQN, HOST);
      try (NvmeTcpInitiator io = ioQueue(admin, cntlid)) {
        ByteBuffer first = Bytes.pattern(21, 32 << 10);
        ByteBuffer second = Bytes.pattern(22, 32 << 10);
        // Both commands sent before any data: the second waits for the first's data.
        io.send(Pdus.capsuleCommand(write(0, 64).id(71).sgl(32 << 10, false).bytes(), null));
        io.send(Pdus.capsuleCommand(write(64, 64).id(72).sgl(32 << 10, false).bytes(), null));
        for (int expected : new int[] {71, 72}) {
          io.strata.engine.nvme.pdu.Pdu r2t = io.next();
          assertThat(Pdus.commandId(r2t)).isEqualTo(expected);
          io.send(Pdus.h2cData(expected, Pdus.transferTag(r2t), 0,
              expected == 71 ? first : second, true));
          io.strata.engine.nvme.pdu.Pdu response = io.next();
          assertThat(Pdus.cqe(response)[12]).isEqualTo((byte) expected);
        }
        assertThat(Bytes.read(device, 0, 32 << 10)).isEqualTo(first.array());
        assertThat(Bytes.read(device, 64, 32 << 10)).isEqualTo(second.array());
      }
    }
  }

  @Test
  void writeZeroesAndDeallocateLeaveZeros() throws IOException {
    try (NvmeTcpInitiator admin = host(false)) {
      int cntlid = admin.connectAdmin(NQN, HOST);
      try (NvmeTcpInitiator io = ioQueue(admin, cntlid)) {
        io.execute(write(0, 64), Bytes.pattern(3, 64 * 512), 0, false);

        Result zeroes = io.execute(Sqe.of(IoCommands.WRITE_ZEROES).nsid(1).dword(10, 0)
            .dword(12, 15), null, 0, false); // blocks 0..15 by writing zeros
        assertThat(zeroes.ok()).isTrue();
        ByteBuffer range = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        range.putInt(4, 16).putLong(8, 32); // blocks 32..47
        Result dsm = io.execute(Sqe.of(IoCommands.DATASET_MANAGEMENT).nsid(1).dword(10, 0)
            .dword(11, 0x4), range, 0, true);
        assertThat(dsm.ok()).isTrue();

        byte[] back = io.execute(read(0, 64), null, 64 * 512, false).data();
        byte[] expected = Bytes.pattern(3, 64 * 512).array();
        java.util.Arrays.fill(expected, 0, 16 * 512, (byte) 0);
        java.util.Arrays.fill(expected, 32 * 512, 48 * 512, (byte) 0);
        assertThat(back).isEqualTo(expected);
      }
    }
  }

  @Test
  void aHostNotOnTheListIsRefusedAndDiscoverySeesOnlyItsOwnSubsystems() throws IOException {
    try (NvmeTcpInitiator stranger = host(false)) {
      Result r = stranger.connect(0, 0xFFFF, NQN, STRANGER, 0);
      assertThat(r.status()).isEqualTo(Status.CONNECT_INVALID_HOST);
    }
    try (NvmeTcpInitiator h = host(false)) {
      Result r = h.connect(0, 0xFFFF, "nqn.2026-11.io.strata:nobody.none", HOST, 0);
      assertThat(r.status()).isEqualTo(Status.CONNECT_INVALID_PARAMETERS);
      assertThat(r.result()).isEqualTo(256 | 1L << 16); // SUBNQN in the Connect data
    }
    for (String hostNqn : List.of(HOST, STRANGER)) {
      try (NvmeTcpInitiator d = host(false)) {
        d.connectAdmin(Subsystem.DISCOVERY_NQN, hostNqn);
        assertThat(d.identify(0x01, 0).data()[111]).isEqualTo((byte) 2); // discovery controller
        Result log = d.execute(Sqe.of(AdminCommands.GET_LOG_PAGE).dword(10, 0x70 | (1023 << 16)),
            null, 4096, false);
        assertThat(log.ok()).isTrue();
        assertThat(log.dataLE().getLong(8)).isEqualTo(1); // one record
        String expected = hostNqn.equals(HOST) ? NQN : OTHER_NQN;
        assertThat(text(log.data(), 1024 + 256, 256)).isEqualTo(expected);
        assertThat(text(log.data(), 1024 + 32, 32).trim()).isEqualTo(Integer.toString(port));
        assertThat(text(log.data(), 1024 + 512, 256).trim()).isEqualTo("127.0.0.1");
        // bound to the wildcard address: listed with the address the host reached
        assertThat(text(log.data(), 1024 + 512, 256).trim()).isEqualTo("127.0.0.1");
      }
    }
  }

  @Test
  void propertiesEnableAndShutDownTheController() throws IOException {
    try (NvmeTcpInitiator admin = host(false)) {
      assertThat(admin.connect(0, 0xFFFF, NQN, HOST, 0).ok()).isTrue();
      // Before CC.EN: only fabrics commands.
      assertThat(admin.identify(0x01, 0).status()).isEqualTo(Status.COMMAND_SEQUENCE_ERROR);
      Result cap = admin.propertyGet(0x00, true);
      assertThat(cap.result() & 0xffff).isEqualTo(127); // MQES
      assertThat(admin.propertyGet(0x1C, false).result() & 1).isZero(); // not ready
      admin.propertySet(0x14, 1 | 6 << 16 | 4 << 20);
      assertThat(admin.propertyGet(0x1C, false).result() & 1).isEqualTo(1); // RDY
      admin.propertySet(0x14, 1 | 6 << 16 | 4 << 20 | 1 << 14); // normal shutdown
      assertThat((admin.propertyGet(0x1C, false).result() >> 2) & 3).isEqualTo(2); // complete
      assertThat(admin.propertySet(0x1C, 0).status()).isEqualTo(Status.INVALID_FIELD);
    }
  }

  @Test
  void anAttachedVolumeIsAnnouncedToAHeldAsyncEventRequest() throws Exception {
    try (NvmeTcpInitiator admin = host(false)) {
      admin.connectAdmin(NQN, HOST);
      admin.execute(Sqe.of(AdminCommands.SET_FEATURES)
          .dword(10, AdminCommands.FEATURE_ASYNC_EVENT_CONFIG).dword(11, 1 << 8), null, 0, false);
      admin.send(Pdus.capsuleCommand(Sqe.of(AdminCommands.ASYNC_EVENT_REQUEST).id(900).bytes(),
          null));
      BlockDevice second = FileBlockDevice.open(dir.resolve("vol2"), 1 << 20, 512);
      try {
        namespaces.add(new Namespace(2, "vol-2", second, false));
        // The controller looks once a second; the held request completes with the notice.
        io.strata.engine.nvme.pdu.Pdu event = admin.next();
        ByteBuffer cqe = ByteBuffer.wrap(Pdus.cqe(event)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(cqe.getShort(12)).isEqualTo((short) 900);
        assertThat(cqe.getInt(0)).isEqualTo(0x02 | 0x04 << 16);
        Result changed = admin.execute(Sqe.of(AdminCommands.GET_LOG_PAGE)
            .dword(10, AdminCommands.LOG_CHANGED_NAMESPACES | (1023 << 16)), null, 4096, false);
        assertThat(changed.dataLE().getInt(0)).isEqualTo(2);
        assertThat(changed.dataLE().getInt(4)).isZero();
      } finally {
        second.close();
      }
    }
  }

  @Test
  void anIoQueueNeedsTheSameHostAndAnEnabledController() throws IOException {
    try (NvmeTcpInitiator admin = host(false)) {
      int cntlid = admin.connectAdmin(NQN, HOST);
      try (NvmeTcpInitiator io = host(false)) {
        io.hostId[1] = 1; // a different host id than the admin queue's
        assertThat(io.connect(1, cntlid, NQN, HOST, 0).status())
            .isEqualTo(Status.CONNECT_INVALID_PARAMETERS);
      }
    }
    try (NvmeTcpInitiator io = host(false)) {
      assertThat(io.identify(1, 0).status()).isEqualTo(Status.COMMAND_SEQUENCE_ERROR);
    }
  }

  @Test
  void theDiscoveryLogListsAWildcardPortalWithTheAddressTheHostReached() {
    List<Portal> bound = List.of(new Portal("0.0.0.0", 4420, 1), new Portal("10.1.2.3", 4421, 2),
        new Portal("::", 4422, 3));
    assertThat(NvmeTcpTarget.portalsSeenAt(bound, "192.0.2.7")).containsExactly(
        new Portal("192.0.2.7", 4420, 1), new Portal("10.1.2.3", 4421, 2),
        new Portal("192.0.2.7", 4422, 3));
  }

  /** I/O queue 1 of {@code admin}'s controller, without digests. */
  NvmeTcpInitiator ioQueue(NvmeTcpInitiator admin, int cntlid) throws IOException {
    NvmeTcpInitiator io = new NvmeTcpInitiator("127.0.0.1", port);
    io.initialize(false, false);
    System.arraycopy(admin.hostId, 0, io.hostId, 0, 16);
    assertThat(io.connect(1, cntlid, NQN, HOST, 0).ok()).isTrue();
    return io;
  }

  static Sqe write(long lba, int blocks) {
    return Sqe.of(IoCommands.WRITE).nsid(1).dword(10, (int) lba).dword(11, (int) (lba >>> 32))
        .dword(12, blocks - 1);
  }

  static Sqe read(long lba, int blocks) {
    return Sqe.of(IoCommands.READ).nsid(1).dword(10, (int) lba).dword(11, (int) (lba >>> 32))
        .dword(12, blocks - 1);
  }

  static String text(byte[] data, int offset, int length) {
    int end = offset;
    while (end < offset + length && data[end] != 0) {
      end++;
    }
    return new String(data, offset, end - offset, StandardCharsets.UTF_8);
  }
}
