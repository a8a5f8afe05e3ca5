package io.strata.agent.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.strata.agent.layout.EngineLayout;
import io.strata.agent.layout.LayoutFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The two files the node's drive export service shares with the agent: {@code exports.json}
 * (the agent writes it; the service reads it at start and on SIGHUP) and
 * {@code exports-status.json} (the service writes which revision it applied, in the engine's
 * layout-status format). The exports file carries CHAP secrets: owner-only, replaced atomically.
 */
public final class ExportsFile {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper READER =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The whole file: every drive this node lends, each its own target. */
  @JsonPropertyOrder({"revision", "exports"})
  public record Exports(long revision, List<Export> exports) {
    public Exports {
      exports = exports == null ? List.of() : List.copyOf(exports);
    }
  }

  /**
   * One drive lent to one array's engine: the target whose LUN 0 is the whole drive at
   * {@code path}, and the only initiator (with its CHAP) that may discover it and log in.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"target", "path", "media", "initiator", "chap"})
  public record Export(String target, String path, String media, String initiator, EngineLayout.Credentials chap) {}

  private final Path file;
  private final Path status;

  public ExportsFile(Path folder) {
    this.file = folder.resolve("exports.json");
    this.status = folder.resolve("exports-status.json");
  }

  public Path file() {
    return file;
  }

  public Path status() {
    return status;
  }

  /**
   * Writes {@code exports} under the next revision unless the file already holds exactly them
   * (then it keeps its revision, so a repeated command costs the service nothing). Returns the
   * revision the file holds.
   */
  public long write(List<Export> exports) {
    Exports current = read();
    if (current != null && current.exports().equals(exports)) {
      return current.revision();
    }
    long next = current == null ? 1 : current.revision() + 1;
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(temp);
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      JSON.writeValue(temp.toFile(), new Exports(next, exports));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return next;
  }

  /** The file's content, or null when there is none or it is unreadable (it is then rewritten). */
  public Exports read() {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return READER.readValue(file.toFile(), Exports.class);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** What the service last said, or null when it has said nothing (yet). */
  public LayoutFiles.Status readStatus() {
    if (!Files.isRegularFile(status)) {
      return null;
    }
    try {
      return READER.readValue(status.toFile(), LayoutFiles.Status.class);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  public void forgetStatus() {
    try {
      Files.deleteIfExists(status);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + status, e);
    }
  }
}
