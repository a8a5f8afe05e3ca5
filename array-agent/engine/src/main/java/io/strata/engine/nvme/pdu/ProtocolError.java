package io.strata.engine.nvme.pdu;

/**
 * A fatal NVMe/TCP transport error: the connection is answered with a C2HTermReq naming the
 * error and closed. Never escapes a connection.
 *
 * @param status the Fatal Error Status (FES) of the termination request
 * @param fieldOffset the byte offset in the offending header of the field in error (FEI), or 0
 * @param header the offending PDU's header as received (up to 128 bytes), for the answer
 * @param why what was wrong, for the log
 */
public record ProtocolError(int status, int fieldOffset, byte[] header, String why) {

  /** FES 01h: a header field has a value the receiver does not accept. */
  public static final int INVALID_HEADER_FIELD = 0x01;
  /** FES 02h: a PDU arrived that the protocol does not allow now. */
  public static final int PDU_SEQUENCE_ERROR = 0x02;
  /** FES 03h: the header digest does not match the header. */
  public static final int HEADER_DIGEST_ERROR = 0x03;
  /** FES 04h: data past the range the receiver asked for. */
  public static final int DATA_OUT_OF_RANGE = 0x04;
  /** FES 05h: more data than the agreed limit. */
  public static final int DATA_LIMIT_EXCEEDED = 0x05;
  /** FES 06h: a parameter (PFV, digest, alignment) the receiver does not support. */
  public static final int UNSUPPORTED_PARAMETER = 0x06;

  public ProtocolError {
    header = header == null ? new byte[0] : header.clone();
  }

  @Override
  public String toString() {
    return "NVMe/TCP protocol error " + status + " at header byte " + fieldOffset + ": " + why;
  }
}
