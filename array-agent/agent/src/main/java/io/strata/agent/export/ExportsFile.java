package io.strata.agent.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.strata.agent.layout.EngineLayout;
import io.strata.agent.layout.JsonFiles;
import io.strata.agent.layout.LayoutFiles;
import java.nio.file.Path;
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
   * {@code path}, and the only initiator (with its CHAP) that may discover it and log in; for a
   * highly available array, {@code epoch}: the lowest epoch whose engine may log in (raising it
   * closes the sessions of lower epochs; null: any).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"target", "path", "media", "initiator", "chap", "epoch"})
  public record Export(
      String target, String path, String media, String initiator, EngineLayout.Credentials chap, Long epoch) {
    /** An export of a single-engine array (no epoch). */
    public Export(String target, String path, String media, String initiator, EngineLayout.Credentials chap) {
      this(target, path, media, initiator, chap, null);
    }
  }

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
    JsonFiles.writeOwnerOnly(JSON, file, new Exports(next, exports));
    return next;
  }

  /** The file's content, or null when there is none or it is unreadable (it is then rewritten). */
  public Exports read() {
    return JsonFiles.readOrNull(READER, file, Exports.class);
  }

  /** What the service last said, or null when it has said nothing (yet). */
  public LayoutFiles.Status readStatus() {
    return LayoutFiles.readStatus(status);
  }
}
