package io.strata.engine.layout;

import java.io.IOException;
import java.util.List;

/**
 * A pool could not open because remote drives it needs cannot be reached now. Unlike a layout
 * that is wrong, this one may apply later by itself: a lending node's export service starting
 * after the engine, or a node coming back. The engine keeps trying it (LayoutService) and says
 * in its status which drives it waits for, so that the agent reports the new objects as pending,
 * not FAILED.
 */
public final class RemoteDrivesUnreachableException extends IOException {
  private final List<String> drives;

  RemoteDrivesUnreachableException(String message, List<String> drives, Throwable cause) {
    super(message, cause);
    this.drives = List.copyOf(drives);
  }

  /** The layout names of the unreachable drives. */
  public List<String> drives() {
    return drives;
  }

  /** The unreachable drives named by {@code failure} or one of its causes; empty if none. */
  static List<String> in(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RemoteDrivesUnreachableException unreachable) {
        return unreachable.drives();
      }
    }
    return List.of();
  }
}
