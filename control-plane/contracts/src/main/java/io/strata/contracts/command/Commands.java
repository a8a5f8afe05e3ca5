package io.strata.contracts.command;

import io.strata.contracts.MessageType;
import java.util.List;

/**
 * The commands the control plane sends on {@code strata.commands}, keyed by the agent's node id.
 * Versions: bump {@code currentVersion} for an incompatible payload change and keep reading the
 * old one while senders still write it. Adding an optional field is compatible (readers ignore
 * unknown fields and default missing ones to null or 0) and keeps the version: that is how
 * {@code engineNodeId} and the drives' {@code nodeId} and {@code exportPortal} came in version 1.
 */
public final class Commands {

  public static final MessageType<ArrayDesiredState> ARRAY_DESIRED_STATE =
      MessageType.of("io.strata.command.array.desired-state", ArrayDesiredState.class, 1);

  public static List<MessageType<?>> all() {
    return List.of(ARRAY_DESIRED_STATE);
  }

  /** The envelope subject of a command about an array. */
  public static String arraySubject(String arrayId) {
    return "array/" + arrayId;
  }

  private Commands() {}
}
