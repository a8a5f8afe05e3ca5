package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/** SCSI Data-Out (RFC 7143 11.7): write data, unsolicited or answering an R2T. */
public record DataOut(
    boolean finalPdu,
    long lun,
    int itt,
    int ttt,
    int expStatSn,
    int dataSn,
    int bufferOffset,
    ByteBuffer data)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.DATA_OUT;
  }
}
