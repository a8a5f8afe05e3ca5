package io.strata.engine.export;

import io.strata.engine.drive.Drive;
import io.strata.engine.export.ExportsFile.Export;
import io.strata.engine.iscsi.IscsiService;
import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.layout.LayoutStatus;
import io.strata.engine.layout.ReloadTrigger;
import io.strata.engine.scsi.LogicalUnit;
import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.transport.Portal;
import io.strata.engine.transport.ConnectionLimits;
import io.strata.engine.transport.TcpTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The engine in export mode (docs/remote-drives.md): one process per storage node serves, on one
 * portal, every drive of this node lent to an array whose engine runs on another node. Each
 * drive is its own target with LUN 0 = the whole drive, opened like an array's local drive
 * (direct I/O where possible, durable on SYNCHRONIZE CACHE / FUA), and only the array's
 * engine initiator, with its CHAP, may discover it or log in.
 *
 * <p>The exports file is the desired state. At start and on SIGHUP it is read and applied: new
 * exports become targets, removed ones disappear and their sessions are closed, changed ones
 * (another path, initiator or CHAP) are removed and added again. A revision that cannot be
 * applied as a whole (bad JSON, a drive that cannot be opened) changes nothing and is reported
 * in the status file; the exports applied before stay served.
 */
public final class DriveExportService implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DriveExportService.class.getName());
  public static final int LUN = 0;

  private final Path file;
  private final Portal portal;
  private final Path statusFile;
  private final Targets targets = new Targets(List.of());
  private final TcpTransport tcp;
  private final IscsiService service;
  /** What is served now, by target name. */
  /** Connections the export service keeps open at once, from any one node and in all. */
  static final int EXPORT_CONNECTIONS = 8192;

  private final Map<String, Served> served = new LinkedHashMap<>();
  private long appliedRevision = -1;

  /**
   * An export in service: what it was made from, the drive to close when it goes, and the
   * device its LUN writes through (drained when the export is fenced at a higher epoch).
   */
  private record Served(Export export, Drive drive, FencedDevice device) {}

  private DriveExportService(Path file, Portal portal, Path statusFile, int ioThreads) {
    this.file = file;
    this.portal = portal;
    this.statusFile = statusFile;
    // Every engine on a borrowing node connects from that node's one address, one connection per
    // lent drive, so the engine port's per-source default (sized for a tenant's hosts) would cut
    // off a busy node's arrays. The peers here are the cluster's own nodes, each login still
    // needing its array's derived CHAP; the cap only bounds descriptors.
    this.tcp = new TcpTransport(ioThreads, 30, new ConnectionLimits(EXPORT_CONNECTIONS, EXPORT_CONNECTIONS));
    this.service = new IscsiService(tcp, targets, TargetLimits.DEFAULT);
  }

  /**
   * Listens on {@code portal} and applies the exports file. A file that cannot be applied does
   * not stop the service: it serves nothing until a SIGHUP brings a good one, and the status file
   * says why.
   */
  public static DriveExportService start(Path file, Portal portal, Path statusFile)
      throws IOException {
    DriveExportService s = new DriveExportService(file, portal, statusFile,
        Math.max(2, Runtime.getRuntime().availableProcessors()));
    try {
      s.service.listen(portal);
    } catch (IOException | RuntimeException e) {
      s.service.close();
      throw e;
    }
    System.out.println("strata-engine " + s.reloadAndReport());
    return s;
  }

  public Portal portal() {
    return portal;
  }

  /** The target names served now. */
  public synchronized Set<String> targetNames() {
    return Set.copyOf(served.keySet());
  }

  public synchronized long appliedRevision() {
    return appliedRevision;
  }

  /** Re-reads the file and converges to it; returns what changed. */
  public synchronized String reload() throws IOException {
    ExportsFile wanted = ExportsFile.read(file);
    Map<String, Export> next = new LinkedHashMap<>();
    for (Export e : wanted.exports()) {
      next.put(e.target(), e);
    }
    List<String> removed = new ArrayList<>();
    List<Export> added = new ArrayList<>();
    for (Map.Entry<String, Served> e : served.entrySet()) {
      Export now = next.get(e.getKey());
      if (now == null || !sameButEpoch(now, e.getValue().export())) {
        removed.add(e.getKey());
      }
    }
    List<Export> refenced = new ArrayList<>();
    for (Export e : wanted.exports()) {
      Served now = served.get(e.target());
      if (now == null || !sameButEpoch(now.export(), e)) {
        added.add(e);
      } else if (now.export().epochOrZero() != e.epochOrZero()) {
        refenced.add(e);
      }
    }
    // Open every new drive first: a revision is applied whole or not at all.
    Map<String, Drive> opened = new LinkedHashMap<>();
    try {
      for (Export e : added) {
        opened.put(e.target(), open(e));
      }
    } catch (IOException | RuntimeException failure) {
      closeAll(opened.values());
      throw failure;
    }
    for (String name : removed) {
      unserve(name);
    }
    for (Export e : added) {
      serve(e, opened.get(e.target()));
    }
    int fenced = 0;
    for (Export e : refenced) {
      fenced += fence(e);
    }
    // Only now, with older epochs' sessions closed and their writes drained, may the status say
    // this revision is applied: the control plane promotes the new active after that.
    appliedRevision = wanted.revisionOrZero();
    return "exports applied: revision " + appliedRevision + ", " + served.size() + " target(s) ("
        + (added.size() - countReplaced(added, removed)) + " added, "
        + (removed.size() - countReplaced(added, removed)) + " removed, "
        + countReplaced(added, removed) + " changed" + (refenced.isEmpty() ? "" : ", "
        + refenced.size() + " epoch(s) changed, " + fenced + " fenced session(s) closed") + ")";
  }

  private static boolean sameButEpoch(Export a, Export b) {
    return a.withoutEpoch().equals(b.withoutEpoch());
  }

  /**
   * Applies a changed epoch to a served export: logins below it are refused from now on, the
   * sessions logged in below it are closed at once, and writes they had started are waited for,
   * so that nothing an older epoch's engine sent lands after this returns. Returns how many
   * sessions were closed.
   */
  private int fence(Export e) {
    Served s = served.get(e.target());
    long epoch = e.epochOrZero();
    long before = s.export().epochOrZero();
    targets.fence(e.target(), epoch);
    int ended = service.sessions().endSessionsOf(session -> session.target() != null
        && session.target().name().equals(e.target()) && epoch > 0 && session.epoch() < epoch);
    s.device().drain();
    served.put(e.target(), new Served(e, s.drive(), s.device()));
    if (epoch > before) {
      LOG.warning("export " + e.target() + " fenced at epoch " + epoch + " (was " + before
          + "): " + ended + " session(s) of an older epoch closed, their writes drained");
    } else {
      LOG.info("export " + e.target() + ": epoch now " + epoch + " (was " + before + ")");
    }
    return ended;
  }

  private static int countReplaced(List<Export> added, List<String> removed) {
    return (int) added.stream().filter(e -> removed.contains(e.target())).count();
  }

  /** Reloads and writes the status file; returns the line to log. */
  public synchronized String reloadAndReport() {
    try {
      String applied = reload();
      writeStatus(appliedRevision, null);
      return applied;
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      try {
        writeStatus(ExportsFile.revisionIn(file), reason);
      } catch (IOException statusFailed) {
        LOG.warning("cannot write the export status: " + statusFailed);
      }
      return "exports NOT applied: " + reason;
    }
  }

  private void writeStatus(Long revision, String error) throws IOException {
    if (statusFile != null) {
      LayoutStatus.write(statusFile, revision, error);
    }
  }

  /**
   * Opens an export's drive. A changed export may name the file its old definition serves; it is
   * opened a second time (both handles stay valid until the old one is closed).
   */
  private Drive open(Export e) throws IOException {
    Path path = Path.of(e.path());
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("export " + e.target() + ": " + path
          + " does not exist");
    }
    long size = Files.isRegularFile(path) ? Files.size(path) : 0;
    try {
      return Drive.open(e.target(), path, e.mediaType(), size, null);
    } catch (IOException | RuntimeException failure) {
      throw new IOException("export " + e.target() + ": cannot open " + path + ": "
          + failure.getMessage(), failure);
    }
  }

  private void serve(Export e, Drive drive) throws IOException {
    FencedDevice device = new FencedDevice(drive);
    LogicalUnit unit = new LogicalUnit(e.target() + "/" + LUN, device, null);
    LogicalUnitTarget scsi = new LogicalUnitTarget(e.target(), Map.of(LUN, unit),
        List.of(portal.groupTag()), null);
    Authentication auth = new Authentication(e.chap().credentials(), null);
    // Only this initiator is listed: any other is refused at login and sees nothing in
    // discovery; the listed one must pass CHAP for both.
    TargetDefinition target = new TargetDefinition(e.target(), List.of(portal), auth,
        Set.of(e.initiator()), scsi, Map.of(e.initiator(), auth), false);
    targets.fence(e.target(), e.epochOrZero());
    targets.add(target);
    served.put(e.target(), new Served(e, drive, device));
    LOG.info("exporting " + e.path() + " as " + e.target() + " to " + e.initiator());
  }

  private void unserve(String name) {
    Served s = served.remove(name);
    targets.remove(name);
    targets.fence(name, 0);
    int ended = service.sessions().endSessionsOf(
        session -> session.target() != null && session.target().name().equals(name));
    if (s != null) {
      try {
        s.drive().close();
      } catch (IOException e) {
        LOG.warning("export " + name + ": closing its drive: " + e.getMessage());
      }
    }
    LOG.info("stopped exporting " + name + " (" + ended + " session(s) closed)");
  }

  private static void closeAll(Iterable<Drive> drives) {
    for (Drive d : drives) {
      try {
        d.close();
      } catch (IOException e) {
        // already failing; the first error is the one reported
      }
    }
  }

  /** Reloads on SIGHUP (the agent rewrites the file and signals), or when the file changes if this process cannot have SIGHUP. */
  public void reloadOnSighupOrChange() {
    ReloadTrigger.install(file, () -> System.out.println("strata-engine " + reloadAndReport()));
  }

  @Override
  public synchronized void close() {
    service.closeNow(); // engines reconnect to an export; no logout request (see closeNow)
    closeAll(served.values().stream().map(Served::drive).toList());
    served.clear();
  }
}
