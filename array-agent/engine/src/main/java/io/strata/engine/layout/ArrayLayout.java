package io.strata.engine.layout;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import io.strata.engine.cli.LunSpec;
import io.strata.engine.drive.MediaType;
import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.tier.Tier;
import io.strata.engine.iscsi.initiator.InitiatorConfig;
import io.strata.engine.transport.Portal;
import java.nio.charset.StandardCharsets;
import io.strata.engine.pool.Protection;
import io.strata.engine.qos.QosLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The array an engine serves, as the {@code --layout} JSON file describes it: its drives, the
 * pools made of them, the volumes, snapshots and clones in each pool, and which of those are
 * LUNs. It is the desired state: at start and on SIGHUP the engine makes the array match it
 * (see docs/block-stack.md). Unknown fields are errors, so a typo never goes unnoticed.
 *
 * @param revision an opaque number the writer bumps on every change; the engine reports it back
 *     in the {@code --layout-status} file (null: 0)
 * @param metadata directory of the volume metadata (journal, checkpoint), one subdirectory per
 *     pool; relative paths are relative to the layout file
 * @param mutualChap the target's own CHAP credentials, given to initiators that ask for mutual
 *     CHAP, or null
 * @param initiators when present, the only initiators that may discover and log in, each with
 *     its own CHAP and LUNs; present and empty: nobody (an array no server is admitted to yet);
 *     absent: anyone, every LUN (unless the command line says otherwise)
 * @param ha this engine's part in a highly available array (docs/high-availability.md), or null
 *     for a single engine
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ArrayLayout(Long revision, String metadata, ChapSpec mutualChap,
    List<InitiatorAccess> initiators, List<DriveSpec> drives, List<PoolSpec> pools,
    List<VolumeSpec> volumes, List<SnapshotSpec> snapshots, List<LunMapping> luns,
    HaSpec ha) {

  /** A layout of a single-engine array (no {@code ha} block). */
  public ArrayLayout(Long revision, String metadata, ChapSpec mutualChap,
      List<InitiatorAccess> initiators, List<DriveSpec> drives, List<PoolSpec> pools,
      List<VolumeSpec> volumes, List<SnapshotSpec> snapshots, List<LunMapping> luns) {
    this(revision, metadata, mutualChap, initiators, drives, pools, volumes, snapshots, luns,
        null);
  }

  /** CHAP credentials; the secret is 12 to 255 bytes (RFC 7143 12.1.3). */
  public record ChapSpec(String user, String secret) {
    public ChapCredentials credentials() {
      return new ChapCredentials(user, secret.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "ChapSpec[user=" + user + ", secret=(hidden)]";
    }
  }

  /**
   * An initiator admitted to the target: it logs in with {@code chap} (null: no CHAP) and sees
   * only the LUNs listed in {@code luns} (target-wide LUN numbers, as in {@code luns}; null or
   * empty: none).
   */
  public record InitiatorAccess(String iqn, ChapSpec chap, List<Integer> luns) {
    public Set<Integer> lunSet() {
      return luns == null ? Set.of() : Set.copyOf(luns);
    }
  }

  /** A rollback of a volume to one of its snapshots, applied once per {@code request} id. */
  public record RollbackSpec(String request, String snapshot) {}

  /**
   * A drive: a file (created sparse at {@code size} if missing), a block device, or, with
   * {@code remote}, a drive another storage node exports over iSCSI (then {@code path} is absent
   * and {@code size}, when given, must equal what the target reports).
   *
   * @param media SSD or HDD (block devices: the kernel's rotational flag wins)
   * @param throttle HDD emulation for tests and benchmarks, or null
   * @param remote where the drive is exported and how to log in to it, or null for a local drive
   */
  public record DriveSpec(String name, String path, String media, String size,
      ThrottleSpec throttle, RemoteSpec remote) {}

  /**
   * A remote drive (docs/remote-drives.md): LUN {@code lun} (default 0) of target {@code target}
   * at {@code portal} ({@code HOST:PORT}), logged in to as {@code initiator} with {@code chap}.
   */
  public record RemoteSpec(String portal, String target, Integer lun, String initiator,
      ChapSpec chap) {
    /** The initiator's settings for this drive, with production timeouts. */
    public InitiatorConfig initiatorConfig() {
      Portal p = Portal.parse(portal, 1);
      return InitiatorConfig.of(p.host(), p.port(), target, lun == null ? 0 : lun, initiator,
          chap == null ? null : chap.credentials());
    }

    @Override
    public String toString() {
      return "RemoteSpec[" + target + " LUN " + lun + " at " + portal + " as " + initiator + "]";
    }
  }

  /** {@code seekMicros} added to every non-sequential I/O, {@code bandwidth} per second. */
  public record ThrottleSpec(long seekMicros, String bandwidth) {}

  /**
   * A pool of drives with a protection level. {@code cache} and {@code tiering} are reserved for
   * the flash cache and SSD/HDD tiering (issue 5 points 6 and 7), which wrap the pool.
   */
  public record PoolSpec(String name, List<String> drives, String protection, JsonNode cache,
      JsonNode tiering, ScrubSpec scrub, RestripeSpec restripe) {

    /** A pool with no restripe settings (the restripe runs unlimited). */
    public PoolSpec(String name, List<String> drives, String protection, JsonNode cache,
        JsonNode tiering, ScrubSpec scrub) {
      this(name, drives, protection, cache, tiering, scrub, null);
    }

    /** The restripe's rate in bytes per second (0: unlimited, also without a restripe block). */
    public long restripeBytesPerSecond() {
      return restripe == null ? 0 : restripe.bytesPerSecond();
    }
  }

  /**
   * Scrub the pool (docs/block-stack.md, "Scrub"): once per {@code request} id (level-triggered:
   * a new id starts a new scrub, the same id resumes an interrupted one or keeps its result),
   * reading at most {@code rate} bytes per second from the drives ("50M"; "0" or absent: no
   * limit). Removing the block stops a running scrub where it is.
   */
  public record ScrubSpec(String request, String rate) {
    /** The rate in bytes per second (0: unlimited). */
    public long bytesPerSecond() {
      return ArrayLayout.bytesPerSecond(rate);
    }
  }

  /**
   * How a RAID-5/6 pool's restripe onto added drives runs (docs/block-stack.md, "Growing a
   * parity pool"): moving at most {@code rate} bytes of pool data per second ("50M"; "0" or
   * absent: no limit). A reload changes the rate of a running restripe; on a pool that is not
   * restriping it waits for the next one.
   */
  public record RestripeSpec(String rate) {
    /** The rate in bytes per second (0: unlimited). */
    public long bytesPerSecond() {
      return ArrayLayout.bytesPerSecond(rate);
    }
  }

  /** A rate such as "50M" in bytes per second; null, blank or "0": 0 (no limit). */
  static long bytesPerSecond(String rate) {
    return rate == null || rate.isBlank() || rate.trim().equals("0") ? 0 : LunSpec.size(rate);
  }

  /**
   * A volume in a pool; thin unless {@code thick}. With {@code cloneOf} it is a writable clone of
   * that snapshot (its size is the snapshot's unless a larger one is given). {@code qos} limits
   * its LUN's I/O (null: unlimited); a reload changes the limits in place. {@code rollback}
   * makes its content that of one of its snapshots, once per request id. {@code tier} pins its
   * data to the SSD or HDD tier of a tiered pool (null: the mover decides). {@code moveFrom}
   * names the pool the volume is moving from to {@code pool}, online (null: not moving; see
   * {@link VolumeMoves}). {@code encryption} makes it an encrypted volume (docs/encryption.md),
   * null a plain one; a clone of an encrypted volume's snapshot is encrypted with its key anyway.
   */
  public record VolumeSpec(String name, String pool, String size, Boolean thick,
      String cloneOf, QosSpec qos, RollbackSpec rollback, String tier, String moveFrom,
      EncryptionSpec encryption) {

    /** A plain volume. */
    public VolumeSpec(String name, String pool, String size, Boolean thick, String cloneOf,
        QosSpec qos, RollbackSpec rollback, String tier, String moveFrom) {
      this(name, pool, size, thick, cloneOf, qos, rollback, tier, moveFrom, null);
    }

    /** A plain volume that is not moving. */
    public VolumeSpec(String name, String pool, String size, Boolean thick, String cloneOf,
        QosSpec qos, RollbackSpec rollback, String tier) {
      this(name, pool, size, thick, cloneOf, qos, rollback, tier, null, null);
    }

    /** The tier the volume is pinned to, or null. */
    public Tier pinnedTier() {
      if (tier == null) {
        return null;
      }
      try {
        return Tier.valueOf(tier.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("volume " + name + ": tier '" + tier
            + "' is not SSD or HDD");
      }
    }
  }

  /**
   * An encrypted volume's key (docs/encryption.md): {@code kek} is the unique identifier of the
   * tenant's key-encryption key in the KMS. {@code wrappedKey} (base64), when given, is the
   * volume's data key already wrapped by that KEK for this volume (its name as the context);
   * absent, the engine makes a data key when it creates the volume. Either way the engine keeps
   * the wrapped key (never the key) in the pool's metadata, and drops it with the volume.
   */
  public record EncryptionSpec(String kek, String wrappedKey) {
    @Override
    public String toString() {
      return "EncryptionSpec[kek=" + kek + (wrappedKey == null ? "" : ", wrappedKey=(given)") + "]";
    }
  }

  /** Operations per second and bytes per second (like {@code 200M}); absent or 0: no limit. */
  public record QosSpec(Long iops, String bandwidth) {
    QosLimits limits() {
      return QosLimits.of(iops == null ? 0 : iops,
          bandwidth == null ? 0 : LunSpec.size(bandwidth));
    }
  }

  /** The QoS limits of volume {@code name} (unlimited when it has none or is not listed). */
  public QosLimits qosOf(String name) {
    for (VolumeSpec v : volumes()) {
      if (v.name().equals(name) && v.qos() != null) {
        return v.qos().limits();
      }
    }
    return QosLimits.of(0, 0);
  }

  /** A snapshot of a volume, taken when it first appears in the layout. */
  public record SnapshotSpec(String name, String volume) {}

  /** LUN {@code lun} serves the volume or snapshot {@code volume} (snapshots read-only). */
  public record LunMapping(int lun, String volume) {}

  /** An engine's role in a highly available array. */
  public enum HaRole { ACTIVE, STANDBY }

  /**
   * This engine's part in a highly available array: its {@code role}, the {@code epoch} it runs
   * at (presented at remote-drive logins, never lowered by a reload), the ALUA target port group
   * of its own portals ({@code portGroup}) and of the other engine's ({@code peerPortGroup}), 1
   * or 2, and the drives (layout names) that are {@code outdated}: out of sync, never read.
   */
  public record HaSpec(String role, Long epoch, Integer portGroup, Integer peerPortGroup,
      List<String> outdated) {
    /** The role, once the layout is validated. */
    public HaRole haRole() {
      return HaRole.valueOf(role);
    }

    public boolean standby() {
      return haRole() == HaRole.STANDBY;
    }

    /** The drives that are out of sync (empty when none). */
    public List<String> outdated() {
      return outdated == null ? List.of() : outdated;
    }

    public List<String> outdatedOrEmpty() {
      return outdated();
    }

    public long epochOrZero() {
      return epoch == null ? 0 : epoch;
    }

    /** Whether this engine is the active one (the only one that may write and drop). */
    public boolean active() {
      return "ACTIVE".equals(role);
    }
  }

  /** Whether this layout makes the engine a standby (opens no drive, pool, cache or tier). */
  public boolean standby() {
    return ha != null && ha.standby();
  }

  /** Reads and checks a layout file; a bad one is an IllegalArgumentException saying why. */
  public static ArrayLayout read(Path file) throws IOException {
    ArrayLayout layout = StrictJsonFile.read(file, ArrayLayout.class);
    layout.validate(file);
    return layout;
  }

  public List<DriveSpec> drives() {
    return drives == null ? List.of() : drives;
  }

  public List<PoolSpec> pools() {
    return pools == null ? List.of() : pools;
  }

  public List<VolumeSpec> volumes() {
    return volumes == null ? List.of() : volumes;
  }

  public List<SnapshotSpec> snapshots() {
    return snapshots == null ? List.of() : snapshots;
  }

  public List<LunMapping> luns() {
    return luns == null ? List.of() : luns;
  }

  public List<InitiatorAccess> initiators() {
    return initiators == null ? List.of() : initiators;
  }

  /** The revision the writer gave the layout; 0 when it gave none. */
  public long revisionOrZero() {
    return revision == null ? 0 : revision;
  }

  /** Whether the layout says who may log in, even "nobody" (then the command line must not). */
  public boolean controlsAccess() {
    return initiators != null;
  }

  /** The revision in a layout file that may not be a valid layout, or null when none is found. */
  public static Long revisionIn(Path file) {
    return StrictJsonFile.revisionIn(file);
  }

  /** The metadata directory, resolved against the layout file's directory. */
  public Path metadataDir(Path layoutFile) {
    Path base = layoutFile.toAbsolutePath().getParent();
    return base.resolve(metadata == null ? "metadata" : metadata);
  }

  static MediaType media(DriveSpec d) {
    if (d.media() == null) {
      throw new IllegalArgumentException("drive " + d.name() + ": media must be SSD or HDD");
    }
    try {
      return MediaType.valueOf(d.media().trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("drive " + d.name() + ": media '" + d.media()
          + "' is not SSD or HDD");
    }
  }

  private void validate(Path file) {
    validateAccess();
    validateHa();
    Set<String> driveNames = new HashSet<>();
    Set<String> drivePaths = new HashSet<>();
    Set<String> remoteTargets = new HashSet<>();
    for (DriveSpec d : drives()) {
      need(d.name(), "a drive needs a name");
      if (!driveNames.add(d.name())) {
        throw new IllegalArgumentException("drive " + d.name() + " is listed twice");
      }
      if (d.remote() != null) {
        validateRemote(d);
        if (!remoteTargets.add(d.remote().portal() + "/" + d.remote().target() + "/"
            + d.remote().lun())) {
          throw new IllegalArgumentException("drive " + d.name() + ": remote target "
              + d.remote().target() + " is listed twice");
        }
      } else {
        need(d.path(), "drive " + d.name() + " needs a path (or a remote)");
        if (!drivePaths.add(Path.of(d.path()).toAbsolutePath().normalize().toString())) {
          throw new IllegalArgumentException("drive path " + d.path() + " is listed twice");
        }
      }
      media(d);
      if (d.size() != null) {
        LunSpec.size(d.size());
      }
    }
    Set<String> poolNames = new HashSet<>();
    Set<String> used = new HashSet<>();
    for (PoolSpec p : pools()) {
      need(p.name(), "a pool needs a name");
      if (!poolNames.add(p.name())) {
        throw new IllegalArgumentException("pool " + p.name() + " is listed twice");
      }
      if (p.drives() == null || p.drives().isEmpty()) {
        throw new IllegalArgumentException("pool " + p.name() + " has no drives");
      }
      for (String d : p.drives()) {
        if (!driveNames.contains(d)) {
          throw new IllegalArgumentException("pool " + p.name() + ": no drive '" + d + "'");
        }
        if (!used.add(d)) {
          throw new IllegalArgumentException("drive " + d + " is in more than one pool");
        }
      }
      Protection protection = Protection.parse(p.protection() == null ? "none" : p.protection());
      validateServiceDrives(p, driveNames);
      validateScrub(p, protection);
      validateRestripe(p);
    }
    Set<String> objects = new HashSet<>();
    for (VolumeSpec v : volumes()) {
      need(v.name(), "a volume needs a name");
      if (!objects.add(v.name())) {
        throw new IllegalArgumentException("'" + v.name() + "' is listed twice");
      }
      if (v.cloneOf() == null && (v.pool() == null || !poolNames.contains(v.pool()))) {
        throw new IllegalArgumentException("volume " + v.name() + ": no pool '" + v.pool() + "'");
      }
      if (v.cloneOf() == null) {
        need(v.size(), "volume " + v.name() + " needs a size");
      }
      if (v.size() != null && LunSpec.size(v.size()) % 512 != 0) {
        throw new IllegalArgumentException("volume " + v.name() + ": size is not whole blocks");
      }
      VolumeMoves.validate(v, poolNames);
      validateEncryption(v);
    }
    for (SnapshotSpec s : snapshots()) {
      need(s.name(), "a snapshot needs a name");
      if (!objects.add(s.name())) {
        throw new IllegalArgumentException("'" + s.name() + "' is listed twice");
      }
    }
    for (VolumeSpec v : volumes()) {
      if (v.cloneOf() != null && snapshots().stream().noneMatch(s -> s.name().equals(v.cloneOf()))) {
        throw new IllegalArgumentException("clone " + v.name() + ": no snapshot '" + v.cloneOf()
            + "' in the layout");
      }
    }
    for (VolumeSpec v : volumes()) {
      validateRollbackAndTier(v, poolNames);
    }
    Set<Integer> lunNumbers = new HashSet<>();
    for (LunMapping l : luns()) {
      if (l.lun() < 0 || l.lun() > 16383 || !lunNumbers.add(l.lun())) {
        throw new IllegalArgumentException("LUN " + l.lun() + " is out of 0..16383 or listed twice");
      }
      if (!objects.contains(l.volume())) {
        throw new IllegalArgumentException("LUN " + l.lun() + ": no volume or snapshot '"
            + l.volume() + "'");
      }
    }
  }

  /**
   * A pool's cache and tier SSDs: known drives, not its own members, not shared by its cache
   * and tier; one SSD must be local, and of two (a mirror) at most one may be remote. Whether
   * another pool uses them is decided when the pools open ({@link DriveClaims}).
   */
  private static void validateRestripe(PoolSpec p) {
    try {
      if (p.restripeBytesPerSecond() < 0) {
        throw new IllegalArgumentException("negative");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pool " + p.name() + ": restripe.rate '"
          + p.restripe().rate() + "' is not a rate in bytes per second such as 50M");
    }
  }

  private static void validateScrub(PoolSpec p, Protection protection) {
    if (p.scrub() == null) {
      return;
    }
    if (p.scrub().request() == null || p.scrub().request().isBlank()
        || p.scrub().request().length() > 200) {
      throw new IllegalArgumentException("pool " + p.name()
          + ": scrub.request must be an id of 1 to 200 characters");
    }
    if (protection == Protection.NONE) {
      throw new IllegalArgumentException("pool " + p.name()
          + ": scrub needs a redundant pool (mirror, parity, parity2), not none");
    }
    try {
      if (p.scrub().bytesPerSecond() < 0) {
        throw new IllegalArgumentException("negative");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pool " + p.name() + ": scrub.rate '" + p.scrub().rate()
          + "' is not a rate in bytes per second such as 50M");
    }
  }

  private void validateServiceDrives(PoolSpec p, Set<String> driveNames) {
    Set<String> ownServices = new HashSet<>();
    for (String field : new String[] {"cache", "tiering"}) {
      JsonNode node = "cache".equals(field) ? p.cache() : p.tiering();
      List<String> names = PoolServices.serviceDrives(p.name(), field, node);
      String where = "pool " + p.name() + ": " + field;
      for (String d : names) {
        if (!driveNames.contains(d)) {
          throw new IllegalArgumentException(where + " names unknown drive '" + d + "'");
        }
        if (p.drives().contains(d)) {
          throw new IllegalArgumentException(where + ": drive '" + d
              + "' is a member of the pool itself");
        }
        if (!ownServices.add(d)) {
          throw new IllegalArgumentException(where + ": drive '" + d
              + "' already serves the pool's cache");
        }
      }
      long remotes = names.stream().filter(this::remoteDrive).count();
      if (names.size() == 1 && remotes == 1) {
        throw new IllegalArgumentException("pool " + p.name() + ": drive '" + names.get(0)
            + "' is remote; a single cache or tier SSD must be local (name two, one local,"
            + " to mirror it)");
      }
      if (remotes > 1) {
        throw new IllegalArgumentException(where + ": drives " + names + " are both remote;"
            + " at most one of the two SSDs may be remote");
      }
    }
  }

  /** Whether the layout has an {@code ha} block: the engine is one of an HA pair. */
  public boolean highlyAvailable() {
    return ha != null;
  }

  private boolean remoteDrive(String name) {
    return drives().stream().anyMatch(d -> d.name().equals(name) && d.remote() != null);
  }

  private static void validateRemote(DriveSpec d) {
    String where = "drive " + d.name() + ": remote";
    RemoteSpec r = d.remote();
    if (d.path() != null) {
      throw new IllegalArgumentException("drive " + d.name() + " has both a path and a remote");
    }
    if (d.throttle() != null) {
      throw new IllegalArgumentException("drive " + d.name() + ": a remote drive has no throttle");
    }
    need(r.portal(), where + ".portal is missing");
    try {
      Portal.parse(r.portal(), 1);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ".portal: " + e.getMessage());
    }
    need(r.target(), where + ".target is missing");
    need(r.initiator(), where + ".initiator is missing");
    if (r.lun() != null && (r.lun() < 0 || r.lun() > 255)) {
      throw new IllegalArgumentException(where + ".lun " + r.lun() + " is not in 0..255");
    }
    if (r.chap() != null) {
      credentials(r.chap(), where + ".chap");
    }
    if (d.size() != null && LunSpec.size(d.size()) % 512 != 0) {
      throw new IllegalArgumentException("drive " + d.name() + ": size is not whole blocks");
    }
  }

  private void validateRollbackAndTier(VolumeSpec v, Set<String> poolNames) {
    RollbackSpec r = v.rollback();
    if (r != null) {
      need(r.request(), "volume " + v.name() + ": rollback.request is missing");
      need(r.snapshot(), "volume " + v.name() + ": rollback.snapshot is missing");
      // Whether an unlisted snapshot is fine depends on whether this request was already
      // applied (the stack knows: ArrayStack.check); a listed one must be of this volume.
      snapshots().stream().filter(x -> x.name().equals(r.snapshot())).findFirst()
          .filter(s -> !v.name().equals(s.volume()))
          .ifPresent(s -> {
            throw new IllegalArgumentException("volume " + v.name() + ": rollback.snapshot '"
                + r.snapshot() + "' is a snapshot of '" + s.volume() + "', not of this volume");
          });
    }
    if (v.pinnedTier() != null && v.cloneOf() == null) {
      PoolSpec pool = pools().stream().filter(p -> p.name().equals(v.pool())).findFirst()
          .orElseThrow();
      if (pool.tiering() == null || pool.tiering().isNull()) {
        throw new IllegalArgumentException("volume " + v.name() + ": tier '" + v.tier()
            + "' needs a tiered pool; pool " + v.pool() + " has no tiering");
      }
    }
  }

  private static void validateEncryption(VolumeSpec v) {
    EncryptionSpec e = v.encryption();
    if (e == null) {
      return;
    }
    need(e.kek(), "volume " + v.name() + ": encryption.kek (the KEK's id in the KMS) is missing");
    if (e.kek().length() > 200) {
      throw new IllegalArgumentException("volume " + v.name()
          + ": encryption.kek is longer than 200 characters");
    }
    if (e.wrappedKey() != null) {
      try {
        java.util.Base64.getDecoder().decode(e.wrappedKey());
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("volume " + v.name()
            + ": encryption.wrappedKey is not base64");
      }
    }
  }

  private void validateHa() {
    if (ha == null) {
      return;
    }
    if (ha.role() == null) {
      throw new IllegalArgumentException("ha.role is missing (ACTIVE or STANDBY)");
    }
    if (!ha.role().equals("ACTIVE") && !ha.role().equals("STANDBY")) {
      throw new IllegalArgumentException("ha.role '" + ha.role() + "' is not ACTIVE or STANDBY");
    }
    if (ha.epoch() == null) {
      throw new IllegalArgumentException("ha.epoch is missing");
    }
    if (ha.epoch() < 0) {
      throw new IllegalArgumentException("ha.epoch " + ha.epoch() + " is negative");
    }
    portGroup(ha.portGroup(), "ha.portGroup");
    portGroup(ha.peerPortGroup(), "ha.peerPortGroup");
    if (ha.portGroup().equals(ha.peerPortGroup())) {
      throw new IllegalArgumentException("ha.peerPortGroup " + ha.peerPortGroup()
          + " is the same as ha.portGroup: the two engines need different groups");
    }
    Set<String> seen = new HashSet<>();
    Set<String> driveNames = new HashSet<>();
    drives().forEach(d -> driveNames.add(d.name()));
    for (String d : ha.outdated()) {
      need(d, "ha.outdated: a drive name is empty");
      if (!driveNames.contains(d)) {
        throw new IllegalArgumentException("ha.outdated: no drive '" + d + "' in the layout");
      }
      if (!seen.add(d)) {
        throw new IllegalArgumentException("ha.outdated: drive " + d + " is listed twice");
      }
    }
  }

  private static void portGroup(Integer group, String field) {
    if (group == null) {
      throw new IllegalArgumentException(field + " is missing (1 or 2)");
    }
    if (group != 1 && group != 2) {
      throw new IllegalArgumentException(field + " " + group + " is not 1 or 2");
    }
  }

  private void validateAccess() {
    Set<String> iqns = new HashSet<>();
    ChapCredentials target = mutualChap == null ? null
        : credentials(mutualChap, "mutualChap");
    for (InitiatorAccess i : initiators()) {
      need(i.iqn(), "initiators: an entry needs an iqn");
      if (!iqns.add(i.iqn())) {
        throw new IllegalArgumentException("initiators: " + i.iqn() + " is listed twice");
      }
      String where = "initiators[" + i.iqn() + "]";
      if (i.chap() != null) {
        ChapCredentials own = credentials(i.chap(), where + ".chap");
        try {
          new Authentication(own, target);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ".chap: " + e.getMessage());
        }
      }
      for (Integer lun : i.luns() == null ? List.<Integer>of() : i.luns()) {
        if (lun == null || lun < 0 || lun > 16383) {
          throw new IllegalArgumentException(where + ".luns: " + lun + " is not in 0..16383");
        }
      }
    }
  }

  private static ChapCredentials credentials(ChapSpec chap, String field) {
    need(chap.user(), field + ".user is missing");
    if (chap.secret() == null) {
      throw new IllegalArgumentException(field + ".secret is missing");
    }
    try {
      return chap.credentials();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage());
    }
  }

  private static void need(String value, String message) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(message);
    }
  }
}
