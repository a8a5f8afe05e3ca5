package io.strata.engine.nvme.admin;

import io.strata.engine.nvme.fabrics.Controller;
import io.strata.engine.nvme.fabrics.Subsystems;
import io.strata.engine.transport.Portal;
import java.util.List;

/** What admin commands see of the admin queue they arrived on. */
public interface AdminSession {
  Controller controller();

  Subsystems subsystems();

  /** The NVMe/TCP portals of the engine (the discovery log lists them). */
  List<Portal> portals();

  /**
   * Keeps Asynchronous Event Request {@code commandId} until an event completes it; false when
   * {@link IdentifyData#ASYNC_EVENT_LIMIT} are held already.
   */
  boolean holdAsyncEvent(int commandId);

  /** The host read the Changed Namespace List and cleared it: namespace notices may come again. */
  void namespaceNoticesRead();
}
