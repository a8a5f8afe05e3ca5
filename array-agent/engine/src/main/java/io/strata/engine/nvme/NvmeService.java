package io.strata.engine.nvme;

import io.strata.engine.nvme.fabrics.HostAccess;
import io.strata.engine.nvme.fabrics.Namespace;
import io.strata.engine.nvme.fabrics.Subsystem;
import io.strata.engine.nvme.fabrics.Subsystems;
import io.strata.engine.scsi.LogicalUnit;
import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.transport.ConnectionLimits;
import io.strata.engine.transport.Portal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Puts an engine's LUNs on NVMe/TCP: one NVM subsystem for the array, LUN {@code n} as namespace
 * {@code n + 1} on the same block device (and volume id, hence the same NGUID on every start).
 * LUNs added or removed by a layout reload appear or go at the next Identify, and connected hosts
 * get a namespace-changed event.
 */
public final class NvmeService {
  private NvmeService() {}

  /** The prefix of Strata subsystem NQNs: {@code nqn.2026-11.io.strata:<tenant>.<array>}. */
  public static final String NQN_PREFIX = "nqn.2026-11.io.strata:";

  /** An engine's NQN from its IQN: the part after the IQN's colon, under {@link #NQN_PREFIX}. */
  public static String defaultNqn(String iqn) {
    int colon = iqn.indexOf(':');
    return NQN_PREFIX + (colon >= 0 ? iqn.substring(colon + 1) : iqn);
  }

  /** The namespaces {@code scsi} serves now. */
  public static List<Namespace> namespacesOf(LogicalUnitTarget scsi) {
    List<Namespace> out = new ArrayList<>();
    for (Map.Entry<Integer, LogicalUnit> e : scsi.logicalUnits().entrySet()) {
      out.add(namespace(e.getKey(), e.getValue()));
    }
    return out;
  }

  /** LUN {@code lun} as namespace {@code lun + 1}. */
  private static Namespace namespace(int lun, LogicalUnit unit) {
    return new Namespace(lun + 1, unit.volumeId(), unit.device(), unit.options().readOnly());
  }

  /** {@code scsi}'s LUNs as namespaces; an I/O command's namespace is one map lookup, not a listing. */
  private static Subsystem.Namespaces namespacesServedBy(LogicalUnitTarget scsi) {
    return new Subsystem.Namespaces() {
      @Override
      public List<Namespace> all() {
        return namespacesOf(scsi);
      }

      @Override
      public Optional<Namespace> byId(int nsid) {
        LogicalUnit unit = nsid >= 1 ? scsi.logicalUnits().get(nsid - 1) : null;
        return unit == null ? Optional.empty() : Optional.of(namespace(nsid - 1, unit));
      }
    };
  }

  /**
   * Starts serving {@code scsi}'s LUNs as subsystem {@code nqn} on {@code portals} (HOST:PORT),
   * to the hosts listed (any host when none is).
   */
  public static NvmeTcpTarget start(String nqn, List<String> portals, List<String> hosts,
      LogicalUnitTarget scsi, ConnectionLimits limits) throws IOException {
    HostAccess access = hosts.isEmpty() ? HostAccess.ANY : HostAccess.only(Set.copyOf(hosts));
    Subsystem subsystem = Subsystem.nvm(nqn, namespacesServedBy(scsi), access);
    List<Portal> parsed = new ArrayList<>();
    for (int i = 0; i < portals.size(); i++) {
      parsed.add(Portal.parse(portals.get(i), i + 1));
    }
    NvmeTcpTarget target = new NvmeTcpTarget(new Subsystems(List.of(subsystem)), parsed,
        Math.max(2, Runtime.getRuntime().availableProcessors()), limits);
    target.start();
    return target;
  }
}
