package io.strata.engine.scsi;

import java.nio.ByteBuffer;

/**
 * One SCSI command as the transport delivers it to the SCSI layer.
 *
 * @param nexus who sent it, through which target port
 * @param lun the LUN as its 8-byte SAM encoding
 * @param cdb the command descriptor block (6 to 16 bytes)
 * @param dataOut every byte the initiator sent for this command (immediate and solicited data),
 *     gathered in order; empty for commands without Data-Out
 * @param expectedDataInLength how many bytes the initiator is ready to receive
 * @param taskTag the initiator task tag, for task management
 */
public record ScsiCommand(
    Nexus nexus, long lun, byte[] cdb, ByteBuffer dataOut, int expectedDataInLength, int taskTag) {}
