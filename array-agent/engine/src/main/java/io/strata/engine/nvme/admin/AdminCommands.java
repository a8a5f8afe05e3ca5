package io.strata.engine.nvme.admin;

import io.strata.engine.nvme.command.Command;
import io.strata.engine.nvme.command.Reply;
import io.strata.engine.nvme.command.Status;
import io.strata.engine.nvme.discovery.DiscoveryLog;
import io.strata.engine.nvme.fabrics.Controller;
import io.strata.engine.nvme.fabrics.Namespace;
import io.strata.engine.nvme.fabrics.Subsystem;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * The admin command set this target implements: Identify, Get Log Page, Get/Set Features, Keep
 * Alive and Asynchronous Event Request. Anything else is answered Invalid Command Opcode.
 */
public final class AdminCommands {
  private AdminCommands() {}

  public static final int GET_LOG_PAGE = 0x02;
  public static final int IDENTIFY = 0x06;
  public static final int SET_FEATURES = 0x09;
  public static final int GET_FEATURES = 0x0A;
  public static final int ASYNC_EVENT_REQUEST = 0x0C;
  public static final int KEEP_ALIVE = 0x18;

  public static final int LOG_ERROR = 0x01;
  public static final int LOG_HEALTH = 0x02;
  public static final int LOG_CHANGED_NAMESPACES = 0x04;

  public static final int FEATURE_VOLATILE_WRITE_CACHE = 0x06;
  public static final int FEATURE_NUMBER_OF_QUEUES = 0x07;
  public static final int FEATURE_ASYNC_EVENT_CONFIG = 0x0B;
  public static final int FEATURE_KEEP_ALIVE_TIMER = 0x0F;

  /** The reply, or null for an Asynchronous Event Request now held. */
  public static Reply execute(AdminSession session, Command command) {
    return switch (command.opcode()) {
      case IDENTIFY -> identify(session.controller(), command);
      case GET_LOG_PAGE -> logPage(session, command);
      case SET_FEATURES -> setFeature(session.controller(), command);
      case GET_FEATURES -> getFeature(session.controller(), command);
      case KEEP_ALIVE -> Reply.OK;
      case ASYNC_EVENT_REQUEST -> session.holdAsyncEvent(command.id()) ? null
          : Reply.error(Status.ASYNC_EVENT_LIMIT_EXCEEDED);
      default -> Reply.error(Status.INVALID_OPCODE);
    };
  }

  private static Reply identify(Controller c, Command command) {
    int cns = command.dword(10) & 0xff;
    Subsystem s = c.subsystem();
    if (s.isDiscovery() && cns != 0x01) {
      return Reply.error(Status.INVALID_FIELD);
    }
    int nsid = command.namespaceId();
    return switch (cns) {
      case 0x00 -> namespace(s, nsid).map(n -> Reply.data(IdentifyData.namespace(n)))
          // an id in range with nothing attached reads as zeros (NCAP 0: not allocated)
          .orElse(validNamespaceId(nsid) ? Reply.data(ByteBuffer.allocate(IdentifyData.SIZE))
              : Reply.error(Status.INVALID_NAMESPACE));
      case 0x01 -> Reply.data(IdentifyData.controller(c));
      case 0x02 -> nsid == 0xFFFFFFFE || nsid == 0xFFFFFFFF ? Reply.error(Status.INVALID_NAMESPACE)
          : Reply.data(IdentifyData.activeNamespaces(s.activeNamespaces(), nsid));
      case 0x03 -> namespace(s, nsid).map(n -> Reply.data(IdentifyData.descriptors(n)))
          .orElse(Reply.error(Status.INVALID_NAMESPACE));
      default -> Reply.error(Status.INVALID_FIELD);
    };
  }

  private static boolean validNamespaceId(int nsid) {
    return nsid >= 1 && nsid <= IdentifyData.MAX_NAMESPACES;
  }

  private static Optional<Namespace> namespace(Subsystem s, int nsid) {
    return s.namespace(nsid);
  }

  private static Reply logPage(AdminSession session, Command command) {
    int cdw10 = command.dword(10);
    int lid = cdw10 & 0xff;
    boolean retainEvent = (cdw10 & 0x8000) != 0;
    long dwords = ((long) (command.dword(11) & 0xffff) << 16 | (cdw10 >>> 16)) + 1;
    long offset = Integer.toUnsignedLong(command.dword(12))
        | (long) command.dword(13) << 32;
    Controller c = session.controller();
    ByteBuffer log;
    if (c.subsystem().isDiscovery()) {
      if (lid != DiscoveryLog.LOG_ID) {
        return Reply.error(Status.INVALID_LOG_PAGE);
      }
      List<Subsystem> visible = session.subsystems().visibleTo(c.hostNqn());
      log = DiscoveryLog.build(generation(visible), visible, session.portals());
    } else {
      switch (lid) {
        case LOG_ERROR -> log = ByteBuffer.allocate(64); // no errors are recorded
        case LOG_HEALTH -> log = health(c);
        case LOG_CHANGED_NAMESPACES -> {
          log = changedNamespaces(c.changedNamespaces(!retainEvent));
          if (!retainEvent) {
            session.namespaceNoticesRead();
          }
        }
        default -> {
          return Reply.error(Status.INVALID_LOG_PAGE);
        }
      }
    }
    long bytes = dwords * 4;
    if (offset % 4 != 0 || offset > log.capacity() || bytes > IdentifyData.MAX_TRANSFER_BYTES) {
      return Reply.error(Status.INVALID_FIELD);
    }
    // What the host asked for: the log from the offset, zeros past its end.
    ByteBuffer out = ByteBuffer.allocate((int) bytes);
    int available = (int) Math.min(bytes, log.capacity() - offset);
    out.put(0, log, (int) offset, available);
    return Reply.data(out);
  }

  /** GENCTR: changes when the set of visible subsystems does. */
  private static long generation(List<Subsystem> visible) {
    return Integer.toUnsignedLong(visible.stream().map(Subsystem::nqn).toList().hashCode());
  }

  private static ByteBuffer health(Controller c) {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    // Data units: thousands of 512-byte units, rounded up. Temperatures are not measured: 0.
    b.putLong(32, (c.bytesRead.sum() + 511_999) / 512_000);
    b.putLong(48, (c.bytesWritten.sum() + 511_999) / 512_000);
    b.putLong(64, c.readCommands.sum());
    b.putLong(80, c.writeCommands.sum());
    return b;
  }

  private static ByteBuffer changedNamespaces(List<Integer> changed) {
    ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    if (changed.size() > 1024) {
      b.putInt(0, 0xFFFFFFFF); // more than the list holds: the host rescans all
    } else {
      for (int i = 0; i < changed.size(); i++) {
        b.putInt(i * 4, changed.get(i));
      }
    }
    return b;
  }

  private static Reply setFeature(Controller c, Command command) {
    int cdw10 = command.dword(10);
    int cdw11 = command.dword(11);
    if ((cdw10 & 0x80000000) != 0) {
      return Reply.error(Status.FEATURE_NOT_SAVEABLE);
    }
    switch (cdw10 & 0xff) {
      case FEATURE_NUMBER_OF_QUEUES -> {
        if (c.subsystem().isDiscovery()) {
          return Reply.error(Status.INVALID_FIELD);
        }
        int submission = cdw11 & 0xffff;
        int completion = cdw11 >>> 16;
        if (submission == 0xffff || completion == 0xffff) {
          return Reply.error(Status.INVALID_FIELD);
        }
        int granted = c.requestIoQueues(Math.min(submission, completion) + 1) - 1;
        return Reply.ok(granted | (long) granted << 16);
      }
      case FEATURE_ASYNC_EVENT_CONFIG -> {
        c.asyncEventConfig(cdw11);
        return Reply.OK;
      }
      case FEATURE_KEEP_ALIVE_TIMER -> {
        c.keepAliveMillis(Integer.toUnsignedLong(cdw11));
        return Reply.OK;
      }
      case FEATURE_VOLATILE_WRITE_CACHE -> {
        // Writes are durable after Flush or FUA (the block stack's contract); that cannot be
        // switched off, so only "enabled" is accepted.
        return (cdw11 & 1) == 1 && !c.subsystem().isDiscovery() ? Reply.OK
            : Reply.error(Status.INVALID_FIELD);
      }
      default -> {
        return Reply.error(Status.INVALID_FIELD);
      }
    }
  }

  private static Reply getFeature(Controller c, Command command) {
    int cdw10 = command.dword(10);
    int select = (cdw10 >> 8) & 0x7;
    int fid = cdw10 & 0xff;
    boolean known = fid == FEATURE_ASYNC_EVENT_CONFIG || fid == FEATURE_KEEP_ALIVE_TIMER
        || (!c.subsystem().isDiscovery()
            && (fid == FEATURE_NUMBER_OF_QUEUES || fid == FEATURE_VOLATILE_WRITE_CACHE));
    if (!known || select > 3) {
      return Reply.error(Status.INVALID_FIELD);
    }
    if (select == 3) { // supported capabilities: changeable, not saveable, not per namespace
      return Reply.ok(fid == FEATURE_VOLATILE_WRITE_CACHE ? 0 : 0b100);
    }
    return switch (fid) {
      case FEATURE_NUMBER_OF_QUEUES -> {
        long n = c.ioQueues() - 1;
        yield Reply.ok(n | n << 16);
      }
      case FEATURE_ASYNC_EVENT_CONFIG -> Reply.ok(Integer.toUnsignedLong(c.asyncEventConfig()));
      case FEATURE_KEEP_ALIVE_TIMER -> Reply.ok(c.keepAliveMillis());
      default -> Reply.ok(1); // volatile write cache: enabled
    };
  }
}
