package io.strata.agent.inventory;

import io.strata.contracts.command.ArrayDesiredState.DriveType;
import java.nio.file.Path;

/** A drive of this node: a file in the drives folder (development) or a block device. */
public record Drive(String serial, DriveType type, long capacityBytes, Path path) {

  public long capacityGib() {
    return Math.max(1, capacityBytes >> 30);
  }
}
