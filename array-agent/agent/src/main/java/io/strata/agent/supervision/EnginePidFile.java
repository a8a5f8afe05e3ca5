package io.strata.agent.supervision;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/** {@code engine.pid}: the running engine's pid and the fingerprint of the spec it serves. */
final class EnginePidFile {

  record Entry(long pid, String fingerprint) {}

  private EnginePidFile() {}

  static Optional<Entry> read(Path folder) {
    try {
      String[] parts = Files.readString(folder.resolve("engine.pid"), StandardCharsets.UTF_8).trim().split(" ");
      return parts.length == 2 ? Optional.of(new Entry(Long.parseLong(parts[0]), parts[1])) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  static void write(Path folder, long pid, String fingerprint) {
    try {
      Files.writeString(folder.resolve("engine.pid"), pid + " " + fingerprint + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot record engine pid in " + folder, e);
    }
  }

  static void delete(Path folder) {
    try {
      Files.deleteIfExists(folder.resolve("engine.pid"));
    } catch (IOException e) {
      // the folder may be gone already (array deleted)
    }
  }

  /** SHA-256 of everything the engine was started with. */
  static String fingerprint(EngineSpec spec) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(String.join("\u0000", spec.arguments()).getBytes(StandardCharsets.UTF_8));
      sha.update(("\u0000" + spec.vcpus() + "\u0000" + spec.memoryMib())
          .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
