package io.strata.engine.iscsi.initiator;

import io.strata.engine.iscsi.login.ChapCredentials;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a remote drive is and how the engine's initiator reaches it.
 *
 * @param host the target portal's address
 * @param port the target portal's TCP port
 * @param targetName the target's IQN
 * @param lun the LUN of the drive in that target
 * @param initiatorName our IQN, as the target's access list names it
 * @param chap our CHAP name and secret, or null when the target wants none
 * @param connectTimeout how long a TCP connect and the login after it may take
 * @param commandTimeout how long one SCSI command may wait for its status before the connection
 *     is declared broken (and dropped, failing every command in flight)
 * @param minBackoff the first wait between reconnect attempts; it doubles up to {@code maxBackoff}
 * @param maxBackoff the longest wait between reconnect attempts
 */
public record InitiatorConfig(
    String host,
    int port,
    String targetName,
    int lun,
    String initiatorName,
    ChapCredentials chap,
    Duration connectTimeout,
    Duration commandTimeout,
    Duration minBackoff,
    Duration maxBackoff) {

  /** The largest data segment we accept from the target (and declare in login). */
  public static final int MAX_RECV_DATA_SEGMENT_LENGTH = 262_144;
  /** What we offer for a burst; the target may lower it. */
  public static final int MAX_BURST_LENGTH = 1_048_576;
  public static final int FIRST_BURST_LENGTH = 262_144;

  public InitiatorConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(targetName, "targetName");
    Objects.requireNonNull(initiatorName, "initiatorName");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of 1..65535");
    }
    if (lun < 0 || lun > 255) {
      throw new IllegalArgumentException("LUN " + lun + " is out of 0..255");
    }
  }

  /** Production timings: 5 s to connect and log in, 30 s per command, back-off 1 s to 30 s. */
  public static InitiatorConfig of(String host, int port, String targetName, int lun,
      String initiatorName, ChapCredentials chap) {
    return new InitiatorConfig(host, port, targetName, lun, initiatorName, chap,
        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(1),
        Duration.ofSeconds(30));
  }

  public InitiatorConfig withTimeouts(Duration connect, Duration command) {
    return new InitiatorConfig(host, port, targetName, lun, initiatorName, chap, connect, command,
        minBackoff, maxBackoff);
  }

  public InitiatorConfig withBackoff(Duration min, Duration max) {
    return new InitiatorConfig(host, port, targetName, lun, initiatorName, chap, connectTimeout,
        commandTimeout, min, max);
  }

  /** {@code host:port} of the portal, for messages. */
  public String portal() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return "InitiatorConfig[" + targetName + " LUN " + lun + " at " + portal() + " as "
        + initiatorName + (chap == null ? "" : " with CHAP user " + chap.user()) + "]";
  }
}
