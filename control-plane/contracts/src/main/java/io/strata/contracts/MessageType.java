package io.strata.contracts;

/**
 * One kind of message: its CloudEvents {@code type}, the payload class, and the payload schema
 * versions this build can read. A receiver refuses (and parks) versions outside that range
 * instead of guessing.
 *
 * @param type the CloudEvents type string
 * @param payload the Java type of {@code data}
 * @param currentVersion the version this build writes
 * @param oldestReadableVersion the oldest version this build still reads
 */
public record MessageType<T>(
    String type, Class<T> payload, int currentVersion, int oldestReadableVersion) {

  public MessageType {
    if (oldestReadableVersion < 1 || oldestReadableVersion > currentVersion) {
      throw new IllegalArgumentException("bad version range for " + type);
    }
  }

  public static <T> MessageType<T> of(String type, Class<T> payload, int version) {
    return new MessageType<>(type, payload, version, version);
  }

  public boolean reads(int version) {
    return version >= oldestReadableVersion && version <= currentVersion;
  }
}
