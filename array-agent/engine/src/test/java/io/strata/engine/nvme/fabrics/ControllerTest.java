package io.strata.engine.nvme.fabrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.nvme.command.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerTest {
  @TempDir Path dir;

  final List<Namespace> namespaces = new CopyOnWriteArrayList<>();
  final Subsystem subsystem = Subsystem.nvm("nqn.2026-11.io.strata:t.a",
      () -> List.copyOf(namespaces), HostAccess.ANY);

  @Test
  void theKeepAliveTimerRunsOutOnlyWithoutTrafficForKatoPlusTheGrace() {
    Controller c = subsystem.newController("nqn.h", new byte[16]).orElseThrow();
    long start = System.nanoTime();
    assertThat(c.keepAliveExpired(start + 60_000_000_000L)).as("KATO 0: no timer").isFalse();
    c.keepAliveMillis(1000);
    c.traffic();
    long at = System.nanoTime();
    assertThat(c.keepAliveExpired(at + 2_900_000_000L)).isFalse();
    assertThat(c.keepAliveExpired(at + 3_100_000_000L)).isTrue();
  }

  @Test
  void namespaceChangesAreListedUntilRead() throws Exception {
    Controller c = subsystem.newController("nqn.h", new byte[16]).orElseThrow();
    assertThat(c.noticeNamespaceChanges()).isFalse();
    try (FileBlockDevice d = FileBlockDevice.open(dir.resolve("v"), 1 << 20, 512)) {
      namespaces.add(new Namespace(3, "v", d, false));
      assertThat(c.noticeNamespaceChanges()).isTrue();
      assertThat(c.noticeNamespaceChanges()).isFalse();
      assertThat(c.changedNamespaces(false)).containsExactly(3);
      assertThat(c.changedNamespaces(true)).containsExactly(3);
      assertThat(c.changedNamespaces(true)).isEmpty();
    }
  }

  @Test
  void closingAControllerClosesItsQueuesOnceAndFreesItsId() {
    Controller c = subsystem.newController("nqn.h", new byte[16]).orElseThrow();
    AtomicInteger closes = new AtomicInteger();
    c.onClose(closes::incrementAndGet);
    c.onIoQueueClose(closes::incrementAndGet);
    c.close();
    c.close();
    assertThat(closes).hasValue(2);
    assertThat(subsystem.controller(c.id())).isEmpty();
  }

  @Test
  void disablingResetsTheControllerAndClosesItsIoQueues() {
    Controller c = subsystem.newController("nqn.h", new byte[16]).orElseThrow();
    AtomicInteger ioClosed = new AtomicInteger();
    c.onIoQueueClose(ioClosed::incrementAndGet);
    c.registers().set(ControllerRegisters.CC, false, 1);
    assertThat(c.registers().ready()).isTrue();
    c.registers().set(ControllerRegisters.CC, false, 0);
    assertThat(c.registers().ready()).isFalse();
    assertThat(ioClosed).hasValue(1);
    assertThat(c.registers().get(ControllerRegisters.VS, true).status())
        .isEqualTo(Status.INVALID_FIELD);
  }
}
