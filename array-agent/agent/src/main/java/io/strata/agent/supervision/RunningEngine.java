package io.strata.agent.supervision;

import io.strata.engine.cli.HostedEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One started engine as its supervisor sees it, whether it is a process of its own (the default,
 * strata.agent.engine.mode=process) or hosted in the agent's JVM (mode=hosted, the scale drill's
 * fleet of small engines): stop, kill, reload and the end of it work the same for both.
 */
public interface RunningEngine {

  /** The process serving the engine: its own, or (hosted) the agent's. */
  long pid();

  /** Whether it is a process of its own, which a pid file, a cgroup and a signal can address. */
  boolean ownProcess();

  /** Completes when the engine has ended, for whatever reason. */
  CompletableFuture<?> onExit();

  boolean isAlive();

  /** Asks it to stop cleanly (SIGTERM); after {@code grace} without an end, forces it (SIGKILL). */
  void stop(Duration grace);

  /** Ends it now (SIGKILL; hosted: a stop, a thread cannot be killed). */
  void kill();

  /** Asks it to re-read its layout (SIGHUP); false when that could not be asked. */
  boolean reload();

  /** An engine process, started by this agent or adopted from a previous one. */
  final class OwnProcess implements RunningEngine {
    private static final Logger LOG = Logger.getLogger(OwnProcess.class);
    private final ProcessHandle handle;

    public OwnProcess(ProcessHandle handle) {
      this.handle = handle;
    }

    /** A process this agent started: its output goes line by line to {@code lines}. */
    static OwnProcess started(Process process, String name, Consumer<String> lines) {
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            lines.accept(line);
          }
        } catch (IOException e) {
          LOG.debugf("output of %s ended: %s", name, e.getMessage());
        }
      }, "engine-output-" + name);
      reader.setDaemon(true);
      reader.start();
      return new OwnProcess(process.toHandle());
    }

    @Override
    public long pid() {
      return handle.pid();
    }

    @Override
    public boolean ownProcess() {
      return true;
    }

    @Override
    public CompletableFuture<?> onExit() {
      return handle.onExit();
    }

    @Override
    public boolean isAlive() {
      return handle.isAlive();
    }

    @Override
    public void stop(Duration grace) {
      handle.destroy();
      try {
        handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        handle.destroyForcibly();
        try {
          handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
          LOG.warnf("process %d did not end after SIGKILL", handle.pid());
        }
      }
    }

    @Override
    public void kill() {
      handle.destroyForcibly();
    }

    @Override
    public boolean reload() {
      try {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(handle.pid())).redirectErrorStream(true).start();
        return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
      } catch (IOException e) {
        LOG.warnf("cannot signal pid %d: %s", handle.pid(), e.getMessage());
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** An engine hosted in the agent's JVM ({@link HostedEngine}). */
  final class Hosted implements RunningEngine {
    private static final Logger LOG = Logger.getLogger(Hosted.class);
    private final HostedEngine engine;
    private final String name;

    Hosted(HostedEngine engine, String name) {
      this.engine = engine;
      this.name = name;
    }

    @Override
    public long pid() {
      return ProcessHandle.current().pid();
    }

    @Override
    public boolean ownProcess() {
      return false;
    }

    @Override
    public CompletableFuture<?> onExit() {
      return engine.onExit();
    }

    @Override
    public boolean isAlive() {
      return engine.isAlive();
    }

    @Override
    public void stop(Duration grace) {
      engine.stop();
      try {
        engine.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warnf("hosted engine %s did not end within %d s of its stop", name, grace.toSeconds());
      }
    }

    @Override
    public void kill() {
      engine.stop();
    }

    @Override
    public boolean reload() {
      return engine.reload();
    }
  }
}
