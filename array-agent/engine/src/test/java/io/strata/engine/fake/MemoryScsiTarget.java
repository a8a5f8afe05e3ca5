package io.strata.engine.fake;

import io.strata.engine.scsi.Nexus;
import io.strata.engine.scsi.ScsiCommand;
import io.strata.engine.scsi.ScsiResponse;
import io.strata.engine.scsi.ScsiTarget;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test stand-in for the SCSI layer: one LUN 0 in memory, with just enough of SPC/SBC for the
 * iSCSI tests (TEST UNIT READY, INQUIRY, READ CAPACITY 10/16, READ/WRITE 10/16, REPORT LUNS).
 */
public final class MemoryScsiTarget implements ScsiTarget {
  public static final int BLOCK = 512;
  private final ByteBuffer disk;
  private final long blocks;
  public final AtomicInteger lunResets = new AtomicInteger();
  public final AtomicInteger targetResets = new AtomicInteger();
  public final AtomicInteger commands = new AtomicInteger();

  public MemoryScsiTarget(int megabytes) {
    disk = ByteBuffer.allocate(megabytes << 20);
    blocks = disk.capacity() / BLOCK;
  }

  @Override
  public ScsiResponse execute(ScsiCommand c) {
    commands.incrementAndGet();
    byte[] cdb = c.cdb();
    int op = cdb[0] & 0xff;
    if (op != 0xa0 && c.lun() != 0) {
      return check(0x05, 0x25, 0x00); // LOGICAL UNIT NOT SUPPORTED
    }
    switch (op) {
      case 0x00:
        return good(null);
      case 0x12:
        return inquiry(cdb);
      case 0x25:
        {
          ByteBuffer b = ByteBuffer.allocate(8);
          b.putInt((int) Math.min(blocks - 1, 0xffffffffL)).putInt(BLOCK).flip();
          return good(b);
        }
      case 0x9e:
        {
          ByteBuffer b = ByteBuffer.allocate(32);
          b.putLong(blocks - 1).putInt(BLOCK).flip();
          return good(b.limit(Math.min(32, be32(cdb, 10))));
        }
      case 0x28:
        return read(be32(cdb, 2) & 0xffffffffL, be16(cdb, 7));
      case 0x88:
        return read(be64(cdb, 2), be32(cdb, 10));
      case 0x2a:
        return write(be32(cdb, 2) & 0xffffffffL, be16(cdb, 7), c.dataOut());
      case 0x8a:
        return write(be64(cdb, 2), be32(cdb, 10), c.dataOut());
      case 0x35:
      case 0x91:
        return good(null);
      case 0xa0:
        {
          ByteBuffer b = ByteBuffer.allocate(16);
          b.putInt(8).putInt(0).putLong(0).flip();
          return good(b);
        }
      default:
        return check(0x05, 0x20, 0x00); // INVALID COMMAND OPERATION CODE
    }
  }

  private ScsiResponse inquiry(byte[] cdb) {
    if ((cdb[1] & 1) != 0) {
      ByteBuffer b = ByteBuffer.allocate(8);
      b.put((byte) 0).put(cdb[2]).putShort((short) 0).flip();
      return cdb[2] == 0 ? good(ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 0})) : check(0x05, 0x24, 0);
    }
    byte[] data = new byte[36];
    data[2] = 6;
    data[3] = 2;
    data[4] = 31;
    data[7] = 0x02;
    System.arraycopy("STRATA  FAKE-DISK       0001".getBytes(StandardCharsets.US_ASCII), 0, data, 8, 28);
    return good(ByteBuffer.wrap(data));
  }

  private ScsiResponse read(long lba, long count) {
    if (lba + count > blocks) {
      return check(0x05, 0x21, 0x00);
    }
    ByteBuffer out = ByteBuffer.allocate((int) count * BLOCK);
    synchronized (disk) {
      out.put(disk.slice((int) lba * BLOCK, (int) count * BLOCK));
    }
    return good(out.flip());
  }

  private ScsiResponse write(long lba, long count, ByteBuffer data) {
    if (lba + count > blocks) {
      return check(0x05, 0x21, 0x00);
    }
    int needed = (int) count * BLOCK;
    // Write only whole blocks the initiator actually sent; the transport reports the residual.
    int bytes = Math.min(needed, data.remaining() / BLOCK * BLOCK);
    synchronized (disk) {
      disk.put((int) lba * BLOCK, data, data.position(), bytes);
    }
    return new ScsiResponse(0, null, null, needed);
  }

  private static ScsiResponse good(ByteBuffer data) {
    return new ScsiResponse(0, null, data);
  }

  private static ScsiResponse check(int key, int asc, int ascq) {
    byte[] sense = new byte[18];
    sense[0] = 0x70;
    sense[2] = (byte) key;
    sense[7] = 10;
    sense[12] = (byte) asc;
    sense[13] = (byte) ascq;
    return new ScsiResponse(2, sense, null);
  }

  private static int be16(byte[] b, int at) {
    return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
  }

  private static int be32(byte[] b, int at) {
    return be16(b, at) << 16 | be16(b, at + 2);
  }

  private static long be64(byte[] b, int at) {
    return ((long) be32(b, at) << 32) | (be32(b, at + 4) & 0xffffffffL);
  }

  public byte[] block(long lba) {
    synchronized (disk) {
      return Arrays.copyOfRange(disk.array(), (int) lba * BLOCK, (int) (lba + 1) * BLOCK);
    }
  }

  @Override
  public void lunReset(Nexus nexus, long lun) {
    lunResets.incrementAndGet();
  }

  @Override
  public void targetReset(Nexus nexus) {
    targetResets.incrementAndGet();
  }

  @Override
  public void nexusOpened(Nexus nexus) {}

  @Override
  public void nexusClosed(Nexus nexus) {}
}
