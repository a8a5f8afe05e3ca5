package io.strata.engine.nvme.fabrics;

import io.strata.engine.nvme.command.Command;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Fabrics Connect command with its 1024 bytes of data: which queue of which controller of which
 * subsystem a host wants.
 *
 * @param queueSize SQSIZE, 0's based
 * @param keepAliveMillis KATO (admin queue only; 0: no keep-alive timer)
 * @param controllerId CNTLID: FFFFh asks for a new controller (admin queue)
 */
public record ConnectRequest(int recordFormat, int queueId, int queueSize, int attributes,
    long keepAliveMillis, byte[] hostId, int controllerId, String subsystemNqn, String hostNqn) {

  public static final int FABRICS_TYPE = 0x01;
  public static final int DATA_LENGTH = 1024;
  public static final int DYNAMIC_CONTROLLER = 0xFFFF;

  /** Byte offsets of fields, reported back in a Connect Invalid Parameters completion. */
  public static final int OFFSET_QID = 42;
  public static final int OFFSET_SQSIZE = 44;
  public static final int DATA_OFFSET_CNTLID = 16;
  public static final int DATA_OFFSET_SUBNQN = 256;
  public static final int DATA_OFFSET_HOSTNQN = 512;

  /** A field of the Connect data that does not parse. */
  public static final class BadField extends Exception {
    public final int dataOffset;

    BadField(int dataOffset, String why) {
      super(why);
      this.dataOffset = dataOffset;
    }
  }

  public static ConnectRequest parse(Command command, ByteBuffer data) throws BadField {
    if (data.remaining() != DATA_LENGTH) {
      throw new BadField(0, "Connect data is " + data.remaining() + " bytes, not 1024");
    }
    ByteBuffer d = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int base = d.position();
    byte[] hostId = new byte[16];
    d.get(base, hostId);
    return new ConnectRequest(command.u16(40), command.u16(OFFSET_QID), command.u16(OFFSET_SQSIZE),
        command.u8(46), command.u32(48), hostId, d.getShort(base + DATA_OFFSET_CNTLID) & 0xffff,
        nqn(d, base, DATA_OFFSET_SUBNQN), nqn(d, base, DATA_OFFSET_HOSTNQN));
  }

  /** A NUL-terminated UTF-8 NQN of at most 223 bytes in a 256-byte field. */
  private static String nqn(ByteBuffer d, int base, int offset) throws BadField {
    byte[] field = new byte[256];
    d.get(base + offset, field);
    int end = 0;
    while (end < field.length && field[end] != 0) {
      end++;
    }
    if (end == 0 || end > 223) {
      throw new BadField(offset, "NQN at Connect data byte " + offset + " is "
          + (end == 0 ? "empty" : "not NUL-terminated within 223 bytes"));
    }
    return new String(Arrays.copyOf(field, end), StandardCharsets.UTF_8);
  }

  /** The Connect data a host sends (the test initiator). */
  public static ByteBuffer data(byte[] hostId, int controllerId, String subsystemNqn,
      String hostNqn) {
    ByteBuffer d = ByteBuffer.allocate(DATA_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    d.put(0, hostId, 0, 16);
    d.putShort(DATA_OFFSET_CNTLID, (short) controllerId);
    byte[] sub = subsystemNqn.getBytes(StandardCharsets.UTF_8);
    d.put(DATA_OFFSET_SUBNQN, sub, 0, Math.min(sub.length, 255));
    byte[] host = hostNqn.getBytes(StandardCharsets.UTF_8);
    d.put(DATA_OFFSET_HOSTNQN, host, 0, Math.min(host.length, 255));
    return d;
  }
}
