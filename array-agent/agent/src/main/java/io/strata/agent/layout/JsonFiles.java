package io.strata.agent.layout;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The JSON files the agent shares with its engines and its drive export service: written whole
 * and atomically (the reader never sees half a file) and readable by the owner only (they carry
 * CHAP secrets); read back as null when missing or unreadable, which makes the agent rewrite them.
 */
public final class JsonFiles {

  private JsonFiles() {}

  /** Replaces {@code file} with {@code value}, owner read/write only. */
  public static void writeOwnerOnly(ObjectMapper json, Path file, Object value) {
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(temp);
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      json.writeValue(temp.toFile(), value);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The file's content as {@code type}, or null when there is none or it cannot be read. */
  public static <T> T readOrNull(ObjectMapper reader, Path file, Class<T> type) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return reader.readValue(file.toFile(), type);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
