package io.strata.engine.nvme.command;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What a command comes to: its status, the result (completion dwords 0 and 1) and any data for
 * the host (sent in C2HData PDUs before the completion).
 */
public record Reply(int status, long result, ByteBuffer dataToHost) {
  private static final ByteBuffer NONE = ByteBuffer.allocate(0);

  public static final Reply OK = new Reply(Status.SUCCESS, 0, NONE);

  public static Reply ok(long result) {
    return new Reply(Status.SUCCESS, result, NONE);
  }

  public static Reply data(ByteBuffer data) {
    return new Reply(Status.SUCCESS, 0, data);
  }

  public static Reply error(int status) {
    return new Reply(status, 0, NONE);
  }

  public static Reply error(int status, long result) {
    return new Reply(status, result, NONE);
  }

  /**
   * The completion queue entry: DW0-1 result, SQHD @8, SQID @10, CID @12, status @14.
   */
  public byte[] completion(int commandId, int submissionQueueHead, int queueId) {
    ByteBuffer cqe = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    cqe.putLong(0, result);
    cqe.putShort(8, (short) submissionQueueHead);
    cqe.putShort(10, (short) queueId);
    cqe.putShort(12, (short) commandId);
    cqe.putShort(14, (short) Status.field(status));
    return cqe.array();
  }
}
