package io.strata.engine.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The real engine ({@link EngineMain}, the same options and the same array stack) run in a JVM
 * that hosts several: the agent's hosted engine mode (strata.agent.engine.mode=hosted), for a
 * fleet of small engines on one machine where a JVM per engine does not fit (the scale drill,
 * docs/benchmarks/scale.md). What a process has once per JVM is per engine here: its output lines
 * go to {@code lines} (not the JVM's stdout), it installs no shutdown hook and no SIGHUP handler
 * ({@link #stop()} and {@link #reload()} take their place), and it never calls System.exit.
 * What stays shared is harmless: thread-name counters and test-only system properties.
 *
 * <p>What a hosted engine does not have: a process of its own to confine in a cgroup (its CPU
 * and memory limits are the host JVM's), or to SIGKILL (a forced stop is a stop).
 */
public final class HostedEngine {

  private final EngineMain main;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();

  private HostedEngine(EngineMain main) {
    this.main = main;
  }

  /**
   * Starts an engine with {@code arguments} (the command line array-agent/bin/strata-engine
   * takes) on a thread named {@code name}. Returns at once; the ready line, as a process prints
   * it, comes through {@code lines}.
   */
  public static HostedEngine start(String name, List<String> arguments, Consumer<String> lines) {
    PrintWriter out = new PrintWriter(new LineWriter(lines), true);
    HostedEngine engine = new HostedEngine(EngineMain.hosted(out));
    Thread thread = new Thread(() -> {
      int code;
      try {
        code = EngineMain.run(engine.main, arguments.toArray(String[]::new), out, out);
      } catch (RuntimeException | Error e) {
        out.println("strata-engine: " + e);
        code = 1;
      }
      out.flush();
      engine.exit.complete(code);
    }, name);
    thread.setDaemon(true);
    thread.start();
    return engine;
  }

  /** Completes with the engine's exit code (0 after {@link #stop()}) once it has ended. */
  public CompletableFuture<Integer> onExit() {
    return exit;
  }

  public boolean isAlive() {
    return !exit.isDone();
  }

  /** Closes the engine's portals, sessions and drives, as SIGTERM does to a process. */
  public void stop() {
    main.stop();
  }

  /** Re-reads the layout (or the exports file), as SIGHUP does to a process; false when not running. */
  public boolean reload() {
    return isAlive() && main.reload();
  }

  /** Hands on every complete line written to it. */
  static final class LineWriter extends Writer {
    private final Consumer<String> lines;
    private final StringBuilder pending = new StringBuilder();

    LineWriter(Consumer<String> lines) {
      this.lines = lines;
    }

    @Override
    public synchronized void write(char[] buffer, int offset, int length) {
      for (int i = offset; i < offset + length; i++) {
        char c = buffer[i];
        if (c == '\n') {
          lines.accept(pending.toString());
          pending.setLength(0);
        } else if (c != '\r') {
          pending.append(c);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public synchronized void close() {
      if (!pending.isEmpty()) {
        lines.accept(pending.toString());
        pending.setLength(0);
      }
    }
  }
}
