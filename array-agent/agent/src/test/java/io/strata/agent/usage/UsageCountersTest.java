package io.strata.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageCountersTest {

  @TempDir Path dir;

  @Test
  void countsOnlyWhatHappenedSinceTheLastReadingOfTheSameEngineRun() throws Exception {
    Path stats = dir.resolve("engine-stats.json");
    Files.writeString(stats, "{\"pid\":7,\"startedAt\":\"t0\",\"readOps\":10,\"writeOps\":4,\"readBytes\":4096,\"writeBytes\":2048}");
    EngineCounters first = EngineCounters.read(stats);
    Files.writeString(stats, "{\"pid\":7,\"startedAt\":\"t0\",\"readOps\":15,\"writeOps\":4,\"readBytes\":6144,\"writeBytes\":2048}");
    EngineCounters delta = EngineCounters.read(stats).since(first);
    assertThat(delta.readOps()).isEqualTo(5);
    assertThat(delta.readBytes()).isEqualTo(2048);
    assertThat(delta.writeOps()).isZero();
  }

  @Test
  void aRestartedEngineCountsFromZeroAgain() throws Exception {
    Path stats = dir.resolve("engine-stats.json");
    Files.writeString(stats, "{\"pid\":7,\"startedAt\":\"t0\",\"readOps\":10,\"writeOps\":4,\"readBytes\":4096,\"writeBytes\":2048}");
    EngineCounters before = EngineCounters.read(stats);
    Files.writeString(stats, "{\"pid\":8,\"startedAt\":\"t1\",\"readOps\":3,\"writeOps\":1,\"readBytes\":512,\"writeBytes\":512}");
    EngineCounters delta = EngineCounters.read(stats).since(before);
    assertThat(delta.readOps()).isEqualTo(3);
    assertThat(delta.writeBytes()).isEqualTo(512);
    assertThat(EngineCounters.read(dir.resolve("missing")).since(before).readOps()).isZero();
  }

  @Test
  void theSequenceKeepsGrowingAcrossRestarts() {
    Path file = dir.resolve("usage-sequence");
    UsageSequence first = new UsageSequence(file);
    assertThat(first.next()).isEqualTo(1);
    assertThat(first.next()).isEqualTo(2);
    assertThat(new UsageSequence(file).next()).isEqualTo(3);
  }
}
