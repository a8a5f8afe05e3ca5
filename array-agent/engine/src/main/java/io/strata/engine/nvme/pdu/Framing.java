package io.strata.engine.nvme.pdu;

/**
 * What the two ends of a connection agreed in ICReq/ICResp about framing: whether header and
 * data digests are sent, and the largest PDU the receiver takes (longer ones are refused before
 * a byte of them is buffered).
 *
 * @param dataAlignment data of a PDU sent starts at a multiple of this many bytes (the peer's
 *     HPDA/CPDA + 1, times 4)
 */
public record Framing(boolean headerDigest, boolean dataDigest, int maxPduLength,
    int dataAlignment) {

  /** Before ICReq/ICResp: no digests, and a PDU no longer than an ICReq/ICResp. */
  public static final Framing INITIAL = new Framing(false, false, 128, 4);

  public Framing {
    if (maxPduLength < 128) {
      throw new IllegalArgumentException("maxPduLength below 128: " + maxPduLength);
    }
    if (dataAlignment < 4 || dataAlignment > 128 || dataAlignment % 4 != 0) {
      throw new IllegalArgumentException("dataAlignment must be 4..128 in steps of 4: "
          + dataAlignment);
    }
  }
}
