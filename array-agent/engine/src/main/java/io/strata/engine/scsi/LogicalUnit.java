package io.strata.engine.scsi;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * One logical unit: a {@link BlockDevice} with the identity initiators see (a stable NAA
 * designator and unit serial number derived from the volume id) and the SCSI state that belongs
 * to it (mode pages, persistent reservations, unit attentions, SPC-2 reservation).
 */
public final class LogicalUnit {
  public static final String VENDOR = "STRATA";
  public static final String PRODUCT = "VPSA";
  public static final String REVISION = "0001";

  /**
   * IEEE company id in our NAA designators. 0x02xxxx is in the locally administered range (the
   * U/L bit of the first octet set), so we claim no one's registered OUI until Strata has one.
   */
  static final int COMPANY_ID = 0x025354;

  private final String volumeId;
  private final BlockDevice device;
  private final String serial;
  private final byte[] naa;
  private final ModePages modePages = new ModePages();
  private final UnitAttentions unitAttentions = new UnitAttentions();
  private final PersistentReservations reservations;
  private final RangeLocks rangeLocks = new RangeLocks();
  private final Object spc2Lock = new Object();
  /** Read without the lock on every command; changed under it. */
  private volatile Nexus spc2Holder;
  private volatile long reportedBlockCount;
  private final Options options;

  /**
   * How a logical unit presents itself beyond its blocks.
   *
   * @param readOnly every medium write fails with DATA PROTECT / WRITE PROTECTED and MODE SENSE
   *     shows WP (snapshots exposed as LUNs, volumes attached read-only)
   * @param physicalBlockExponent LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT of READ CAPACITY 16:
   *     0 for one logical block per physical block, 3 for 512-byte blocks on 4 KiB pages. The
   *     default is 0 although 4 KiB pages would be truer for a file: SBC-4 makes GET LBA STATUS
   *     answer from the exact LBA asked, and libiscsi's GetLBAStatus.UnmapSingle expects answers
   *     rounded to physical blocks once the exponent is above 0, so only one of the two can hold.
   */
  public record Options(boolean readOnly, int physicalBlockExponent) {
    public static final Options DEFAULT = new Options(false, 0);

    public Options {
      if (physicalBlockExponent < 0 || physicalBlockExponent > 15) {
        throw new IllegalArgumentException(
            "physical block exponent " + physicalBlockExponent + " not in 0..15");
      }
    }
  }

  /**
   * @param volumeId the volume's stable id (any string; it seeds the NAA id and the serial)
   * @param device the blocks
   * @param reservationFile where persistent reservations are kept across restarts, or null to
   *     keep them only in memory
   */
  public LogicalUnit(String volumeId, BlockDevice device, Path reservationFile)
      throws IOException {
    this(volumeId, device, reservationFile, Options.DEFAULT);
  }

  /** As above, with {@code options} (read-only, physical block size). */
  public LogicalUnit(String volumeId, BlockDevice device, Path reservationFile, Options options)
      throws IOException {
    this(options, volumeId, device, reservationFile == null ? null
        : ReservationStore.inFile(reservationFile));
  }

  /**
   * A logical unit whose persistent reservations are kept in {@code reservations} (null: in
   * memory only), such as the metadata of the volume's pool.
   */
  public static LogicalUnit withReservations(String volumeId, BlockDevice device,
      ReservationStore reservations, Options options) throws IOException {
    return new LogicalUnit(options, volumeId, device, reservations);
  }

  private LogicalUnit(Options options, String volumeId, BlockDevice device,
      ReservationStore reservations) throws IOException {
    this.options = Objects.requireNonNull(options, "options");
    this.volumeId = Objects.requireNonNull(volumeId, "volumeId");
    this.device = Objects.requireNonNull(device, "device");
    byte[] digest = sha256(volumeId);
    this.naa = naaDesignator(digest);
    this.serial = serialNumber(digest);
    this.reservations = new PersistentReservations(reservations);
    this.reportedBlockCount = device.blockCount();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** NAA 6 (IEEE Registered Extended): 4-bit NAA, 24-bit company id, 100 bits from the id. */
  private static byte[] naaDesignator(byte[] digest) {
    byte[] d = new byte[16];
    d[0] = (byte) (0x60 | ((COMPANY_ID >>> 20) & 0x0f));
    d[1] = (byte) (COMPANY_ID >>> 12);
    d[2] = (byte) (COMPANY_ID >>> 4);
    d[3] = (byte) (((COMPANY_ID & 0x0f) << 4) | (digest[0] & 0x0f));
    System.arraycopy(digest, 1, d, 4, 12);
    return d;
  }

  private static String serialNumber(byte[] digest) {
    StringBuilder sb = new StringBuilder("STR");
    for (int i = 0; i < 8; i++) {
      sb.append(String.format("%02X", digest[16 + i]));
    }
    return sb.toString();
  }

  public String volumeId() {
    return volumeId;
  }

  public BlockDevice device() {
    return device;
  }

  /** The unit serial number (VPD page 80h). */
  public String serial() {
    return serial;
  }

  /** The 16-byte NAA designator (VPD page 83h). */
  public byte[] naa() {
    return naa.clone();
  }

  public Options options() {
    return options;
  }

  /** Write-protected by its options (--lun ...:ro) or by its device (a snapshot). */
  boolean readOnly() {
    return options.readOnly() || device.readOnly();
  }

  ModePages modePages() {
    return modePages;
  }

  UnitAttentions unitAttentions() {
    return unitAttentions;
  }

  PersistentReservations reservations() {
    return reservations;
  }

  RangeLocks rangeLocks() {
    return rangeLocks;
  }

  /** The nexus holding the SPC-2 (RESERVE 6/10) reservation, or null. */
  Nexus spc2Holder() {
    return spc2Holder;
  }

  /** Takes the SPC-2 reservation for {@code nexus}; false if another nexus holds it. */
  boolean spc2Reserve(Nexus nexus) {
    synchronized (spc2Lock) {
      if (spc2Holder != null && !spc2Holder.equals(nexus)) {
        return false;
      }
      spc2Holder = nexus;
      return true;
    }
  }

  /** Releases the SPC-2 reservation if {@code nexus} holds it (or any holder if null). */
  void spc2Release(Nexus nexus) {
    synchronized (spc2Lock) {
      if (nexus == null || nexus.equals(spc2Holder)) {
        spc2Holder = null;
      }
    }
  }

  /**
   * Notices an online resize: returns true once when the block count differs from what was last
   * reported, so the caller can raise CAPACITY DATA HAS CHANGED.
   */
  boolean capacityChanged() {
    long now = device.blockCount();
    if (now != reportedBlockCount) {
      reportedBlockCount = now;
      return true;
    }
    return false;
  }
}
