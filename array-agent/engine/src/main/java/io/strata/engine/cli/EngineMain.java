package io.strata.engine.cli;

import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.iscsi.IscsiService;
import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.layout.LayoutService;
import io.strata.engine.scsi.LogicalUnit;
import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.transport.Portal;
import io.strata.engine.transport.TcpTransport;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
      required = true,
      paramLabel = "HOST:PORT",
      description = "Address to listen on; repeat for several portals (each its own portal group).")
  List<String> portals = new ArrayList<>();

  @Option(names = "--iqn", required = true, paramLabel = "IQN", description = "The target's name.")
  String iqn;

  @Option(
      names = "--lun",
      paramLabel = "N=PATH:SIZE[:OPTIONS]",
      description = "A LUN on a file (created if missing), SIZE like 512M or 1G; repeatable."
          + " OPTIONS, comma-separated: ro (write-protected), physical=4096 (physical block size).")
  List<String> luns = new ArrayList<>();

  @Option(
      names = "--layout",
      paramLabel = "FILE.json",
      description = "The array's drives, pools, volumes, snapshots and LUNs (docs/block-stack.md);"
          + " re-read on SIGHUP.")
  Path layoutFile;

  @Option(
      names = "--chap",
      paramLabel = "USER:SECRET",
      description = "Require CHAP from initiators (secret at least 12 bytes).")
  String chap;

  @Option(
      names = "--mutual-chap",
      paramLabel = "USER:SECRET",
      description = "The target's own CHAP credentials, for initiators that ask for mutual CHAP.")
  String mutualChap;

  private final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new EngineMain());
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    Engine engine;
    try {
      engine = start();
    } catch (IllegalArgumentException e) {
      System.err.println("strata-engine: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      System.err.println("strata-engine: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  engine.close();
                  System.out.println("strata-engine stopped");
                  stopped.countDown();
                },
                "strata-engine-stop"));
    System.out.println(
        "strata-engine ready: " + iqn + " on " + String.join(", ", portals) + " ("
            + engine.transport.flavour() + ")");
    stopped.await();
    return 0;
  }

  /** A running engine: what must be closed, in order, to stop it cleanly. */
  private record Engine(IscsiService service, TcpTransport transport, List<Closeable> devices) {
    void close() {
      service.close();
      for (Closeable device : devices) {
        try {
          device.close();
        } catch (IOException e) {
          System.err.println("strata-engine: closing a LUN: " + e.getMessage());
        }
      }
    }
  }

  private Engine start() throws IOException {
    Authentication auth =
        new Authentication(
            chap == null ? null : ChapCredentials.parse(chap),
            mutualChap == null ? null : ChapCredentials.parse(mutualChap));
    List<Portal> portalList = new ArrayList<>();
    for (int i = 0; i < portals.size(); i++) {
      portalList.add(Portal.parse(portals.get(i), i + 1));
    }
    List<Integer> ports = new ArrayList<>();
    for (Portal p : portalList) {
      ports.add(p.groupTag());
    }
    if (luns.isEmpty() && layoutFile == null) {
      throw new IllegalArgumentException("give at least one --lun or a --layout");
    }
    Map<Integer, LogicalUnit> units = new LinkedHashMap<>();
    List<Closeable> devices = new ArrayList<>();
    LayoutService layout = null;
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
        layout = LayoutService.open(layoutFile, iqn);
        devices.add(layout);
        for (Map.Entry<Integer, LogicalUnit> e : layout.logicalUnits().entrySet()) {
          if (units.putIfAbsent(e.getKey(), e.getValue()) != null) {
            throw new IllegalArgumentException("LUN " + e.getKey() + " is both a --lun and in "
                + "the layout");
          }
        }
      }
      LogicalUnitTarget scsi = new LogicalUnitTarget(iqn, units, ports, null);
      if (layout != null) {
        layout.attach(scsi);
        layout.reloadOnSighup();
      }
      TargetDefinition target = new TargetDefinition(iqn, portalList, auth, Set.of(), scsi);
      TcpTransport transport = new TcpTransport(Math.max(2, Runtime.getRuntime().availableProcessors()));
      IscsiService service = new IscsiService(transport, new Targets(List.of(target)), TargetLimits.DEFAULT);
      try {
        service.start();
      } catch (IOException e) {
        service.close();
        throw e;
      }
      return new Engine(service, transport, devices);
    } catch (IOException | RuntimeException e) {
      for (Closeable device : devices) {
        device.close();
      }
      throw e;
    }
  }
}
