package io.strata.engine.layout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What makes an engine re-read a file the agent rewrites (its layout, its drive exports): SIGHUP,
 * as operators expect of a daemon. A process started with SIGHUP ignored (under {@code nohup}, or
 * by a parent that ignores it) inherits that, and the JVM then silently installs no handler: the
 * engine would never again take a layout change. So when the signal cannot be had, the engine says
 * so and watches the file instead, re-reading it when it is replaced or rewritten.
 */
public final class ReloadTrigger {

  private static final Logger LOG = Logger.getLogger(ReloadTrigger.class.getName());
  /** How often a watched file is looked at when there is no SIGHUP: a stat a second costs nothing. */
  static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

  private ReloadTrigger() {}

  /** Calls {@code reload} on every SIGHUP, or, when this process cannot have SIGHUP, on every change of {@code file}. */
  public static void install(Path file, Runnable reload) {
    SignalHandler previous;
    try {
      previous = Signal.handle(new Signal("HUP"), signal -> reload.run());
    } catch (IllegalArgumentException e) {
      LOG.warning("no SIGHUP on this platform: watching " + file + " for changes instead");
      watch(file, reload, WATCH_INTERVAL);
      return;
    }
    if (previous == SignalHandler.SIG_IGN) {
      // The JVM leaves an inherited SIG_IGN in place and reports it as the previous handler.
      LOG.warning("SIGHUP is ignored by this process (started under nohup?), so a signal cannot"
          + " reload it: watching " + file + " for changes instead");
      watch(file, reload, WATCH_INTERVAL);
    }
  }

  /** Starts a daemon thread that calls {@code reload} whenever the file's identity, size or time changes. */
  static Thread watch(Path file, Runnable reload, Duration interval) {
    Thread watcher = new Thread(() -> {
      Object seen = stamp(file);
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
          return;
        }
        Object now = stamp(file);
        if (now != null && !now.equals(seen)) {
          seen = now;
          reload.run();
        }
      }
    }, "reload-watch");
    watcher.setDaemon(true);
    watcher.start();
    return watcher;
  }

  /** The file's inode (the agent replaces it by rename), size and modification time; null while it is missing. */
  private static Object stamp(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return List.of(Objects.toString(a.fileKey()), a.size(), a.lastModifiedTime());
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      LOG.warning("cannot look at " + file + ": " + e.getMessage());
      return null;
    }
  }
}
