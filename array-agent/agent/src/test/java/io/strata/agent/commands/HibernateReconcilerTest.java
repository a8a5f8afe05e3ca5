package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.agent.inventory.DriveScanner;
import io.strata.agent.layout.HaSlots;
import io.strata.agent.supervision.EngineSpec;
import io.strata.agent.supervision.EngineState;
import io.strata.agent.usage.UsageSampler;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSlot;
import io.strata.contracts.command.ArrayDesiredState.HaSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.Role;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.usage.ArrayUsageSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, item 2, on the node: a hibernated desired state stops the engine process and keeps
 * the array's folder, layout and drives; the node reports HIBERNATED (also after an agent restart,
 * which does not start the engine again); usage samples say the engine stopped; resuming at
 * another size starts the engine again and reports that size.
 */
class HibernateReconcilerTest {
  static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

  @TempDir Path data;

  final SealedSecret secrets = new SealedSecret(KEY, "k1");
  final List<ArrayStatus> reported = new CopyOnWriteArrayList<>();
  ScheduledExecutorService scheduler;
  Reconciler reconciler;

  @BeforeEach
  void start() {
    new DriveScanner("1", data.resolve("drives")).createDemoDrivesIfEmpty();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    reconciler = newReconciler();
  }

  Reconciler newReconciler() {
    return ReconcilerTest.standIn(data, secrets, scheduler, reported::add);
  }

  @AfterEach
  void stop() {
    reconciler.stopAll();
    scheduler.shutdownNow();
  }

  static ArrayDesiredState array(long generation, int port, String size, int vcpus, boolean hibernated) {
    return new ArrayDesiredState("h1", "1", "acme", generation, true,
        new ArrayDesiredState.EngineSpec(size, vcpus, vcpus * 4096), port, "iqn.2026-11.io.strata:acme.h1",
        List.of(new DriveSpec("d-h1", "n1-ssd-0", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "pool", DriveType.SSD, "NONE", "NONE", false, 4)), List.of(), List.of(), List.of(),
        null, null, hibernated);
  }

  long runningPid() {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      EngineState s = reconciler.engineState("h1");
      return s != null && s.phase() == EngineState.Phase.RUNNING;
    });
    return reconciler.engineState("h1").pid();
  }

  @Test
  void hibernationStopsTheEngineKeepsTheLayoutSurvivesAnAgentRestartAndResumeStartsItAtTheNewSize() throws Exception {
    int port = ReconcilerTest.freePort();
    reconciler.apply(array(1, port, "E01", 1, false));
    long pid = runningPid();
    await().until(() -> reported.stream().anyMatch(s -> s.state() == ArrayStatus.State.ONLINE
        && "E01".equals(s.engineSize())));

    ArrayStatus hibernated = reconciler.apply(array(2, port, "E01", 1, true)).status();
    assertThat(hibernated.state()).isEqualTo(ArrayStatus.State.HIBERNATED);
    assertThat(hibernated.engineSize()).isNull();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the engine process").isFalse();
    assertThat(reconciler.engineState("h1")).isNull();
    Path folder = data.resolve("arrays/h1");
    assertThat(folder.resolve("layout.json")).exists();
    assertThat(Files.readString(folder.resolve("desired.json"))).contains("\"hibernated\":true");
    assertThat(reconciler.statuses()).extracting(ArrayStatus::state).containsExactly(ArrayStatus.State.HIBERNATED);

    // usage: the drives are still sampled, the engine marked stopped
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    List<ArrayUsageSample> samples = new ArrayList<>();
    UsageSampler sampler = new UsageSampler("1", reconciler, samples::add, clock);
    sampler.sampleAll();
    clock.now = clock.now.plusSeconds(60);
    sampler.sampleAll();
    assertThat(samples).singleElement().satisfies(s -> {
      assertThat(s.engineStopped()).isTrue();
      assertThat(s.drives()).isNotEmpty();
    });

    // an agent restart keeps it stopped
    reconciler.stopAll();
    reconciler = newReconciler();
    List<ArrayStatus> restored = reconciler.restore();
    assertThat(restored).extracting(ArrayStatus::state).containsExactly(ArrayStatus.State.HIBERNATED);
    assertThat(reconciler.engineState("h1")).isNull();

    // resume at another size: the engine starts again from the same layout and says its size
    reconciler.apply(array(3, port, "E02", 2, false));
    long resumed = runningPid();
    assertThat(resumed).isNotEqualTo(pid);
    await().until(() -> reconciler.statuses().stream().anyMatch(s -> s.state() == ArrayStatus.State.ONLINE
        && "E02".equals(s.engineSize())));
  }

  @Test
  void anHaEngineRestartsForANewSizeOnlyAsTheStandbyOfAnActiveElsewhere() {
    EngineSpec small = new EngineSpec("a", "127.0.0.1", 3260, "iqn", Path.of("l"), Path.of("s"), Path.of("t"), 1, 4096);
    EngineSpec big = new EngineSpec("a", "127.0.0.1", 3260, "iqn", Path.of("l"), Path.of("s"), Path.of("t"), 2, 8192);
    EngineSpec moved = new EngineSpec("a", "127.0.0.1", 3261, "iqn", Path.of("l"), Path.of("s"), Path.of("t"), 2, 8192);
    assertThat(small.differsInSizeOnly(big)).isTrue();
    assertThat(small.differsInSizeOnly(moved)).isFalse();
    assertThat(small.differsInSizeOnly(small)).isFalse();

    assertThat(HaSlots.mayRestartForResize(ha(Role.STANDBY, Role.ACTIVE), "1")).isTrue();
    assertThat(HaSlots.mayRestartForResize(ha(Role.ACTIVE, Role.STANDBY), "1")).as("the active keeps serving").isFalse();
    assertThat(HaSlots.mayRestartForResize(ha(Role.STANDBY, Role.STANDBY), "1")).as("during a switchover").isFalse();
  }

  static ArrayDesiredState ha(Role node1, Role node2) {
    return new ArrayDesiredState("a1", "1", "acme", 1, true, new ArrayDesiredState.EngineSpec("E02", 2, 8192), 3260,
        "iqn.2026-11.io.strata:acme.a1", List.of(), List.of(), List.of(), List.of(), List.of(), "1",
        new HaSpec(1, List.of(new EngineSlot("1", node1, "127.0.0.1", 3260, 1),
            new EngineSlot("2", node2, "127.0.0.2", 3260, 2)), List.of()));
  }

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
