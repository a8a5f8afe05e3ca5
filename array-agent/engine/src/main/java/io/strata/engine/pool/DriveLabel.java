package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What the first 4 KiB of a drive say it is: blank, a member of a named pool, a pool's flash
 * cache, a pool's SSD tier, or something else. Every Strata label starts with an 8-byte magic
 * ("STRATAPL" pool member, "STRATAFC" flash cache, "STRATATR" SSD tier) at byte 0; the cache
 * and the tier take theirs from here, so that one place knows them all.
 *
 * <p>Used before anything is written to a drive: a pool never labels a drive that is another
 * pool's cache or tier, and the layout decides which pool a drive claimed twice belongs to.
 */
public record DriveLabel(Kind kind, String poolName) {
  public static final long CACHE_MAGIC = 0x5354524154414643L; // "STRATAFC"
  public static final long TIER_MAGIC = 0x5354524154415452L; // "STRATATR"
  static final int PROBE_BYTES = 4096;

  public enum Kind {
    BLANK("blank"),
    POOL_MEMBER("a pool member"),
    FLASH_CACHE("a pool's flash cache"),
    SSD_TIER("a pool's SSD tier"),
    OTHER("not blank and carries no Strata label");

    private final String says;

    Kind(String says) {
      this.says = says;
    }

    /** How a refusal names it. */
    public String says() {
      return says;
    }
  }

  /** Reads the label area of {@code drive}; a corrupt pool label is an IOException. */
  public static DriveLabel of(BlockDevice drive) throws IOException {
    int bytes = (int) Math.min(PROBE_BYTES, drive.blockCount() * drive.blockSize());
    bytes -= bytes % drive.blockSize();
    ByteBuffer probe = ByteBuffer.allocate(bytes);
    drive.read(0, probe);
    long magic = bytes >= 8 ? probe.getLong(0) : 0;
    if (magic == Superblock.MAGIC) {
      return new DriveLabel(Kind.POOL_MEMBER, Superblock.readFrom(drive).poolName());
    }
    if (magic == CACHE_MAGIC) {
      return new DriveLabel(Kind.FLASH_CACHE, null);
    }
    if (magic == TIER_MAGIC) {
      return new DriveLabel(Kind.SSD_TIER, null);
    }
    for (int i = 0; i < bytes; i++) {
      if (probe.get(i) != 0) {
        return new DriveLabel(Kind.OTHER, null);
      }
    }
    return new DriveLabel(Kind.BLANK, null);
  }

  /** Whether a pool of that name may use the drive as a member (blank, or already its own). */
  public boolean admitsMemberOf(String pool) {
    return kind == Kind.BLANK || kind == Kind.OTHER
        || (kind == Kind.POOL_MEMBER && poolName.equals(pool));
  }

  /** "a pool's flash cache", "a member of pool 'p'": for refusals. */
  public String describe() {
    return kind == Kind.POOL_MEMBER ? "a member of pool '" + poolName + "'" : kind.says();
  }
}
