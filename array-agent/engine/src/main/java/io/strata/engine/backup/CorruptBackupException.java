package io.strata.engine.backup;

/** A backup's manifest or chunk is not what was written: nothing of it is restored as if it were. */
public final class CorruptBackupException extends RuntimeException {
  public CorruptBackupException(String message) {
    super(message);
  }
}
