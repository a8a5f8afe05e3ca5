package io.strata.engine.nvme.fabrics;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One NVM subsystem: an array's volumes as namespaces, the hosts that may connect, and the
 * controllers connected now (dynamic controller model: each admin queue Connect makes one).
 */
public final class Subsystem {
  /** The well-known NQN of the discovery subsystem. */
  public static final String DISCOVERY_NQN = "nqn.2014-08.org.nvmexpress.discovery";
  /** Controller ids 1..FFEFh; FFF0h and above are reserved (FFFFh asks for a dynamic one). */
  static final int MAX_CONTROLLER_ID = 0xFFEF;

  private final String nqn;
  private final Namespaces namespaces;
  private volatile HostAccess hosts;
  private final boolean discovery;
  private final ConcurrentHashMap<Integer, Controller> controllers = new ConcurrentHashMap<>();
  private int lastControllerId;

  /**
   * The namespaces attached now. {@link #byId} is asked on every I/O command, so a source that can
   * find one namespace without listing them all overrides it.
   */
  @FunctionalInterface
  public interface Namespaces {
    List<Namespace> all();

    default Optional<Namespace> byId(int nsid) {
      return all().stream().filter(n -> n.id() == nsid).findFirst();
    }
  }

  private Subsystem(String nqn, Namespaces namespaces, HostAccess hosts,
      boolean discovery) {
    if (nqn.isEmpty() || nqn.getBytes(StandardCharsets.UTF_8).length > 223) {
      throw new IllegalArgumentException("an NQN is 1..223 bytes: '" + nqn + "'");
    }
    this.nqn = nqn;
    this.namespaces = namespaces;
    this.hosts = hosts;
    this.discovery = discovery;
  }

  /**
   * An NVM subsystem whose namespaces are what {@code namespaces} gives at each call (volumes
   * attached or detached while the engine runs show up on the next Identify).
   */
  public static Subsystem nvm(String nqn, Namespaces namespaces, HostAccess hosts) {
    if (!nqn.startsWith("nqn.")) {
      throw new IllegalArgumentException("subsystem NQN must start with 'nqn.': '" + nqn + "'");
    }
    if (nqn.equals(DISCOVERY_NQN)) {
      throw new IllegalArgumentException("the discovery NQN cannot name an NVM subsystem");
    }
    return new Subsystem(nqn, namespaces, hosts, false);
  }

  /** The discovery subsystem: any host may connect; its log lists what each host may see. */
  public static Subsystem discovery() {
    return new Subsystem(DISCOVERY_NQN, List::of, HostAccess.ANY, true);
  }

  public String nqn() {
    return nqn;
  }

  public boolean isDiscovery() {
    return discovery;
  }

  public HostAccess hosts() {
    return hosts;
  }

  /** Replaces who may connect; controllers of hosts no longer admitted are closed. */
  public void hosts(HostAccess next) {
    hosts = next;
    for (Controller c : controllers.values()) {
      if (!next.admits(c.hostNqn())) {
        c.close();
      }
    }
  }

  public boolean admits(String hostNqn) {
    return hosts.admits(hostNqn);
  }

  /** The 20-character serial number: stable per subsystem NQN. */
  public String serialNumber() {
    return String.format("SN%016X", (long) nqn.hashCode() * 0x9E3779B97F4A7C15L);
  }

  /** The namespaces attached now, by id. */
  public List<Namespace> activeNamespaces() {
    return namespaces.all().stream().sorted(Comparator.comparingInt(Namespace::id)).toList();
  }

  public Optional<Namespace> namespace(int nsid) {
    return namespaces.byId(nsid);
  }

  /**
   * A new controller for {@code hostNqn} with the next free id, or empty when all ids are used.
   */
  public synchronized Optional<Controller> newController(String hostNqn, byte[] hostId) {
    for (int tries = 0; tries < MAX_CONTROLLER_ID; tries++) {
      lastControllerId = lastControllerId % MAX_CONTROLLER_ID + 1;
      if (!controllers.containsKey(lastControllerId)) {
        Controller c = new Controller(lastControllerId, this, hostNqn, hostId);
        controllers.put(c.id(), c);
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  public Optional<Controller> controller(int id) {
    return Optional.ofNullable(controllers.get(id));
  }

  public int controllerCount() {
    return controllers.size();
  }

  void removed(Controller controller) {
    controllers.remove(controller.id(), controller);
  }
}
