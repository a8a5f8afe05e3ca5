package io.strata.engine.nvme.admin;

import io.strata.engine.nvme.fabrics.Controller;
import io.strata.engine.nvme.fabrics.ControllerRegisters;
import io.strata.engine.nvme.fabrics.Namespace;
import io.strata.engine.nvme.fabrics.Subsystem;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The 4096-byte Identify data structures (NVMe base 1.3 layout, with the NVMe-oF fields of the
 * controller structure).
 */
public final class IdentifyData {
  private IdentifyData() {}

  public static final int SIZE = 4096;
  /** Largest transfer of one command, as 2^MDTS pages of 4 KiB: 1 MiB. */
  public static final int MDTS = 8;
  public static final int MAX_TRANSFER_BYTES = 4096 << MDTS;
  /** Bytes of data a command capsule may carry after its 64-byte SQE (IOCCSZ). */
  public static final int IN_CAPSULE_DATA = 8192;
  /** Namespace ids go up to this (LUN 16383 is namespace 16384). */
  public static final int MAX_NAMESPACES = 16384;
  /** Outstanding Asynchronous Event Requests a controller holds (AERL + 1). */
  public static final int ASYNC_EVENT_LIMIT = 4;

  private static final String MODEL = "Strata NVMe/TCP";
  private static final String FIRMWARE = "0.1.0";

  /** Identify Controller (CNS 01h). */
  public static ByteBuffer controller(Controller c) {
    Subsystem s = c.subsystem();
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    ascii(b, 4, 20, s.serialNumber()); // SN
    ascii(b, 24, 40, MODEL); // MN
    ascii(b, 64, 8, FIRMWARE); // FR
    b.put(76, (byte) (s.isDiscovery() ? 0 : 0x02)); // CMIC: may have several controllers
    b.put(77, (byte) MDTS);
    b.putShort(78, (short) c.id()); // CNTLID
    b.putInt(80, ControllerRegisters.VERSION); // VER
    b.putInt(92, s.isDiscovery() ? 0 : 1 << 8); // OAES: namespace attribute notices
    b.put(111, (byte) (s.isDiscovery() ? 2 : 1)); // CNTRLTYPE: discovery / I/O controller
    b.put(258, (byte) 3); // ACL (0's based)
    b.put(259, (byte) (ASYNC_EVENT_LIMIT - 1)); // AERL (0's based)
    b.put(261, (byte) 0x04); // LPA: extended data for Get Log Page (offsets, NUMDU)
    b.put(262, (byte) 0); // ELPE: one error log entry (0's based)
    b.putShort(320, (short) 10); // KAS: keep alive granularity 1 s (units of 100 ms)
    b.put(512, (byte) 0x66); // SQES: 64-byte entries
    b.put(513, (byte) 0x44); // CQES: 16-byte entries
    b.putShort(514, (short) (ControllerRegisters.MAX_QUEUE_ENTRIES + 1)); // MAXCMD
    b.putInt(516, s.isDiscovery() ? 0 : MAX_NAMESPACES); // NN
    b.putShort(520, (short) (s.isDiscovery() ? 0 : 0x0C)); // ONCS: DSM, Write Zeroes
    b.put(525, (byte) (s.isDiscovery() ? 0 : 1)); // VWC: writes are durable after Flush/FUA
    b.putInt(536, 1 | 1 << 20); // SGLS: SGLs, with offsets into the capsule
    ascii0(b, 768, 256, s.nqn()); // SUBNQN
    b.putInt(1792, (64 + IN_CAPSULE_DATA) / 16); // IOCCSZ (units of 16 bytes)
    b.putInt(1796, 1); // IORCSZ: 16-byte responses
    b.putShort(1800, (short) 0); // ICDOFF: in-capsule data right after the SQE
    b.put(1802, (byte) 0); // FCATT: dynamic controller model
    b.put(1803, (byte) 1); // MSDBD: one SGL descriptor
    return b;
  }

  /** Identify Namespace (CNS 00h). */
  public static ByteBuffer namespace(Namespace n) {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    long blocks = n.device().blockCount();
    b.putLong(0, blocks); // NSZE
    b.putLong(8, blocks); // NCAP
    b.putLong(16, blocks); // NUSE (allocation is not tracked per block here)
    b.put(24, (byte) (n.device().thinProvisioned() ? 1 : 0)); // NSFEAT: thin provisioning
    b.put(25, (byte) 0); // NLBAF: one LBA format
    b.put(26, (byte) 0); // FLBAS: format 0
    b.put(30, (byte) 1); // NMIC: may be attached to several controllers
    b.put(33, (byte) 0x09); // DLFEAT: deallocated blocks read zeros; Write Zeroes may deallocate
    b.put(99, (byte) (n.writeProtected() || n.device().readOnly() ? 1 : 0)); // NSATTR
    b.put(104, n.nguid()); // NGUID
    b.put(120, n.eui64()); // EUI64
    b.put(128 + 2, (byte) Integer.numberOfTrailingZeros(n.device().blockSize())); // LBAF0.LBADS
    return b;
  }

  /** Active Namespace ID list (CNS 02h): ids above {@code after}, ascending, at most 1024. */
  public static ByteBuffer activeNamespaces(List<Namespace> active, int after) {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    int i = 0;
    for (Namespace n : active) {
      if (Integer.compareUnsigned(n.id(), after) > 0 && i < SIZE / 4) {
        b.putInt(i++ * 4, n.id());
      }
    }
    return b;
  }

  /** Namespace Identification Descriptor list (CNS 03h): EUI-64 and NGUID. */
  public static ByteBuffer descriptors(Namespace n) {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 1).put((byte) 8).putShort((short) 0).put(n.eui64()); // NIDT 1: EUI-64
    b.put((byte) 2).put((byte) 16).putShort((short) 0).put(n.nguid()); // NIDT 2: NGUID
    return b.clear();
  }

  /** {@code text} in ASCII, padded with spaces (SN, MN, FR, TRSVCID, TRADDR). */
  public static void ascii(ByteBuffer b, int offset, int length, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < length; i++) {
      b.put(offset + i, i < bytes.length ? bytes[i] : (byte) ' ');
    }
  }

  /** {@code text} in UTF-8, NUL-padded (NQNs). */
  public static void ascii0(ByteBuffer b, int offset, int length, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    b.put(offset, bytes, 0, Math.min(bytes.length, length - 1));
  }
}
