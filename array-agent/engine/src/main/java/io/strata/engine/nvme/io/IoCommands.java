package io.strata.engine.nvme.io;

import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.block.OutOfSpaceException;
import io.strata.engine.nvme.admin.IdentifyData;
import io.strata.engine.nvme.command.Command;
import io.strata.engine.nvme.command.Reply;
import io.strata.engine.nvme.command.Status;
import io.strata.engine.nvme.fabrics.Controller;
import io.strata.engine.nvme.fabrics.Namespace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The NVM command set on the block stack: Read, Write (with FUA), Flush, Write Zeroes (with
 * deallocate) and Dataset Management deallocate. Each goes to the namespace's {@code
 * BlockDevice}, the same one the iSCSI target serves the volume from.
 */
public final class IoCommands {
  private static final Logger LOG = Logger.getLogger(IoCommands.class.getName());

  private IoCommands() {}

  public static final int FLUSH = 0x00;
  public static final int WRITE = 0x01;
  public static final int READ = 0x02;
  public static final int WRITE_ZEROES = 0x08;
  public static final int DATASET_MANAGEMENT = 0x09;

  /** Bytes of zeros written at a time by Write Zeroes without deallocate. */
  private static final int ZERO_CHUNK = 1 << 20;

  /**
   * Runs {@code command} on {@code ns}; {@code hostData} is what the host sent with it (Write,
   * Dataset Management), empty otherwise.
   */
  public static Reply execute(Controller controller, Namespace ns, Command command,
      ByteBuffer hostData) {
    if (command.fuse() != 0) {
      return Reply.error(Status.INVALID_FIELD); // fused Compare and Write is not implemented
    }
    try {
      return switch (command.opcode()) {
        case READ -> read(controller, ns, command);
        case WRITE -> write(controller, ns, command, hostData);
        case FLUSH -> {
          ns.device().flush();
          yield Reply.OK;
        }
        case WRITE_ZEROES -> writeZeroes(ns, command);
        case DATASET_MANAGEMENT -> datasetManagement(ns, command, hostData);
        default -> Reply.error(Status.INVALID_OPCODE);
      };
    } catch (DeviceOfflineException e) {
      return Reply.error(Status.NAMESPACE_NOT_READY);
    } catch (OutOfSpaceException e) {
      return Reply.error(Status.CAPACITY_EXCEEDED);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "namespace " + ns.id() + " (" + ns.volumeId() + "): opcode "
          + command.opcode() + " failed", e);
      return Reply.error(command.opcode() == READ ? Status.UNRECOVERED_READ_ERROR
          : Status.WRITE_FAULT);
    }
  }

  /** The blocks a Read/Write/Write Zeroes addresses: SLBA (CDW10-11) and NLB + 1 (CDW12). */
  private record Range(long lba, int blocks) {
    static Range of(Command c) {
      long lba = Integer.toUnsignedLong(c.dword(10)) | (long) c.dword(11) << 32;
      return new Range(lba, (c.dword(12) & 0xffff) + 1);
    }

    boolean within(Namespace ns) {
      return lba >= 0 && lba + blocks <= ns.device().blockCount();
    }
  }

  private static boolean forceUnitAccess(Command c) {
    return (c.dword(12) & (1 << 30)) != 0;
  }

  private static boolean writeProtected(Namespace ns) {
    return ns.writeProtected() || ns.device().readOnly();
  }

  private static Reply read(Controller controller, Namespace ns, Command command)
      throws IOException {
    Range r = Range.of(command);
    if (!r.within(ns)) {
      return Reply.error(Status.LBA_OUT_OF_RANGE);
    }
    long bytes = (long) r.blocks() * ns.device().blockSize();
    if (bytes > IdentifyData.MAX_TRANSFER_BYTES) {
      return Reply.error(Status.INVALID_FIELD);
    }
    if (command.sglLength() != bytes) {
      return Reply.error(Status.DATA_SGL_LENGTH_INVALID);
    }
    ByteBuffer data = ByteBuffer.allocate((int) bytes);
    ns.device().read(r.lba(), data);
    controller.readCommands.increment();
    controller.bytesRead.add(bytes);
    return Reply.data(data.flip());
  }

  private static Reply write(Controller controller, Namespace ns, Command command,
      ByteBuffer data) throws IOException {
    Range r = Range.of(command);
    if (writeProtected(ns)) {
      return Reply.error(Status.NAMESPACE_WRITE_PROTECTED);
    }
    if (!r.within(ns)) {
      return Reply.error(Status.LBA_OUT_OF_RANGE);
    }
    long bytes = (long) r.blocks() * ns.device().blockSize();
    if (data.remaining() != bytes) {
      return Reply.error(Status.DATA_SGL_LENGTH_INVALID);
    }
    ns.device().write(r.lba(), data.duplicate(), forceUnitAccess(command));
    controller.writeCommands.increment();
    controller.bytesWritten.add(bytes);
    return Reply.OK;
  }

  private static Reply writeZeroes(Namespace ns, Command command) throws IOException {
    Range r = Range.of(command);
    if (writeProtected(ns)) {
      return Reply.error(Status.NAMESPACE_WRITE_PROTECTED);
    }
    if (!r.within(ns)) {
      return Reply.error(Status.LBA_OUT_OF_RANGE);
    }
    boolean deallocate = (command.dword(12) & (1 << 25)) != 0;
    if (deallocate) {
      ns.device().unmap(r.lba(), r.blocks()); // reads as zeros afterwards (DLFEAT)
      return Reply.OK;
    }
    int blockSize = ns.device().blockSize();
    int perChunk = ZERO_CHUNK / blockSize;
    ByteBuffer zeros = ByteBuffer.allocate(ZERO_CHUNK);
    for (long done = 0; done < r.blocks(); done += perChunk) {
      int n = (int) Math.min(perChunk, r.blocks() - done);
      ns.device().write(r.lba() + done, zeros.duplicate().limit(n * blockSize),
          forceUnitAccess(command));
    }
    return Reply.OK;
  }

  /** Dataset Management: NR + 1 ranges of 16 bytes (attributes, NLB, SLBA); AD deallocates. */
  private static Reply datasetManagement(Namespace ns, Command command, ByteBuffer data)
      throws IOException {
    int ranges = (command.dword(10) & 0xff) + 1;
    boolean deallocate = (command.dword(11) & 0x4) != 0;
    if (data.remaining() < ranges * 16) {
      return Reply.error(Status.DATA_SGL_LENGTH_INVALID);
    }
    if (!deallocate) {
      return Reply.OK; // attribute hints only: nothing to do
    }
    if (writeProtected(ns)) {
      return Reply.error(Status.NAMESPACE_WRITE_PROTECTED);
    }
    ByteBuffer d = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int base = d.position();
    // All ranges are checked before any is deallocated: a bad one changes nothing.
    for (int i = 0; i < ranges; i++) {
      long blocks = Integer.toUnsignedLong(d.getInt(base + i * 16 + 4));
      long lba = d.getLong(base + i * 16 + 8);
      if (lba < 0 || lba + blocks > ns.device().blockCount() || lba + blocks < lba) {
        return Reply.error(Status.LBA_OUT_OF_RANGE);
      }
    }
    for (int i = 0; i < ranges; i++) {
      long blocks = Integer.toUnsignedLong(d.getInt(base + i * 16 + 4));
      if (blocks > 0) {
        ns.device().unmap(d.getLong(base + i * 16 + 8), blocks);
      }
    }
    return Reply.OK;
  }
}
