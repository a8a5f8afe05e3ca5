package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppliedCommandsTest {

  @TempDir Path folder;

  @Test
  void remembersAppliedIdsAcrossARestart() {
    Path file = folder.resolve("applied-commands.log");
    AppliedCommands first = new AppliedCommands(file);
    first.record("c1");
    first.record("c2");
    first.record("c1");
    AppliedCommands afterRestart = new AppliedCommands(file);
    assertThat(afterRestart.contains("c1")).isTrue();
    assertThat(afterRestart.contains("c2")).isTrue();
    assertThat(afterRestart.contains("c3")).isFalse();
  }

  @Test
  void keepsTheNewestIdsAndCompactsTheLog() throws Exception {
    Path file = folder.resolve("applied-commands.log");
    AppliedCommands applied = new AppliedCommands(file, 100);
    int total = 2 * 100 + 5;
    for (int i = 0; i < total; i++) {
      applied.record("c" + i);
    }
    assertThat(applied.contains("c0")).isFalse();
    assertThat(applied.contains("c" + (total - 1))).isTrue();
    assertThat(Files.readAllLines(file).size()).isLessThanOrEqualTo(110);
    assertThat(new AppliedCommands(file, 100).contains("c" + (total - 1))).isTrue();
  }
}
