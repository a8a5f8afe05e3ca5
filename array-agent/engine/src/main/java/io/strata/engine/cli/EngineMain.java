package io.strata.engine.cli;

import io.strata.engine.iscsi.login.AuthFailureThrottle;
import io.strata.engine.transport.ConnectionLimits;
import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.export.DriveExportService;
import io.strata.engine.iscsi.IscsiService;
import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.layout.ArrayLayout;
import io.strata.engine.nvme.NvmeService;
import io.strata.engine.nvme.NvmeTcpTarget;
import io.strata.engine.layout.LayoutService;
import io.strata.engine.layout.VolumeKeys;
import io.strata.engine.crypto.KmsSettings;
import io.strata.engine.layout.LayoutStatus;
import io.strata.engine.scsi.AsymmetricAccess;
import io.strata.engine.scsi.LogicalUnit;
import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.stats.IoCounters;
import io.strata.engine.stats.StackFigures;
import io.strata.engine.stats.StatsFile;
import io.strata.engine.transport.Portal;
import io.strata.engine.transport.RoutingTransport;
import io.strata.engine.transport.TcpTransport;
import io.strata.engine.transport.iser.IserTransport;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The array engine as a standalone process: one iSCSI target over file-backed LUNs, in the
 * foreground, until SIGTERM. The agent starts engines through this same class.
 */
@Command(
    name = "strata-engine",
    mixinStandardHelpOptions = true,
    description = "Serves one iSCSI target over file-backed LUNs and/or an array layout until SIGTERM.")
public final class EngineMain implements Callable<Integer> {

  @Option(
      names = "--portal",
      paramLabel = "HOST:PORT",
      description = "Address to listen on; repeat for several portals (each its own portal group).")
  List<String> portals = new ArrayList<>();

  @Option(
      names = "--iser-portal",
      paramLabel = "HOST:PORT",
      description =
          "Address of an RDMA device (RoCE, iWARP, Soft-RoCE) to serve iSER on (RFC 7145); "
              + "repeatable. Needs libdisni on java.library.path (see docs/iser.md).")
  List<String> iserPortals = new ArrayList<>();

  @Option(
      names = "--nvme-portal",
      paramLabel = "HOST:PORT",
      description = "Also serve the LUNs over NVMe/TCP on this address, LUN n as namespace n+1,"
          + " with a discovery controller (docs/nvme-tcp.md); repeatable.")
  List<String> nvmePortals = new ArrayList<>();

  @Option(
      names = "--nqn",
      paramLabel = "NQN",
      description = "The NVM subsystem's name (default nqn.2026-11.io.strata: and what follows"
          + " the colon of --iqn).")
  String nqn;

  @Option(
      names = "--nvme-host",
      paramLabel = "HOSTNQN",
      description = "Admit only the listed NVMe hosts (and show the subsystem in discovery only"
          + " to them); repeatable. Without it any host may connect.")
  List<String> nvmeHosts = new ArrayList<>();

  @Option(names = "--iqn", paramLabel = "IQN", description = "The target's name (required"
      + " unless --exports).")
  String iqn;

  @Option(
      names = "--exports",
      paramLabel = "FILE.json",
      description = "Export mode: serve this node's drives lent to arrays on other nodes, one"
          + " target per drive (docs/remote-drives.md); re-read on SIGHUP. Takes one --portal and"
          + " optionally --layout-status; no --iqn, --lun, --layout or access options.")
  Path exportsFile;

  @Option(
      names = "--lun",
      paramLabel = "N=PATH:SIZE[:OPTIONS]",
      description = "A LUN on a file (created if missing), SIZE like 512M or 1G; repeatable."
          + " OPTIONS, comma-separated: ro (write-protected), physical=4096 (physical block size).")
  List<String> luns = new ArrayList<>();

  @Option(
      names = "--layout",
      paramLabel = "FILE.json",
      description = "The array's drives, pools, volumes, snapshots, LUNs and, optionally, who may"
          + " log in (initiators, CHAP, LUN masking; docs/block-stack.md); re-read on SIGHUP"
          + " and applied without a restart.")
  Path layoutFile;

  @Option(
      names = "--layout-status",
      paramLabel = "FILE",
      description = "After start and after every reload, write {\"revision\": N, \"ok\": true|false,"
          + " \"error\": ..., \"time\": ...} to FILE (atomically), N being the layout's revision.")
  Path layoutStatusFile;

  @Option(
      names = "--kmip",
      paramLabel = "FILE.json",
      description = "The KMS that wraps the data keys of encrypted volumes (docs/encryption.md):"
          + " {\"host\", \"port\", \"ca\", \"certificate\", \"key\" (PEM files, relative to"
          + " FILE), \"retryMaxSeconds\"}. Without it an encrypted volume can be neither created"
          + " nor served.")
  Path kmipSettings;

  @Option(
      names = "--chap",
      paramLabel = "USER:SECRET",
      description = "Require CHAP from initiators (secret at least 12 bytes). Not with a layout"
          + " that lists initiators.")
  String chap;

  @Option(
      names = "--mutual-chap",
      paramLabel = "USER:SECRET",
      description = "The target's own CHAP credentials, for initiators that ask for mutual CHAP."
          + " Not with a layout that lists initiators or has mutualChap.")
  String mutualChap;

  @Option(
      names = "--initiator",
      paramLabel = "IQN[=USER:SECRET[:LUNS]]",
      description = "Admit only the listed initiators, each with its own CHAP and LUNs (* all, - none,"
          + " 0,2); repeatable. Not with a layout that lists initiators.")
  List<String> initiators = new ArrayList<>();

  @Option(
      names = "--stats",
      paramLabel = "FILE",
      description = "Write I/O counters (JSON) to FILE every second.")
  Path statsFile;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      description = "Connections open at once, in all (default ${DEFAULT-VALUE}); one more is"
          + " closed as it is accepted.")
  int maxConnections = ConnectionLimits.DEFAULT_TOTAL;

  @Option(
      names = "--max-connections-per-source",
      paramLabel = "N",
      description = "Connections open at once from one network address (default"
          + " ${DEFAULT-VALUE}); one more is closed as it is accepted.")
  int maxConnectionsPerSource = ConnectionLimits.DEFAULT_PER_SOURCE;

  @Option(
      names = "--auth-failure-delay-ms",
      paramLabel = "MS",
      description = "A failed CHAP login is answered after this delay, doubled with each further"
          + " failure of the same initiator name or address (default ${DEFAULT-VALUE}).")
  long authFailureDelayMs = AuthFailureThrottle.Policy.DEFAULT.firstDelay().toMillis();

  @Option(
      names = "--auth-failure-max-delay-ms",
      paramLabel = "MS",
      description = "The longest delay before answering a failed login (default ${DEFAULT-VALUE}).")
  long authFailureMaxDelayMs = AuthFailureThrottle.Policy.DEFAULT.maxDelay().toMillis();

  @Option(
      names = "--auth-failure-quiet-seconds",
      paramLabel = "S",
      description = "Seconds without a failure after which the delay starts over (default"
          + " ${DEFAULT-VALUE}).")
  long authFailureQuietSeconds = AuthFailureThrottle.Policy.DEFAULT.quiet().toSeconds();

  private final CountDownLatch stopped = new CountDownLatch(1);
  // Where the engine's own lines go: the process's stdout and stderr, or, for an engine hosted in
  // a shared JVM (HostedEngine), that engine's log. The agent notices the ready line in them.
  private PrintWriter out = new PrintWriter(System.out, true);
  private PrintWriter err = new PrintWriter(System.err, true);
  // Hosted: no shutdown hook and no SIGHUP handler, both of which belong to the whole JVM; the
  // host stops and reloads this engine through stop() and reload() instead.
  private boolean hosted;
  private final java.util.concurrent.atomic.AtomicReference<Runnable> stopAction =
      new java.util.concurrent.atomic.AtomicReference<>();
  private volatile boolean stopRequested;
  private volatile Runnable reloadAction;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(new EngineMain(), args, out, err);
  }

  /** An engine for {@link HostedEngine}: its lines go to {@code out}, it touches no JVM-wide handler. */
  static EngineMain hosted(PrintWriter out) {
    EngineMain main = new EngineMain();
    main.out = out;
    main.err = out;
    main.hosted = true;
    return main;
  }

  static int run(EngineMain main, String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(main);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    if (exportsFile != null) {
      return exportMode();
    }
    Engine engine;
    try {
      engine = start();
    } catch (IllegalArgumentException e) {
      err.println("strata-engine: " + e.getMessage());
      reportStartFailure(e);
      return 2;
    } catch (IOException e) {
      err.println("strata-engine: " + e.getMessage());
      reportStartFailure(e);
      return 1;
    }
    whenStopped(() -> engine.close(), engine.reload());
    List<String> listening = new ArrayList<>(portals);
    for (String p : iserPortals) {
      listening.add(p + " (iser)");
    }
    for (String p : nvmePortals) {
      listening.add(p + " (nvme " + engine.nqn() + ")");
    }
    out.println(
        "strata-engine ready: " + iqn + " on " + String.join(", ", listening) + " ("
            + engine.tcp.flavour() + ")");
    stopped.await();
    return 0;
  }

  /** {@code --exports}: the node's drive export service until SIGTERM. */
  private int exportMode() throws InterruptedException {
    List<String> conflicting = new ArrayList<>();
    if (iqn != null) {
      conflicting.add("--iqn");
    }
    if (!luns.isEmpty()) {
      conflicting.add("--lun");
    }
    if (layoutFile != null) {
      conflicting.add("--layout");
    }
    if (chap != null || mutualChap != null || !initiators.isEmpty()) {
      conflicting.add("--chap/--mutual-chap/--initiator (each export names its initiator)");
    }
    if (!iserPortals.isEmpty()) {
      conflicting.add("--iser-portal");
    }
    if (!nvmePortals.isEmpty() || nqn != null || !nvmeHosts.isEmpty()) {
      conflicting.add("--nvme-portal/--nqn/--nvme-host");
    }
    if (statsFile != null) {
      conflicting.add("--stats");
    }
    if (!conflicting.isEmpty()) {
      err.println("strata-engine: --exports does not go with " + String.join(", ",
          conflicting));
      return 2;
    }
    if (portals.size() != 1) {
      err.println("strata-engine: --exports needs exactly one --portal");
      return 2;
    }
    DriveExportService exports;
    try {
      exports = DriveExportService.start(exportsFile, Portal.parse(portals.get(0), 1),
          layoutStatusFile);
    } catch (IllegalArgumentException e) {
      err.println("strata-engine: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("strata-engine: cannot listen on " + portals.get(0) + ": "
          + e.getMessage());
      return 1;
    }
    if (!hosted) {
      exports.reloadOnSighupOrChange();
    }
    whenStopped(exports::close, () -> out.println("strata-engine " + exports.reloadAndReport()));
    out.println("strata-engine ready: drive exports on " + portals.get(0));
    stopped.await();
    return 0;
  }

  /**
   * What stops this engine (SIGTERM's shutdown hook, or {@link #stop()} when hosted) and what
   * re-reads its layout when hosted (a process reloads on SIGHUP instead).
   */
  private void whenStopped(Runnable close, Runnable reload) {
    Runnable stop = () -> {
      close.run();
      out.println("strata-engine stopped");
      stopped.countDown();
    };
    reloadAction = reload;
    if (hosted) {
      stopAction.set(stop);
      if (stopRequested) { // stop() came while the engine was starting
        stop();
      }
    } else {
      Runtime.getRuntime().addShutdownHook(new Thread(stop, "strata-engine-stop"));
    }
  }

  /** Hosted: stops the engine once; one still starting stops as soon as it is up. */
  void stop() {
    stopRequested = true;
    Runnable stop = stopAction.getAndSet(null);
    if (stop != null) {
      stop.run();
    }
  }

  /** Hosted: re-reads the layout (what SIGHUP does to a process); false when not ready. */
  boolean reload() {
    Runnable reload = reloadAction;
    if (reload == null || stopped.getCount() == 0) {
      return false;
    }
    reload.run();
    return true;
  }

  /** Tells the agent, through the status file, why the layout was not applied at start. */
  private void reportStartFailure(Exception e) {
    if (layoutStatusFile != null && layoutFile != null) {
      try {
        LayoutStatus.write(layoutStatusFile, ArrayLayout.revisionIn(layoutFile), e.getMessage());
      } catch (IOException statusFailed) {
        err.println("strata-engine: cannot write " + layoutStatusFile + ": "
            + statusFailed.getMessage());
      }
    }
  }

  /** A running engine: what must be closed, in order, to stop it cleanly. */
  /** The volume each LUN of the layout applied now shows, for the stats file's per-volume figures. */
  private static Map<Integer, String> volumeOfLun(LayoutService layout) {
    Map<Integer, String> out = new java.util.HashMap<>();
    for (var lun : layout.layout().luns()) {
      out.put(lun.lun(), lun.volume());
    }
    return out;
  }

  private record Engine(IscsiService service, TcpTransport tcp, List<Closeable> devices,
      Runnable reload, PrintWriter err, String nqn) {
    void close() {
      service.close();
      for (Closeable device : devices) {
        try {
          device.close();
        } catch (IOException e) {
          err.println("strata-engine: closing a LUN: " + e.getMessage());
        }
      }
    }
  }

  /** --nqn, or the IQN's part after the colon under Strata's NQN prefix. */
  private String nqnOrDefault() {
    return nqn != null ? nqn : NvmeService.defaultNqn(iqn);
  }

  private Map<String, InitiatorSpec> initiatorAccess() {
    Map<String, InitiatorSpec> acl = new LinkedHashMap<>();
    for (String text : initiators) {
      InitiatorSpec spec = InitiatorSpec.parse(text);
      if (acl.put(spec.iqn(), spec) != null) {
        throw new IllegalArgumentException("initiator " + spec.iqn() + " given twice");
      }
    }
    return acl;
  }

  private Engine start() throws IOException {
    if (iqn == null || iqn.isBlank()) {
      throw new IllegalArgumentException("--iqn is required (unless --exports)");
    }
    ChapCredentials targetCredentials = mutualChap == null ? null : ChapCredentials.parse(mutualChap);
    ChapCredentials initiatorCredentials = chap == null ? null : ChapCredentials.parse(chap);
    Map<String, InitiatorSpec> acl = initiatorAccess();
    if (layoutStatusFile != null && layoutFile == null) {
      throw new IllegalArgumentException("--layout-status needs a --layout");
    }
    if (portals.isEmpty() && iserPortals.isEmpty()) {
      throw new IllegalArgumentException("give at least one --portal or --iser-portal");
    }
    if (nvmePortals.isEmpty() && (nqn != null || !nvmeHosts.isEmpty())) {
      throw new IllegalArgumentException("--nqn and --nvme-host need an --nvme-portal");
    }
    if (luns.isEmpty() && layoutFile == null) {
      throw new IllegalArgumentException("give at least one --lun or a --layout");
    }
    Map<Integer, LogicalUnit> units = new LinkedHashMap<>();
    List<Closeable> devices = new ArrayList<>();
    LayoutService layout = null;
    ArrayLayout.HaSpec ha = null;
    try {
      for (String text : luns) {
        LunSpec spec = LunSpec.parse(text);
        if (units.containsKey(spec.lun())) {
          throw new IllegalArgumentException("LUN " + spec.lun() + " given twice");
        }
        FileBlockDevice device = FileBlockDevice.open(spec.path(), spec.sizeBytes(), 512);
        devices.add(device);
        Path reservations = spec.path().resolveSibling(spec.path().getFileName() + ".pr");
        // The volume id is the target and LUN: stable across restarts, unique per engine.
        LogicalUnit.Options options =
            new LogicalUnit.Options(spec.readOnly(), spec.physicalBlockExponent());
        units.put(spec.lun(), new LogicalUnit(iqn + "/" + spec.lun(), device, reservations, options));
      }
      if (layoutFile != null) {
        layout = LayoutService.open(layoutFile, iqn, kmipSettings == null ? VolumeKeys.none()
            : VolumeKeys.using(KmsSettings.read(kmipSettings)));
        devices.add(layout);
        ha = layout.layout().ha();
        for (Map.Entry<Integer, LogicalUnit> e : layout.logicalUnits().entrySet()) {
          if (units.putIfAbsent(e.getKey(), e.getValue()) != null) {
            throw new IllegalArgumentException("LUN " + e.getKey() + " is both a --lun and in "
                + "the layout");
          }
        }
      }
      // Each portal is its own target portal group and relative target port; in a highly
      // available array those of ALUA group g are numbered 16(g-1)+1... (docs/high-availability.md)
      int group = ha == null ? 1 : ha.portGroup();
      if (ha != null && portals.size() + iserPortals.size() > AsymmetricAccess.MAX_PORTS_PER_GROUP) {
        throw new IllegalArgumentException("an engine of a highly available array has at most "
            + AsymmetricAccess.MAX_PORTS_PER_GROUP + " portals");
      }
      List<Portal> portalList = new ArrayList<>();
      for (int i = 0; i < portals.size(); i++) {
        portalList.add(Portal.parse(portals.get(i), AsymmetricAccess.relativePort(group, i)));
      }
      List<Portal> iserPortalList = new ArrayList<>();
      for (int i = 0; i < iserPortals.size(); i++) {
        Portal p = Portal.parse(iserPortals.get(i),
            AsymmetricAccess.relativePort(group, portals.size() + i));
        iserPortalList.add(p);
        portalList.add(p);
      }
      List<Integer> ports = new ArrayList<>();
      for (Portal p : portalList) {
        ports.add(p.groupTag());
      }
      // Who may log in and see what: the command line, or the layout's initiators (not both).
      TargetAccess access = new TargetAccess(iqn, portalList, initiatorCredentials,
          targetCredentials, acl, layout == null ? null : layout.layout());
      LogicalUnitTarget scsi = new LogicalUnitTarget(iqn, units, ports, access::sees);
      IoCounters counted = new IoCounters(scsi);
      StatsFile stats = null;
      LayoutService finalLayout = layout; // a promotion replaces its stack: ask it each time
      if (statsFile != null) {
        stats = layout == null ? new StatsFile(statsFile, counted)
            : new StatsFile(statsFile, counted, () -> finalLayout.stack().usage(),
                () -> StackFigures.of(finalLayout.stack()), () -> volumeOfLun(finalLayout));
        devices.add(stats);
        stats.start();
      }
      // Without a stats file nobody reads the counters: serve the target uncounted (the
      // observability benchmark's "off", docs/benchmarks/observability.md).
      TargetDefinition target = access.definition(statsFile == null ? scsi : counted);
      TcpTransport tcp = new TcpTransport(Math.max(2, Runtime.getRuntime().availableProcessors()),
          30, new ConnectionLimits(maxConnections, maxConnectionsPerSource));
      RoutingTransport transport = new RoutingTransport(tcp);
      if (!iserPortalList.isEmpty()) {
        IserTransport iser;
        try {
          iser = new IserTransport(2);
        } catch (IOException | RuntimeException | LinkageError e) {
          tcp.close();
          throw new IOException("cannot serve iSER: " + e.getMessage(), e);
        }
        for (Portal p : iserPortalList) {
          transport.route(p, iser);
        }
      }
      Targets targets = new Targets(List.of(target));
      IscsiService service = new IscsiService(transport, targets, TargetLimits.DEFAULT,
          new AuthFailureThrottle.Policy(Duration.ofMillis(authFailureDelayMs),
              Duration.ofMillis(authFailureMaxDelayMs), Duration.ofSeconds(authFailureQuietSeconds)));
      access.attach(targets, service.sessions(), scsi);
      if (stats != null) {
        stats.countSessions(() -> service.sessions().sessions().size());
      }
      if (layout != null) {
        layout.attach(scsi);
        layout.attach(access);
        layout.reportTo(layoutStatusFile);
        layout.warmUpStandby();
      }
      try {
        service.start();
      } catch (IOException e) {
        service.close();
        throw e;
      }
      String nvmeNqn = null;
      if (!nvmePortals.isEmpty()) {
        NvmeTcpTarget nvme;
        try {
          nvme = NvmeService.start(nqnOrDefault(), nvmePortals, nvmeHosts, scsi,
              new ConnectionLimits(maxConnections, maxConnectionsPerSource));
        } catch (IOException | RuntimeException e) {
          service.close();
          throw e;
        }
        devices.add(0, nvme::close); // stops serving before the devices close
        nvmeNqn = nqnOrDefault();
      }
      Runnable reload = () -> {};
      if (layout != null) {
        // From here on a SIGHUP (a hosted engine: reload()) reloads; the status says the start's
        // layout is applied.
        if (!hosted) {
          layout.reloadOnSighupOrChange();
        }
        layout.writeStatus(layout.layout().revisionOrZero(), null);
        LayoutService reloading = layout;
        reload = () -> out.println("strata-engine " + reloading.reloadAndReport());
      }
      return new Engine(service, tcp, devices, reload, err, nvmeNqn);
    } catch (IOException | RuntimeException e) {
      for (Closeable device : devices) {
        device.close();
      }
      throw e;
    }
  }
}
