package io.strata.engine.nvme.fabrics;

import java.util.List;
import java.util.Optional;

/** The subsystems one engine serves, and the discovery subsystem beside them. */
public final class Subsystems {
  private final Subsystem discovery = Subsystem.discovery();
  private final List<Subsystem> nvm;

  public Subsystems(List<Subsystem> nvm) {
    this.nvm = List.copyOf(nvm);
  }

  public Subsystem discovery() {
    return discovery;
  }

  public Optional<Subsystem> find(String nqn) {
    if (discovery.nqn().equals(nqn)) {
      return Optional.of(discovery);
    }
    return nvm.stream().filter(s -> s.nqn().equals(nqn)).findFirst();
  }

  /** The NVM subsystems {@code hostNqn} may connect to: all a discovery log shows it. */
  public List<Subsystem> visibleTo(String hostNqn) {
    return nvm.stream().filter(s -> s.admits(hostNqn)).toList();
  }

  public List<Subsystem> all() {
    return nvm;
  }
}
