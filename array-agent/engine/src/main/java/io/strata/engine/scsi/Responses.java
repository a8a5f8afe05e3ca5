package io.strata.engine.scsi;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Building {@link ScsiResponse}s: GOOD with or without Data-In, CHECK CONDITION with sense. */
final class Responses {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  private Responses() {}

  static ScsiResponse good() {
    return new ScsiResponse(ScsiSpec.GOOD, null, EMPTY.duplicate());
  }

  /** GOOD with {@code data}, cut to the CDB's allocation length. */
  static ScsiResponse data(byte[] data, long allocationLength) {
    int n = (int) Math.min(data.length, allocationLength);
    return new ScsiResponse(
        ScsiSpec.GOOD, null, ByteBuffer.wrap(n == data.length ? data : Arrays.copyOf(data, n)));
  }

  static ScsiResponse data(ByteBuffer data) {
    return new ScsiResponse(ScsiSpec.GOOD, null, data);
  }

  static ScsiResponse checkCondition(SenseData sense) {
    return new ScsiResponse(ScsiSpec.CHECK_CONDITION, sense.toBytes(), EMPTY.duplicate());
  }

  static ScsiResponse reservationConflict() {
    return new ScsiResponse(ScsiSpec.RESERVATION_CONFLICT, null, EMPTY.duplicate());
  }
}
