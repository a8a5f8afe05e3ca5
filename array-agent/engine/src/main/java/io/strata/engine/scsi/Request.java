package io.strata.engine.scsi;

import java.nio.ByteBuffer;

/**
 * One command on its way through a handler: who sent it, to which logical unit, and its bytes.
 *
 * @param target the target the command arrived at (for target-wide state: ports, other LUNs)
 * @param lu the addressed logical unit
 * @param nexus the I_T nexus
 * @param cdb the CDB
 * @param dataOut the Data-Out bytes (position 0 .. limit)
 * @param command the command as the transport delivered it
 */
record Request(
    LogicalUnitTarget target, LogicalUnit lu, Nexus nexus, byte[] cdb, ByteBuffer dataOut,
    ScsiCommand command) {

  int opcode() {
    return cdb[0] & 0xff;
  }

  int dataOutLength() {
    return dataOut == null ? 0 : dataOut.remaining();
  }

  /** The Data-Out as an array (a copy; parameter lists are small). */
  byte[] parameterList() {
    if (dataOut == null) {
      return new byte[0];
    }
    byte[] b = new byte[dataOut.remaining()];
    dataOut.duplicate().get(b);
    return b;
  }
}
