package io.strata.engine.scsi;

import io.strata.engine.scsi.SenseData.FieldPointer;

/**
 * Ends a command with CHECK CONDITION and the given sense data. Thrown inside command handlers
 * and turned into a {@link ScsiResponse} at the single dispatch point, so that deep parsing code
 * can reject a field without threading error values through every return.
 */
public final class CheckCondition extends Exception {
  private final transient SenseData sense;

  public CheckCondition(SenseData sense) {
    super(sense.toString(), null, false, false);
    this.sense = sense;
  }

  public SenseData sense() {
    return sense;
  }

  public static CheckCondition of(int senseKey, int ascq) {
    return new CheckCondition(SenseData.of(senseKey, ascq));
  }

  /** INVALID FIELD IN CDB pointing at {@code byteIndex} (and {@code bit}, or -1). */
  public static CheckCondition invalidCdbField(int byteIndex, int bit) {
    return new CheckCondition(
        new SenseData(
            ScsiSpec.ILLEGAL_REQUEST,
            ScsiSpec.ASC_INVALID_FIELD_IN_CDB,
            -1,
            new FieldPointer(true, byteIndex, bit)));
  }

  /** INVALID FIELD IN PARAMETER LIST pointing at {@code byteIndex} of the Data-Out. */
  public static CheckCondition invalidParameter(int byteIndex, int bit) {
    return new CheckCondition(
        new SenseData(
            ScsiSpec.ILLEGAL_REQUEST,
            ScsiSpec.ASC_INVALID_FIELD_IN_PARAMETER_LIST,
            -1,
            new FieldPointer(false, byteIndex, bit)));
  }

  public static CheckCondition illegalRequest(int ascq) {
    return of(ScsiSpec.ILLEGAL_REQUEST, ascq);
  }

  public static CheckCondition lbaOutOfRange() {
    return illegalRequest(ScsiSpec.ASC_LBA_OUT_OF_RANGE);
  }

  public static CheckCondition parameterListLength() {
    return illegalRequest(ScsiSpec.ASC_PARAMETER_LIST_LENGTH_ERROR);
  }

  public static CheckCondition miscompare(long offset) {
    return new CheckCondition(
        new SenseData(ScsiSpec.MISCOMPARE, ScsiSpec.ASC_MISCOMPARE_DURING_VERIFY, offset, null));
  }
}
