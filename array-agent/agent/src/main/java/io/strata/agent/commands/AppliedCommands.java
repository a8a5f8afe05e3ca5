package io.strata.agent.commands;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ids of the commands this node applied, on disk ({@code applied-commands.log}, one id a
 * line, fsynced), so that a command redelivered after a crash or a rebalance is acknowledged
 * again rather than executed again. Keeps the newest {@value #KEEP} ids; the log is compacted
 * when it grows to twice that.
 */
public final class AppliedCommands {

  static final int KEEP = 10_000;

  private final Path file;
  private final int keep;
  private final Set<String> ids = new HashSet<>();
  private final ArrayDeque<String> order = new ArrayDeque<>();
  private int linesInFile;

  public AppliedCommands(Path file) {
    this(file, KEEP);
  }

  AppliedCommands(Path file, int keep) {
    this.file = file;
    this.keep = keep;
    try {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        lines.stream().filter(s -> !s.isBlank()).forEach(this::remember);
        linesInFile = lines.size();
      } else {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public synchronized boolean contains(String commandId) {
    return ids.contains(commandId);
  }

  /** Records {@code commandId} durably before the caller acknowledges the command on Kafka. */
  public synchronized void record(String commandId) {
    if (ids.contains(commandId)) {
      return;
    }
    remember(commandId);
    try {
      if (linesInFile >= 2 * keep) {
        compact();
      } else {
        Files.writeString(file, commandId + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        linesInFile++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record applied command in " + file, e);
    }
  }

  private void remember(String id) {
    if (ids.add(id)) {
      order.addLast(id);
      while (order.size() > keep) {
        ids.remove(order.removeFirst());
      }
    }
  }

  private void compact() throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(temp, order, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.SYNC);
    Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    linesInFile = order.size();
  }
}
