package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExitCodeTest {
  @Test
  void everyHttpErrorHasTheCodeDocsCliMdPromises() {
    assertThat(ExitCode.forHttpStatus(400)).isEqualTo(ExitCode.INVALID_REQUEST);
    assertThat(ExitCode.forHttpStatus(422)).isEqualTo(ExitCode.INVALID_REQUEST);
    assertThat(ExitCode.forHttpStatus(413)).isEqualTo(ExitCode.INVALID_REQUEST);
    assertThat(ExitCode.forHttpStatus(401)).isEqualTo(ExitCode.AUTH);
    assertThat(ExitCode.forHttpStatus(403)).isEqualTo(ExitCode.AUTH);
    assertThat(ExitCode.forHttpStatus(404)).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(ExitCode.forHttpStatus(409)).isEqualTo(ExitCode.CONFLICT);
    assertThat(ExitCode.forHttpStatus(412)).isEqualTo(ExitCode.CONFLICT);
    assertThat(ExitCode.forHttpStatus(428)).isEqualTo(ExitCode.CONFLICT);
    assertThat(ExitCode.forHttpStatus(500)).isEqualTo(ExitCode.SERVER_OR_NETWORK);
    assertThat(ExitCode.forHttpStatus(503)).isEqualTo(ExitCode.SERVER_OR_NETWORK);
  }

  @Test
  void codesAreDistinctAndUsageIsPicoclisTwo() {
    assertThat(Arrays.stream(ExitCode.values()).mapToInt(c -> c.code).distinct().count()).isEqualTo(ExitCode.values().length);
    assertThat(ExitCode.USAGE.code).isEqualTo(picocli.CommandLine.ExitCode.USAGE);
  }

  @Test
  void theHelpListsEveryExitCode() {
    java.io.StringWriter out = new java.io.StringWriter();
    Environment env = new Environment(java.util.Map.of(), java.nio.file.Path.of("/nonexistent"), new java.io.PrintWriter(out),
        new java.io.PrintWriter(new java.io.StringWriter()), false, new java.io.BufferedReader(new java.io.StringReader("")));
    assertThat(Strata.run(env, "--help")).isZero();
    for (ExitCode c : ExitCode.values()) {
      assertThat(out.toString()).containsPattern("(?m)^\\s+" + c.code + "\\s+\\S");
    }
  }
}
