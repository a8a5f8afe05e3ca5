package io.strata.engine.volume;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * The write-ahead journal and checkpoint of one pool's volume metadata, in a directory.
 *
 * <p>{@code checkpoint}: magic "STRCKPT1" (8), body length (4), CRC32C of the body (4), body
 * ({@link MetadataState#writeTo}, which includes the sequence number of the last record it
 * holds). Replaced atomically (written beside, fsynced, renamed, directory fsynced).
 *
 * <p>{@code journal}: records appended after the checkpoint, each: body length (4), CRC32C of the
 * body (4), body = sequence number (8) + the encoded {@link MetadataRecord}. Sequence numbers
 * follow each other without gaps. A record is durable (fdatasync) before the operation that
 * wrote it returns.
 *
 * <p>Replay: load the checkpoint, then apply the journal's records whose sequence number follows
 * it. A record that ends past the end of the file, or whose checksum fails and which is the last
 * thing in the file, was being written when the engine died: it was never acknowledged and is
 * cut off. A bad checksum anywhere else, a gap in the sequence, or a record the state cannot
 * apply means the metadata is corrupt: {@link MetadataCorruptException}, and nothing is served.
 */
final class Journal implements MetadataLog {
  private static final Logger LOG = Logger.getLogger(Journal.class.getName());
  static final long CHECKPOINT_MAGIC = 0x5354524350545431L; // "STRCPTT1"
  private static final int MAX_RECORD = 1 << 16;

  private final Path dir;
  private final FileChannel journal;
  private long end;
  private volatile long appendedSeq;
  private long durableSeq;
  private final Object syncLock = new Object();

  private Journal(Path dir, FileChannel journal, long end, long seq) {
    this.dir = dir;
    this.journal = journal;
    this.end = end;
    this.appendedSeq = seq;
    this.durableSeq = seq;
  }

  static Path checkpointPath(Path dir) {
    return dir.resolve("checkpoint");
  }

  static Path journalPath(Path dir) {
    return dir.resolve("journal");
  }

  /** What opening found: the state after replay and the journal to append to. */
  record Opened(MetadataState state, Journal journal, int replayed) {}

  /**
   * Opens the metadata in {@code dir}, creating it for {@code poolName} and {@code extents} when
   * the directory holds none.
   */
  static Opened open(Path dir, String poolName, long extents) throws IOException {
    Files.createDirectories(dir);
    Path checkpoint = checkpointPath(dir);
    Path journalFile = journalPath(dir);
    MetadataState state;
    if (!Files.exists(checkpoint)) {
      if (Files.exists(journalFile) && Files.size(journalFile) > 0) {
        throw new MetadataCorruptException("volume metadata in " + dir
            + " has a journal but no checkpoint; refusing to guess the volumes");
      }
      state = new MetadataState(poolName, extents);
      writeCheckpoint(dir, state);
    } else {
      state = readCheckpoint(checkpoint);
      if (!state.poolName().equals(poolName)) {
        throw new MetadataCorruptException("volume metadata in " + dir + " belongs to pool '"
            + state.poolName() + "', not '" + poolName + "'");
      }
      if (extents < state.physicalExtents()) {
        throw new MetadataCorruptException("pool " + poolName + " has " + extents
            + " extents but its metadata knows " + state.physicalExtents()
            + ": a drive is smaller than it was");
      }
    }
    FileChannel ch = FileChannel.open(journalFile, StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      int replayed = 0;
      long pos = 0;
      long size = ch.size();
      ByteBuffer header = ByteBuffer.allocate(8);
      while (pos < size) {
        header.clear();
        readFully(ch, header, pos);
        int length = header.getInt(0);
        int crc = header.getInt(4);
        long bodyEnd = pos + 8 + length;
        if (header.hasRemaining()) {
          LOG.warning("journal " + journalFile + ": cutting off a header torn at byte " + pos);
          break;
        }
        if (length < 9 || length > MAX_RECORD) {
          if (tailIsZeros(ch, pos, size)) {
            LOG.warning("journal " + journalFile + ": cutting off zeros from byte " + pos);
            break;
          }
          throw new MetadataCorruptException("journal " + journalFile + ": impossible record "
              + "length " + length + " at byte " + pos);
        }
        if (bodyEnd > size) {
          LOG.warning("journal " + journalFile + ": cutting off a record torn at byte " + pos
              + " (" + (size - pos) + " of " + (8 + length) + " bytes, never acknowledged)");
          break;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(ch, body, pos + 8);
        if (crc32c(body.array()) != crc) {
          if (bodyEnd == size) {
            LOG.warning("journal " + journalFile + ": cutting off the last record at byte " + pos
                + ", torn by a crash (checksum mismatch, never acknowledged)");
            break;
          }
          throw new MetadataCorruptException("journal " + journalFile
              + ": checksum mismatch in the record at byte " + pos + " with more records after"
              + " it; the metadata is corrupt");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(body.array()));
        long seq = in.readLong();
        MetadataRecord record;
        try {
          record = MetadataRecord.decode(in);
        } catch (IOException e) {
          throw new MetadataCorruptException("journal " + journalFile + ": unreadable record at "
              + "byte " + pos + " despite a good checksum: " + e.getMessage());
        }
        if (seq <= state.lastSeq()) {
          pos = bodyEnd; // already in the checkpoint (a crash came between the two)
          continue;
        }
        if (seq != state.lastSeq() + 1) {
          throw new MetadataCorruptException("journal " + journalFile + ": record " + seq
              + " follows record " + state.lastSeq());
        }
        String wrong = state.check(record);
        if (wrong != null) {
          throw new MetadataCorruptException("journal " + journalFile + ": record " + seq
              + " cannot apply: " + wrong);
        }
        state.apply(record);
        state.setLastSeq(seq);
        replayed++;
        pos = bodyEnd;
      }
      if (pos < size) {
        ch.truncate(pos);
        ch.force(true);
      }
      Journal journal = new Journal(dir, ch, pos, state.lastSeq());
      return new Opened(state, journal, replayed);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static boolean tailIsZeros(FileChannel ch, long pos, long size) throws IOException {
    ByteBuffer rest = ByteBuffer.allocate((int) Math.min(size - pos, 1 << 20));
    readFully(ch, rest, pos);
    for (int i = 0; i < rest.position(); i++) {
      if (rest.get(i) != 0) {
        return false;
      }
    }
    return pos + rest.position() == size;
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
    while (dst.hasRemaining()) {
      int n = ch.read(dst, pos);
      if (n < 0) {
        return;
      }
      pos += n;
    }
  }

  static int crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  private static MetadataState readCheckpoint(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all);
    if (all.length < 16 || b.getLong() != CHECKPOINT_MAGIC) {
      throw new MetadataCorruptException("checkpoint " + file + " is not a Strata checkpoint");
    }
    int length = b.getInt();
    int crc = b.getInt();
    if (length < 0 || length != all.length - 16) {
      throw new MetadataCorruptException("checkpoint " + file + " is " + all.length
          + " bytes but says its body has " + length);
    }
    byte[] body = new byte[length];
    b.get(body);
    if (crc32c(body) != crc) {
      throw new MetadataCorruptException("checkpoint " + file + ": checksum mismatch; the "
          + "volume metadata is corrupt and will not be used");
    }
    return MetadataState.fromCheckpointBody(body, body.length, "checkpoint " + file);
  }

  /** Writes {@code state} as the new checkpoint, atomically and durably. */
  static void writeCheckpoint(Path dir, MetadataState state) throws IOException {
    byte[] body = state.checkpointBody();
    ByteBuffer file = ByteBuffer.allocate(16 + body.length);
    file.putLong(CHECKPOINT_MAGIC).putInt(body.length).putInt(crc32c(body)).put(body).flip();
    Path tmp = dir.resolve("checkpoint.tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      while (file.hasRemaining()) {
        ch.write(file);
      }
      ch.force(true);
    }
    Files.move(tmp, checkpointPath(dir), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(dir);
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems cannot fsync a directory; the rename is then as durable as they allow.
      LOG.fine("fsync of " + dir + ": " + e.getMessage());
    }
  }

  @Override
  public long append(MetadataRecord record) throws IOException {
    byte[] encoded = record.encode();
    ByteBuffer body = ByteBuffer.allocate(8 + encoded.length);
    long seq = appendedSeq + 1;
    body.putLong(seq).put(encoded);
    byte[] bodyBytes = body.array();
    ByteBuffer framed = ByteBuffer.allocate(8 + bodyBytes.length);
    framed.putInt(bodyBytes.length).putInt(crc32c(bodyBytes)).put(bodyBytes).flip();
    long pos = end;
    while (framed.hasRemaining()) {
      pos += journal.write(framed, pos);
    }
    end = pos;
    appendedSeq = seq;
    return seq;
  }

  /**
   * Makes every record up to {@code seq} durable. Callers that arrive while another sync runs
   * share it (group commit): one fdatasync covers all records appended before it started.
   */
  @Override
  public void sync(long seq) throws IOException {
    synchronized (syncLock) {
      if (durableSeq >= seq) {
        return;
      }
      long target = appendedSeq; // every record up to it has been written
      journal.force(false);
      durableSeq = target;
    }
  }

  @Override
  public long durableSeq() {
    synchronized (syncLock) {
      return durableSeq;
    }
  }

  long size() {
    return end;
  }

  @Override
  public boolean fits(MetadataRecord record) {
    return true;
  }

  @Override
  public boolean checkpointDue() {
    return end > VolumeStore.CHECKPOINT_BYTES;
  }

  @Override
  public long checkpointCapacity() {
    return Long.MAX_VALUE;
  }

  @Override
  public String where() {
    return dir.toString();
  }

  @Override
  public void checkpoint(MetadataState state) throws IOException {
    synchronized (syncLock) {
      journal.force(false);
      durableSeq = appendedSeq;
      writeCheckpoint(dir, state);
      journal.truncate(0);
      journal.force(true);
      end = 0;
    }
  }

  /** Closes without syncing anything (what a kill leaves behind is what the kernel has). */
  @Override
  public void abandon() throws IOException {
    journal.close();
  }

  @Override
  public void close() throws IOException {
    journal.force(true);
    journal.close();
  }
}
