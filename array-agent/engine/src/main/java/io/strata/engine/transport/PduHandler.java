package io.strata.engine.transport;

import io.strata.engine.iscsi.pdu.DecodeFailure;
import io.strata.engine.iscsi.pdu.Pdu;

/** Receives what arrives on one connection, in order, never concurrently. */
public interface PduHandler {
  void received(Pdu pdu);

  /** Input that did not decode; after a fatal one nothing more arrives. */
  void malformed(DecodeFailure failure);

  /** The connection is gone (closed by either side or broken). */
  void closed();
}
