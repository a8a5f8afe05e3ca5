package io.strata.engine.transport;

import io.strata.engine.iscsi.pdu.DecodeLimits;
import io.strata.engine.iscsi.pdu.Pdu;

/**
 * One transport connection as the iSCSI layer sees it: PDUs out, framing settings in. TCP and
 * iSER each implement it. {@link #write} and {@link #flush} may be called from any thread.
 */
public interface PduConnection {

  /** The portal the initiator connected to. */
  Portal portal();

  /** The initiator's address, for logs. */
  String remoteAddress();

  /**
   * The initiator's network address without its port (what limits and failure counts are kept
   * by); the whole remote address where the transport cannot tell them apart.
   */
  default String sourceAddress() {
    return remoteAddress();
  }

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

  /**
   * Runs {@code task} as {@link #runOnIoThread} does, once {@code delay} has passed; no thread
   * waits meanwhile (the answer to a failed login is delayed this way).
   */
  default void runOnIoThreadAfter(java.time.Duration delay, Runnable task) {
    if (delay.isZero()) {
      runOnIoThread(task);
      return;
    }
    java.util.concurrent.CompletableFuture.delayedExecutor(delay.toNanos(),
        java.util.concurrent.TimeUnit.NANOSECONDS).execute(() -> runOnIoThread(task));
  }

  /**
   * Whether this connection runs over an RDMA-capable protocol (iSER, RFC 7145): login then
   * offers RDMAExtensions=Yes and the iSER keys. Everything above login stays the same.
   */
  default boolean rdmaCapable() {
    return false;
  }

  /** Sends what is queued, then closes. */
  void close();
}
