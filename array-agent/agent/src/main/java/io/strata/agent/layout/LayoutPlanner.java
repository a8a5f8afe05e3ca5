package io.strata.agent.layout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.agent.inventory.Drive;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveRole;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSlot;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.ServerSpec;
import io.strata.contracts.command.ArrayDesiredState.SnapshotSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.command.DriveExportCredentials;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.event.ObjectStatus.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns an array's desired state into the engine's layout. What the agent can judge by itself
 * (a drive missing from the node, a protection the engine does not have, a LUN number clash, a
 * secret that does not open) fails that object here, with the reason, and leaves it out of the
 * layout, so that one bad object never keeps the rest of the array from being served.
 *
 * <p>Drives of other nodes (the array spread over nodes): a drive the desired state places on
 * another node than this one is written as a {@code remote} drive, reached through that node's
 * drive export service over iSCSI; the engine treats an unreachable one as a failed member.
 *
 * <p>Flash cache and SSD tier: the control plane names the SSD that serves each (a drive of the
 * pool with role CACHE or TIER): the pool owns it, and no other pool is ever given it, so a new
 * pool cannot relabel another's cache or tier. A pool whose cache or tier drive is missing,
 * unusable or on another node fails with that reason rather than run without what was asked.
 * A desired state in which no drive carries a role (a control plane from before roles) is
 * planned as before: the agent takes them from the array's SSDs that belong to no pool, in the
 * control plane's allocation order (largest first, then drive id), pools in pool-id order, each
 * pool its cache SSD first and then its tier SSD.
 *
 * <p>Highly available arrays ({@link ArrayDesiredState#ha()}): both engine nodes run an engine,
 * and each plans the layout as if the engine ran here, which is what the drives' nodes already
 * decide: this node's drives are local, every other node's (the peer engine node's included) are
 * remote. The layout's {@code ha} block carries this node's slot (role, epoch, port groups) and
 * the drives on outdated nodes; a pool's cache and tier name every SSD the control plane gives it
 * in that role (one on each engine node, a mirror; one of them is then remote).
 */
public final class LayoutPlanner {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One object of the array as planned: in the layout in {@code form}, or failed with {@code reason}. */
  public record Planned(Kind kind, String id, String form, String reason) {
    public boolean failed() {
      return reason != null;
    }

    /** The key under which the engine's applied forms are remembered. */
    public String key() {
      return kind + ":" + id;
    }
  }

  /** The layout (revision 0: the writer numbers it) and every object with its planned fate. */
  public record Plan(EngineLayout layout, List<Planned> objects) {
    public List<String> problems() {
      return objects.stream().filter(Planned::failed).map(Planned::reason).toList();
    }
  }

  private final SealedSecret secrets;
  private final DriveExportCredentials exportCredentials;

  /** A planner for nodes whose engines use local drives only (drives of other nodes fail). */
  public LayoutPlanner(SealedSecret secrets) {
    this(secrets, null);
  }

  /** @param exportCredentials derives the CHAP with which engines log in to other nodes' drives */
  public LayoutPlanner(SealedSecret secrets, DriveExportCredentials exportCredentials) {
    this.secrets = secrets;
    this.exportCredentials = exportCredentials;
  }

  /**
   * @param onNode the node's drives by serial
   * @param heldByOthers serials other arrays of this node hold
   */
  public Plan plan(ArrayDesiredState desired, Map<String, Drive> onNode, Set<String> heldByOthers) {
    return new Planning(desired, onNode, heldByOthers).run();
  }

  /** One planning pass: the objects accepted so far and the reasons of those refused. */
  private final class Planning {
    final ArrayDesiredState desired;
    final Map<String, Drive> onNode;
    final Set<String> heldByOthers;
    final List<Planned> objects = new ArrayList<>();
    final Map<String, DriveSpec> usableDrives = new LinkedHashMap<>();
    final Map<String, String> failedPools = new HashMap<>();
    final Set<String> usablePools = new HashSet<>();
    final Map<String, String> failedVolumes = new HashMap<>();
    final Set<String> usableVolumes = new HashSet<>();
    final Map<String, String> volumeOfSnapshot = new HashMap<>();

    final List<EngineLayout.Drive> drives = new ArrayList<>();
    final List<EngineLayout.Pool> pools = new ArrayList<>();
    final List<EngineLayout.Volume> volumes = new ArrayList<>();
    final List<EngineLayout.Snapshot> snapshots = new ArrayList<>();
    final List<EngineLayout.Lun> luns = new ArrayList<>();
    final List<EngineLayout.Initiator> initiators = new ArrayList<>();
    EngineLayout.Credentials mutualChap;

    Planning(ArrayDesiredState desired, Map<String, Drive> onNode, Set<String> heldByOthers) {
      this.desired = desired;
      this.onNode = onNode;
      this.heldByOthers = heldByOthers;
    }

    Plan run() {
      planDrives();
      planPools();
      planVolumes();
      // Servers before LUNs: a LUN is served only to an admitted server, since a layout with no
      // initiator at all lets anyone log in (the engine's rule), and it must then show nothing.
      Map<String, EngineLayout.Initiator> admitted = planServers();
      Map<String, List<Integer>> lunsOfServer = planLuns(admitted.keySet());
      admitted.forEach((serverId, initiator) -> initiators.add(new EngineLayout.Initiator(initiator.iqn(),
          initiator.chap(), new ArrayList<>(new TreeSet<>(lunsOfServer.getOrDefault(serverId, List.of()))))));
      initiators.sort(Comparator.comparing(EngineLayout.Initiator::iqn));
      return new Plan(new EngineLayout(0, drives, pools, volumes, snapshots, luns, initiators, mutualChap, ha()),
          List.copyOf(objects));
    }

    /** This node's engine slot of an HA array; null for a single-engine array (or a node without a slot). */
    EngineLayout.Ha ha() {
      EngineSlot slot = HaSlots.of(desired, desired.nodeId());
      if (slot == null) {
        return null;
      }
      List<String> outdated = desired.drives().stream()
          .filter(d -> desired.ha().outdatedNodeIds().stream().anyMatch(n -> d.isOn(n, desired)))
          .map(DriveSpec::serial).sorted().toList();
      return new EngineLayout.Ha(slot.role().name(), desired.ha().epoch(), slot.portGroup(),
          HaSlots.peerPortGroup(desired, slot), outdated);
    }

    void planDrives() {
      for (DriveSpec drive : sorted(desired.drives(), Comparator.comparing(DriveSpec::serial))) {
        if (!drive.isOn(desired.nodeId(), desired)) {
          planRemoteDrive(drive);
          continue;
        }
        Drive found = onNode.get(drive.serial());
        String problem = null;
        if (found == null) {
          problem = "drive " + drive.serial() + " is not on node " + desired.nodeId();
        } else if (found.type() != drive.type()) {
          problem = "drive " + drive.serial() + " is " + found.type() + ", not " + drive.type();
        } else if (heldByOthers.contains(drive.serial())) {
          problem = "drive " + drive.serial() + " already belongs to another array on this node";
        }
        if (problem != null) {
          objects.add(new Planned(Kind.DRIVE, drive.driveId(), null, problem));
          continue;
        }
        String size = java.nio.file.Files.isRegularFile(found.path()) ? String.valueOf(found.capacityBytes()) : null;
        var entry = new EngineLayout.Drive(drive.serial(), found.path().toString(), drive.type().name(), size);
        drives.add(entry);
        usableDrives.put(drive.serial(), drive);
        objects.add(new Planned(Kind.DRIVE, drive.driveId(), form(entry), null));
      }
    }

    /**
     * A drive of another node: the engine logs in to that node's drive export service, to the
     * drive's own target, as this array's engine with the derived CHAP. Its size is left to the
     * engine (READ CAPACITY): the control plane knows it in whole GiB only.
     */
    void planRemoteDrive(DriveSpec drive) {
      String problem = null;
      if (drive.exportPortal() == null || drive.exportPortal().isBlank()) {
        problem = "drive " + drive.serial() + " is on node " + drive.nodeId()
            + ", which exports no drives (its agent reported no drive portal)";
      } else if (exportCredentials == null) {
        problem = "drive " + drive.serial() + " is on node " + drive.nodeId()
            + ", and this agent has no key to log in to other nodes' drives";
      }
      if (problem != null) {
        objects.add(new Planned(Kind.DRIVE, drive.driveId(), null, problem));
        return;
      }
      String arrayId = desired.arrayId();
      var remote = new EngineLayout.Remote(drive.exportPortal(), DriveExportCredentials.driveTargetIqn(drive.driveId()),
          DriveExportCredentials.LUN, DriveExportCredentials.engineInitiatorIqn(arrayId),
          new EngineLayout.Credentials(exportCredentials.user(arrayId), exportCredentials.secret(arrayId)));
      var entry = new EngineLayout.Drive(drive.serial(), null, drive.type().name(), null, remote);
      drives.add(entry);
      usableDrives.put(drive.serial(), drive);
      objects.add(new Planned(Kind.DRIVE, drive.driveId(), form(entry), null));
    }

    void planPools() {
      // A cache or tier SSD must be local: the engine does not put them on another node's drive.
      Deque<DriveSpec> spareSsds = new ArrayDeque<>(usableDrives.values().stream()
          .filter(d -> d.type() == DriveType.SSD && d.poolId() == null && d.isOn(desired.nodeId(), desired))
          .sorted(Comparator.comparingLong(DriveSpec::capacityGib).reversed().thenComparing(DriveSpec::driveId))
          .toList());
      boolean rolesNamed = desired.drives().stream().anyMatch(d -> d.role() != null);
      for (PoolSpec pool : sorted(desired.pools(), Comparator.comparing(PoolSpec::poolId))) {
        List<String> members = new ArrayList<>();
        for (DriveSpec d : desired.drives()) {
          if (pool.poolId().equals(d.poolId()) && d.isMember() && usableDrives.containsKey(d.serial())) {
            members.add(d.serial());
          }
        }
        members.sort(null);
        String problem = null;
        String protection = null;
        long asked = desired.drives().stream().filter(d -> pool.poolId().equals(d.poolId()) && d.isMember()).count();
        if (members.isEmpty()) {
          problem = "pool " + pool.poolId() + " has no usable drive on this node";
        } else if (members.size() < asked) {
          problem = "pool " + pool.poolId() + ": " + (asked - members.size()) + " of its " + asked
              + " drives are not usable (see the drives' status)";
        } else {
          try {
            protection = protection(pool.protection(), members.size());
          } catch (IllegalArgumentException e) {
            problem = "pool " + pool.poolId() + ": " + e.getMessage();
          }
        }
        EngineLayout.Cache cache = null;
        EngineLayout.Tiering tiering = null;
        boolean wantsCache = pool.cacheMode() != null && !pool.cacheMode().equalsIgnoreCase("NONE");
        if (problem == null && (wantsCache || pool.tiering()) && pool.driveType() != DriveType.HDD) {
          problem = "pool " + pool.poolId() + ": flash cache and tiering sit in front of HDD pools only";
        }
        if (problem == null && rolesNamed) {
          // the control plane names the cache and tier SSDs: use those, or fail saying why
          List<String> cacheSsds = List.of();
          List<String> tierSsds = List.of();
          if (wantsCache) {
            cacheSsds = namedSsds(pool, DriveRole.CACHE);
            problem = cacheSsds.isEmpty() ? namedSsdProblem(pool, DriveRole.CACHE, "flash cache") : null;
          }
          if (problem == null && pool.tiering()) {
            tierSsds = namedSsds(pool, DriveRole.TIER);
            problem = tierSsds.isEmpty() ? namedSsdProblem(pool, DriveRole.TIER, "SSD tier") : null;
          }
          if (problem == null) {
            cache = cacheSsds.isEmpty() ? null : EngineLayout.Cache.of(cacheSsds, cacheMode(pool.cacheMode()));
            tiering = tierSsds.isEmpty() ? null : EngineLayout.Tiering.of(tierSsds);
          }
        }
        if (problem == null && !rolesNamed && wantsCache) {
          if (spareSsds.isEmpty()) {
            problem = "pool " + pool.poolId() + ": its flash cache needs an SSD of the array on the engine's node"
                + " that is in no pool; none is left (add an SSD drive to the array)";
          } else {
            cache = new EngineLayout.Cache(spareSsds.poll().serial(), cacheMode(pool.cacheMode()));
          }
        }
        if (problem == null && !rolesNamed && pool.tiering()) {
          if (spareSsds.isEmpty()) {
            problem = "pool " + pool.poolId() + ": its SSD tier needs an SSD of the array on the engine's node that is in no pool"
                + (cache == null ? "" : " besides its cache SSD") + "; none is left (add an SSD drive to the array)";
          } else {
            tiering = new EngineLayout.Tiering(spareSsds.poll().serial());
          }
        }
        if (problem != null) {
          failedPools.put(pool.poolId(), problem);
          objects.add(new Planned(Kind.POOL, pool.poolId(), null, problem));
          continue;
        }
        var entry = new EngineLayout.Pool(pool.poolId(), members, protection, cache, tiering,
            scrubOf(pool, protection), restripeOf(pool, protection));
        pools.add(entry);
        usablePools.add(pool.poolId());
        objects.add(new Planned(Kind.POOL, pool.poolId(), form(entry), null));
      }
    }

    /**
     * The engine's restripe block for a RAID-5/6 pool with a restripe rate, or null (no limit, or
     * a pool that never restripes).
     */
    private static EngineLayout.Restripe restripeOf(PoolSpec pool, String protection) {
      Integer rate = pool.restripeRateMbps();
      if (rate == null || rate == 0 || !protection.startsWith("parity")) {
        return null;
      }
      return new EngineLayout.Restripe(rate + "M");
    }

    /** The engine's scrub block for the pool's scrub request, or null (none, or no redundancy). */
    private static EngineLayout.Scrub scrubOf(PoolSpec pool, String protection) {
      if (pool.scrub() == null || "none".equals(protection)) {
        return null;
      }
      // no limit is "0" to the engine ("0M" is no rate it reads, and the layout was refused)
      int rate = pool.scrub().rateMbps();
      return new EngineLayout.Scrub(pool.scrub().requestId(), rate == 0 ? "0" : rate + "M");
    }

    /**
     * The serials of {@code pool}'s SSDs in {@code role} that are usable here: the first local
     * one for a single-engine array (the engine puts no cache on another node's drive); every one,
     * local or remote, in serial order, for an HA array, whose cache and tier are mirrored across
     * the two engine nodes. Empty when none is.
     */
    List<String> namedSsds(PoolSpec pool, DriveRole role) {
      List<String> usable = desired.drives().stream()
          .filter(d -> d.serves(pool.poolId(), role) && d.type() == DriveType.SSD && usableDrives.containsKey(d.serial())
              && (highlyAvailable() || d.isOn(desired.nodeId(), desired)))
          .map(DriveSpec::serial)
          .toList();
      return highlyAvailable() ? usable.stream().sorted().toList() : usable.stream().limit(1).toList();
    }

    boolean highlyAvailable() {
      return HaSlots.of(desired, desired.nodeId()) != null;
    }

    /** Why {@code pool} has no usable SSD in {@code role}. */
    String namedSsdProblem(PoolSpec pool, DriveRole role, String purpose) {
      DriveSpec named = desired.drives().stream().filter(d -> d.serves(pool.poolId(), role)).findFirst().orElse(null);
      if (named == null) {
        return "pool " + pool.poolId() + ": its " + purpose + " has no SSD in the desired state";
      }
      if (named.type() != DriveType.SSD) {
        return "pool " + pool.poolId() + ": its " + purpose + " drive " + named.serial() + " is no SSD";
      }
      if (!highlyAvailable() && !named.isOn(desired.nodeId(), desired)) {
        return "pool " + pool.poolId() + ": its " + purpose + " SSD " + named.serial()
            + " is on another node than the engine's";
      }
      return "pool " + pool.poolId() + ": its " + purpose + " SSD " + named.serial()
          + " is not usable (see the drive's status)";
    }

    void planVolumes() {
      Map<String, VolumeSpec> byId = new HashMap<>();
      for (VolumeSpec v : desired.volumes()) {
        byId.put(v.volumeId(), v);
        v.snapshots().forEach(s -> volumeOfSnapshot.put(s.snapshotId(), v.volumeId()));
      }
      List<VolumeSpec> ordered = sorted(desired.volumes(), Comparator.comparing(VolumeSpec::volumeId));
      // Plain volumes first, then clones (a clone needs its source's snapshot), then snapshots.
      for (VolumeSpec v : ordered) {
        if (v.cloneOfSnapshotId() == null) {
          planVolume(v, null);
        }
      }
      for (VolumeSpec v : ordered) {
        if (v.cloneOfSnapshotId() != null) {
          String source = volumeOfSnapshot.get(v.cloneOfSnapshotId());
          String problem = null;
          if (source == null) {
            problem = "clone " + v.volumeId() + ": snapshot " + v.cloneOfSnapshotId() + " is not in this array";
          } else if (!usableVolumes.contains(source)) {
            problem = "clone " + v.volumeId() + ": the volume of snapshot " + v.cloneOfSnapshotId()
                + " is not available (" + failedVolumes.get(source) + ")";
          }
          planVolume(v, problem);
        }
      }
      for (VolumeSpec v : ordered) {
        for (SnapshotSpec s : sorted(v.snapshots(), Comparator.comparing(SnapshotSpec::snapshotId))) {
          if (!usableVolumes.contains(v.volumeId())) {
            objects.add(new Planned(Kind.SNAPSHOT, s.snapshotId(), null,
                "snapshot " + s.snapshotId() + ": volume " + v.volumeId() + " is not available ("
                    + failedVolumes.get(v.volumeId()) + ")"));
            continue;
          }
          var entry = new EngineLayout.Snapshot(s.snapshotId(), v.volumeId());
          snapshots.add(entry);
          objects.add(new Planned(Kind.SNAPSHOT, s.snapshotId(), form(entry), null));
        }
      }
    }

    void planVolume(VolumeSpec v, String cloneProblem) {
      String problem = cloneProblem;
      if (problem == null && !usablePools.contains(v.poolId())) {
        problem = "volume " + v.volumeId() + ": pool " + v.poolId() + " is not available ("
            + failedPools.getOrDefault(v.poolId(), "not in this array's desired state") + ")";
      }
      if (problem == null && v.tierPin() != null && !tieredPool(v.poolId())) {
        // The engine refuses a whole layout with a pin in a pool without tiers; fail only this volume.
        problem = "volume " + v.volumeId() + ": tierPin " + v.tierPin() + " needs a pool with tiering; pool "
            + v.poolId() + " has none";
      }
      if (problem == null) {
        problem = moveProblem(v);
      }
      if (problem != null) {
        failedVolumes.put(v.volumeId(), problem);
        objects.add(new Planned(Kind.VOLUME, v.volumeId(), null, problem));
        if (v.rollback() != null) {
          objects.add(new Planned(Kind.ROLLBACK, v.rollback().requestId(), null, problem));
        }
        return;
      }
      EngineLayout.Rollback rollback = null;
      if (v.rollback() != null) {
        String snapshot = v.rollback().snapshotId();
        if (!v.volumeId().equals(volumeOfSnapshot.get(snapshot))) {
          objects.add(new Planned(Kind.ROLLBACK, v.rollback().requestId(), null,
              "rollback of volume " + v.volumeId() + ": snapshot " + snapshot + " is not one of its snapshots"));
        } else {
          rollback = new EngineLayout.Rollback(v.rollback().requestId(), snapshot);
          objects.add(new Planned(Kind.ROLLBACK, v.rollback().requestId(), form(rollback), null));
        }
      }
      var entry = new EngineLayout.Volume(v.volumeId(), v.poolId(), String.valueOf(v.sizeGib() << 30),
          v.thin() ? null : Boolean.TRUE, v.cloneOfSnapshotId(), qos(v), rollback,
          v.tierPin() == null ? null : v.tierPin().name(), v.moveFromPoolId(),
          v.encryptionKekId() == null ? null : new EngineLayout.Encryption(v.encryptionKekId()));
      volumes.add(entry);
      usableVolumes.add(v.volumeId());
      objects.add(new Planned(Kind.VOLUME, v.volumeId(), form(entry), null));
    }

    /**
     * Why a moving volume cannot be served (the engine refuses a whole layout with such a move),
     * or null: its data is in the pool it moves from until the engine switched, so that pool must
     * be usable; a clone shares its extents with its snapshot and does not move.
     */
    String moveProblem(VolumeSpec v) {
      if (v.moveFromPoolId() == null) {
        return null;
      }
      if (v.cloneOfSnapshotId() != null) {
        return "volume " + v.volumeId() + ": a clone cannot move to another pool (it shares its extents with"
            + " snapshot " + v.cloneOfSnapshotId() + ")";
      }
      if (!usablePools.contains(v.moveFromPoolId())) {
        return "volume " + v.volumeId() + ": it moves from pool " + v.moveFromPoolId() + ", which is not available ("
            + failedPools.getOrDefault(v.moveFromPoolId(), "not in this array's desired state") + ")";
      }
      return null;
    }

    boolean tieredPool(String poolId) {
      return pools.stream().anyMatch(p -> p.name().equals(poolId) && p.tiering() != null);
    }

    /**
     * LUN masking. The engine has one LUN map per target, so a volume has one LUN number for
     * every server it is attached to and a number names one volume; an attachment that asks
     * otherwise fails with the clash named. Returns each server's LUNs.
     */
    Map<String, List<Integer>> planLuns(Set<String> admittedServers) {
      Map<String, List<LunSpec>> byVolume = new TreeMap<>();
      for (LunSpec l : desired.luns()) {
        byVolume.computeIfAbsent(l.volumeId(), k -> new ArrayList<>()).add(l);
      }
      Map<Integer, String> volumeOfLun = new TreeMap<>();
      Map<String, List<Integer>> lunsOfServer = new HashMap<>();
      for (var e : byVolume.entrySet()) {
        String volume = e.getKey();
        List<LunSpec> asks = sorted(e.getValue(), Comparator.comparing(LunSpec::attachmentId));
        int number = agreedNumber(asks);
        for (LunSpec l : asks) {
          String problem = null;
          if (!usableVolumes.contains(volume)) {
            problem = "attachment " + l.attachmentId() + ": volume " + volume + " is not available ("
                + failedVolumes.getOrDefault(volume, "not in this array's desired state") + ")";
          } else if (!admittedServers.contains(l.serverId())) {
            problem = "attachment " + l.attachmentId() + ": server " + l.serverId() + " is not admitted to the target"
                + (desired.servers().stream().anyMatch(x -> x.serverId().equals(l.serverId()))
                    ? " (see the server's status)" : " (not in this array's desired state)");
          } else if (l.readOnly()) {
            problem = "attachment " + l.attachmentId() + ": read-only attachments are not served yet"
                + " (the engine's layout has no read-only LUN of a volume)";
          } else if (l.lun() != number) {
            problem = "attachment " + l.attachmentId() + ": volume " + volume + " is LUN " + number
                + " of this array's target for its other servers, this attachment asks LUN " + l.lun()
                + "; a volume has one LUN number per array";
          } else if (volumeOfLun.containsKey(number) && !volumeOfLun.get(number).equals(volume)) {
            problem = "attachment " + l.attachmentId() + ": LUN " + number + " already shows volume "
                + volumeOfLun.get(number) + " on this target";
          }
          if (problem != null) {
            objects.add(new Planned(Kind.LUN, l.attachmentId(), null, problem));
            continue;
          }
          if (volumeOfLun.putIfAbsent(number, volume) == null) {
            luns.add(new EngineLayout.Lun(number, volume));
          }
          lunsOfServer.computeIfAbsent(l.serverId(), k -> new ArrayList<>()).add(number);
          objects.add(new Planned(Kind.LUN, l.attachmentId(), number + "=" + volume + "@" + l.serverId(), null));
        }
      }
      luns.sort(Comparator.comparingInt(EngineLayout.Lun::lun));
      return lunsOfServer;
    }

    /** The servers admitted, by server id, with their CHAP (their LUNs come later). */
    Map<String, EngineLayout.Initiator> planServers() {
      Map<String, EngineLayout.Initiator> admitted = new TreeMap<>();
      Map<String, String> serverOfIqn = new HashMap<>();
      String mutualFrom = null;
      for (ServerSpec server : sorted(desired.servers(), Comparator.comparing(ServerSpec::serverId))) {
        String problem = null;
        EngineLayout.Credentials chap = null;
        EngineLayout.Credentials mutual = null;
        try {
          if (server.chapUser() != null && server.chapSecretSealed() != null) {
            chap = new EngineLayout.Credentials(server.chapUser(), secrets.open(server.chapSecretSealed()));
          }
        } catch (IllegalArgumentException e) {
          problem = "server " + server.serverId() + " CHAP secret: " + e.getMessage();
        }
        try {
          if (problem == null && server.mutualChapUser() != null && server.mutualChapSecretSealed() != null) {
            mutual = new EngineLayout.Credentials(server.mutualChapUser(), secrets.open(server.mutualChapSecretSealed()));
          }
        } catch (IllegalArgumentException e) {
          problem = "server " + server.serverId() + " mutual CHAP secret: " + e.getMessage();
        }
        if (problem == null && serverOfIqn.containsKey(server.iqn())) {
          problem = "server " + server.serverId() + ": initiator " + server.iqn() + " is already server "
              + serverOfIqn.get(server.iqn()) + " of this array";
        }
        if (problem == null && mutual != null && mutualChap != null && !mutualChap.equals(mutual)) {
          problem = "server " + server.serverId() + ": the target answers every initiator with one mutual CHAP"
              + " pair, and server " + mutualFrom + " set another";
        }
        if (problem != null) {
          objects.add(new Planned(Kind.SERVER, server.serverId(), null, problem));
          continue;
        }
        if (mutual != null && mutualChap == null) {
          mutualChap = mutual;
          mutualFrom = server.serverId();
        }
        serverOfIqn.put(server.iqn(), server.serverId());
        var entry = new EngineLayout.Initiator(server.iqn(), chap, List.of());
        admitted.put(server.serverId(), entry);
        objects.add(new Planned(Kind.SERVER, server.serverId(), form(entry) + form(mutual), null));
      }
      return admitted;
    }
  }

  /**
   * The control plane's protection names in the engine's: RAID1 is a mirror of two or three
   * drives, or of mirror pairs (an even number up to 64: what a two-drive RAID1 pool grown by
   * pairs has; the engine keeps the pairs' capacities one after the other), RAID5 single parity over three to sixteen, RAID6 double parity over four to sixteen.
   * The engine has no striped mirrors (RAID10); such a pool fails rather than run less protected
   * than sold.
   */
  static String protection(String name, int drives) {
    String p = name == null ? "NONE" : name.toUpperCase(Locale.ROOT);
    switch (p) {
      case "NONE" -> {
        return "none";
      }
      case "RAID1" -> {
        if (drives < 2 || drives > 3 && drives % 2 != 0 || drives > 64) {
          throw new IllegalArgumentException("RAID1 is a mirror of 2 or 3 drives or of mirror pairs (an even"
              + " number up to 64) here, not " + drives);
        }
        return "mirror";
      }
      case "RAID5" -> {
        if (drives < 3 || drives > 16) {
          throw new IllegalArgumentException("RAID5 takes 3 to 16 drives, not " + drives);
        }
        return "parity";
      }
      case "RAID10" -> throw new IllegalArgumentException("RAID10 (striped mirrors) is not in this engine yet");
      case "RAID6" -> {
        if (drives < 4 || drives > 16) {
          throw new IllegalArgumentException("RAID6 takes 4 to 16 drives, not " + drives);
        }
        return "parity2";
      }
      default -> throw new IllegalArgumentException("protection " + name + " is unknown");
    }
  }

  static String cacheMode(String controlPlaneName) {
    return controlPlaneName.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The volume's limits; a MB/s limit is written in the engine's M (MiB) per second. */
  static EngineLayout.Qos qos(VolumeSpec v) {
    Long iops = v.qosIopsLimit() == null || v.qosIopsLimit() <= 0 ? null : v.qosIopsLimit().longValue();
    String bandwidth = v.qosMbpsLimit() == null || v.qosMbpsLimit() <= 0 ? null : v.qosMbpsLimit() + "M";
    return iops == null && bandwidth == null ? null : new EngineLayout.Qos(iops, bandwidth);
  }

  /** The number most of a volume's attachments ask (ties: the lowest). */
  static int agreedNumber(List<LunSpec> asks) {
    Map<Integer, Integer> votes = new TreeMap<>();
    asks.forEach(l -> votes.merge(l.lun(), 1, Integer::sum));
    int best = -1;
    int bestVotes = 0;
    for (var e : votes.entrySet()) {
      if (e.getValue() > bestVotes) {
        best = e.getKey();
        bestVotes = e.getValue();
      }
    }
    return best;
  }

  private static <T> List<T> sorted(List<T> list, Comparator<T> order) {
    List<T> copy = new ArrayList<>(list);
    copy.sort(order);
    return copy;
  }

  private static String form(Object entry) {
    try {
      return JSON.writeValueAsString(entry);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
