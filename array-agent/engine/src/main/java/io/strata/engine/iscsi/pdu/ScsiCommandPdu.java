package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * SCSI Command (RFC 7143 11.3). {@code cdb} already includes an Extended CDB AHS when the
 * initiator sent one.
 */
public record ScsiCommandPdu(
    boolean immediate,
    boolean finalPdu,
    boolean read,
    boolean write,
    int taskAttribute,
    long lun,
    int itt,
    int expectedDataTransferLength,
    int cmdSn,
    int expStatSn,
    byte[] cdb,
    ByteBuffer data)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.SCSI_COMMAND;
  }
}
