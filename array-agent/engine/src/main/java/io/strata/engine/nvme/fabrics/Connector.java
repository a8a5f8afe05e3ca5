package io.strata.engine.nvme.fabrics;

import io.strata.engine.nvme.command.Reply;
import io.strata.engine.nvme.command.Status;

/**
 * Decides a Connect: which subsystem, whether the host may, and which controller the queue
 * belongs to (a new one for an admin queue, the host's own for an I/O queue). A refusal says
 * which field was wrong, as the fabrics specification asks (IATTR/IPO in the completion).
 */
public final class Connector {
  private Connector() {}

  /** The answer, and for a success the controller the queue now belongs to. */
  public record Result(Reply reply, Controller controller) {
    static Result refused(int status) {
      return new Result(Reply.error(status), null);
    }

    /** Connect Invalid Parameters naming the field: in the SQE or (inData) the Connect data. */
    static Result invalid(boolean inData, int offset) {
      return new Result(Reply.error(Status.CONNECT_INVALID_PARAMETERS,
          offset | (inData ? 1L << 16 : 0)), null);
    }
  }

  public static Result connect(Subsystems subsystems, ConnectRequest r) {
    if (r.recordFormat() != 0) {
      return Result.refused(Status.CONNECT_INCOMPATIBLE_FORMAT);
    }
    Subsystem subsystem = subsystems.find(r.subsystemNqn()).orElse(null);
    if (subsystem == null) {
      return Result.invalid(true, ConnectRequest.DATA_OFFSET_SUBNQN);
    }
    if (!subsystem.admits(r.hostNqn())) {
      return Result.refused(Status.CONNECT_INVALID_HOST);
    }
    if (r.queueSize() < 1 || r.queueSize() > ControllerRegisters.MAX_QUEUE_ENTRIES
        || (r.queueId() == 0 && r.queueSize() < 31)) {
      return Result.invalid(false, ConnectRequest.OFFSET_SQSIZE);
    }
    if (r.queueId() == 0) {
      if (r.controllerId() != ConnectRequest.DYNAMIC_CONTROLLER) {
        return Result.invalid(true, ConnectRequest.DATA_OFFSET_CNTLID);
      }
      Controller c = subsystem.newController(r.hostNqn(), r.hostId()).orElse(null);
      if (c == null) {
        return Result.refused(Status.CONNECT_CONTROLLER_BUSY);
      }
      c.claimQueue(0);
      c.keepAliveMillis(r.keepAliveMillis());
      return new Result(Reply.ok(c.id()), c);
    }
    Controller c = subsystem.controller(r.controllerId()).orElse(null);
    if (c == null || !c.sameHost(r.hostNqn(), r.hostId()) || !c.registers().ready()) {
      return Result.invalid(true, ConnectRequest.DATA_OFFSET_CNTLID);
    }
    if (subsystem.isDiscovery() || r.queueId() > c.ioQueues()) {
      return Result.invalid(false, ConnectRequest.OFFSET_QID);
    }
    if (!c.claimQueue(r.queueId())) {
      return Result.refused(Status.CONNECT_CONTROLLER_BUSY);
    }
    return new Result(Reply.ok(c.id()), c);
  }
}
