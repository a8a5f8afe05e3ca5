package io.strata.engine.layout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The trace a layout revision belongs to (docs/observability.md, "Tracing"). The agent writes
 * {@code layout-trace.json} beside the layout, {@code {"revision": N, "traceparent":
 * "00-<trace id>-<span id>-<flags>"}}, naming its span of this engine taking revision N; the
 * engine has no tracing library on its data path and records no span of its own: it logs the
 * outcome of that revision with the trace and span ids, so its log lines can be found from the
 * trace, and the agent ends the span when it reads the status. A file of another revision, or
 * none, or one that cannot be read, logs nothing: it never stops a reload.
 */
final class ReloadTrace {

  static final String FILE = "layout-trace.json";
  private static final Logger LOG = Logger.getLogger(ReloadTrace.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TRACEPARENT =
      Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

  private ReloadTrace() {}

  /** Logs the outcome of {@code revision} of {@code layoutFile} with its trace, if it has one. */
  static void log(Path layoutFile, Long revision, String error) {
    if (layoutFile == null || revision == null) {
      return;
    }
    String ids = idsOf(layoutFile.resolveSibling(FILE), revision);
    if (ids != null) {
      LOG.info("layout revision " + revision + (error == null ? " applied" : " NOT applied: " + error) + " " + ids);
    }
  }

  /** {@code trace_id=... span_id=...} of the file when it names {@code revision}; else null. */
  static String idsOf(Path traceFile, long revision) {
    try {
      if (!Files.isRegularFile(traceFile)) {
        return null;
      }
      JsonNode trace = JSON.readTree(traceFile.toFile());
      Matcher m = TRACEPARENT.matcher(trace.path("traceparent").asText(""));
      if (trace.path("revision").asLong(-1) != revision || !m.matches()) {
        return null;
      }
      return "trace_id=" + m.group(1) + " span_id=" + m.group(2);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
