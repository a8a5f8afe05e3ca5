package io.strata.engine.nvme.fabrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * One controller of a subsystem: made by a host's admin queue Connect, joined by its I/O queue
 * Connects (same host NQN and host id), gone when its admin queue closes, its keep-alive timer
 * runs out or its host is no longer admitted. Holds the controller properties and the feature
 * values the host set.
 */
public final class Controller {
  /** I/O queues a controller grants at most (Set Features Number of Queues asks for fewer). */
  public static final int MAX_IO_QUEUES = 16;

  private final int id;
  private final Subsystem subsystem;
  private final String hostNqn;
  private final byte[] hostId;
  private final ControllerRegisters registers;
  private final List<Runnable> queueClosers = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private volatile int ioQueues = MAX_IO_QUEUES;
  private volatile long keepAliveMillis;
  private volatile int asyncEventConfig;
  private volatile long lastTrafficNanos = System.nanoTime();

  /** Namespaces changed since the host last read the Changed Namespace List log. */
  private final TreeSet<Integer> changedNamespaces = new TreeSet<>();
  /** What the host was last told (or saw at connect): namespace id, size and volume of each. */
  private List<String> namespaceSignature;

  // SMART / health log figures (data units are thousands of 512-byte blocks).
  public final LongAdder bytesRead = new LongAdder();
  public final LongAdder bytesWritten = new LongAdder();
  public final LongAdder readCommands = new LongAdder();
  public final LongAdder writeCommands = new LongAdder();

  Controller(int id, Subsystem subsystem, String hostNqn, byte[] hostId) {
    this.id = id;
    this.subsystem = subsystem;
    this.hostNqn = hostNqn;
    this.hostId = hostId.clone();
    this.registers = new ControllerRegisters(this::flushAll, this::closeIoQueues);
    this.namespaceSignature = signature();
  }

  public int id() {
    return id;
  }

  public Subsystem subsystem() {
    return subsystem;
  }

  public String hostNqn() {
    return hostNqn;
  }

  /** Whether an I/O queue Connect comes from this controller's host (NQN and host id). */
  public boolean sameHost(String nqn, byte[] id) {
    return hostNqn.equals(nqn) && java.util.Arrays.equals(hostId, id);
  }

  public ControllerRegisters registers() {
    return registers;
  }

  public int ioQueues() {
    return ioQueues;
  }

  /** Grants up to {@link #MAX_IO_QUEUES}; returns what was granted. */
  public int requestIoQueues(int wanted) {
    ioQueues = Math.max(1, Math.min(wanted, MAX_IO_QUEUES));
    return ioQueues;
  }

  public long keepAliveMillis() {
    return keepAliveMillis;
  }

  public void keepAliveMillis(long millis) {
    keepAliveMillis = millis;
  }

  public int asyncEventConfig() {
    return asyncEventConfig;
  }

  public void asyncEventConfig(int config) {
    asyncEventConfig = config;
  }

  /** Any command on any of its queues keeps the controller alive (traffic-based keep alive). */
  public void traffic() {
    lastTrafficNanos = System.nanoTime();
  }

  /** Whether the keep-alive timeout (KATO plus a grace of 2 s for the network) has passed. */
  public boolean keepAliveExpired(long nowNanos) {
    long kato = keepAliveMillis;
    return kato > 0 && nowNanos - lastTrafficNanos > (kato + 2000) * 1_000_000L;
  }

  /**
   * Compares the namespaces attached now with what the host last saw: the ids that came, went or
   * changed size are added to the changed list. Returns whether anything changed.
   */
  public synchronized boolean noticeNamespaceChanges() {
    List<String> now = signature();
    if (now.equals(namespaceSignature)) {
      return false;
    }
    Set<String> before = Set.copyOf(namespaceSignature);
    Set<String> after = Set.copyOf(now);
    for (String s : before) {
      if (!after.contains(s)) {
        changedNamespaces.add(Integer.parseInt(s.substring(0, s.indexOf('/'))));
      }
    }
    for (String s : after) {
      if (!before.contains(s)) {
        changedNamespaces.add(Integer.parseInt(s.substring(0, s.indexOf('/'))));
      }
    }
    namespaceSignature = now;
    return true;
  }

  /** The Changed Namespace List, in order; {@code clear}: the host has read it (RAE clear). */
  public synchronized List<Integer> changedNamespaces(boolean clear) {
    List<Integer> out = new ArrayList<>(changedNamespaces);
    if (clear) {
      changedNamespaces.clear();
    }
    return out;
  }

  private List<String> signature() {
    List<String> out = new ArrayList<>();
    for (Namespace n : subsystem.activeNamespaces()) {
      out.add(n.id() + "/" + n.device().blockCount() + "/" + n.volumeId());
    }
    return out;
  }

  /** Registers what closes one of its queues (the admin queue's too) when the controller goes. */
  public void onClose(Runnable closeQueue) {
    queueClosers.add(closeQueue);
    if (closed) {
      closeQueue.run();
    }
  }

  public boolean closed() {
    return closed;
  }

  /** Ends the controller: every queue of it is closed, its id is free again. */
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    subsystem.removed(this);
    for (Runnable r : queueClosers) {
      r.run();
    }
  }

  private final Set<Integer> connectedQueues = new java.util.HashSet<>();

  /** Marks queue {@code qid} connected; false when it already is (a second Connect for it). */
  public synchronized boolean claimQueue(int qid) {
    return connectedQueues.add(qid);
  }

  public synchronized void releaseQueue(int qid) {
    connectedQueues.remove(qid);
  }

  private final List<Runnable> ioQueueClosers = new CopyOnWriteArrayList<>();

  /** Registers what closes one of its I/O queues (a controller reset closes them all). */
  public void onIoQueueClose(Runnable closeQueue) {
    ioQueueClosers.add(closeQueue);
    onClose(closeQueue);
  }

  private void closeIoQueues() {
    for (Runnable r : ioQueueClosers) {
      r.run();
    }
    ioQueueClosers.clear();
  }

  private void flushAll() {
    for (Namespace n : subsystem.activeNamespaces()) {
      try {
        n.device().flush();
      } catch (java.io.IOException e) {
        java.util.logging.Logger.getLogger(Controller.class.getName()).warning(
            "shutdown of controller " + id + ": flushing namespace " + n.id() + " failed: "
                + e.getMessage());
      }
    }
  }
}
