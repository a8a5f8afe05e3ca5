package io.strata.agent.supervision;

import io.strata.agent.supervision.EngineLauncher.EngineUnavailableException;
import io.strata.agent.supervision.EngineState.Phase;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Keeps one array's engine process running with one spec: starts it, waits for its ready line,
 * signals it to re-read its layout,
 * restarts it after a crash with a doubling back-off (reset once it has run for a minute), and
 * stops it on request. Every change of state goes to the listener. The engine's output goes to
 * {@code engine.log} in the array's folder; its pid and spec fingerprint to {@code engine.pid}
 * so that an agent restarted after a crash can adopt an engine that still serves the same spec
 * instead of cutting its initiators off.
 */
public final class EngineSupervisor {

  private static final Logger LOG = Logger.getLogger(EngineSupervisor.class);
  private static final Duration STABLE_AFTER = Duration.ofMinutes(1);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final EngineSpec spec;
  private final EngineLauncher launcher;
  private final Isolation isolation;
  private final Path folder;
  private final ScheduledExecutorService scheduler;
  private final Consumer<EngineState> listener;
  private final Duration backoffMin;
  private final Duration backoffMax;
  private final Duration readyTimeout;

  // Volatile, and written only under this object's lock: state() reads them without the lock, so
  // that the heartbeat and the samplers never wait behind a start or a reload (a node whose
  // heartbeat waits looks dead to the control plane).
  private volatile RunningEngine process;
  private volatile Phase phase = Phase.STOPPED;
  private volatile int restarts;
  private Duration nextBackoff;
  private long startedAtNanos;
  private volatile String reason;
  private volatile String isolationNote = "process";
  private boolean stopping;
  private ScheduledFuture<?> pending;

  public EngineSupervisor(
      EngineSpec spec, EngineLauncher launcher, Isolation isolation, Path folder, ScheduledExecutorService scheduler,
      Duration backoffMin, Duration backoffMax, Duration readyTimeout, Consumer<EngineState> listener) {
    this.spec = spec;
    this.launcher = launcher;
    this.isolation = isolation;
    this.folder = folder;
    this.scheduler = scheduler;
    this.backoffMin = backoffMin;
    this.backoffMax = backoffMax;
    this.readyTimeout = readyTimeout;
    this.listener = listener;
    this.nextBackoff = backoffMin;
  }

  /**
   * Whether an engine recorded in {@code folder}'s pid file still runs (left serving by an agent
   * that crashed or was restarted), before any supervisor adopts it.
   */
  public static boolean survivorIn(Path folder) {
    return EnginePidFile.read(folder).flatMap(e -> ProcessHandle.of(e.pid())).map(ProcessHandle::isAlive)
        .orElse(false);
  }

  public EngineSpec spec() {
    return spec;
  }

  /** The engine's state now; never waits for the supervisor's lock. */
  public EngineState state() {
    RunningEngine running = process;
    return new EngineState(phase, processId(running), restarts, reason, isolationNote);
  }

  /**
   * The pid the state reports: a hosted engine has none of its own (its pid would be the agent's,
   * and whoever signals "the engine's pid" would hit the agent and every engine in it).
   */
  private static Long processId(RunningEngine engine) {
    return engine == null || !engine.ownProcess() ? null : engine.pid();
  }

  /** Adopts a matching engine left running by a previous agent, or starts a new one. */
  public synchronized void start() {
    stopping = false;
    Optional<ProcessHandle> survivor = launcher.mode() == EngineLauncher.Mode.PROCESS
        ? EnginePidFile.read(folder).flatMap(this::adoptable) : Optional.empty();
    if (survivor.isPresent()) {
      process = new RunningEngine.OwnProcess(survivor.get());
      startedAtNanos = System.nanoTime();
      isolationNote = isolation.confine(spec.arrayId(), process.pid(), spec.vcpus(), spec.memoryMib());
      LOG.infof("engine of array %s: adopted running pid %d", spec.arrayId(), process.pid());
      watchExit(process);
      changed(Phase.RUNNING, null);
      return;
    }
    launch();
  }

  /**
   * Asks the running engine to re-read its layout file (SIGHUP). Returns false when no engine is
   * running and ready: one that is starting reads the file anyway, and the signal must not reach
   * a JVM before its handler is installed (the default action of SIGHUP ends the process).
   */
  public synchronized boolean reload() {
    if (process == null || phase != Phase.RUNNING || stopping) {
      return false;
    }
    return process.reload();
  }

  /** Stops the engine (SIGTERM, then SIGKILL after a grace period) and does not restart it. */
  public void stop() {
    RunningEngine victim;
    synchronized (this) {
      stopping = true;
      if (pending != null) {
        pending.cancel(false);
      }
      victim = process;
    }
    if (victim != null) {
      victim.stop(STOP_GRACE);
    }
    synchronized (this) {
      process = null;
      EnginePidFile.delete(folder);
      isolation.release(spec.arrayId());
      changed(Phase.STOPPED, null);
    }
  }

  private void launch() {
    RunningEngine started;
    EngineOutput output;
    try {
      Files.createDirectories(folder);
      killLeftover();
      output = new EngineOutput(folder.resolve("engine.log"));
      started = launcher.start(spec, output::line);
    } catch (EngineUnavailableException e) {
      LOG.errorf("engine of array %s cannot run on this node: %s", spec.arrayId(), e.getMessage());
      changed(Phase.FAILED, e.getMessage());
      return;
    } catch (IOException e) {
      scheduleRestart("engine did not start: " + e.getMessage());
      return;
    }
    process = started;
    startedAtNanos = System.nanoTime();
    if (started.ownProcess()) {
      EnginePidFile.write(folder, started.pid(), EnginePidFile.fingerprint(spec));
      isolationNote = isolation.confine(spec.arrayId(), started.pid(), spec.vcpus(), spec.memoryMib());
    } else {
      isolationNote = "hosted in the agent's JVM: no per-engine CPU or memory limit";
    }
    changed(Phase.STARTING, null);
    RunningEngine mine = started;
    // Lines before this point wait on this supervisor's lock in becameReady; from here on the
    // ready line finds the engine it belongs to.
    // The ready line is logged on a scheduler thread: with the logging context of this launch
    // (the trace of the command that started the engine, when one did), as the command's other lines.
    Map<String, Object> logIds = MDC.getMap();
    output.readyGoesTo(() -> withLogIds(logIds, () -> becameReady(mine)));
    ScheduledFuture<?> timeout =
        scheduler.schedule(() -> readyTimedOut(mine), readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
    watchExit(mine).thenRun(() -> {
      timeout.cancel(false);
      output.close();
    });
  }

  /** Copies an engine's output to its log and notices its ready line. */
  private final class EngineOutput {
    private final Writer log;
    private volatile Runnable ready = () -> {};
    private boolean sawReady;

    EngineOutput(Path file) throws IOException {
      log = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Where the ready line goes; one seen before this is handed on now. */
    synchronized void readyGoesTo(Runnable target) {
      ready = target;
      if (sawReady) {
        scheduler.execute(target);
      }
    }

    synchronized void line(String line) {
      try {
        log.write(line);
        log.write('\n');
        log.flush();
      } catch (IOException e) {
        LOG.debugf("engine log of %s: %s", spec.arrayId(), e.getMessage());
      }
      if (line.toLowerCase(Locale.ROOT).contains("ready")) {
        sawReady = true;
        Runnable target = ready;
        scheduler.execute(target);
      }
    }

    synchronized void close() {
      try {
        log.close();
      } catch (IOException e) {
        LOG.debugf("engine log of %s: %s", spec.arrayId(), e.getMessage());
      }
    }
  }

  private static void withLogIds(Map<String, Object> ids, Runnable action) {
    Map<String, Object> before = MDC.getMap();
    ids.forEach(MDC::put);
    try {
      action.run();
    } finally {
      MDC.clear();
      before.forEach(MDC::put);
    }
  }

  private synchronized void becameReady(RunningEngine mine) {
    if (process == mine && phase == Phase.STARTING) {
      LOG.infof("engine of array %s ready on %s (pid %d)", spec.arrayId(), spec.portal(), mine.pid());
      changed(Phase.RUNNING, null);
    }
  }

  private void readyTimedOut(RunningEngine mine) {
    synchronized (this) {
      if (process != mine || phase != Phase.STARTING) {
        return;
      }
      reason = "engine printed no ready line within " + readyTimeout.toSeconds() + " s";
    }
    LOG.warnf("engine of array %s: %s; killing it", spec.arrayId(), reason);
    mine.kill();
  }

  private java.util.concurrent.CompletableFuture<?> watchExit(RunningEngine mine) {
    return mine.onExit().whenComplete((ended, error) -> exited(mine));
  }

  private synchronized void exited(RunningEngine mine) {
    if (process != mine || stopping) {
      return;
    }
    process = null;
    String why = reason != null ? reason
        : (mine.ownProcess() ? "engine process " + mine.pid() : "hosted engine") + " exited" + exitNote();
    reason = null;
    scheduleRestart(why);
  }

  private String exitNote() {
    try {
      String tail = tail(folder.resolve("engine.log"));
      return tail.isEmpty() ? "" : ": " + tail;
    } catch (IOException e) {
      return "";
    }
  }

  private synchronized void scheduleRestart(String why) {
    if (stopping) {
      return;
    }
    if (System.nanoTime() - startedAtNanos > STABLE_AFTER.toNanos()) {
      nextBackoff = backoffMin;
    }
    Duration wait = nextBackoff;
    nextBackoff = min(nextBackoff.multipliedBy(2), backoffMax);
    restarts++;
    LOG.warnf("engine of array %s: %s; restart %d in %d ms", spec.arrayId(), why, restarts, wait.toMillis());
    changed(Phase.RESTARTING, why);
    pending = scheduler.schedule(this::restartNow, wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void restartNow() {
    if (!stopping && process == null) {
      launch();
    }
  }

  private Optional<ProcessHandle> adoptable(EnginePidFile.Entry entry) {
    Optional<ProcessHandle> handle = ProcessHandle.of(entry.pid()).filter(ProcessHandle::isAlive);
    if (handle.isEmpty()) {
      return Optional.empty();
    }
    boolean same = entry.fingerprint().equals(EnginePidFile.fingerprint(spec)) && looksLikeOurEngine(handle.get());
    return same ? handle : Optional.empty();
  }

  /** An engine from a previous agent that serves another spec (or is not ours to adopt) holds our port: end it. */
  private void killLeftover() {
    EnginePidFile.read(folder)
        .flatMap(entry -> ProcessHandle.of(entry.pid()))
        .filter(ProcessHandle::isAlive)
        .filter(this::looksLikeOurEngine)
        .ifPresent(leftover -> {
          LOG.infof("engine of array %s: ending leftover pid %d", spec.arrayId(), leftover.pid());
          new RunningEngine.OwnProcess(leftover).stop(STOP_GRACE);
        });
  }

  private boolean looksLikeOurEngine(ProcessHandle handle) {
    return ProcessCommandLine.of(handle.pid()).contains("-Dstrata.engine.array=" + spec.arrayId());
  }

  private void changed(Phase next, String why) {
    phase = next;
    EngineState state = new EngineState(phase, processId(process), restarts, why, isolationNote);
    scheduler.execute(() -> listener.accept(state));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "";
    }
    var lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
