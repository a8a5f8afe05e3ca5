package io.strata.engine.volume;

import static io.strata.engine.volume.MetadataState.BLOCK_SIZE;
import static io.strata.engine.volume.MetadataState.EXTENT_BLOCKS;
import static io.strata.engine.volume.MetadataState.EXTENT_BYTES;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.LbaStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A volume being moved to another pool while it serves I/O: a {@link BlockDevice} over the
 * volume's copy in the old pool ({@code source}) and its new copy ({@code destination}, created
 * empty and of the same size), with the extents copied in order behind a moving high-water mark.
 *
 * <p>Extents below the mark are copied: a write to one goes to both copies before it is
 * acknowledged, so the destination never falls behind. A write above the mark goes to the source
 * only; the copier reads it from there when it gets to that extent. The copier holds an extent's
 * lock exclusively while it copies it and raises the mark, and writers hold it shared, so a write
 * is either in the source before the copy reads it or lands on both copies after. Reads come from
 * the source until the copy is complete; then the move {@linkplain #switched() switches}: every
 * read and write goes to the destination only, and the owner deletes the source.
 *
 * <p>Crash safety: the mark is saved in a small checkpoint file (atomically replaced, fsynced)
 * only after the extents below it were made durable on the destination, and never ahead of what
 * was copied. After a crash the move resumes from the saved mark: the extents between it and where
 * the copier really was are copied again, which is harmless since writes below the real mark went
 * to both copies. A thin source's unmapped extents are unmapped on the destination, not copied.
 */
public final class VolumeMove implements BlockDevice {
  private static final int STRIPES = 64;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  /** How many extents are copied between two checkpoints (a crash repeats at most this many). */
  static final int CHECKPOINT_EVERY = 16;

  private final String name;
  private final BlockDevice source;
  private final BlockDevice destination;
  private final Path checkpoint;
  /** The pools the move goes between, kept in the checkpoint (null: not told). */
  private final Direction direction;
  private final long extents;
  private final ReentrantReadWriteLock[] stripes = new ReentrantReadWriteLock[STRIPES];
  /** Extents below this are on both copies (and every write to them goes to both). */
  private volatile long copied;
  private volatile boolean switched;
  private long savedMark;

  private VolumeMove(String name, BlockDevice source, BlockDevice destination, Path checkpoint,
      Direction direction, long copied, boolean switched) {
    this.name = name;
    this.source = source;
    this.destination = destination;
    this.checkpoint = checkpoint;
    this.direction = direction;
    this.extents = (source.blockCount() + EXTENT_BLOCKS - 1) / EXTENT_BLOCKS;
    this.copied = Math.min(copied, extents);
    this.savedMark = this.copied;
    this.switched = switched;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantReadWriteLock();
    }
  }

  /**
   * Starts the move of volume {@code name}, or resumes it from {@code checkpoint} when that file
   * exists (an engine restarted mid-move). The two copies must be of the same size.
   */
  public static VolumeMove open(String name, BlockDevice source, BlockDevice destination,
      Path checkpoint) throws IOException {
    return open(name, source, destination, checkpoint, null);
  }

  /**
   * The pools a move goes between ({@code from} the source's, {@code to} the destination's),
   * saved in its checkpoint: a checkpoint left by a move the other way (a cancelled move, whose
   * partial copy is the one to drop) must not be resumed as this one.
   */
  public record Direction(String from, String to) {
    public Direction reversed() {
      return new Direction(to, from);
    }
  }

  /**
   * What a checkpoint file says: the mark, whether the copy completed (and the move switched),
   * and the move's direction (null in a checkpoint written before directions were kept).
   */
  public record Checkpoint(long copiedExtents, boolean done, Direction direction) {
    /** The checkpoint in {@code file}, or null when there is none. */
    public static Checkpoint read(Path file) throws IOException {
      if (!Files.exists(file)) {
        return null;
      }
      com.fasterxml.jackson.databind.JsonNode json = JSON.readTree(file.toFile());
      Direction direction = json.hasNonNull("from") && json.hasNonNull("to")
          ? new Direction(json.path("from").asText(), json.path("to").asText()) : null;
      return new Checkpoint(json.path("copiedExtents").asLong(0), json.path("done").asBoolean(false),
          direction);
    }
  }

  /** As {@link #open(String, BlockDevice, BlockDevice, Path)}, keeping the move's direction. */
  public static VolumeMove open(String name, BlockDevice source, BlockDevice destination,
      Path checkpoint, Direction direction) throws IOException {
    if (source.blockCount() != destination.blockCount()
        || source.blockSize() != destination.blockSize()) {
      throw new IllegalArgumentException("move of " + name + ": the destination has "
          + destination.blockCount() + " blocks of " + destination.blockSize() + " bytes, the source "
          + source.blockCount() + " of " + source.blockSize());
    }
    Checkpoint saved = Checkpoint.read(checkpoint);
    VolumeMove move = new VolumeMove(name, source, destination, checkpoint, direction,
        saved == null ? 0 : saved.copiedExtents(), saved != null && saved.done());
    if (!Files.exists(checkpoint)) {
      move.save(false);
    }
    return move;
  }

  /** Whether the checkpoint says the copy of {@code checkpoint}'s move completed. */
  public static boolean completed(Path checkpoint) throws IOException {
    Checkpoint saved = Checkpoint.read(checkpoint);
    return saved != null && saved.done();
  }

  private void save(boolean done) throws IOException {
    Files.createDirectories(checkpoint.getParent());
    Path temp = checkpoint.resolveSibling(checkpoint.getFileName() + ".tmp");
    String json = "{\"copiedExtents\":" + copied + ",\"totalExtents\":" + extents + ",\"done\":"
        + done + (direction == null ? "" : ",\"from\":" + JSON.writeValueAsString(direction.from())
        + ",\"to\":" + JSON.writeValueAsString(direction.to())) + "}\n";
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(temp, checkpoint, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    savedMark = copied;
  }

  public String name() {
    return name;
  }

  /** Extents copied so far (of {@link #totalExtents}). */
  public long copiedExtents() {
    return copied;
  }

  public long totalExtents() {
    return extents;
  }

  /** Whether the copy completed and all I/O now goes to the destination. */
  public boolean switched() {
    return switched;
  }

  /**
   * Copies the next extent. Returns false when there was nothing left to copy: then the copy is
   * complete, durable, checkpointed as done, and the move has switched to the destination.
   */
  public boolean copyStep() throws IOException {
    if (switched) {
      return false;
    }
    long extent = copied;
    if (extent >= extents) {
      finish();
      return false;
    }
    Lock lock = stripe(extent).writeLock();
    lock.lock();
    try {
      long lba = extent * EXTENT_BLOCKS;
      int blocks = (int) Math.min(EXTENT_BLOCKS, source.blockCount() - lba);
      LbaStatus status = source.status(lba);
      if (!status.mapped() && status.blocks() >= blocks) {
        destination.unmap(lba, blocks);
      } else {
        ByteBuffer buf = ByteBuffer.allocate(blocks * BLOCK_SIZE);
        source.read(lba, buf);
        buf.flip();
        // durable on the destination before the mark may be saved above it
        destination.write(lba, buf, true);
      }
      copied = extent + 1;
    } finally {
      lock.unlock();
    }
    if (copied - savedMark >= CHECKPOINT_EVERY) {
      save(false);
    }
    return true;
  }

  /** Copies everything left, then switches (the background copier's whole work). */
  public void copyAll() throws IOException {
    while (copyStep()) {
      // one extent at a time: writers wait for at most one extent's copy
    }
  }

  private void finish() throws IOException {
    destination.flush();
    save(true);
    switched = true;
  }

  private ReentrantReadWriteLock stripe(long extent) {
    return stripes[(int) (extent % STRIPES)];
  }

  @Override
  public int blockSize() {
    return destination.blockSize();
  }

  @Override
  public long blockCount() {
    return destination.blockCount();
  }

  @Override
  public boolean thinProvisioned() {
    return destination.thinProvisioned();
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    (switched ? destination : source).read(lba, dst);
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    if (switched) {
      destination.write(lba, src, fua);
      return;
    }
    forEachExtent(lba, src.remaining() / BLOCK_SIZE, (extent, at, blocks, offset) -> {
      ByteBuffer piece = src.duplicate();
      piece.position(src.position() + offset * BLOCK_SIZE).limit(piece.position() + blocks * BLOCK_SIZE);
      source.write(at, piece.duplicate(), fua);
      if (extent < copied || switched) {
        destination.write(at, piece, fua);
      }
    });
    src.position(src.limit());
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    if (switched) {
      destination.unmap(lba, blocks);
      return;
    }
    forEachExtent(lba, blocks, (extent, at, n, offset) -> {
      source.unmap(at, n);
      if (extent < copied || switched) {
        destination.unmap(at, n);
      }
    });
  }

  @Override
  public void flush() throws IOException {
    source.flush();
    destination.flush();
  }

  @Override
  public LbaStatus status(long lba) {
    return (switched ? destination : source).status(lba);
  }

  private interface ExtentPiece {
    void apply(long extent, long lba, int blocks, int offsetBlocks) throws IOException;
  }

  /** Runs {@code piece} for each extent's part of the range, holding that extent's lock shared. */
  private void forEachExtent(long lba, long blocks, ExtentPiece piece) throws IOException {
    long done = 0;
    while (done < blocks) {
      long at = lba + done;
      long extent = at / EXTENT_BLOCKS;
      int n = (int) Math.min(blocks - done, EXTENT_BLOCKS - at % EXTENT_BLOCKS);
      Lock lock = stripe(extent).readLock();
      lock.lock();
      try {
        piece.apply(extent, at, n, (int) done);
      } finally {
        lock.unlock();
      }
      done += n;
    }
  }

  /** The copies belong to their pools' stores: nothing of its own to close. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "move of " + name + " (" + copied + " of " + extents + " extents of "
        + EXTENT_BYTES / (1 << 20) + " MiB copied" + (switched ? ", switched" : "") + ")";
  }
}
