package io.strata.controlplane.service;

import io.strata.controlplane.security.Caller;

/**
 * Who a change is recorded as (audit entries, operations): the calling user for API requests,
 * or {@link #SYSTEM} for what the control plane does on its own, such as scheduled snapshots.
 */
public record Actor(String name, String remoteAddress) {
  public static final Actor SYSTEM = new Actor("system", null);

  public static Actor of(Caller caller) {
    return new Actor(caller.name(), caller.remoteAddress());
  }
}
