package io.strata.engine.nvme;

import io.strata.engine.nvme.admin.AdminCommands;
import io.strata.engine.nvme.admin.AdminSession;
import io.strata.engine.nvme.admin.IdentifyData;
import io.strata.engine.nvme.command.Command;
import io.strata.engine.nvme.command.Reply;
import io.strata.engine.nvme.command.Status;
import io.strata.engine.nvme.fabrics.ConnectRequest;
import io.strata.engine.nvme.fabrics.Connector;
import io.strata.engine.nvme.fabrics.Controller;
import io.strata.engine.nvme.fabrics.ControllerRegisters;
import io.strata.engine.nvme.fabrics.Namespace;
import io.strata.engine.nvme.fabrics.Subsystems;
import io.strata.engine.nvme.io.IoCommands;
import io.strata.engine.nvme.pdu.Framing;
import io.strata.engine.nvme.pdu.Pdu;
import io.strata.engine.nvme.pdu.PduReader;
import io.strata.engine.nvme.pdu.PduType;
import io.strata.engine.nvme.pdu.Pdus;
import io.strata.engine.nvme.pdu.ProtocolError;
import io.strata.engine.transport.Portal;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One NVMe/TCP connection, which is one queue (admin or I/O) of one controller: ICReq/ICResp,
 * then Connect, then commands. Host data comes in the capsule or, for larger writes, through
 * R2T and H2CData (one R2T outstanding at a time, so a connection buffers at most one command's
 * data); data for the host goes out in C2HData PDUs before the response capsule.
 *
 * <p>Driven by one thread at a time (the connection's event loop): {@link #feed}, {@link #tick}
 * and {@link #closed}. A malformed PDU or a protocol violation is answered with a C2HTermReq and
 * the connection closed; nothing a host sends can throw out of here.
 */
public final class TcpQueue implements PduReader.Sink, AdminSession {
  private static final Logger LOG = Logger.getLogger(TcpQueue.class.getName());

  /** How a queue reaches its socket; every method may be called from any thread. */
  public interface Wire {
    /** Queues {@code pdu}, encoded under {@code framing}. */
    void send(Pdu pdu, Framing framing);

    /** Sends what is queued. */
    void flush();

    /** Sends what is queued, then closes. */
    void close();

    String remoteAddress();
  }

  /** Largest H2CData PDU data the host may send (MAXH2CDATA). */
  public static final int MAX_H2C_DATA = 128 * 1024;
  /** Largest C2HData PDU this controller sends. */
  static final int C2H_CHUNK = 128 * 1024;
  /** A connection that has not connected a queue by then is closed. */
  static final long CONNECT_TIMEOUT_NANOS = 10_000_000_000L;
  /** Longest PDU accepted: data (in-capsule or H2C) plus the largest header, PDO and digests. */
  static final int MAX_INCOMING_PDU =
      256 + Math.max(IdentifyData.IN_CAPSULE_DATA, MAX_H2C_DATA) + 8;

  private enum Phase { AWAIT_IC_REQ, AWAIT_CONNECT, CONNECTED, CLOSED }

  /**
   * A command whose data the host sends after R2Ts; the head of the queue has its R2T out. Its
   * buffer is allocated with its first R2T, so commands waiting behind it cost no memory.
   */
  private static final class Transfer {
    final Command command;
    final int length;
    ByteBuffer buffer;
    int tag;
    int r2tEnd;

    Transfer(Command command, int length) {
      this.command = command;
      this.length = length;
    }
  }

  private final Subsystems subsystems;
  private final Supplier<List<Portal>> portals;
  private final Wire wire;
  private final PduReader reader = PduReader.forController();
  private final long openedNanos = System.nanoTime();
  private Framing sending = Framing.INITIAL;
  private Phase phase = Phase.AWAIT_IC_REQ;

  private Controller controller;
  private int queueId;
  private int queueSize; // 0's based
  private int submissionHead;
  private final ArrayDeque<Transfer> awaitingData = new ArrayDeque<>();
  private int nextTag;

  // Admin queue only: held Asynchronous Event Requests and the namespace notice state.
  private final ArrayDeque<Integer> heldEvents = new ArrayDeque<>();
  private boolean namespaceNoticePending;
  private boolean namespaceNoticeMasked;

  public TcpQueue(Subsystems subsystems, Supplier<List<Portal>> portals, Wire wire) {
    this.subsystems = subsystems;
    this.portals = portals;
    this.wire = wire;
  }

  /** Bytes as they arrived from the socket. */
  public void feed(ByteBuffer bytes) {
    if (phase != Phase.CLOSED) {
      reader.feed(bytes, this);
    }
  }

  // ---- PDUs in

  @Override
  public void pdu(Pdu pdu) {
    if (phase == Phase.CLOSED) {
      return;
    }
    switch (pdu.type()) {
      case IC_REQ -> initialize(pdu);
      case CAPSULE_CMD -> capsule(pdu);
      case H2C_DATA -> hostData(pdu);
      case H2C_TERM_REQ -> {
        LOG.info("NVMe/TCP host " + wire.remoteAddress() + " terminated the connection (FES "
            + Pdus.terminationStatus(pdu) + ")");
        close();
      }
      default -> fatal(new ProtocolError(ProtocolError.INVALID_HEADER_FIELD, 0, pdu.header(),
          pdu.type() + " is not sent by hosts"));
    }
  }

  @Override
  public void error(ProtocolError error) {
    fatal(error);
  }

  /** Answers a protocol error with a C2HTermReq and closes the connection. */
  private void fatal(ProtocolError error) {
    if (phase == Phase.CLOSED) {
      return;
    }
    LOG.warning("NVMe/TCP " + wire.remoteAddress() + ": " + error + "; closing the connection");
    wire.send(Pdus.termReq(PduType.C2H_TERM_REQ, error.status(), error.fieldOffset(),
        error.header()), sending);
    close();
  }

  private void fatal(int status, int offset, Pdu pdu, String why) {
    fatal(new ProtocolError(status, offset, pdu.header(), why));
  }

  private void initialize(Pdu icReq) {
    if (phase != Phase.AWAIT_IC_REQ) {
      fatal(ProtocolError.PDU_SEQUENCE_ERROR, 0, icReq, "a second ICReq");
      return;
    }
    if (Pdus.pfv(icReq) != 0) {
      fatal(ProtocolError.UNSUPPORTED_PARAMETER, 8, icReq, "PDU format version "
          + Pdus.pfv(icReq) + " (only 0 exists)");
      return;
    }
    int hpda = Pdus.dataAlignment(icReq);
    if (hpda > 31) {
      fatal(ProtocolError.INVALID_HEADER_FIELD, 10, icReq, "HPDA " + hpda + " over 31");
      return;
    }
    int digests = Pdus.digests(icReq) & (Pdus.DIGEST_HEADER | Pdus.DIGEST_DATA);
    boolean hd = (digests & Pdus.DIGEST_HEADER) != 0;
    boolean dd = (digests & Pdus.DIGEST_DATA) != 0;
    wire.send(Pdus.icResp(0, digests, MAX_H2C_DATA), sending);
    wire.flush();
    sending = new Framing(hd, dd, MAX_INCOMING_PDU, (hpda + 1) * 4);
    reader.framing(new Framing(hd, dd, MAX_INCOMING_PDU, 4));
    phase = Phase.AWAIT_CONNECT;
  }

  private static int dataDirection(Command c) {
    return (c.isFabrics() ? c.fabricsType() : c.opcode()) & 0x3; // 01b: host to controller
  }

  private void capsule(Pdu pdu) {
    if (phase == Phase.AWAIT_IC_REQ) {
      fatal(ProtocolError.PDU_SEQUENCE_ERROR, 0, pdu, "a command before ICReq");
      return;
    }
    if (pdu.dataLength() > IdentifyData.IN_CAPSULE_DATA) {
      fatal(ProtocolError.DATA_LIMIT_EXCEEDED, 4, pdu, pdu.dataLength()
          + " bytes of in-capsule data, over " + IdentifyData.IN_CAPSULE_DATA);
      return;
    }
    Command command = Command.of(Pdus.sqe(pdu));
    if (phase == Phase.CONNECTED) {
      controller.traffic();
      submissionHead = (submissionHead + 1) % (queueSize + 1);
      if (awaitingData.size() + heldEvents.size() > queueSize) {
        fatal(ProtocolError.PDU_SEQUENCE_ERROR, 0, pdu, "more commands outstanding than the "
            + (queueSize + 1) + " entries of the queue");
        return;
      }
    }
    boolean toController = dataDirection(command) == 1;
    if (pdu.dataLength() > 0) {
      if (!toController) {
        respond(command, Reply.error(Status.INVALID_FIELD));
      } else if (command.sglIdentifier() != Command.SGL_IN_CAPSULE || command.sglAddress() != 0) {
        respond(command, Reply.error(Status.SGL_DESCRIPTOR_TYPE_INVALID));
      } else if (command.sglLength() != pdu.dataLength()) {
        respond(command, Reply.error(Status.DATA_SGL_LENGTH_INVALID));
      } else {
        execute(command, pdu.data());
      }
      return;
    }
    if (toController && command.sglLength() > 0) {
      if (command.sglIdentifier() != Command.SGL_TRANSPORT) {
        respond(command, Reply.error(Status.SGL_DESCRIPTOR_TYPE_INVALID));
      } else if (command.sglLength() > IdentifyData.MAX_TRANSFER_BYTES) {
        respond(command, Reply.error(Status.INVALID_FIELD));
      } else {
        awaitingData.add(new Transfer(command, (int) command.sglLength()));
        if (awaitingData.size() == 1) {
          requestData(awaitingData.peek());
        }
      }
      return;
    }
    execute(command, ByteBuffer.allocate(0));
  }

  /** Sends the R2T for the rest of {@code t}'s data. */
  private void requestData(Transfer t) {
    if (t.buffer == null) {
      t.buffer = ByteBuffer.allocate(t.length);
    }
    t.tag = nextTag++ & 0xffff;
    t.r2tEnd = t.buffer.capacity();
    wire.send(Pdus.r2t(t.command.id(), t.tag, t.buffer.position(),
        t.r2tEnd - t.buffer.position()), sending);
    wire.flush();
  }

  private void hostData(Pdu pdu) {
    if (phase == Phase.AWAIT_IC_REQ) {
      fatal(ProtocolError.PDU_SEQUENCE_ERROR, 0, pdu, "H2CData before ICReq");
      return;
    }
    Transfer t = awaitingData.peek();
    int tag = Pdus.transferTag(pdu);
    if (t == null || t.buffer == null || t.tag != tag || t.command.id() != Pdus.commandId(pdu)) {
      fatal(ProtocolError.INVALID_HEADER_FIELD, 10, pdu, "H2CData for command "
          + Pdus.commandId(pdu) + ", transfer tag " + tag + ", which no R2T asked for");
      return;
    }
    long offset = Pdus.dataOffset(pdu);
    if (offset != t.buffer.position()) {
      fatal(ProtocolError.DATA_OUT_OF_RANGE, 12, pdu, "H2CData at offset " + offset
          + ", expected " + t.buffer.position());
      return;
    }
    if (pdu.dataLength() > t.r2tEnd - t.buffer.position()) {
      fatal(ProtocolError.DATA_OUT_OF_RANGE, 16, pdu, "H2CData of " + pdu.dataLength()
          + " bytes past the R2T's end at " + t.r2tEnd);
      return;
    }
    if (pdu.dataLength() > MAX_H2C_DATA) {
      fatal(ProtocolError.DATA_LIMIT_EXCEEDED, 16, pdu, "H2CData of " + pdu.dataLength()
          + " bytes, over MAXH2CDATA " + MAX_H2C_DATA);
      return;
    }
    t.buffer.put(pdu.data());
    if (t.buffer.hasRemaining()) {
      if (t.buffer.position() == t.r2tEnd) {
        requestData(t);
      }
      return;
    }
    awaitingData.poll();
    execute(t.command, t.buffer.flip());
    Transfer next = awaitingData.peek();
    if (next != null && phase != Phase.CLOSED) {
      requestData(next);
    }
  }

  // ---- commands

  private void execute(Command command, ByteBuffer hostData) {
    Reply reply;
    if (phase == Phase.AWAIT_CONNECT) {
      reply = command.isFabrics() && command.fabricsType() == ConnectRequest.FABRICS_TYPE
          ? connect(command, hostData) : Reply.error(Status.COMMAND_SEQUENCE_ERROR);
    } else if (command.isFabrics()) {
      reply = fabrics(command);
    } else if (!controller.registers().ready()) {
      reply = Reply.error(Status.COMMAND_SEQUENCE_ERROR); // not enabled yet, or reset
    } else if (queueId == 0) {
      reply = AdminCommands.execute(this, command);
    } else {
      reply = io(command, hostData);
    }
    if (reply != null) {
      respond(command, reply);
    }
  }

  private Reply connect(Command command, ByteBuffer data) {
    ConnectRequest request;
    try {
      request = ConnectRequest.parse(command, data);
    } catch (ConnectRequest.BadField e) {
      return Reply.error(Status.CONNECT_INVALID_PARAMETERS, e.dataOffset | 1L << 16);
    }
    Connector.Result result = Connector.connect(subsystems, request);
    if (result.controller() == null) {
      LOG.info("NVMe/TCP " + wire.remoteAddress() + ": Connect of " + request.hostNqn()
          + " to " + request.subsystemNqn() + " queue " + request.queueId() + " refused (status "
          + Integer.toHexString(result.reply().status()) + ")");
      return result.reply();
    }
    controller = result.controller();
    queueId = request.queueId();
    queueSize = request.queueSize();
    submissionHead = 1 % (queueSize + 1);
    phase = Phase.CONNECTED;
    if (queueId == 0) {
      controller.onClose(wire::close);
    } else {
      controller.onIoQueueClose(wire::close);
    }
    return result.reply();
  }

  private static final int PROPERTY_SET = 0x00;
  private static final int PROPERTY_GET = 0x04;

  private Reply fabrics(Command command) {
    int type = command.fabricsType();
    if (type == ConnectRequest.FABRICS_TYPE) {
      return Reply.error(Status.COMMAND_SEQUENCE_ERROR); // this queue is connected already
    }
    if (type != PROPERTY_GET && type != PROPERTY_SET) {
      return Reply.error(Status.INVALID_OPCODE); // authentication, disconnect: not implemented
    }
    if (queueId != 0) {
      return Reply.error(Status.INVALID_FIELD); // properties are the admin queue's
    }
    boolean eightBytes = (command.u8(40) & 0x7) == 1;
    int offset = (int) command.u32(44);
    if (type == PROPERTY_GET) {
      ControllerRegisters.Value v = controller.registers().get(offset, eightBytes);
      return v.status() == Status.SUCCESS ? Reply.ok(v.value()) : Reply.error(v.status());
    }
    int status = controller.registers().set(offset, eightBytes, command.u64(48));
    return status == Status.SUCCESS ? Reply.OK : Reply.error(status);
  }

  private Reply io(Command command, ByteBuffer hostData) {
    int nsid = command.namespaceId();
    if (command.opcode() == IoCommands.FLUSH && nsid == 0xFFFFFFFF) {
      Reply last = Reply.OK;
      for (Namespace n : controller.subsystem().activeNamespaces()) {
        Reply r = IoCommands.execute(controller, n, command, hostData);
        if (r.status() != Status.SUCCESS) {
          last = r;
        }
      }
      return last;
    }
    Namespace ns = controller.subsystem().namespace(nsid).orElse(null);
    if (ns == null) {
      return Reply.error(Status.INVALID_NAMESPACE);
    }
    return IoCommands.execute(controller, ns, command, hostData);
  }

  /** Data for the host (at most what its SGL asked for) in C2HData PDUs, then the response. */
  private void respond(Command command, Reply reply) {
    if (phase == Phase.CLOSED) {
      return;
    }
    ByteBuffer data = reply.dataToHost().duplicate();
    int length = (int) Math.min(data.remaining(), command.sglLength());
    for (int offset = 0; offset < length; offset += C2H_CHUNK) {
      int n = Math.min(C2H_CHUNK, length - offset);
      ByteBuffer piece = data.slice(data.position() + offset, n);
      wire.send(Pdus.c2hData(command.id(), offset, piece, offset + n == length), sending);
    }
    sendCompletion(command.id(), reply);
  }

  private void sendCompletion(int commandId, Reply reply) {
    wire.send(Pdus.capsuleResponse(reply.completion(commandId, submissionHead, queueId)),
        sending);
    wire.flush();
  }

  // ---- admin session

  @Override
  public Controller controller() {
    return controller;
  }

  @Override
  public Subsystems subsystems() {
    return subsystems;
  }

  @Override
  public List<Portal> portals() {
    return portals.get();
  }

  @Override
  public boolean holdAsyncEvent(int commandId) {
    if (heldEvents.size() >= IdentifyData.ASYNC_EVENT_LIMIT) {
      return false;
    }
    heldEvents.add(commandId);
    deliverNamespaceNotice();
    return true;
  }

  @Override
  public void namespaceNoticesRead() {
    namespaceNoticeMasked = false;
    deliverNamespaceNotice();
  }

  /** Async event type 2 (notice), info 0 (namespace attribute changed), log page 04h. */
  static final long NAMESPACE_CHANGED_EVENT = 0x02 | 0x00 << 8 | 0x04 << 16;

  private void deliverNamespaceNotice() {
    boolean enabled = (controller.asyncEventConfig() & (1 << 8)) != 0;
    if (namespaceNoticePending && !namespaceNoticeMasked && enabled && !heldEvents.isEmpty()) {
      namespaceNoticePending = false;
      namespaceNoticeMasked = true; // until the host reads the Changed Namespace List
      sendCompletion(heldEvents.poll(), Reply.ok(NAMESPACE_CHANGED_EVENT));
    }
  }

  // ---- time and teardown

  /** Once a second on the connection's thread: timeouts and namespace change notices. */
  public void tick() {
    long now = System.nanoTime();
    try {
      if (phase == Phase.AWAIT_IC_REQ || phase == Phase.AWAIT_CONNECT) {
        if (now - openedNanos > CONNECT_TIMEOUT_NANOS) {
          LOG.info("NVMe/TCP " + wire.remoteAddress() + ": no Connect within 10 s; closing");
          close();
        }
        return;
      }
      if (phase != Phase.CONNECTED) {
        return;
      }
      if (controller.closed()) {
        close();
      } else if (queueId == 0 && controller.keepAliveExpired(now)) {
        LOG.warning("NVMe/TCP controller " + controller.id() + " of " + controller.hostNqn()
            + ": keep-alive timeout (" + controller.keepAliveMillis() + " ms); closing it");
        controller.close();
      } else if (queueId == 0 && !controller.subsystem().isDiscovery()
          && controller.noticeNamespaceChanges()) {
        namespaceNoticePending = true;
        deliverNamespaceNotice();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "NVMe/TCP " + wire.remoteAddress() + ": timer failed; closing", e);
      close();
    }
  }

  private void close() {
    phase = Phase.CLOSED;
    wire.close();
  }

  /** The socket is gone: an admin queue takes its controller with it. */
  public void closed() {
    phase = Phase.CLOSED;
    Controller c = controller;
    if (c != null) {
      if (queueId == 0) {
        c.close();
      } else {
        c.releaseQueue(queueId);
      }
    }
  }
}
