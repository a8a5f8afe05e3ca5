package io.strata.engine.iscsi.session;

import io.strata.engine.iscsi.WireText;
import io.strata.engine.iscsi.discovery.SendTargets;
import io.strata.engine.iscsi.login.LoginConversation;
import io.strata.engine.iscsi.login.LoginFailure;
import io.strata.engine.iscsi.login.LoginResult;
import io.strata.engine.iscsi.login.LoginStatus;
import io.strata.engine.iscsi.login.OperationalParameters;
import io.strata.engine.iscsi.login.SessionBinder;
import io.strata.engine.iscsi.login.TextParameters;
import io.strata.engine.iscsi.pdu.DataIn;
import io.strata.engine.iscsi.pdu.DataOut;
import io.strata.engine.iscsi.pdu.DecodeFailure;
import io.strata.engine.iscsi.pdu.DecodeLimits;
import io.strata.engine.iscsi.pdu.LoginRequest;
import io.strata.engine.iscsi.pdu.LoginResponse;
import io.strata.engine.iscsi.pdu.AsyncMessage;
import io.strata.engine.iscsi.pdu.LogoutRequest;
import io.strata.engine.iscsi.pdu.LogoutResponse;
import io.strata.engine.iscsi.pdu.NopIn;
import io.strata.engine.iscsi.pdu.NopOut;
import io.strata.engine.iscsi.pdu.Pdu;
import io.strata.engine.iscsi.pdu.PduCodec;
import io.strata.engine.iscsi.pdu.ReadyToTransfer;
import io.strata.engine.iscsi.pdu.Reject;
import io.strata.engine.iscsi.pdu.ScsiCommandPdu;
import io.strata.engine.iscsi.pdu.ScsiResponsePdu;
import io.strata.engine.iscsi.pdu.SnackRequest;
import io.strata.engine.iscsi.pdu.TaskManagementRequest;
import io.strata.engine.iscsi.pdu.TaskManagementResponse;
import io.strata.engine.iscsi.pdu.TextRequest;
import io.strata.engine.iscsi.pdu.TextResponse;
import io.strata.engine.scsi.ScsiCommand;
import io.strata.engine.scsi.ScsiResponse;
import io.strata.engine.transport.PduConnection;
import io.strata.engine.transport.PduHandler;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One iSCSI connection: login, then full feature phase (SCSI commands, R2T and Data-Out, Data-In,
 * NOP, task management, text, logout). Every PDU is checked against the phase and the negotiated
 * limits; a PDU that breaks the protocol gets a Reject, and one that leaves the stream in doubt
 * closes this connection only.
 */
public final class IscsiConnection implements PduHandler, SessionBinder {
  private static final Logger LOG = Logger.getLogger(IscsiConnection.class.getName());
  private static final int RESERVED_TAG = 0xffffffff;
  /** The largest write we buffer for one command; larger ones are refused. */
  private static final int MAX_WRITE_BYTES = 64 << 20;

  private enum Phase {
    LOGIN,
    FULL_FEATURE,
    CLOSED
  }

  private final PduConnection io;
  private final SessionRegistry registry;
  private final LoginConversation login;
  private volatile Phase phase = Phase.LOGIN;
  private Session session;
  private OperationalParameters params;
  private int cid;
  private int statSn; // guarded by this
  private int nextTtt = 1; // guarded by this
  private final Map<Integer, WriteTask> writes = new ConcurrentHashMap<>();
  private final Map<Integer, byte[]> textContinuations = new ConcurrentHashMap<>();
  /** TTT of our unanswered NOP-In ping, or RESERVED_TAG when none is out. */
  private volatile int pingTtt = RESERVED_TAG;

  /** Where plain reads and writes run while this connection keeps decoding. */
  private final BlockIo blockIo;
  /** Whether a plain read or write runs on the delivering thread rather than on blockIo. */
  private final InlinePolicy inline;

  public IscsiConnection(PduConnection io, SessionRegistry registry) {
    this(io, registry, BlockIo.threadsPerConnection(), BlockIo.inlineWhileQuick());
  }

  /** With {@code blockIoThreads} threads for reads and writes (0: all on the I/O thread). */
  IscsiConnection(PduConnection io, SessionRegistry registry, int blockIoThreads) {
    this(io, registry, blockIoThreads, false);
  }

  /**
   * With {@code blockIoThreads} threads for reads and writes (0: all on the I/O thread);
   * {@code inlineWhileQuick}: reads and writes run on the I/O thread while they are quick
   * ({@link InlinePolicy}), the threads take them when they are not.
   */
  IscsiConnection(PduConnection io, SessionRegistry registry, int blockIoThreads,
      boolean inlineWhileQuick) {
    this.io = io;
    this.registry = registry;
    this.blockIo = new BlockIo(blockIoThreads, () -> io.runOnIoThread(this::sendCompleted));
    this.inline = new InlinePolicy(inlineWhileQuick);
    this.login = new LoginConversation(
        registry.targets(), io.portal(), registry.limits(), this, io.rdmaCapable());
  }

  // ------------------------------------------------------------------ PduHandler

  @Override
  public void received(Pdu pdu) {
    switch (phase) {
      case LOGIN -> duringLogin(pdu);
      case FULL_FEATURE -> inFullFeature(pdu);
      case CLOSED -> {}
    }
  }

  @Override
  public void malformed(DecodeFailure failure) {
    LOG.fine(() -> io.remoteAddress() + ": " + WireText.forLog(failure.why()));
    if (phase == Phase.CLOSED) {
      return; // refused already: what was still on its way gets no answer
    }
    if (phase == Phase.LOGIN) {
      phase = Phase.CLOSED;
      io.send(LoginConversation.invalidDuringLogin(PduCodec.get32(failure.header(), 16)));
      closeTransport();
      return;
    }
    reject(failure.rejectReason(), failure.header());
    if (failure.fatal()) {
      closeTransport();
    }
  }

  /**
   * Keep-alive: after an idle interval we ping with a NOP-In; if the next interval passes with no
   * answer (nor anything else), the initiator is gone and the connection closes.
   */
  @Override
  public void idle() {
    if (phase != Phase.FULL_FEATURE) {
      if (phase == Phase.LOGIN) {
        closeTransport(); // a login that stalls holds resources for nothing
      }
      return;
    }
    if (pingTtt != RESERVED_TAG) {
      LOG.info(() -> io.remoteAddress() + ": no answer to NOP-In, closing");
      closeTransport();
      return;
    }
    synchronized (this) {
      pingTtt = nextTtt++;
      if (nextTtt == RESERVED_TAG) {
        nextTtt = 1;
      }
      io.write(new NopIn(0, RESERVED_TAG, pingTtt, statSn, session.expCmdSn(), session.maxCmdSn(), Pdu.NO_DATA));
    }
    io.flush();
  }

  /**
   * Asks the initiator to log out within {@code seconds} (RFC 7143 11.9.1, AsyncEvent 1; the
   * Asynchronous Message carries a StatSN like any status). Sent by a target that is about to
   * stop, so that initiators log out and retry later instead of waiting on a dead connection.
   * Nothing before the full feature phase, nor on a discovery session.
   */
  public void requestLogout(int seconds) {
    if (phase != Phase.FULL_FEATURE || session == null || session.discovery()) {
      return;
    }
    synchronized (this) {
      io.write(new AsyncMessage(0, statSn++, session.expCmdSn(), session.maxCmdSn(),
          AsyncMessage.LOGOUT_REQUESTED, 0, 0, seconds));
    }
    io.flush();
  }

  @Override
  public void closed() {
    phase = Phase.CLOSED;
    abortAll();
    blockIo.close();
    if (session != null) {
      registry.connectionGone(session, this);
    }
  }

  // ------------------------------------------------------------------ login

  /** A failed authentication (wrong CHAP answer or user) or authorization: maybe a guess. */
  private static boolean guessing(LoginResponse refusal) {
    return refusal.statusClass() == LoginStatus.AUTHENTICATION_FAILURE.statusClass
        && (refusal.statusDetail() == LoginStatus.AUTHENTICATION_FAILURE.detail
            || refusal.statusDetail() == LoginStatus.AUTHORIZATION_FAILURE.detail);
  }

  /**
   * Answers a failed authentication after the delay the engine's {@link
   * io.strata.engine.iscsi.login.AuthFailureThrottle} sets for this initiator and address (a
   * timer, not a waiting thread), then closes. Meanwhile the connection takes no more PDUs. The
   * throttle logs the failures once per burst, so there is no line per failure here.
   */
  private void answerLater(LoginResponse refusal) {
    phase = Phase.CLOSED;
    java.time.Duration delay =
        registry.authFailures().failed(login.claimedInitiatorName(), io.sourceAddress());
    io.runOnIoThreadAfter(delay, () -> {
      io.send(refusal);
      closeTransport();
    });
  }

  private void duringLogin(Pdu pdu) {
    if (!(pdu instanceof LoginRequest request)) {
      // RFC 7143 6.3: nothing but Login before full feature phase.
      phase = Phase.CLOSED;
      io.send(LoginConversation.invalidDuringLogin(itt(pdu)));
      closeTransport();
      return;
    }
    LoginConversation.Step step = login.handle(request);
    // A fenced engine authenticated fine: it is told at once (and logged), not throttled.
    if (step.outcome() == LoginConversation.Outcome.FAILED && guessing(step.response())
        && !login.fenced()) {
      answerLater(step.response());
      return;
    }
    io.send(step.response());
    switch (step.outcome()) {
      case FAILED -> {
        // The PDUs that came with or after the refused one (same read) get no answer either.
        phase = Phase.CLOSED;
        LOG.info(() -> "login from " + io.remoteAddress() + " refused: "
            + WireText.forLog(step.why()));
        closeTransport();
      }
      case FULL_FEATURE -> {
        synchronized (this) {
          statSn = login.statSn() + 1;
        }
        params = login.agreed();
        io.framing(
            new DecodeLimits(
                params.targetMaxRecvDataSegmentLength(), params.headerDigest(), params.dataDigest()));
        phase = Phase.FULL_FEATURE;
      }
      case CONTINUE -> {}
    }
  }

  @Override
  public int bind(LoginResult result) throws LoginFailure {
    int tag = io.portal().groupTag();
    Session joined;
    if (result.tsih() == 0) {
      joined = registry.create(result, tag);
    } else {
      joined = registry.join(result, tag);
      for (IscsiConnection other : joined.connections()) {
        if (other.cid == result.cid()) {
          // Connection reinstatement: the initiator replaces a connection it lost.
          other.abortAll();
          other.closeTransport();
          joined.connections().remove(other);
        }
      }
      if (joined.connections().size() >= joined.parameters().maxConnections()) {
        throw new LoginFailure(LoginStatus.TOO_MANY_CONNECTIONS, "MaxConnections reached");
      }
    }
    cid = result.cid();
    session = joined;
    joined.connections().add(this);
    return joined.tsih();
  }

  // ------------------------------------------------------------------ full feature phase

  private void inFullFeature(Pdu pdu) {
    pingTtt = RESERVED_TAG; // anything from the initiator shows it is alive
    if (pdu instanceof ScsiCommandPdu command) {
      scsiCommand(command);
    } else if (pdu instanceof DataOut data) {
      dataOut(data);
    } else if (pdu instanceof NopOut nop) {
      nopOut(nop);
    } else if (pdu instanceof TaskManagementRequest tmf) {
      if (session.discovery()) {
        reject(Reject.PROTOCOL_ERROR, PduCodec.encodeHeader(pdu));
        return;
      }
      session.inOrder(tmf.cmdSn(), tmf.immediate(), () -> taskManagement(tmf));
    } else if (pdu instanceof TextRequest text) {
      session.inOrder(text.cmdSn(), text.immediate(), () -> text(text));
    } else if (pdu instanceof LogoutRequest logout) {
      session.inOrder(logout.cmdSn(), logout.immediate(), () -> logout(logout));
    } else if (pdu instanceof SnackRequest) {
      // ErrorRecoveryLevel 0: we keep nothing to resend.
      reject(Reject.PROTOCOL_ERROR, PduCodec.encodeHeader(pdu));
    } else if (pdu instanceof LoginRequest) {
      reject(Reject.PROTOCOL_ERROR, PduCodec.encodeHeader(pdu));
      closeTransport();
    } else {
      reject(Reject.COMMAND_NOT_SUPPORTED, PduCodec.encodeHeader(pdu));
    }
  }

  private void nopOut(NopOut nop) {
    if (nop.itt() == RESERVED_TAG) {
      // The answer to our ping (TTT set) or a ping that wants no answer; must be immediate.
      if (!nop.immediate()) {
        reject(Reject.PROTOCOL_ERROR, PduCodec.encodeHeader(nop));
      }
      return;
    }
    session.inOrder(
        nop.cmdSn(),
        nop.immediate(),
        () -> {
          synchronized (this) {
            io.write(
                new NopIn(
                    nop.lun(),
                    nop.itt(),
                    RESERVED_TAG,
                    statSn++,
                    session.expCmdSn(),
                    session.maxCmdSn(),
                    nop.data()));
          }
          io.flush();
        });
  }

  // ------------------------------------------------------------------ SCSI commands

  private void scsiCommand(ScsiCommandPdu command) {
    if (session.discovery()) {
      reject(Reject.PROTOCOL_ERROR, PduCodec.encodeHeader(command));
      return;
    }
    int length = command.expectedDataTransferLength();
    int immediate = command.data().remaining();
    if (immediate > 0
        && (!command.write() || !params.immediateData() || immediate > params.firstBurstLength()
            || immediate > length)) {
      reject(Reject.PROTOCOL_ERROR, PduCodec.encodeHeader(command));
      return;
    }
    if (command.write() && length > immediate) {
      if (length > MAX_WRITE_BYTES || length < 0) {
        reject(Reject.OUT_OF_RESOURCES, PduCodec.encodeHeader(command));
        return;
      }
      int unsolicitedEnd =
          params.initialR2T() ? immediate : Math.min(params.firstBurstLength(), length);
      if (!command.finalPdu() == (unsolicitedEnd == immediate)) {
        // F clear announces unsolicited Data-Out; it must match what was negotiated.
        reject(Reject.PROTOCOL_ERROR, PduCodec.encodeHeader(command));
        return;
      }
      if (writes.putIfAbsent(command.itt(), new WriteTask(command, unsolicitedEnd)) != null) {
        reject(Reject.TASK_IN_PROGRESS, PduCodec.encodeHeader(command));
        return;
      }
    }
    session.inOrder(command.cmdSn(), command.immediate(), () -> deliver(command));
  }

  /** The command's turn has come (CmdSN order): run it, or ask for its data first. */
  private void deliver(ScsiCommandPdu command) {
    WriteTask task = writes.get(command.itt());
    if (task == null || task.command != command) {
      if (command.write() && command.expectedDataTransferLength() > command.data().remaining()) {
        return; // its data gathering was aborted or failed; it already has its answer
      }
      ByteBuffer data = command.write() ? command.data() : Pdu.NO_DATA;
      execute(command, data, 0);
      return;
    }
    boolean run;
    synchronized (task) {
      task.delivered = true;
      solicit(task);
      run = task.complete() && !task.executed;
      task.executed |= run;
    }
    io.flush();
    if (run) {
      finishWrite(task);
    }
  }

  /** Sends R2Ts while fewer than MaxOutstandingR2T are waiting. Caller holds the task. */
  private void solicit(WriteTask task) {
    while (task.delivered
        && task.outstanding.size() < params.maxOutstandingR2T()
        && task.nextR2tOffset < task.length()) {
      int offset = task.nextR2tOffset;
      int length = Math.min(params.maxBurstLength(), task.length() - offset);
      int ttt;
      synchronized (this) {
        ttt = nextTtt++;
        if (nextTtt == RESERVED_TAG) {
          nextTtt = 1;
        }
        io.write(
            new ReadyToTransfer(
                task.command.lun(),
                task.command.itt(),
                ttt,
                statSn,
                session.expCmdSn(),
                session.maxCmdSn(),
                task.r2tSn++,
                offset,
                length));
      }
      task.outstanding.add(new WriteTask.Solicitation(ttt, offset, length));
      task.nextR2tOffset += length;
    }
  }

  private void dataOut(DataOut data) {
    if (session.discovery()) {
      reject(Reject.PROTOCOL_ERROR, PduCodec.encodeHeader(data));
      return;
    }
    WriteTask task = writes.get(data.itt());
    if (task == null) {
      // Data for a task we do not know (or just aborted): RFC 7143 asks us to discard it.
      reject(Reject.INVALID_PDU_FIELD, PduCodec.encodeHeader(data));
      return;
    }
    boolean run;
    String error;
    synchronized (task) {
      error = accept(task, data);
      if (error == null) {
        solicit(task);
      }
      run = error == null && task.delivered && task.complete() && !task.executed;
      task.executed |= run;
    }
    if (error != null) {
      // Within-command recovery needs ErrorRecoveryLevel 1; at 0 the command fails and the
      // connection stays, so one bad sequence costs one command.
      LOG.info(() -> io.remoteAddress() + ": " + WireText.forLog(error));
      writes.remove(data.itt(), task);
      reject(Reject.PROTOCOL_ERROR, PduCodec.encodeHeader(data));
      respond(task.command, new ScsiResponse(0x02, dataPhaseErrorSense(), null), task.r2tSn);
      return;
    }
    io.flush();
    if (run) {
      finishWrite(task);
    }
  }

  /** Places one Data-Out in its task, or says why it breaks the sequence. Caller holds task. */
  private static String accept(WriteTask task, DataOut data) {
    int offset = data.bufferOffset();
    int length = data.data().remaining();
    if (offset != task.received) {
      return "Data-Out at offset " + offset + ", expected " + task.received;
    }
    if ((long) offset + length > task.length()) {
      return "Data-Out beyond the expected data transfer length";
    }
    if (data.dataSn() != task.expectedDataSn) {
      return "DataSN " + data.dataSn() + ", expected " + task.expectedDataSn;
    }
    WriteTask.Solicitation burst = null;
    if (data.ttt() == RESERVED_TAG) {
      if (offset + length > task.unsolicitedEnd) {
        return "unsolicited data beyond FirstBurstLength";
      }
    } else {
      burst = task.outstanding.peek();
      if (burst == null || burst.ttt() != data.ttt()) {
        return "Data-Out with unknown TTT";
      }
      if (offset + length > burst.offset() + burst.length()) {
        return "Data-Out beyond its R2T";
      }
    }
    task.buffer.put(offset, data.data(), data.data().position(), length);
    task.received += length;
    task.expectedDataSn++;
    boolean sequenceDone =
        burst != null ? task.received == burst.offset() + burst.length() : task.received == task.unsolicitedEnd;
    if (sequenceDone != data.finalPdu()) {
      return "F bit " + data.finalPdu() + " at offset " + task.received;
    }
    if (sequenceDone) {
      task.expectedDataSn = 0;
      if (burst != null) {
        task.outstanding.poll();
      }
    }
    return null;
  }

  private void finishWrite(WriteTask task) {
    writes.remove(task.command.itt(), task);
    execute(task.command, task.buffer.position(0).limit(task.length()), task.r2tSn);
  }

  private void execute(ScsiCommandPdu command, ByteBuffer dataOut, int r2tCount) {
    if (blockIo.takes(command)) {
      long start = inline.enabled() ? System.nanoTime() : 0;
      if (inline.enabled() && inline.inline(start) && blockIo.idle()) {
        // A plain read or write, quick so far: no hand-off to a block I/O thread and back.
        // Only while none runs there, so that a reused ITT never runs twice at once.
        ScsiResponse response = runScsi(command, dataOut);
        long end = System.nanoTime();
        inline.ran(end - start, (long) command.expectedDataTransferLength(), end);
        respond(command, response, r2tCount);
        return;
      }
      BlockIo.InFlight task = blockIo.submit(command, r2tCount, () -> runScsi(command, dataOut));
      if (task != null) {
        return; // its response goes out from sendCompleted on the connection's I/O thread
      }
    }
    // Anything else runs alone, after the reads and writes delivered before it, so commands that
    // look at or change shared state (reservations, mode pages, COMPARE AND WRITE, ...) see
    // the same order as the initiator's CmdSN.
    blockIo.awaitAll();
    respond(command, runScsi(command, dataOut), r2tCount);
  }

  private ScsiResponse runScsi(ScsiCommandPdu command, ByteBuffer dataOut) {
    try {
      return session
          .target()
          .scsi()
          .execute(
              new ScsiCommand(
                  session.nexus(),
                  command.lun(),
                  command.cdb(),
                  dataOut,
                  command.read() ? command.expectedDataTransferLength() : 0,
                  command.itt()));
    } catch (RuntimeException e) {
      // The SCSI layer promises not to throw; if it does, this command fails, not the engine.
      LOG.log(Level.WARNING, "SCSI layer failed", e);
      return new ScsiResponse(0x02, hardwareErrorSense(), null);
    }
  }

  /**
   * Sends the responses of reads and writes that finished on the block I/O threads, all in one
   * flush. Runs on the connection's I/O thread, so StatSN goes out in order on the wire.
   */
  private void sendCompleted() {
    blockIo.drainStarted();
    BlockIo.InFlight done;
    boolean any = false;
    while ((done = blockIo.nextCompleted()) != null) {
      if (blockIo.retire(done)) {
        writeResponse(done.command(), done.response(), done.r2tCount());
        any = true;
      }
    }
    if (any) {
      io.flush();
    }
  }

  private void respond(ScsiCommandPdu command, ScsiResponse response, int r2tCount) {
    writeResponse(command, response, r2tCount);
    io.flush();
  }

  /** Data-In (with phase-collapsed status when possible), then the SCSI Response if needed. */
  private void writeResponse(ScsiCommandPdu command, ScsiResponse response, int r2tCount) {
    ByteBuffer dataIn = response.dataIn() == null ? Pdu.NO_DATA : response.dataIn().duplicate();
    int expected = command.read() ? command.expectedDataTransferLength() : 0;
    int available = dataIn.remaining();
    int sending = Math.min(available, expected);
    boolean overflow = available > expected;
    boolean underflow = available < expected;
    int residual = overflow ? available - expected : expected - available;
    if (!command.read() && command.write()) {
      // A write's residual compares what the CDB called for with what the initiator announced.
      int needed = response.dataOutLength();
      int announced = command.expectedDataTransferLength();
      overflow = needed >= 0 && needed > announced;
      underflow = needed >= 0 && needed < announced;
      residual = needed < 0 ? 0 : Math.abs(needed - announced);
    }
    boolean good = response.status() == 0 && (response.sense() == null || response.sense().length == 0);
    int segment = params.initiatorMaxRecvDataSegmentLength();
    int dataSn = 0;
    synchronized (this) {
      int offset = 0;
      while (offset < sending) {
        int n = Math.min(segment, sending - offset);
        boolean last = offset + n == sending;
        boolean withStatus = last && good;
        ByteBuffer piece = dataIn.slice(dataIn.position() + offset, n);
        io.write(
            new DataIn(
                last,
                overflow,
                underflow,
                withStatus,
                response.status(),
                command.lun(),
                command.itt(),
                withStatus ? statSn++ : 0,
                session.expCmdSn(),
                session.maxCmdSn(),
                dataSn++,
                offset,
                residual,
                piece));
        offset += n;
        if (withStatus) {
          return;
        }
      }
      ByteBuffer senseData = Pdu.NO_DATA;
      if (response.sense() != null && response.sense().length > 0) {
        byte[] withLength = new byte[2 + response.sense().length];
        withLength[0] = (byte) (response.sense().length >> 8);
        withLength[1] = (byte) response.sense().length;
        System.arraycopy(response.sense(), 0, withLength, 2, response.sense().length);
        senseData = ByteBuffer.wrap(withLength);
      }
      io.write(
          new ScsiResponsePdu(
              overflow,
              underflow,
              0,
              response.status(),
              command.itt(),
              statSn++,
              session.expCmdSn(),
              session.maxCmdSn(),
              command.read() ? dataSn : r2tCount,
              residual,
              senseData));
    }
  }

  private static byte[] dataPhaseErrorSense() {
    byte[] sense = new byte[18];
    sense[0] = 0x70;
    sense[2] = 0x0b; // ABORTED COMMAND
    sense[7] = 10;
    sense[12] = 0x4b; // DATA PHASE ERROR
    return sense;
  }

  private static byte[] hardwareErrorSense() {
    byte[] sense = new byte[18];
    sense[0] = 0x70;
    sense[2] = 0x04; // HARDWARE ERROR
    sense[7] = 10;
    sense[12] = 0x44; // INTERNAL TARGET FAILURE
    return sense;
  }

  // ------------------------------------------------------------------ task management

  private void taskManagement(TaskManagementRequest request) {
    int response;
    switch (request.function()) {
      case TaskManagementRequest.ABORT_TASK -> {
        boolean found = abortTask(request.referencedTaskTag());
        // Not found but not yet received either (a CmdSN gap): RFC 7143 11.5.1 says the task
        // counts as aborted. Not found and already received means it completed.
        boolean neverReceived = request.refCmdSn() - session.expCmdSn() >= 0;
        response =
            found || neverReceived
                ? TaskManagementResponse.COMPLETE
                : TaskManagementResponse.NO_SUCH_TASK;
      }
      case TaskManagementRequest.ABORT_TASK_SET -> {
        for (IscsiConnection c : session.connections()) {
          c.abortLun(request.lun());
        }
        response = TaskManagementResponse.COMPLETE;
      }
      case TaskManagementRequest.CLEAR_TASK_SET -> {
        abortEverywhere(request.lun(), true);
        response = TaskManagementResponse.COMPLETE;
      }
      case TaskManagementRequest.CLEAR_ACA -> response = TaskManagementResponse.COMPLETE;
      case TaskManagementRequest.LOGICAL_UNIT_RESET -> {
        abortEverywhere(request.lun(), true);
        session.target().scsi().lunReset(session.nexus(), request.lun());
        response = TaskManagementResponse.COMPLETE;
      }
      case TaskManagementRequest.TARGET_WARM_RESET, TaskManagementRequest.TARGET_COLD_RESET -> {
        abortEverywhere(0, false);
        session.target().scsi().targetReset(session.nexus());
        response = TaskManagementResponse.COMPLETE;
      }
      case TaskManagementRequest.TASK_REASSIGN ->
          response = TaskManagementResponse.REASSIGNMENT_NOT_SUPPORTED;
      default -> response = TaskManagementResponse.REJECTED;
    }
    synchronized (this) {
      io.write(
          new TaskManagementResponse(
              response, request.itt(), statSn++, session.expCmdSn(), session.maxCmdSn()));
    }
    io.flush();
    if (request.function() == TaskManagementRequest.TARGET_COLD_RESET) {
      // A cold reset drops every connection to the target, ours included (RFC 7143 11.5.1).
      for (Session s : registry.sessionsOf(session.target())) {
        registry.end(s);
      }
    }
  }

  private boolean abortTask(int itt) {
    for (IscsiConnection c : session.connections()) {
      if (c.writes.remove(itt) != null || c.blockIo.abort(task -> task.command().itt() == itt)) {
        return true;
      }
    }
    return false;
  }

  private void abortEverywhere(long lun, boolean onlyThatLun) {
    for (Session s : registry.sessionsOf(session.target())) {
      for (IscsiConnection c : s.connections()) {
        if (onlyThatLun) {
          c.abortLun(lun);
        } else {
          c.abortAll();
        }
      }
    }
  }

  private void abortLun(long lun) {
    writes.values().removeIf(task -> task.command.lun() == lun);
    blockIo.abort(task -> task.command().lun() == lun);
  }

  /** Drops every task still gathering data; they will get no response. */
  void abortAll() {
    writes.clear();
    blockIo.abort(task -> true);
  }

  // ------------------------------------------------------------------ text and logout

  private void text(TextRequest request) {
    if (!request.finalPdu() || request.continues()) {
      // Multi-PDU text requests are not needed for SendTargets; say so rather than guess.
      reject(Reject.COMMAND_NOT_SUPPORTED, PduCodec.encodeHeader(request));
      return;
    }
    byte[] answer;
    if (request.ttt() != RESERVED_TAG) {
      // The initiator asks for the rest of a long answer.
      answer = textContinuations.remove(request.ttt());
      if (answer == null) {
        reject(Reject.INVALID_PDU_FIELD, PduCodec.encodeHeader(request));
        return;
      }
    } else {
      Map<String, String> offers;
      try {
        offers = TextParameters.parse(TextParameters.bytes(request.data()));
      } catch (TextParameters.MalformedTextException e) {
        reject(Reject.PROTOCOL_ERROR, PduCodec.encodeHeader(request));
        return;
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      for (Map.Entry<String, String> offer : offers.entrySet()) {
        byte[] part =
            offer.getKey().equals("SendTargets")
                ? SendTargets.answer(
                    offer.getValue(), registry.targets(), session.initiatorName(), session.target())
                : TextParameters.encode(Map.of(offer.getKey(), "NotUnderstood"));
        out.write(part, 0, part.length);
      }
      answer = out.toByteArray();
    }
    int max = params.initiatorMaxRecvDataSegmentLength();
    byte[] now = answer.length > max ? Arrays.copyOf(answer, max) : answer;
    boolean more = answer.length > max;
    int ttt = RESERVED_TAG;
    if (more) {
      // Too long for one PDU: send a piece and keep the rest until the initiator asks.
      synchronized (this) {
        ttt = nextTtt++;
      }
      textContinuations.put(ttt, Arrays.copyOfRange(answer, max, answer.length));
    }
    synchronized (this) {
      io.write(
          new TextResponse(
              !more,
              more,
              request.lun(),
              request.itt(),
              ttt,
              statSn++,
              session.expCmdSn(),
              session.maxCmdSn(),
              ByteBuffer.wrap(now)));
    }
    io.flush();
  }

  private void logout(LogoutRequest request) {
    // Reads and writes still running get their responses before the Logout Response.
    blockIo.awaitAll();
    sendCompleted();
    int response = LogoutResponse.CLOSED;
    IscsiConnection closing = null;
    boolean wholeSession = false;
    switch (request.reason()) {
      case LogoutRequest.CLOSE_SESSION -> wholeSession = true;
      case LogoutRequest.CLOSE_CONNECTION -> {
        for (IscsiConnection c : session.connections()) {
          if (c.cid == request.cid()) {
            closing = c;
          }
        }
        if (closing == null) {
          response = LogoutResponse.CID_NOT_FOUND;
        }
      }
      default -> response = LogoutResponse.RECOVERY_NOT_SUPPORTED;
    }
    synchronized (this) {
      io.write(
          new LogoutResponse(
              response, request.itt(), statSn++, session.expCmdSn(), session.maxCmdSn(), 0, 0));
    }
    io.flush();
    if (wholeSession) {
      phase = Phase.CLOSED;
      registry.end(session);
    } else if (closing != null) {
      if (closing == this) {
        phase = Phase.CLOSED;
      }
      closing.abortAll();
      closing.closeTransport();
    }
  }

  // ------------------------------------------------------------------ helpers

  private void reject(int reason, byte[] header) {
    synchronized (this) {
      int expCmdSn = session != null ? session.expCmdSn() : 0;
      int maxCmdSn = session != null ? session.maxCmdSn() : 0;
      io.write(new Reject(reason, statSn++, expCmdSn, maxCmdSn, 0, ByteBuffer.wrap(header)));
    }
    io.flush();
  }

  void closeTransport() {
    io.close();
  }

  private static int itt(Pdu pdu) {
    return PduCodec.get32(PduCodec.encodeHeader(pdu), 16);
  }
}
