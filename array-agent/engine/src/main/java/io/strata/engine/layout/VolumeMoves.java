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
 */
public final class VolumeMoves implements Closeable {
  private static final Logger LOG = Logger.getLogger(VolumeMoves.class.getName());
  /**
   * A pause between two extents' copies ({@code -Dstrata.volume.movePauseMillis}, default none):
   * leaves the pools' bandwidth to the tenant's I/O, and lets a test kill an engine mid-move.
   */
  static final long PAUSE_MILLIS = Long.getLong("strata.volume.movePauseMillis", 0);

  /** Called under no lock once a move switched: deletes the volume's copy in {@code fromPool}. */
  interface SourceDone {
    void delete(String volume, String fromPool) throws IOException;
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

  private record Running(VolumeMove move, String from, String to) {}

  private final Path dir;
  private final SourceDone sourceDone;
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

  VolumeMoves(Path metadataDir, SourceDone sourceDone) {
    this.dir = metadataDir.resolve("moves");
    this.sourceDone = sourceDone;
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
      if (v.moveFrom() == null || running.containsKey(v.name())) {
        continue;
      }
      VolumeStore from = stores.get(v.moveFrom());
      VolumeStore to = stores.get(v.pool());
      if (from == null || to == null || !from.exists(v.name())) {
        Files.deleteIfExists(checkpoint(v.name())); // moved already: its old copy is gone
        stopped.remove(v.name());
        foundDone.put(v.name(), new Report(v.name(), v.moveFrom(), v.pool(), 0, 0, "DONE", null));
        continue;
      }
      stopped.remove(v.name());
      foundDone.remove(v.name());
      VolumeMove move = VolumeMove.open(v.name(), from.openCopy(v.name()), to.openCopy(v.name()),
          checkpoint(v.name()));
      from.redirect(v.name(), move);
      to.redirect(v.name(), move);
      running.put(v.name(), new Running(move, v.moveFrom(), v.pool()));
      LOG.info((move.copiedExtents() > 0 ? "resumed " : "started ") + move);
      copier.execute(() -> copy(v.name()));
    }
  }

  /** The copier's work for one volume: copy to the end, then delete the old copy. */
  private void copy(String volume) {
    Running r;
    synchronized (this) {
      r = running.get(volume);
    }
    try {
      while (!closed && r.move().copyStep()) {
        // one extent per step; writers to that extent wait for it only
        if (PAUSE_MILLIS > 0) {
          Thread.sleep(PAUSE_MILLIS);
        }
      }
      if (closed || !r.move().switched()) {
        return;
      }
      sourceDone.delete(volume, r.from());
      Files.deleteIfExists(checkpoint(volume));
      synchronized (this) {
        oldCopyDeleted.add(volume);
      }
      LOG.info("moved volume " + volume + " from pool " + r.from() + " to pool " + r.to());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // not by close (it does not interrupt): stop here
    } catch (IOException | RuntimeException e) {
      // the checkpoint stays: the next engine start (or reload) resumes from it
      LOG.warning(r.move() + " stopped: " + e);
      synchronized (this) {
        running.remove(volume);
        stopped.put(volume, new Report(volume, r.from(), r.to(), r.move().copiedExtents(),
            r.move().totalExtents(), "STOPPED", e.getMessage() == null ? e.toString() : e.getMessage()));
      }
    }
  }

  /** The moves this engine knows of (running or switched since it started). */
  synchronized List<Progress> progress() {
    return running.entrySet().stream()
        .map(e -> new Progress(e.getKey(), e.getValue().from(), e.getValue().to(),
            e.getValue().move().copiedExtents(), e.getValue().move().totalExtents(),
            e.getValue().move().switched()))
        .toList();
  }

  /**
   * What the layout status reports: every move the layout asks for ({@code moveFrom}) that this
   * engine runs, finished, found finished or saw stop; a move the layout no longer asks for is
   * reported until its copier is done with it.
   */
  synchronized List<Report> reports() {
    List<Report> all = new java.util.ArrayList<>();
    running.forEach((volume, r) -> all.add(new Report(volume, r.from(), r.to(),
        r.move().copiedExtents(), r.move().totalExtents(),
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
    // a finished move no longer asked for goes (the same volume may then move again)
    running.entrySet().removeIf(e -> !asked.contains(key(e.getKey(), e.getValue().from(),
        e.getValue().to())) && oldCopyDeleted.remove(e.getKey()));
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
