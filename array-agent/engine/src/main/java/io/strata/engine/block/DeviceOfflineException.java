package io.strata.engine.block;

import java.io.IOException;

/**
 * A layer of the block stack has lost a device it cannot serve correctly without (for example the
 * flash cache's SSD while it held data not yet destaged), so it refuses every I/O rather than
 * return stale data. The SCSI layer answers NOT READY, LOGICAL UNIT NOT READY, MANUAL
 * INTERVENTION REQUIRED (02/04/03), which initiators do not retry, instead of the MEDIUM ERROR
 * an ordinary {@link IOException} becomes.
 */
public class DeviceOfflineException extends IOException {
  public DeviceOfflineException(String message, Throwable cause) {
    super(message, cause);
  }
}
