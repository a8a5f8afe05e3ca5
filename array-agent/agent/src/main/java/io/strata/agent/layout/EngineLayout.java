package io.strata.agent.layout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The engine's {@code --layout} file as the agent writes it (schema: the engine's
 * {@code io.strata.engine.layout.ArrayLayout} and docs/block-stack.md). Names are the control
 * plane's ids, so that the engine's errors and the agent's reports speak of the same objects:
 * drives by serial, pools by pool id, volumes by volume id, snapshots by snapshot id.
 *
 * @param revision bumped by the agent on every change; the engine reports which one it applied
 * @param mutualChap the target's own credentials for mutual CHAP, or null
 * @param initiators the only initiators that may log in, each with the LUNs it sees
 * @param ha this engine's role in a highly available array (docs/high-availability.md); null for
 *     a single-engine array
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"revision", "drives", "pools", "volumes", "snapshots", "luns", "initiators", "mutualChap", "ha"})
public record EngineLayout(
    long revision,
    List<Drive> drives,
    List<Pool> pools,
    List<Volume> volumes,
    List<Snapshot> snapshots,
    List<Lun> luns,
    List<Initiator> initiators,
    Credentials mutualChap,
    Ha ha) {

  public EngineLayout {
    drives = drives == null ? List.of() : List.copyOf(drives);
    pools = pools == null ? List.of() : List.copyOf(pools);
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
    snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
    luns = luns == null ? List.of() : List.copyOf(luns);
    initiators = initiators == null ? List.of() : List.copyOf(initiators);
  }

  /** A single-engine array's layout. */
  public EngineLayout(
      long revision, List<Drive> drives, List<Pool> pools, List<Volume> volumes, List<Snapshot> snapshots,
      List<Lun> luns, List<Initiator> initiators, Credentials mutualChap) {
    this(revision, drives, pools, volumes, snapshots, luns, initiators, mutualChap, null);
  }

  /** The same layout under another revision number. */
  public EngineLayout withRevision(long next) {
    return new EngineLayout(next, drives, pools, volumes, snapshots, luns, initiators, mutualChap, ha);
  }

  /** The epoch this layout runs its engine at (0 for a single-engine array). */
  public long epoch() {
    return ha == null ? 0 : ha.epoch();
  }

  /**
   * One engine of a highly available array: its role, the array's epoch (presented at every
   * remote-drive login; fences engines of lower epochs), its ALUA target port group and its
   * peer's, and the drives (by layout name) that are out of sync and may be dropped without asking.
   */
  @JsonPropertyOrder({"role", "epoch", "portGroup", "peerPortGroup", "outdated"})
  public record Ha(String role, long epoch, int portGroup, int peerPortGroup, List<String> outdated) {
    public Ha {
      outdated = outdated == null ? List.of() : List.copyOf(outdated);
    }
  }

  /**
   * A drive file or block device, by the serial the agent reported; {@code size} (bytes) for a
   * file, whose length the engine takes from it, null for a block device. A drive of another
   * node has no {@code path} but {@code remote}: the engine logs in to that node's drive export
   * service for it.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Drive(String name, String path, String media, String size, Remote remote) {
    public Drive(String name, String path, String media, String size) {
      this(name, path, media, size, null);
    }
  }

  /**
   * Where the engine finds a drive of another node: the iSCSI portal of that node's drive export
   * service, the drive's own target (its only LUN, {@code lun}, is the whole drive), and the
   * initiator name and CHAP credentials of this array's engine (see DriveExportCredentials).
   */
  public record Remote(String portal, String target, int lun, String initiator, Credentials chap) {}

  /** A pool; {@code cache} and {@code tiering} name an SSD of the array outside every pool. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Pool(String name, List<String> drives, String protection, Cache cache, Tiering tiering,
      Scrub scrub, Restripe restripe) {
    public Pool {
      drives = drives == null ? List.of() : List.copyOf(drives);
    }

    /** A pool without a scrub. */
    public Pool(String name, List<String> drives, String protection, Cache cache, Tiering tiering) {
      this(name, drives, protection, cache, tiering, null, null);
    }

    /** A pool whose restripe (if it grows) runs unlimited. */
    public Pool(String name, List<String> drives, String protection, Cache cache, Tiering tiering,
        Scrub scrub) {
      this(name, drives, protection, cache, tiering, scrub, null);
    }

    /** The pool as the engine must have opened it: its scrub and restripe rate may change by reload. */
    public Pool asOpened() {
      return new Pool(name, drives, protection, cache, tiering, null, null);
    }
  }

  /**
   * The engine's scrub of a pool: once per {@code request} id, reading at most {@code rate} bytes
   * per second ("50M"; "0": no limit). See docs/block-stack.md, "Scrub".
   */
  public record Scrub(String request, String rate) {}

  /**
   * How a RAID-5/6 pool's restripe onto added drives runs: moving at most {@code rate} bytes of
   * pool data per second ("50M"). See docs/block-stack.md, "Growing a parity pool".
   */
  public record Restripe(String rate) {}

  /**
   * A flash cache in front of an HDD pool: its SSD and write mode (write-back, write-through,
   * write-around); or, for a highly available array, its two SSDs ({@code drives}, one on each
   * engine node, a mirror) and {@code drive} null.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"drive", "drives", "mode"})
  public record Cache(String drive, String mode, List<String> drives) {
    public Cache(String drive, String mode) {
      this(drive, mode, null);
    }

    /** One SSD as {@code drive}, two (a mirror) as {@code drives}. */
    public static Cache of(List<String> ssds, String mode) {
      return ssds.size() == 1 ? new Cache(ssds.get(0), mode) : new Cache(null, mode, List.copyOf(ssds));
    }

    /** Every SSD the cache uses. */
    public List<String> ssds() {
      return drives != null ? drives : drive == null ? List.of() : List.of(drive);
    }
  }

  /** An SSD tier under an HDD pool: hot extents move to it (to a mirror of two SSDs with {@code drives}). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tiering(String drive, List<String> drives) {
    public Tiering(String drive) {
      this(drive, null);
    }

    /** One SSD as {@code drive}, two (a mirror) as {@code drives}. */
    public static Tiering of(List<String> ssds) {
      return ssds.size() == 1 ? new Tiering(ssds.get(0)) : new Tiering(null, List.copyOf(ssds));
    }

    /** Every SSD the tier uses. */
    public List<String> ssds() {
      return drives != null ? drives : drive == null ? List.of() : List.of(drive);
    }
  }

  /**
   * A volume (or, with {@code cloneOf}, a writable clone of a snapshot). Sizes are in bytes,
   * which the engine reads like its K/M/G-suffixed sizes. {@code moveFrom}: the pool the volume
   * moves from to {@code pool}, online (the engine's VolumeMoves); null when it is not moving.
   * {@code encryption}: an encrypted volume (docs/encryption.md); null: a plain one.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Volume(
      String name, String pool, String size, Boolean thick, String cloneOf, Qos qos, Rollback rollback,
      String tier, String moveFrom, Encryption encryption) {
    /** A plain volume. */
    public Volume(
        String name, String pool, String size, Boolean thick, String cloneOf, Qos qos, Rollback rollback,
        String tier, String moveFrom) {
      this(name, pool, size, thick, cloneOf, qos, rollback, tier, moveFrom, null);
    }

    /** A volume that is not moving. */
    public Volume(
        String name, String pool, String size, Boolean thick, String cloneOf, Qos qos, Rollback rollback,
        String tier) {
      this(name, pool, size, thick, cloneOf, qos, rollback, tier, null);
    }
  }

  /**
   * An encrypted volume's key: {@code kek} is the tenant's KEK in the KMS, by which the engine
   * wraps the data key it makes (the engine's layout also takes a given {@code wrappedKey}, which
   * the agent never sends).
   */
  public record Encryption(String kek) {}

  /** I/O operations per second and bytes per second (as a size string); null: no limit. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Qos(Long iops, String bandwidth) {}

  /** Make the volume's content that of {@code snapshot}, once for request id {@code request}. */
  public record Rollback(String request, String snapshot) {}

  public record Snapshot(String name, String volume) {}

  public record Lun(int lun, String volume) {}

  /** An initiator that may log in, with its CHAP credentials (or null) and the LUNs it sees. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Initiator(String iqn, Credentials chap, List<Integer> luns) {
    public Initiator {
      luns = luns == null ? List.of() : List.copyOf(luns);
    }
  }

  public record Credentials(String user, String secret) {
    @Override
    public String toString() {
      return user + ":<secret>";
    }
  }
}
