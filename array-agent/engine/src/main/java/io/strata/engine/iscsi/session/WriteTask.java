package io.strata.engine.iscsi.session;

import io.strata.engine.iscsi.pdu.ScsiCommandPdu;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A write gathering its data: immediate data, then unsolicited Data-Out up to FirstBurstLength,
 * then Data-Out answering our R2Ts. Data must arrive in order (we negotiate DataPDUInOrder and
 * DataSequenceInOrder to Yes), so one offset tracks it. Guarded by its own monitor because
 * delivery (CmdSN order) and Data-Out may run on different connections' threads.
 */
final class WriteTask {
  record Solicitation(int ttt, int offset, int length) {}

  final ScsiCommandPdu command;
  final ByteBuffer buffer;
  final int unsolicitedEnd;
  final ArrayDeque<Solicitation> outstanding = new ArrayDeque<>();
  int received;
  int nextR2tOffset;
  int r2tSn;
  int expectedDataSn;
  boolean delivered;
  boolean executed;

  WriteTask(ScsiCommandPdu command, int unsolicitedEnd) {
    this.command = command;
    int length = command.expectedDataTransferLength();
    this.buffer = ByteBuffer.allocate(length);
    this.unsolicitedEnd = unsolicitedEnd;
    this.nextR2tOffset = unsolicitedEnd;
    ByteBuffer immediate = command.data().duplicate();
    buffer.put(immediate);
    received = buffer.position();
  }

  int length() {
    return buffer.capacity();
  }

  boolean complete() {
    return received == buffer.capacity();
  }
}
