package io.strata.engine.layout;

import io.strata.engine.layout.ArrayLayout.VolumeSpec;
import io.strata.engine.volume.VolumeMove;
import io.strata.engine.volume.VolumeStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * The volumes of an array that move to another pool of it, online (a layout volume with
 * {@code moveFrom}): each runs a {@link VolumeMove} whose copier works in the background, one
 * move at a time, while the volume's LUN keeps serving through it (its devices in both pools are
 * {@linkplain VolumeStore#redirect redirected} to the move). Once a copy switched, the volume's
 * copy in the old pool is deleted ({@code sourceDone}). Checkpoints are the files
 * {@code <metadata>/moves/<volume>.json}: an engine restarted mid-move resumes from there.
 *
 * <p>Level-triggered like the rest of the layout: at every reconcile, a volume listed with
 * {@code moveFrom} that still has a copy in that pool is moved (resumed, or started); one whose
 * old copy is gone has moved, whether or not the layout still says {@code moveFrom}.
 *
 * <p>A move whose copier failed (STOPPED) is tried again after a pause that doubles from
 * {@link #RETRY_FIRST} to {@link #RETRY_MAX}: the engine's layout-health timer asks
 * {@link #takeAnotherPass} and reloads. A layout that asks for the move the other way
 * ({@code pool} and {@code moveFrom} swapped: the tenant cancelled it) before it switched gives it
 * up: the volume is served from its old copy again, the partial new copy is deleted, and the move
 * back is reported DONE at once. One that comes after the switch finishes the move, then the next
 * pass moves the volume back like any other move.
 */
public final class VolumeMoves implements Closeable {
  private static final Logger LOG = Logger.getLogger(VolumeMoves.class.getName());
  /**
   * A pause between two extents' copies ({@code -Dstrata.volume.movePauseMillis}, default none):
   * leaves the pools' bandwidth to the tenant's I/O, and lets a test kill an engine mid-move.
   */
  static volatile long pauseMillis = Long.getLong("strata.volume.movePauseMillis", 0);
  /** The first pause before a stopped move is tried again; it doubles at each failure. */
  static final java.time.Duration RETRY_FIRST = java.time.Duration.ofSeconds(5);
  static final java.time.Duration RETRY_MAX = java.time.Duration.ofMinutes(5);
  private static final io.strata.engine.pool.Backoff RETRY =
      new io.strata.engine.pool.Backoff(RETRY_FIRST, RETRY_MAX);

  /** Called under no lock once a move switched: deletes the volume's copy in {@code fromPool}. */
  interface SourceDone {
    void delete(String volume, String fromPool) throws IOException;
  }

  /**
   * Gives up a move before it switched: every device of {@code volume} is served from its copy
   * in {@code keepPool} again and its partial copy in {@code dropPool} is deleted. Called under
   * no lock of this object.
   */
  interface Abandon {
    void abandon(String volume, String keepPool, String dropPool) throws IOException;
  }

  /** How far a move is, for status and tests. */
  public record Progress(String volume, String fromPool, String toPool, long copiedExtents,
      long totalExtents, boolean switched) {}

  /**
   * What the layout status says of a move ({@code "moves"}, read by the node agent): the volume,
   * its pools, the extents copied of all, and {@code state} COPYING (also between the switch and
   * the old copy's deletion), DONE (the old copy is gone; {@code totalExtents} 0 when the engine
   * found it so at start and no longer knows), or STOPPED with {@code error} (the copier failed;
   * the next reload or start resumes from the checkpoint).
   */
  public record Report(String volume, String fromPool, String toPool, long copiedExtents,
      long totalExtents, String state, String error) {}

  private static final class Running {
    final VolumeMove move;
    final String from;
    final String to;
    /** The layout asks for the move the other way: the copier gives this one up. */
    volatile boolean cancelled;

    Running(VolumeMove move, String from, String to) {
      this.move = move;
      this.from = from;
      this.to = to;
    }
  }

  private final Path dir;
  private final SourceDone sourceDone;
  private final Abandon abandon;
  /** Failures in a row of each move not done yet, by volume (the retry pause doubles with them). */
  private final Map<String, Integer> failures = new java.util.HashMap<>();
  /** When each stopped move is tried again ({@link System#nanoTime}), by volume. */
  private final Map<String, Long> retryAt = new java.util.HashMap<>();
  /** A move ended in a way that leaves work for the next reconcile (a cancel after the switch). */
  private boolean anotherPass;
  private final Map<String, Running> running = new LinkedHashMap<>();
  /** Running moves whose old copy was deleted. */
  private final Set<String> oldCopyDeleted = new java.util.HashSet<>();
  /** Moves found done at converge (the old copy was already gone), by volume. */
  private final Map<String, Report> foundDone = new LinkedHashMap<>();
  /** Moves whose copier failed, by volume: the error (tried again at the next converge). */
  private final Map<String, Report> stopped = new LinkedHashMap<>();
  private final ExecutorService copier = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "strata-volume-move");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean closed;

  VolumeMoves(Path metadataDir, SourceDone sourceDone, Abandon abandon) {
    this.dir = metadataDir.resolve("moves");
    this.sourceDone = sourceDone;
    this.abandon = abandon;
  }

  /** What the layout may say about a move: from another listed pool, of a volume that is no clone. */
  static void validate(VolumeSpec v, Set<String> poolNames) {
    if (v.moveFrom() == null) {
      return;
    }
    if (v.cloneOf() != null) {
      throw new IllegalArgumentException("volume " + v.name() + ": a clone cannot move (moveFrom '"
          + v.moveFrom() + "'); it shares its extents with its snapshot");
    }
    if (!poolNames.contains(v.moveFrom())) {
      throw new IllegalArgumentException("volume " + v.name() + ": moveFrom: no pool '"
          + v.moveFrom() + "'");
    }
    if (v.moveFrom().equals(v.pool())) {
      throw new IllegalArgumentException("volume " + v.name() + ": moveFrom is its own pool '"
          + v.pool() + "'");
    }
  }

  private Path checkpoint(String volume) {
    return dir.resolve(volume + ".json");
  }

  /**
   * Starts or resumes the moves {@code volumes} ask for (the caller holds the stack's lock and
   * already created each moving volume's copy in its new pool).
   */
  synchronized void converge(List<VolumeSpec> volumes, Map<String, VolumeStore> stores)
      throws IOException {
    forgetReportsNotIn(volumes);
    for (VolumeSpec v : volumes) {
      if (v.moveFrom() == null) {
        continue;
      }
      VolumeMove.Direction asked = new VolumeMove.Direction(v.moveFrom(), v.pool());
      Running current = running.get(v.name());
      if (current != null) {
        if (!current.cancelled && asked.reversed().equals(new VolumeMove.Direction(current.from, current.to))) {
          current.cancelled = true; // the copier gives it up after the extent it copies
          LOG.info("the layout moves volume " + v.name() + " back to pool " + v.pool() + ": cancelling "
              + current.move);
        }
        continue;
      }
      VolumeMove.Checkpoint saved = VolumeMove.Checkpoint.read(checkpoint(v.name()));
      if (saved != null && asked.reversed().equals(saved.direction())) {
        try {
          cancelStoppedMove(v, saved);
        } catch (IOException | RuntimeException e) {
          // this volume's cancel waits (and is tried again); the rest of the layout still applies
          LOG.warning("cancelling the move of volume " + v.name() + " failed: " + e);
          stopped.put(v.name(), new Report(v.name(), v.moveFrom(), v.pool(), 0, 0, "STOPPED",
              e.getMessage() == null ? e.toString() : e.getMessage()));
          retryAt.put(v.name(), System.nanoTime()
              + retryPause(failures.merge(v.name(), 1, Integer::sum)).toNanos());
        }
        continue;
      }
      VolumeStore from = stores.get(v.moveFrom());
      VolumeStore to = stores.get(v.pool());
      if (from == null || to == null || !from.exists(v.name())) {
        Files.deleteIfExists(checkpoint(v.name())); // moved already: its old copy is gone
        stopped.remove(v.name());
        forgetFailures(v.name());
        foundDone.put(v.name(), new Report(v.name(), v.moveFrom(), v.pool(), 0, 0, "DONE", null));
        continue;
      }
      stopped.remove(v.name());
      foundDone.remove(v.name());
      retryAt.remove(v.name()); // tried now; its failures count on until it ends
      VolumeMove move = VolumeMove.open(v.name(), from.openCopy(v.name()), to.openCopy(v.name()),
          checkpoint(v.name()), asked);
      from.redirect(v.name(), move);
      to.redirect(v.name(), move);
      for (VolumeStore other : stores.values()) {
        if (other != from && other != to) {
          other.redirectForwarded(v.name(), move); // a LUN opened there before an earlier move
        }
      }
      running.put(v.name(), new Running(move, v.moveFrom(), v.pool()));
      LOG.info((move.copiedExtents() > 0 ? "resumed " : "started ") + move);
      copier.execute(() -> copy(v.name()));
    }
  }

  /**
   * A move the other way was left by a copier that failed or an engine that stopped, and the
   * layout now moves the volume back (a cancel). Before its switch the old copy is whole: the
   * partial one goes and the move back is done at once. After it, the copy it left is the whole
   * one: the older copy (where the layout now wants the volume) is deleted, and the next pass
   * creates it afresh and moves the volume back.
   */
  private void cancelStoppedMove(VolumeSpec v, VolumeMove.Checkpoint saved) throws IOException {
    stopped.remove(v.name());
    forgetFailures(v.name());
    if (!saved.done()) {
      abandon.abandon(v.name(), v.pool(), v.moveFrom());
      Files.deleteIfExists(checkpoint(v.name()));
      foundDone.put(v.name(), new Report(v.name(), v.moveFrom(), v.pool(), 0, 0, "DONE", null));
      LOG.info("cancelled the move of volume " + v.name() + " to pool " + v.moveFrom() + " ("
          + saved.copiedExtents() + " extents copied): served from pool " + v.pool() + " again");
      return;
    }
    sourceDone.delete(v.name(), v.pool());
    Files.deleteIfExists(checkpoint(v.name()));
    anotherPass = true;
    LOG.info("the move of volume " + v.name() + " to pool " + v.moveFrom() + " had switched when it was"
        + " cancelled: it moves back to pool " + v.pool() + " at the next pass");
  }

  /** The copier's work for one volume: copy to the end, then delete the old copy. */
  private void copy(String volume) {
    Running r;
    synchronized (this) {
      r = running.get(volume);
    }
    try {
      while (!closed && !r.cancelled && r.move.copyStep()) {
        // one extent per step; writers to that extent wait for it only
        if (pauseMillis > 0) {
          Thread.sleep(pauseMillis);
        }
      }
      if (closed) {
        return;
      }
      if (r.cancelled && !r.move.switched()) {
        giveUp(volume, r);
        return;
      }
      if (!r.move.switched()) {
        return;
      }
      sourceDone.delete(volume, r.from);
      Files.deleteIfExists(checkpoint(volume));
      synchronized (this) {
        oldCopyDeleted.add(volume);
        forgetFailures(volume);
        // cancelled after the switch: the move back is a move like any other, at the next pass
        anotherPass |= r.cancelled;
      }
      LOG.info("moved volume " + volume + " from pool " + r.from + " to pool " + r.to);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // not by close (it does not interrupt): stop here
    } catch (IOException | RuntimeException e) {
      stopped(volume, r, e);
    }
  }

  /** A cancelled move before its switch: served from the old copy again, the new one dropped. */
  private void giveUp(String volume, Running r) throws IOException {
    abandon.abandon(volume, r.from, r.to);
    Files.deleteIfExists(checkpoint(volume));
    synchronized (this) {
      running.remove(volume);
      forgetFailures(volume);
      foundDone.put(volume, new Report(volume, r.to, r.from, 0, 0, "DONE", null));
    }
    LOG.info("cancelled " + r.move + ": volume " + volume + " is served from pool " + r.from
        + " again");
  }

  /** The copier failed: the checkpoint stays, and the move is tried again after a pause. */
  private void stopped(String volume, Running r, Exception e) {
    synchronized (this) {
      running.remove(volume);
      int failed = failures.merge(volume, 1, Integer::sum);
      java.time.Duration pause = retryPause(failed);
      retryAt.put(volume, System.nanoTime() + pause.toNanos());
      String error = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.warning(r.move + " stopped (failure " + failed + "), tried again in " + pause.toSeconds()
          + " s: " + e);
      stopped.put(volume, new Report(volume, r.from, r.to, r.move.copiedExtents(),
          r.move.totalExtents(), "STOPPED", error));
    }
  }

  /** The pause after the {@code failures}-th failure in a row: doubling, at most {@link #RETRY_MAX}. */
  static java.time.Duration retryPause(int failures) {
    return RETRY.pause(failures);
  }

  /**
   * Whether a reconcile is due for the moves: a stopped move's pause is over, or a move left
   * work for the next pass. Taking it starts each due move's next pause, so that a reload that
   * fails does not come back at every tick.
   */
  synchronized boolean takeAnotherPass(long nowNanos) {
    boolean due = anotherPass;
    anotherPass = false;
    for (Map.Entry<String, Long> e : retryAt.entrySet()) {
      if (nowNanos - e.getValue() >= 0) {
        due = true;
        e.setValue(nowNanos + retryPause(failures.getOrDefault(e.getKey(), 1)).toNanos());
      }
    }
    return due;
  }

  /** The moves this engine knows of (running or switched since it started). */
  synchronized List<Progress> progress() {
    return running.entrySet().stream()
        .map(e -> new Progress(e.getKey(), e.getValue().from, e.getValue().to,
            e.getValue().move.copiedExtents(), e.getValue().move.totalExtents(),
            e.getValue().move.switched()))
        .toList();
  }

  /**
   * What the layout status reports: every move the layout asks for ({@code moveFrom}) that this
   * engine runs, finished, found finished or saw stop; a move the layout no longer asks for is
   * reported until its copier is done with it.
   */
  synchronized List<Report> reports() {
    List<Report> all = new java.util.ArrayList<>();
    running.forEach((volume, r) -> all.add(new Report(volume, r.from, r.to,
        r.move.copiedExtents(), r.move.totalExtents(),
        oldCopyDeleted.contains(volume) ? "DONE" : "COPYING", null)));
    foundDone.values().stream().filter(d -> !running.containsKey(d.volume())).forEach(all::add);
    stopped.values().stream().filter(d -> !running.containsKey(d.volume())).forEach(all::add);
    return all;
  }

  /** Forgets the reports of moves the layout no longer asks for (a finished one's too). */
  private void forgetReportsNotIn(List<VolumeSpec> volumes) {
    Set<String> asked = new java.util.HashSet<>();
    volumes.stream().filter(v -> v.moveFrom() != null)
        .forEach(v -> asked.add(key(v.name(), v.moveFrom(), v.pool())));
    foundDone.values().removeIf(r -> !asked.contains(key(r.volume(), r.fromPool(), r.toPool())));
    stopped.values().removeIf(r -> !asked.contains(key(r.volume(), r.fromPool(), r.toPool())));
    failures.keySet().removeIf(volume -> !stopped.containsKey(volume) && !running.containsKey(volume));
    retryAt.keySet().retainAll(stopped.keySet());
    // a finished move no longer asked for goes (the same volume may then move again)
    running.entrySet().removeIf(e -> !asked.contains(key(e.getKey(), e.getValue().from,
        e.getValue().to)) && oldCopyDeleted.remove(e.getKey()));
  }

  private void forgetFailures(String volume) {
    failures.remove(volume);
    retryAt.remove(volume);
  }

  private static String key(String volume, String from, String to) {
    return volume + '\0' + from + '\0' + to;
  }

  /**
   * Stops the copier after the extent it is copying (the checkpoints say where to resume). Not by
   * interrupting it: an interrupted thread's file I/O closes the drive's channel under the pool.
   */
  @Override
  public void close() {
    closed = true;
    copier.shutdown();
    try {
      if (!copier.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) {
        LOG.warning("the volume move copier did not stop within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
