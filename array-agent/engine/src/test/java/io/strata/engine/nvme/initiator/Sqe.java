package io.strata.engine.nvme.initiator;

import io.strata.engine.nvme.command.Command;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds submission queue entries the way a host does (test scope). */
public final class Sqe {
  private final ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);

  private Sqe(int opcode) {
    b.put(0, (byte) opcode);
  }

  public static Sqe of(int opcode) {
    return new Sqe(opcode);
  }

  /** A fabrics command of type {@code fctype}. */
  public static Sqe fabrics(int fctype) {
    Sqe s = new Sqe(Command.OPCODE_FABRICS);
    s.b.put(4, (byte) fctype);
    return s;
  }

  public Sqe id(int cid) {
    b.putShort(2, (short) cid);
    return this;
  }

  public Sqe nsid(int nsid) {
    b.putInt(4, nsid);
    return this;
  }

  public Sqe dword(int n, int value) {
    b.putInt(40 + (n - 10) * 4, value);
    return this;
  }

  public Sqe u8(int offset, int value) {
    b.put(offset, (byte) value);
    return this;
  }

  public Sqe u16(int offset, int value) {
    b.putShort(offset, (short) value);
    return this;
  }

  public Sqe u32(int offset, int value) {
    b.putInt(offset, value);
    return this;
  }

  public Sqe u64(int offset, long value) {
    b.putLong(offset, value);
    return this;
  }

  /** The SGL descriptor: data of {@code length} bytes, in the capsule or moved by the transport. */
  public Sqe sgl(long length, boolean inCapsule) {
    b.putLong(24, 0);
    b.putInt(32, (int) length);
    b.put(39, (byte) (inCapsule ? Command.SGL_IN_CAPSULE : Command.SGL_TRANSPORT));
    return this;
  }

  public int id() {
    return b.getShort(2) & 0xffff;
  }

  public byte[] bytes() {
    return b.array().clone();
  }
}
