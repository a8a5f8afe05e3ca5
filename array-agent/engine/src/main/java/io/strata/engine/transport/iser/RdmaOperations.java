package io.strata.engine.transport.iser;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The RDMA operations one iSER connection needs, as {@link IserConnection} sees them. The DiSNI
 * implementation queues them on the connection's queue pair in call order (so a SCSI Response
 * Send never overtakes the RDMA Writes of its data); tests use a recording fake.
 */
interface RdmaOperations {

  /** Sends one iSER message (copied into registered memory before this returns). */
  void send(ByteBuffer message);

  /** Places {@code data} at the initiator's {@code remoteAddress} under {@code rkey}. */
  void rdmaWrite(ByteBuffer data, long remoteAddress, int rkey);

  /**
   * Fetches {@code length} bytes from the initiator; {@code done} gets them on the connection's
   * completion thread, in the order the reads were issued.
   */
  void rdmaRead(long remoteAddress, int rkey, int length, Consumer<ByteBuffer> done);

  /** The largest single RDMA Read this connection issues (its registered buffer size). */
  int maxReadLength();

  /** Disconnects; the connection's handler hears {@code closed()} once everything is torn down. */
  void disconnect();

  String remoteAddress();
}
