package io.strata.engine.iscsi.initiator;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.block.PendingWrite;
import io.strata.engine.iscsi.initiator.InitiatorSession.Completion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Logger;

/**
 * A drive on another storage node, reached over iSCSI with the engine's own initiator and used
 * like a local drive: a {@link BlockDevice} of 512-byte blocks (READ(16), WRITE(16) with FUA,
 * SYNCHRONIZE CACHE(16) for flush).
 *
 * <p>A supervisor thread keeps one session logged in: when the connection drops it logs in
 * again, waiting between attempts with exponential back-off ({@link InitiatorConfig#minBackoff}
 * doubling up to {@link InitiatorConfig#maxBackoff}). While no session is up every I/O fails at
 * once with {@link DeviceOfflineException}, which a pool treats like any failed member.
 *
 * <p><b>Commands in flight when the connection drops fail; they are not retried on the next
 * session.</b> Why: the pool above is what keeps an acknowledged write durable. A member I/O that
 * fails makes the pool mark that member FAILED in the labels of the surviving members before it
 * answers the write, so the write is acknowledged only once it is on every member still trusted,
 * and the stale member is never read again until it has been resynced. Retrying on a new
 * session instead would hold the pool's write for as long as the reconnect takes (the whole
 * back-off, up to the command timeout), and a write retried after a later write to the same
 * blocks had gone through could land out of order. Failing fast and rebuilding is slower to heal
 * but never serves or keeps stale data.
 *
 * <p>On every login the drive checks READ CAPACITY: the block size must be 512 and the block
 * count must be what the layout said (or what the first login found), else the login is refused
 * and the drive stays offline with that reason, so a different or resized drive is never mixed
 * into a pool.
 */
public final class RemoteDrive implements BlockDevice {
  private static final Logger LOG = Logger.getLogger(RemoteDrive.class.getName());
  public static final int BLOCK_SIZE = 512;
  /** The largest single READ/WRITE sent; bigger requests go as several commands. */
  static final int MAX_TRANSFER_BYTES = 1 << 20;
  /** Tries of one command that keeps getting UNIT ATTENTION, BUSY or TASK SET FULL. */
  private static final int ATTEMPTS = 5;

  /** Told when the drive goes online or offline; called on the drive's supervisor thread. */
  public interface Listener {
    void stateChanged(RemoteDrive drive, boolean online);
  }

  private final String name;
  private final InitiatorConfig config;
  /** Stable per drive, but for a re-login at a raised epoch, which alternates its last bit. */
  private volatile long isid;
  /** The fencing epoch presented at login (an HA array's; 0: none). */
  private volatile long epoch;
  private final Object stateLock = new Object();
  private final Thread supervisor;
  private volatile long blockCount;
  private volatile InitiatorSession session;
  private volatile String offlineReason = "not connected yet";
  private volatile boolean closed;
  private volatile Listener listener;

  private RemoteDrive(String name, InitiatorConfig config, long expectedBlocks, long epoch) {
    this.name = name;
    this.config = config;
    this.epoch = epoch;
    this.blockCount = expectedBlocks;
    this.isid = isidFor(config);
    this.supervisor = new Thread(this::supervise, "remote-drive " + name);
    supervisor.setDaemon(true);
  }

  /**
   * Opens a remote drive: one login attempt now, then the supervisor keeps it connected. Returns
   * even when the first attempt failed ({@link #online()} is then false, {@link
   * #offlineReason()} says why).
   *
   * @param expectedBytes the size the drive must have, or 0 to take the first login's
   */
  public static RemoteDrive open(String name, InitiatorConfig config, long expectedBytes) {
    return open(name, config, expectedBytes, 0);
  }

  /**
   * As {@link #open(String, InitiatorConfig, long)}, presenting fencing epoch {@code epoch} at
   * every login (docs/high-availability.md; 0: none). A drive whose export is fenced at a higher
   * epoch stays offline with the refusal as its reason.
   */
  public static RemoteDrive open(String name, InitiatorConfig config, long expectedBytes,
      long epoch) {
    if (expectedBytes % BLOCK_SIZE != 0) {
      throw new IllegalArgumentException("remote drive " + name + ": size " + expectedBytes
          + " is not a whole number of 512-byte blocks");
    }
    RemoteDrive drive = new RemoteDrive(name, config, expectedBytes / BLOCK_SIZE, epoch);
    try {
      drive.connect();
    } catch (IOException | RuntimeException e) {
      drive.offline(message(e));
    }
    drive.supervisor.start();
    return drive;
  }

  public String name() {
    return name;
  }

  public InitiatorConfig config() {
    return config;
  }

  public boolean online() {
    InitiatorSession s = session;
    return s != null && s.isOpen();
  }

  /** The session in service now, or null. */
  InitiatorSession currentSession() {
    return session;
  }

  /** Why the drive is offline now (null while online). */
  public String offlineReason() {
    return online() ? null : offlineReason;
  }

  /** Who to tell about state changes from now on (one listener; null: nobody). */
  public void listener(Listener listener) {
    this.listener = listener;
  }

  /** The fencing epoch presented at login. */
  public long epoch() {
    return epoch;
  }

  /**
   * Presents {@code next} at every login from now on (an HA array's epoch, raised by a reload).
   * While logged in, logs in again at once, new session first: commands go to the new session
   * as soon as it is up, and the old one is closed once its commands are answered (within the
   * command timeout), so no I/O fails because the epoch rose. The new session takes the other
   * ISID of the drive's pair, so the target does not end the old one by reinstatement. A login
   * that fails keeps the old session (the next reconnect presents the new epoch).
   *
   * @throws IllegalArgumentException when {@code next} is below the epoch presented now
   */
  public void presentEpoch(long next) {
    InitiatorSession old;
    synchronized (stateLock) {
      if (next < epoch) {
        throw new IllegalArgumentException("remote drive " + name + ": epoch " + next
            + " is below epoch " + epoch + " presented already");
      }
      if (next == epoch) {
        return;
      }
      epoch = next;
      old = session;
    }
    if (old == null || !old.isOpen() || closed) {
      return; // the supervisor's next login presents it
    }
    long otherIsid = isid ^ 1L << 16;
    InitiatorSession fresh;
    try {
      fresh = InitiatorSession.open(config, otherIsid, next);
    } catch (IOException | RuntimeException e) {
      LOG.warning("remote drive " + name + ": logging in again at epoch " + next + " failed ("
          + message(e) + "); the old session stays until it drops");
      return;
    }
    synchronized (stateLock) {
      if (closed || session != old) {
        fresh.close();
        return;
      }
      session = fresh;
      isid = otherIsid;
    }
    LOG.info("remote drive " + name + ": logged in again at epoch " + next);
    Thread retire = new Thread(() -> retire(old), "retire-session " + name);
    retire.setDaemon(true);
    retire.start();
  }

  /** Closes a session taken out of service once it has no command left (or after the timeout). */
  private void retire(InitiatorSession old) {
    long until = System.nanoTime() + config.commandTimeout().toNanos();
    while (old.isOpen() && old.outstanding() > 0 && System.nanoTime() - until < 0) {
      sleepQuietly(10);
    }
    old.close();
  }

  // ---------------------------------------------------------------- staying connected

  private void supervise() {
    long backoff = config.minBackoff().toMillis();
    while (!closed) {
      try {
        InitiatorSession s = session;
        if (s != null && s.isOpen()) {
          s.awaitClosed();
          if (!closed && session == s) { // else it was retired after a re-login
            offline(s, s.closeReason());
            backoff = config.minBackoff().toMillis();
          }
          continue;
        }
        Thread.sleep(backoff);
        if (closed) {
          return;
        }
        try {
          connect();
          backoff = config.minBackoff().toMillis();
        } catch (IOException | RuntimeException e) {
          offline(message(e));
          backoff = Math.min(backoff * 2, config.maxBackoff().toMillis());
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.severe("remote drive " + name + ": supervisor: " + e);
      }
    }
  }

  /** Logs in, checks the capacity, and puts the session in service. */
  private void connect() throws IOException {
    InitiatorSession s = InitiatorSession.open(config, isid, epoch);
    try {
      ByteBuffer data = ByteBuffer.allocate(ScsiCommands.READ_CAPACITY_LENGTH);
      run(s, ScsiCommands.readCapacity16(), data, null);
      ScsiCommands.Capacity capacity = ScsiCommands.Capacity.parse(data);
      if (capacity.blockSize() != BLOCK_SIZE) {
        throw new IOException("remote drive " + name + " has " + capacity.blockSize()
            + "-byte blocks; only 512 is supported");
      }
      long known = blockCount;
      if (known != 0 && capacity.blockCount() != known) {
        throw new IOException("remote drive " + name + " (" + config.targetName() + ") is "
            + capacity.blockCount() * BLOCK_SIZE + " bytes, not " + known * BLOCK_SIZE
            + " as expected; refusing it");
      }
      blockCount = capacity.blockCount();
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    boolean changed;
    synchronized (stateLock) {
      if (closed) {
        s.close();
        return;
      }
      changed = true;
      session = s;
      offlineReason = null;
    }
    LOG.info("remote drive " + name + ": logged in to " + config.targetName() + " at "
        + config.portal() + " (" + blockCount * BLOCK_SIZE + " bytes)");
    if (changed) {
      tell(true);
    }
  }

  private void offline(String reason) {
    offline(null, reason);
  }

  /** Takes the drive offline; with {@code ended} non-null, only if that session is in service. */
  private void offline(InitiatorSession ended, String reason) {
    boolean wasOnline;
    synchronized (stateLock) {
      if (ended != null && session != ended) {
        return;
      }
      wasOnline = session != null;
      session = null;
      boolean sameReason = reason != null && reason.equals(offlineReason);
      offlineReason = reason;
      if (!wasOnline && sameReason) {
        return;
      }
    }
    LOG.warning("remote drive " + name + " (" + config.targetName() + " at " + config.portal()
        + ") offline: " + reason);
    if (wasOnline) {
      tell(false);
    }
  }

  private void tell(boolean online) {
    Listener l = listener;
    if (l != null) {
      try {
        l.stateChanged(this, online);
      } catch (RuntimeException e) {
        LOG.warning("remote drive " + name + ": listener failed: " + e);
      }
    }
  }

  private static String message(Exception e) {
    String m = e.getMessage();
    return m == null ? e.toString() : m;
  }

  /** A random-format ISID (RFC 7143 10.12.5, T=10b) that stays the same for this drive. */
  private static long isidFor(InitiatorConfig config) {
    long h = (config.targetName() + "|" + config.lun() + "|" + config.initiatorName()).hashCode();
    return 0x8000_0000_0000L | (h & 0xff_ffffL) << 16 | 0x0001;
  }

  // ---------------------------------------------------------------- BlockDevice

  @Override
  public int blockSize() {
    return BLOCK_SIZE;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    int bytes = checkRange(lba, dst.remaining());
    for (int done = 0; done < bytes; ) {
      int n = Math.min(MAX_TRANSFER_BYTES, bytes - done);
      ByteBuffer piece = dst.slice(dst.position() + done, n);
      Completion c = run(ScsiCommands.read16(lba + done / BLOCK_SIZE, n / BLOCK_SIZE), piece,
          null);
      if (c.residual() != 0) {
        throw new IOException("remote drive " + name + ": short read (" + c.residual()
            + " bytes missing)");
      }
      done += n;
    }
    dst.position(dst.limit());
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    int bytes = checkRange(lba, src.remaining());
    for (int done = 0; done < bytes; ) {
      int n = Math.min(MAX_TRANSFER_BYTES, bytes - done);
      ByteBuffer piece = src.slice(src.position() + done, n);
      run(ScsiCommands.write16(lba + done / BLOCK_SIZE, n / BLOCK_SIZE, fua), null, piece);
      done += n;
    }
    src.position(src.limit());
  }

  /**
   * Sends a write of at most {@link #MAX_TRANSFER_BYTES} without waiting for its status, so that a
   * mirror writes its local copy while this one travels; awaiting it retries as {@link #write}
   * does (on UNIT ATTENTION or BUSY). A larger write is done here, as {@code write}.
   */
  @Override
  public PendingWrite startWrite(long lba, ByteBuffer src, boolean fua) {
    int bytes = checkRange(lba, src.remaining());
    if (bytes > MAX_TRANSFER_BYTES) {
      return BlockDevice.super.startWrite(lba, src, fua);
    }
    ByteBuffer piece = src.slice();
    src.position(src.limit());
    byte[] cdb = ScsiCommands.write16(lba, bytes / BLOCK_SIZE, fua);
    try {
      InitiatorSession s = sessionInService();
      InitiatorSession.Started started = s.start(cdb, null, piece);
      return () -> finish(s, cdb, null, piece, started.await());
    } catch (IOException e) {
      return PendingWrite.failed(e);
    }
  }

  @Override
  public boolean writesInBackground() {
    return true;
  }

  @Override
  public void flush() throws IOException {
    run(ScsiCommands.synchronizeCache16(), null, null);
  }

  /** Writes zeros: the pool above never unmaps members, so this is rare and simple. */
  @Override
  public void unmap(long lba, long blocks) throws IOException {
    checkRange(lba, 0);
    ByteBuffer zeros = ByteBuffer.allocate(MAX_TRANSFER_BYTES);
    for (long done = 0; done < blocks; ) {
      int n = (int) Math.min(MAX_TRANSFER_BYTES / BLOCK_SIZE, blocks - done);
      write(lba + done, zeros.clear().limit(n * BLOCK_SIZE), false);
      done += n;
    }
  }

  private int checkRange(long lba, int bytes) {
    if (bytes % BLOCK_SIZE != 0) {
      throw new IllegalArgumentException(bytes + " bytes is not a whole number of blocks");
    }
    long blocks = bytes / BLOCK_SIZE;
    long count = blockCount;
    if (lba < 0 || (count > 0 && (lba > count || blocks > count - lba))) {
      throw new IllegalArgumentException("blocks " + lba + "+" + blocks + " outside remote drive "
          + name + " of " + count + " blocks");
    }
    return bytes;
  }

  private Completion run(byte[] cdb, ByteBuffer readInto, ByteBuffer writeFrom)
      throws IOException {
    InitiatorSession s = sessionInService();
    return finish(s, cdb, readInto, writeFrom, s.execute(cdb, readInto, writeFrom));
  }

  private Completion run(InitiatorSession s, byte[] cdb, ByteBuffer readInto,
      ByteBuffer writeFrom) throws IOException {
    return finish(s, cdb, readInto, writeFrom, s.execute(cdb, readInto, writeFrom));
  }

  private InitiatorSession sessionInService() throws DeviceOfflineException {
    InitiatorSession s = session;
    if (s == null || !s.isOpen()) {
      throw new DeviceOfflineException("remote drive " + name + " (" + config.targetName()
          + " at " + config.portal() + ") is offline: " + offlineReason, null);
    }
    return s;
  }

  /**
   * One command's outcome from its first completion {@code c}: sent again on UNIT ATTENTION (it
   * did not run) and, briefly, on BUSY.
   */
  private Completion finish(InitiatorSession s, byte[] cdb, ByteBuffer readInto,
      ByteBuffer writeFrom, Completion c) throws IOException {
    for (int attempt = 1; ; attempt++) {
      if (attempt > 1) {
        c = s.execute(cdb, readInto, writeFrom);
      }
      if (c.status() == ScsiCommands.GOOD) {
        return c;
      }
      ScsiStatusException failure = failure(cdb, c);
      boolean busy = c.status() == ScsiCommands.BUSY || c.status() == ScsiCommands.TASK_SET_FULL;
      if (attempt < ATTEMPTS && (failure.unitAttention() || busy)) {
        if (busy) {
          sleepQuietly(10L * attempt);
        }
        continue;
      }
      throw failure;
    }
  }

  private ScsiStatusException failure(byte[] cdb, Completion c) {
    int key = 0;
    int asc = 0;
    int ascq = 0;
    ByteBuffer sense = c.sense().duplicate();
    if (sense.remaining() > 2) {
      int length = Math.min(sense.getShort(sense.position()) & 0xffff, sense.remaining() - 2);
      ByteBuffer s = sense.slice(sense.position() + 2, length);
      int format = length > 0 ? s.get(0) & 0x7f : 0;
      if ((format == 0x70 || format == 0x71) && length >= 14) {
        key = s.get(2) & 0x0f;
        asc = s.get(12) & 0xff;
        ascq = s.get(13) & 0xff;
      } else if ((format == 0x72 || format == 0x73) && length >= 4) {
        key = s.get(1) & 0x0f;
        asc = s.get(2) & 0xff;
        ascq = s.get(3) & 0xff;
      }
    }
    return new ScsiStatusException(String.format("remote drive %s: command 0x%02x", name,
        cdb[0] & 0xff), c.status(), key, asc, ascq);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    InitiatorSession s;
    synchronized (stateLock) {
      closed = true;
      s = session;
      session = null;
      offlineReason = "closed";
    }
    supervisor.interrupt();
    if (s != null) {
      s.close();
    }
  }

  @Override
  public String toString() {
    return "RemoteDrive[" + name + ", " + config.targetName() + " at " + config.portal() + "]";
  }
}
