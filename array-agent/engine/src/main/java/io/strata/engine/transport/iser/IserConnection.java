package io.strata.engine.transport.iser;

import io.strata.engine.iscsi.pdu.DataIn;
import io.strata.engine.iscsi.pdu.DataOut;
import io.strata.engine.iscsi.pdu.DecodeLimits;
import io.strata.engine.iscsi.pdu.Pdu;
import io.strata.engine.iscsi.pdu.ReadyToTransfer;
import io.strata.engine.iscsi.pdu.ScsiCommandPdu;
import io.strata.engine.iscsi.pdu.ScsiResponsePdu;
import io.strata.engine.transport.PduConnection;
import io.strata.engine.transport.PduHandler;
import io.strata.engine.transport.Portal;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One iSER connection, the RDMA datamover of RFC 7145 under the unchanged iSCSI layer. Control
 * PDUs travel as Send messages with an iSER header. The data PDUs the iSCSI layer produces are
 * mapped to RDMA operations here, so login, sessions and SCSI never learn the transport:
 *
 * <ul>
 *   <li>Data-In becomes an RDMA Write into the initiator's read buffer (read STag of the
 *       command); a Data-In that carries status becomes a SCSI Response Send after it (RFC 7145
 *       7.3.5: with iSER the status always travels in a SCSI Response);
 *   <li>an R2T becomes RDMA Reads from the initiator's write buffer (write STag); their data is
 *       handed back to the iSCSI layer as the Data-Out PDUs that answer the R2T (7.3.6).
 * </ul>
 *
 * <p>Receive-side calls ({@link #received}) come from one completion thread per connection, never
 * concurrently, as {@link PduHandler} promises its implementations.
 */
final class IserConnection implements PduConnection {
  private static final Logger LOG = Logger.getLogger(IserConnection.class.getName());
  private static final int UNSOLICITED = 0xffffffff;

  private final Portal portal;
  private final RdmaOperations rdma;
  private PduHandler handler;
  private volatile DecodeLimits receiving = DecodeLimits.LOGIN;
  /** The iSER header of each command in flight (its STags), by initiator task tag. */
  private final Map<Integer, IserHeader> commands = new ConcurrentHashMap<>();
  /**
   * Per write command, the buffer offset its write STag/VA starts at: the initiator advertises
   * the solicited part only (RFC 7145 9.2, Write Base Offset), which begins after the immediate
   * and unsolicited data, i.e. at the offset of the first R2T.
   */
  private final Map<Integer, Integer> solicitedBase = new ConcurrentHashMap<>();
  /**
   * Per write command, the unsolicited bytes (immediate data and unsolicited Data-Out Sends)
   * received so far. RDMA Reads may finish before the last unsolicited Send arrives; the iSCSI
   * layer takes data in offset order, so solicited data waits in {@link #early} until then.
   */
  private final Map<Integer, Integer> unsolicitedSeen = new ConcurrentHashMap<>();
  private final Map<Integer, java.util.List<DataOut>> early = new ConcurrentHashMap<>();
  private volatile boolean closing;

  IserConnection(Portal portal, RdmaOperations rdma) {
    this.portal = portal;
    this.rdma = rdma;
  }

  void handler(PduHandler handler) {
    this.handler = handler;
  }

  // ------------------------------------------------------------------ receive side

  /** One Send message arrived; {@code message} is only valid during this call. */
  void received(ByteBuffer message) {
    if (closing) {
      return;
    }
    IserMessages.Received in;
    try {
      in = IserMessages.decode(message, receiving.maxRecvDataSegmentLength());
    } catch (IserMessages.MalformedMessage e) {
      LOG.info(() -> rdma.remoteAddress() + ": closing iSER connection: " + e.getMessage());
      close();
      return;
    }
    if (in.failure() != null) {
      handler.malformed(in.failure());
      return;
    }
    if (in.pdu() instanceof ScsiCommandPdu command) {
      if (command.read() && !in.header().readValid() && command.expectedDataTransferLength() > 0) {
        LOG.info(() -> rdma.remoteAddress() + ": read command without a read STag, closing");
        close();
        return;
      }
      commands.put(command.itt(), in.header());
      if (command.write()) {
        unsolicitedSeen.put(command.itt(), command.data().remaining());
      }
    }
    deliver(in.pdu());
    if (in.pdu() instanceof DataOut data && data.ttt() == UNSOLICITED) {
      unsolicitedSeen.merge(data.itt(), data.data().remaining(), Integer::sum);
      releaseEarly(data.itt());
    }
  }

  /** Solicited data that came back before the unsolicited data ahead of it: wait, in order. */
  private void solicitedArrived(DataOut data, int base) {
    if (unsolicitedSeen.getOrDefault(data.itt(), base) < base) {
      ByteBuffer copy = ByteBuffer.allocate(data.data().remaining()).put(data.data().duplicate());
      early.computeIfAbsent(data.itt(), itt -> new java.util.ArrayList<>())
          .add(new DataOut(data.finalPdu(), data.lun(), data.itt(), data.ttt(), data.expStatSn(),
              data.dataSn(), data.bufferOffset(), copy.flip()));
      return;
    }
    deliver(data);
  }

  private void releaseEarly(int itt) {
    Integer base = solicitedBase.get(itt);
    if (base == null || unsolicitedSeen.getOrDefault(itt, 0) < base) {
      return;
    }
    java.util.List<DataOut> waiting = early.remove(itt);
    if (waiting != null) {
      waiting.forEach(this::deliver);
    }
  }

  private void deliver(Pdu pdu) {
    try {
      handler.received(pdu);
    } catch (RuntimeException e) {
      // A bug in handling one PDU must cost this connection, never the engine.
      LOG.log(Level.WARNING, "closing " + rdma.remoteAddress() + " after a failure", e);
      close();
    }
  }

  /** The queue pair is gone (disconnected, flushed, or torn down after an error). */
  void transportClosed() {
    closing = true;
    commands.clear();
    solicitedBase.clear();
    unsolicitedSeen.clear();
    early.clear();
    if (handler != null) {
      handler.closed();
    }
  }

  // ------------------------------------------------------------------ PduConnection

  @Override
  public Portal portal() {
    return portal;
  }

  @Override
  public String remoteAddress() {
    return rdma.remoteAddress();
  }

  @Override
  public boolean rdmaCapable() {
    return true;
  }

  @Override
  public void framing(DecodeLimits limits) {
    receiving = limits;
  }

  @Override
  public void write(Pdu pdu) {
    if (closing) {
      return;
    }
    if (pdu instanceof DataIn dataIn) {
      dataIn(dataIn);
    } else if (pdu instanceof ReadyToTransfer r2t) {
      solicit(r2t);
    } else {
      if (pdu instanceof ScsiResponsePdu response) {
        forget(response.itt());
      }
      sendPdu(pdu);
    }
  }

  private void dataIn(DataIn dataIn) {
    IserHeader buffers = commands.get(dataIn.itt());
    if (buffers == null || !buffers.readValid()) {
      LOG.warning(() -> rdma.remoteAddress() + ": Data-In for a task without a read STag, closing");
      close();
      return;
    }
    if (dataIn.data().hasRemaining()) {
      long at = buffers.readVa() + Integer.toUnsignedLong(dataIn.bufferOffset());
      rdma.rdmaWrite(dataIn.data().duplicate(), at, buffers.readStag());
    }
    if (dataIn.statusPresent()) {
      forget(dataIn.itt());
      sendPdu(
          new ScsiResponsePdu(
              dataIn.overflow(),
              dataIn.underflow(),
              0,
              dataIn.status(),
              dataIn.itt(),
              dataIn.statSn(),
              dataIn.expCmdSn(),
              dataIn.maxCmdSn(),
              dataIn.dataSn() + 1,
              dataIn.residualCount(),
              Pdu.NO_DATA));
    }
  }

  /** Fetches what the R2T asks for in RDMA Reads; each becomes one Data-Out of the sequence. */
  private void solicit(ReadyToTransfer r2t) {
    IserHeader buffers = commands.get(r2t.itt());
    if (buffers == null || !buffers.writeValid()) {
      LOG.warning(() -> rdma.remoteAddress() + ": R2T for a task without a write STag, closing");
      close();
      return;
    }
    int base = solicitedBase.computeIfAbsent(r2t.itt(), itt -> r2t.bufferOffset());
    int chunk = rdma.maxReadLength();
    int end = r2t.bufferOffset() + r2t.desiredLength();
    int dataSn = 0;
    for (int offset = r2t.bufferOffset(); offset < end; offset += chunk) {
      int length = Math.min(chunk, end - offset);
      boolean last = offset + length == end;
      int sn = dataSn++;
      int at = offset;
      rdma.rdmaRead(
          buffers.writeVa() + Integer.toUnsignedLong(offset - base),
          buffers.writeStag(),
          length,
          data ->
              solicitedArrived(
                  new DataOut(last, r2t.lun(), r2t.itt(), r2t.ttt(), r2t.statSn(), sn, at, data),
                  base));
    }
  }

  private void forget(int itt) {
    commands.remove(itt);
    solicitedBase.remove(itt);
    unsolicitedSeen.remove(itt);
    early.remove(itt);
  }

  private void sendPdu(Pdu pdu) {
    ByteBuffer message = ByteBuffer.allocate(IserMessages.encodedLength(pdu));
    IserMessages.encode(IserHeader.TARGET_CONTROL, pdu, message);
    rdma.send(message.flip());
  }

  @Override
  public void flush() {
    // Every operation is posted as it is written; the queue pair keeps their order.
  }

  @Override
  public void close() {
    closing = true;
    rdma.disconnect();
  }
}
