package io.strata.engine.iscsi.pdu;

/**
 * What the decoder accepts on one connection; changes as login negotiates.
 *
 * @param maxRecvDataSegmentLength the largest data segment we declared we can receive
 * @param headerDigest whether each header is followed by a CRC32C
 * @param dataDigest whether each data segment is followed by a CRC32C
 */
public record DecodeLimits(int maxRecvDataSegmentLength, boolean headerDigest, boolean dataDigest) {
  /** RFC 7143: until negotiated, a target receives at most 8192 bytes per data segment. */
  public static final DecodeLimits LOGIN = new DecodeLimits(8192, false, false);
}
