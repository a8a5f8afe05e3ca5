package io.strata.engine.transport;

import io.strata.engine.iscsi.pdu.DecodeLimits;
import io.strata.engine.iscsi.pdu.Pdu;

/**
 * One transport connection as the iSCSI layer sees it: PDUs out, framing settings in. TCP and
 * (later) iSER each implement it. {@link #write} and {@link #flush} may be called from any thread.
 */
public interface PduConnection {

  /** The portal the initiator connected to. */
  Portal portal();

  /** The initiator's address, for logs. */
  String remoteAddress();

  /** Digests and receive limit agreed at login; applies from the next PDU in each direction. */
  void framing(DecodeLimits limits);

  /** Queues {@code pdu} for sending. */
  void write(Pdu pdu);

  /** Sends everything queued. */
  void flush();

  default void send(Pdu pdu) {
    write(pdu);
    flush();
  }

  /**
   * Runs {@code task} on the thread that reads this connection (TCP: its event loop), after what
   * that thread is doing now. Transports without such a thread run it at once on the caller's.
   */
  default void runOnIoThread(Runnable task) {
    task.run();
  }

  /** Sends what is queued, then closes. */
  void close();
}
