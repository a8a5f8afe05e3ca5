package io.strata.engine.it;

import io.strata.engine.iscsi.login.TextParameters;
import io.strata.engine.iscsi.pdu.LoginRequest;
import io.strata.engine.iscsi.pdu.Pdu;
import io.strata.engine.iscsi.pdu.PduCodec;
import io.strata.engine.iscsi.pdu.ScsiCommandPdu;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deliberately small iSCSI initiator for tests: one connection, no authentication, one
 * command at a time, writes as immediate data (so no R2T), reads gathering Data-In.
 */
final class TestInitiator implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private int cmdSn = 1;
  private int expStatSn;
  private int itt = 1;
  /** The LUN commands go to (single-level peripheral addressing, LUN < 256). */
  int lun;

  TestInitiator(String host, int port, String target, String initiator) throws IOException {
    socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("InitiatorName", initiator);
    keys.put("TargetName", target);
    keys.put("SessionType", "Normal");
    keys.put("HeaderDigest", "None");
    keys.put("DataDigest", "None");
    keys.put("ImmediateData", "Yes");
    keys.put("InitialR2T", "Yes");
    keys.put("FirstBurstLength", "65536");
    keys.put("MaxRecvDataSegmentLength", "262144");
    send(new LoginRequest(true, false, 1, 3, 0, 0, 0x400000000001L | (System.nanoTime() & 0xffffff), 0, itt++, 0,
        cmdSn, 0, ByteBuffer.wrap(TextParameters.encode(keys))));
    byte[] h = readPdu(null);
    if ((h[0] & 0x3f) != 0x23 || h[36] != 0) {
      throw new IOException("login failed: class " + h[36] + " detail " + h[37]);
    }
    expStatSn = PduCodec.get32(h, 24) + 1;
  }

  private void send(Pdu pdu) throws IOException {
    out.write(PduCodec.encodeToBytes(pdu, false, false));
    out.flush();
  }

  private byte[] lastSegment = new byte[0];

  /** Reads one PDU; its data goes to {@code data} at its buffer offset when given. */
  private byte[] readPdu(ByteBuffer data) throws IOException {
    byte[] h = new byte[48];
    in.readFully(h);
    int length = PduCodec.get24(h, 5);
    byte[] segment = new byte[length + ((4 - (length & 3)) & 3)];
    in.readFully(segment);
    lastSegment = segment;
    if (data != null && (h[0] & 0x3f) == 0x25) {
      data.put(PduCodec.get32(h, 40), segment, 0, length);
    }
    return h;
  }

  /** WRITE(10) of whole 512-byte blocks; returns once the target acknowledged it. */
  void write(long lba, byte[] blocks, boolean fua) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        writeOnce(lba, blocks, fua);
        return;
      } catch (UnitAttention e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** ASC and ASCQ ({@code asc << 8 | ascq}) of the last unit attention reported, or -1. */
  int lastUnitAttention = -1;

  /**
   * TEST UNIT READY once: -1 when the unit is ready and nothing is pending, else the pending unit
   * attention's ASC/ASCQ ({@code asc << 8 | ascq}), which the target then forgets.
   */
  int testUnitReady() throws IOException {
    int tag = itt++;
    send(new ScsiCommandPdu(false, true, false, false, 1, (long) lun << 48, tag, 0, cmdSn++,
        expStatSn, new byte[16], Pdu.NO_DATA));
    try {
      awaitStatus(tag, null);
      return -1;
    } catch (UnitAttention e) {
      return lastUnitAttention;
    }
  }

  /** REPORT LUNS (which no unit attention holds up): the LUN numbers this nexus may see. */
  java.util.List<Integer> reportLuns() throws IOException {
    byte[] cdb = new byte[16];
    cdb[0] = (byte) 0xa0;
    ByteBuffer.wrap(cdb, 6, 4).putInt(4096);
    int tag = itt++;
    send(new ScsiCommandPdu(false, true, true, false, 1, (long) lun << 48, tag, 4096, cmdSn++,
        expStatSn, cdb, Pdu.NO_DATA));
    ByteBuffer data = ByteBuffer.allocate(4096);
    awaitStatus(tag, data);
    int length = data.getInt(0);
    java.util.List<Integer> luns = new java.util.ArrayList<>();
    for (int i = 8; i < 8 + length && i + 8 <= 4096; i += 8) {
      luns.add((data.getShort(i) & 0x3fff));
    }
    return luns;
  }

  /** CHECK CONDITION with UNIT ATTENTION: the command did not run and may be sent again. */
  static final class UnitAttention extends IOException {
    UnitAttention() {
      super("unit attention");
    }
  }

  private void writeOnce(long lba, byte[] blocks, boolean fua) throws IOException {
    byte[] cdb = new byte[16];
    cdb[0] = 0x2a;
    cdb[1] = (byte) (fua ? 0x08 : 0);
    ByteBuffer.wrap(cdb, 2, 4).putInt((int) lba);
    ByteBuffer.wrap(cdb, 7, 2).putShort((short) (blocks.length / 512));
    int tag = itt++;
    send(new ScsiCommandPdu(false, true, false, true, 1, (long) lun << 48, tag, blocks.length, cmdSn++, expStatSn,
        cdb, ByteBuffer.wrap(blocks)));
    awaitStatus(tag, null);
  }

  byte[] read(long lba, int blocks) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return readOnce(lba, blocks);
      } catch (UnitAttention e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private byte[] readOnce(long lba, int blocks) throws IOException {
    byte[] cdb = new byte[16];
    cdb[0] = 0x28;
    ByteBuffer.wrap(cdb, 2, 4).putInt((int) lba);
    ByteBuffer.wrap(cdb, 7, 2).putShort((short) blocks);
    int tag = itt++;
    send(new ScsiCommandPdu(false, true, true, false, 1, (long) lun << 48, tag, blocks * 512, cmdSn++, expStatSn,
        cdb, Pdu.NO_DATA));
    ByteBuffer data = ByteBuffer.allocate(blocks * 512);
    awaitStatus(tag, data);
    return data.array();
  }

  /** UNMAP of one range; returns once the target acknowledged it. */
  void unmap(long lba, int blocks) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        byte[] cdb = new byte[16];
        cdb[0] = 0x42;
        ByteBuffer.wrap(cdb, 7, 2).putShort((short) 24);
        ByteBuffer list = ByteBuffer.allocate(24);
        list.putShort(0, (short) 22).putShort(2, (short) 16).putLong(8, lba).putInt(16, blocks);
        int tag = itt++;
        send(new ScsiCommandPdu(false, true, false, true, 1, (long) lun << 48, tag, 24, cmdSn++,
            expStatSn, cdb, list));
        awaitStatus(tag, null);
        return;
      } catch (UnitAttention e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private void awaitStatus(int tag, ByteBuffer data) throws IOException {
    while (true) {
      byte[] h = readPdu(data);
      int opcode = h[0] & 0x3f;
      boolean dataInWithStatus = opcode == 0x25 && (h[1] & 0x01) != 0;
      if (opcode == 0x21 || dataInWithStatus) {
        if (PduCodec.get32(h, 16) != tag) {
          throw new IOException("response for another task");
        }
        expStatSn = PduCodec.get32(h, 24) + 1;
        if (h[3] == 2 && opcode == 0x21 && lastSegment.length > 4 && (lastSegment[4] & 0x0f) == 6) {
          // Fixed-format sense after the 2-byte length: ASC at byte 12, ASCQ at byte 13.
          lastUnitAttention = lastSegment.length > 15
              ? (lastSegment[14] & 0xff) << 8 | (lastSegment[15] & 0xff) : 0;
          throw new UnitAttention();
        }
        if (h[3] != 0) {
          throw new IOException("SCSI status " + h[3]);
        }
        return;
      }
      if (opcode == 0x3f) {
        throw new IOException("rejected, reason " + h[2]);
      }
    }
  }

  /**
   * The sense key, ASC and ASCQ of the last response that carried sense data, as {@code
   * "02/04/0b"} (fixed format after the 2-byte length), or "" when it carried none.
   */
  String lastSense() {
    byte[] s = lastSegment;
    return s.length < 16 ? "" : String.format("%02x/%02x/%02x", s[4] & 0x0f, s[14] & 0xff,
        s[15] & 0xff);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
