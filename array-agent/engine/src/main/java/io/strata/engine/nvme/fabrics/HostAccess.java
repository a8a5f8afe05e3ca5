package io.strata.engine.nvme.fabrics;

import java.util.Set;

/**
 * Which hosts (by host NQN) may connect to a subsystem and see it in the discovery log: the
 * NVMe counterpart of iSCSI's initiator list.
 *
 * @param open any host may (an engine started without a host list, like iSCSI without
 *     initiators)
 */
public record HostAccess(boolean open, Set<String> hosts) {
  public static final HostAccess ANY = new HostAccess(true, Set.of());

  public HostAccess {
    hosts = Set.copyOf(hosts);
  }

  /** Only the hosts listed; an empty list admits none. */
  public static HostAccess only(Set<String> hosts) {
    return new HostAccess(false, hosts);
  }

  public boolean admits(String hostNqn) {
    return open || hosts.contains(hostNqn);
  }
}
