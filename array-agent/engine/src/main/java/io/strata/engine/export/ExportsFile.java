package io.strata.engine.export;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.strata.engine.drive.MediaType;
import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.layout.StrictJsonFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code --exports} file of the drive export service (docs/remote-drives.md): which of this
 * node's drives are lent to arrays whose engine runs on another node, each as its own target.
 * Written by the agent, re-read on SIGHUP. Unknown fields are errors.
 *
 * @param revision bumped by the writer on every change; reported back in the status file
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ExportsFile(Long revision, List<Export> exports) {

  /**
   * One exported drive: target {@code target}, whose only LUN 0 is the whole drive at {@code
   * path}; only {@code initiator}, with {@code chap}, may discover it and log in.
   *
   * @param epoch the lowest fencing epoch whose engine may log in (docs/high-availability.md);
   *     null or 0: any, an engine that presents none included
   */
  public record Export(String target, String path, String media, String initiator, Chap chap,
      Long epoch) {
    /** An export that fences nobody. */
    public Export(String target, String path, String media, String initiator, Chap chap) {
      this(target, path, media, initiator, chap, null);
    }

    public long epochOrZero() {
      return epoch == null ? 0 : epoch;
    }

    /** The export as served, epoch aside: an epoch change alone keeps the drive and its sessions. */
    Export withoutEpoch() {
      return new Export(target, path, media, initiator, chap, null);
    }
    public MediaType mediaType() {
      try {
        return MediaType.valueOf(media.trim().toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("export " + target + ": media '" + media
            + "' is not SSD or HDD");
      }
    }
  }

  /** CHAP credentials the initiator must log in with (secret 12 to 255 bytes). */
  public record Chap(String user, String secret) {
    public ChapCredentials credentials() {
      return new ChapCredentials(user, secret.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "Chap[user=" + user + ", secret=(hidden)]";
    }
  }

  public List<Export> exports() {
    return exports == null ? List.of() : exports;
  }

  public long revisionOrZero() {
    return revision == null ? 0 : revision;
  }

  /** Reads and checks the file; a bad one is an IllegalArgumentException saying why. */
  public static ExportsFile read(Path file) throws IOException {
    ExportsFile parsed = StrictJsonFile.read(file, ExportsFile.class);
    parsed.validate();
    return parsed;
  }

  private void validate() {
    Set<String> targets = new HashSet<>();
    Set<String> paths = new HashSet<>();
    for (Export e : exports()) {
      need(e.target(), "an export needs a target");
      String where = "export " + e.target();
      if (!targets.add(e.target())) {
        throw new IllegalArgumentException(where + " is listed twice");
      }
      need(e.path(), where + " needs a path");
      if (!paths.add(Path.of(e.path()).toAbsolutePath().normalize().toString())) {
        throw new IllegalArgumentException(where + ": path " + e.path()
            + " is exported twice");
      }
      need(e.media(), where + " needs a media (SSD or HDD)");
      e.mediaType();
      need(e.initiator(), where + " needs an initiator");
      if (e.epoch() != null && e.epoch() < 0) {
        throw new IllegalArgumentException(where + ": epoch " + e.epoch() + " is negative");
      }
      if (e.chap() == null) {
        throw new IllegalArgumentException(where + " needs chap (user and secret)");
      }
      need(e.chap().user(), where + ": chap.user is missing");
      if (e.chap().secret() == null) {
        throw new IllegalArgumentException(where + ": chap.secret is missing");
      }
      try {
        e.chap().credentials();
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException(where + ": chap: " + bad.getMessage());
      }
    }
  }

  /** The revision in a file that may not be valid, or null when none can be found. */
  public static Long revisionIn(Path file) {
    return StrictJsonFile.revisionIn(file);
  }

  private static void need(String value, String message) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(message);
    }
  }
}
