package io.strata.cli.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.strata.cli.CliException;
import io.strata.cli.ExitCode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CLI's profiles and tokens: {@code <config dir>/config.json}, readable by its owner only
 * (0600, in a 0700 folder) because it holds refresh tokens. Written whole to a temporary file
 * created 0600 and moved over the old one, so a crash never leaves half a file and the tokens
 * are never readable by others, not even for a moment.
 */
public final class ConfigFile {
  public static final String DEFAULT_PROFILE = "default";
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  /** The file's content. */
  public static class Content {
    /** The profile used when --profile and STRATA_PROFILE are not given. */
    public String current;
    public Map<String, Profile> profiles = new TreeMap<>();
  }

  private final Path dir;
  private final Path file;

  public ConfigFile(Path dir) {
    this.dir = dir;
    this.file = dir.resolve("config.json");
  }

  public Path path() {
    return file;
  }

  public Content read() {
    if (!Files.exists(file)) {
      return new Content();
    }
    try {
      Content c = JSON.readValue(file.toFile(), Content.class);
      if (c.profiles == null) {
        c.profiles = new TreeMap<>();
      }
      return c;
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage());
    }
  }

  public void write(Content content) {
    try {
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      if (!Files.isDirectory(dir)) {
        if (posix) {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(dir);
        }
      }
      Path tmp = posix
          ? Files.createTempFile(dir, "config", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
          : Files.createTempFile(dir, "config", ".tmp");
      try {
        Files.write(tmp, JSON.writeValueAsBytes(content));
        try {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot write " + file + ": " + e.getMessage());
    }
  }
}
