package io.strata.agent.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's heartbeat counts running engines through {@link EngineSupervisor#state()}; a start,
 * a reload (which waits for {@code kill -HUP}) or a stop of a leftover (up to 20 s) holds the
 * supervisor's lock. Reading the state must not wait for it: a heartbeat that waited made a live
 * node OFFLINE (a CI run's array never came ONLINE).
 */
class EngineSupervisorStateTest {

  @TempDir Path folder;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void theStateIsReadWhileAnotherThreadHoldsTheSupervisor() throws Exception {
    EngineSupervisor supervisor = new EngineSupervisor(
        new EngineSpec("a1", "127.0.0.1", 3260, "iqn.2026-11.io.strata:a1", folder.resolve("layout.json"),
            folder.resolve("layout-status.json"), folder.resolve("stats.json"), 1, 256),
        new EngineLauncher(StandInEngine.class.getName(), Optional.empty(), List.of()), Isolation.detect(false),
        folder, scheduler, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(30), state -> {});
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> {
      synchronized (supervisor) {
        held.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    holder.start();
    try {
      assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
      EngineState state = CompletableFuture.supplyAsync(supervisor::state).get(2, TimeUnit.SECONDS);
      assertThat(state.phase()).isEqualTo(EngineState.Phase.STOPPED);
    } finally {
      release.countDown();
      holder.join();
    }
  }
}
