package io.strata.engine.scsi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where the persistent reservations of one logical unit are kept across restarts: the state as
 * {@link PersistentReservations} writes it (a few lines of text), replaced whole on every change.
 * A volume of a pool keeps it in the pool's metadata (so another engine that opens the pool has
 * it); a LUN of the legacy {@code --lun N=PATH:SIZE} mode keeps it in a file beside its image.
 */
public interface ReservationStore {

  /** The saved state, or null when none was ever saved. */
  String load() throws IOException;

  /** Replaces the saved state; durable when this returns. */
  void save(String state) throws IOException;

  /** A store in {@code file}: written beside, fsynced and renamed over it. */
  static ReservationStore inFile(Path file) {
    return new ReservationStore() {
      @Override
      public String load() throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
      }

      @Override
      public void save(String state) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
          ByteBuffer buf = ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8));
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          ch.force(true);
        }
        try {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      }

      @Override
      public String toString() {
        return "reservation file " + file;
      }
    };
  }

  /** Saves, turning a failure into the unchecked one the command path reports. */
  default void saveOrThrow(String state) {
    try {
      save(state);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save persistent reservations to " + this, e);
    }
  }
}
