package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace the agent gives a layout revision is read only for that revision, and never breaks a reload. */
class ReloadTraceTest {

  @TempDir Path folder;

  static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void namesTheTraceAndSpanOfItsOwnRevisionOnly() throws Exception {
    Path file = folder.resolve(ReloadTrace.FILE);
    Files.writeString(file, "{\"revision\": 3, \"traceparent\": \"" + TRACEPARENT + "\"}");
    assertThat(ReloadTrace.idsOf(file, 3))
        .isEqualTo("trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7");
    assertThat(ReloadTrace.idsOf(file, 4)).as("a revision the file does not name").isNull();
  }

  @Test
  void aMissingOrMalformedFileNamesNothing() throws Exception {
    Path file = folder.resolve(ReloadTrace.FILE);
    assertThat(ReloadTrace.idsOf(file, 1)).isNull();
    Files.writeString(file, "{\"revision\": 1, \"traceparent\": \"00-not-a-trace-01\"}");
    assertThat(ReloadTrace.idsOf(file, 1)).isNull();
    Files.writeString(file, "{not json");
    assertThat(ReloadTrace.idsOf(file, 1)).isNull();
    ReloadTrace.log(folder.resolve("layout.json"), 1L, null); // logs nothing, throws nothing
  }
}
