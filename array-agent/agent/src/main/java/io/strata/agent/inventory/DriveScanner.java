package io.strata.agent.inventory;

import io.strata.contracts.command.ArrayDesiredState.DriveType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the file-backed drives of a development node. A drive is a file in the drives folder
 * whose name declares its type: {@code NAME.ssd.img} or {@code NAME.hdd.img} (production nodes
 * would read the rotational flag of block devices instead). Other files are ignored. The serial
 * is {@code n<node>-NAME}, unique across nodes because node ids are.
 */
public final class DriveScanner {

  private static final Pattern DRIVE_FILE = Pattern.compile("([A-Za-z0-9_-]+)\\.(ssd|hdd)\\.img");

  /** Demo drives: two small SSDs and two larger HDDs, sparse so they cost no disk until written. */
  static final List<String> DEMO_DRIVES = List.of("ssd-0.ssd.img", "ssd-1.ssd.img", "hdd-0.hdd.img", "hdd-1.hdd.img");

  private static final long DEMO_SSD_BYTES = 4L << 30;
  private static final long DEMO_HDD_BYTES = 16L << 30;

  private final String nodeId;
  private final Path folder;

  public DriveScanner(String nodeId, Path folder) {
    this.nodeId = nodeId;
    this.folder = folder;
  }

  public Path folder() {
    return folder;
  }

  /** Creates the demo drives when the folder has no drive yet; returns whether it did. */
  public boolean createDemoDrivesIfEmpty() {
    try {
      Files.createDirectories(folder);
      if (!scan().isEmpty()) {
        return false;
      }
      for (String name : DEMO_DRIVES) {
        try (RandomAccessFile file = new RandomAccessFile(folder.resolve(name).toFile(), "rw")) {
          file.setLength(name.contains(".ssd.") ? DEMO_SSD_BYTES : DEMO_HDD_BYTES);
        }
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create demo drives in " + folder, e);
    }
  }

  /** The drives present now, sorted by serial. */
  public List<Drive> scan() {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    List<Drive> drives = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.sorted().toList()) {
        Matcher m = DRIVE_FILE.matcher(file.getFileName().toString());
        if (m.matches() && Files.isRegularFile(file)) {
          DriveType type = DriveType.valueOf(m.group(2).toUpperCase(Locale.ROOT));
          drives.add(new Drive("n" + nodeId + "-" + m.group(1), type, Files.size(file), file.toAbsolutePath()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list drives in " + folder, e);
    }
    return List.copyOf(drives);
  }
}
