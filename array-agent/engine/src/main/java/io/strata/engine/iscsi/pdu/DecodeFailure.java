package io.strata.engine.iscsi.pdu;

/**
 * Input that is not a PDU we can act on. It becomes a Reject with {@code rejectReason} carrying
 * {@code header}; when {@code fatal}, the byte stream can no longer be trusted and the connection
 * closes after the Reject.
 *
 * @param header the 48-byte BHS as received (for the Reject's data segment)
 */
public record DecodeFailure(int rejectReason, byte[] header, boolean fatal, String why) {}
