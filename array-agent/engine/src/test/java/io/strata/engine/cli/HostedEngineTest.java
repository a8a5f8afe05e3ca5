package io.strata.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real engines in this one JVM (the agent's hosted mode): each its own portal and drive, stopped alone. */
class HostedEngineTest {

  @TempDir Path folder;

  @Test
  void twoEnginesInOneJvmServeTheirOwnPortalsAndStopIndependently() throws Exception {
    int portA = freePort();
    int portB = freePort();
    List<String> linesA = new CopyOnWriteArrayList<>();
    List<String> linesB = new CopyOnWriteArrayList<>();
    HostedEngine a = HostedEngine.start("engine-a", arguments("a", portA), linesA::add);
    HostedEngine b = HostedEngine.start("engine-b", arguments("b", portB), linesB::add);
    try {
      awaitReady(linesA);
      awaitReady(linesB);
      assertThat(linesA).anyMatch(l -> l.contains("ready: iqn.2026-12.io.strata:a"));
      assertThat(linesB).anyMatch(l -> l.contains("ready: iqn.2026-12.io.strata:b"));
      assertThat(Files.exists(folder.resolve("a/lun0.img"))).isTrue();
      assertThat(Files.exists(folder.resolve("b/lun0.img"))).isTrue();
      assertThat(accepts(portA)).isTrue();
      assertThat(accepts(portB)).isTrue();
      assertThat(a.reload()).isTrue();

      a.stop();

      assertThat(a.onExit().get(10, TimeUnit.SECONDS)).isZero();
      assertThat(linesA).contains("strata-engine stopped");
      assertThat(accepts(portA)).isFalse();
      assertThat(a.reload()).isFalse();
      assertThat(b.isAlive()).isTrue();
      assertThat(accepts(portB)).isTrue();
      assertThat(linesB).doesNotContain("strata-engine stopped");
    } finally {
      a.stop();
      b.stop();
    }
    assertThat(b.onExit().get(10, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void anEngineThatCannotStartEndsWithItsExitCodeAndReason() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    HostedEngine bad = HostedEngine.start("engine-bad", List.of("--portal", "127.0.0.1:" + freePort()), lines::add);
    assertThat(bad.onExit().get(10, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(lines).anyMatch(l -> l.contains("--iqn is required"));
  }

  @Test
  void aStopWhileStartingStopsTheEngineOnceItIsUp() throws Exception {
    int port = freePort();
    List<String> lines = new CopyOnWriteArrayList<>();
    HostedEngine engine = HostedEngine.start("engine-c", arguments("c", port), lines::add);
    engine.stop();
    assertThat(engine.onExit().get(10, TimeUnit.SECONDS)).isZero();
    assertThat(accepts(port)).isFalse();
  }

  private List<String> arguments(String name, int port) throws IOException {
    Files.createDirectories(folder.resolve(name));
    return List.of("--portal", "127.0.0.1:" + port, "--iqn", "iqn.2026-12.io.strata:" + name,
        "--lun", "0=" + folder.resolve(name + "/lun0.img") + ":16M");
  }

  private static void awaitReady(List<String> lines) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (lines.stream().noneMatch(l -> l.contains("ready")) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(lines).as("engine output").anyMatch(l -> l.contains("ready"));
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
