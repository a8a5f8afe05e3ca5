package io.strata.engine.nvme.pdu;

/**
 * The PDU types of the NVMe/TCP transport binding (NVMe-oF TCP transport, section 3.6) and the
 * header length (HLEN) each must have: a PDU announcing another length is refused.
 */
public enum PduType {
  IC_REQ(0x00, 128),
  IC_RESP(0x01, 128),
  H2C_TERM_REQ(0x02, 24),
  C2H_TERM_REQ(0x03, 24),
  CAPSULE_CMD(0x04, 72),
  CAPSULE_RESP(0x05, 24),
  H2C_DATA(0x06, 24),
  C2H_DATA(0x07, 24),
  R2T(0x09, 24);

  private final int code;
  private final int headerLength;

  PduType(int code, int headerLength) {
    this.code = code;
    this.headerLength = headerLength;
  }

  public int code() {
    return code;
  }

  /** HLEN: the common header and the type's own header, without the header digest. */
  public int headerLength() {
    return headerLength;
  }

  /**
   * Whether a header digest follows this type's header once digests are agreed: every type but
   * the connection's first two and the termination requests.
   */
  public boolean headerDigestable() {
    return this == CAPSULE_CMD || this == CAPSULE_RESP || this == H2C_DATA || this == C2H_DATA
        || this == R2T;
  }

  /** Whether a data digest follows this type's data once digests are agreed. */
  public boolean dataDigestable() {
    return this == CAPSULE_CMD || this == H2C_DATA || this == C2H_DATA;
  }

  /** Whether a PDU of this type may carry data after its header. */
  public boolean carriesData() {
    return this == CAPSULE_CMD || this == H2C_DATA || this == C2H_DATA
        || this == H2C_TERM_REQ || this == C2H_TERM_REQ;
  }

  /** The type with {@code code}, or null for a code the binding does not define. */
  public static PduType of(int code) {
    for (PduType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
