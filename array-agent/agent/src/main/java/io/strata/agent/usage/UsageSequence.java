package io.strata.agent.usage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The agent's usage sequence number: +1 per sample, never reused, kept in a file so that it keeps
 * growing across agent restarts (billing drops a (source, sequence) it has already stored).
 */
public final class UsageSequence {
  private final Path file;
  private long last;

  public UsageSequence(Path file) {
    this.file = file;
    try {
      last = Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()) : 0;
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("usage sequence file " + file + " is unreadable: " + e.getMessage(), e);
    }
  }

  /** The next number, written to disk before it is handed out. */
  public synchronized long next() {
    long next = last + 1;
    try {
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temp, Long.toString(next), StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the usage sequence in " + file, e);
    }
    last = next;
    return next;
  }
}
