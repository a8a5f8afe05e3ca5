package io.strata.engine.backup;

/**
 * A backup and a sweep of the same prefix would overlap: the sweep could delete a chunk the
 * backup found already stored. The later of the two refuses; it can be retried.
 */
public final class BackupBusyException extends RuntimeException {
  public BackupBusyException(String message) {
    super(message);
  }
}
