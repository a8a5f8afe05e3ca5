package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.volume.VolumeMove;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layout volume with {@code moveFrom} moves to its new pool while its LUN keeps serving: the
 * device the LUN held before the move sees the same data during and after it, the old pool's copy
 * is deleted once the copy switched, and a stack closed mid-move resumes when opened again.
 */
class VolumeMoveLayoutTest {
  @TempDir Path dir;
  static final int SIZE = 24 << 20;

  Path layout(String pool, String moveFrom) throws IOException {
    return layout(pool, moveFrom, "");
  }

  /** The layout, with {@code moreVolumes} (JSON objects, each after a comma) beside volume v. */
  Path layout(String pool, String moveFrom, String moreVolumes) throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {"drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "40M"},
                    {"name": "b", "path": "b.img", "media": "SSD", "size": "40M"},
                    {"name": "h", "path": "h.img", "media": "HDD", "size": "40M"}],
         "pools": [{"name": "fast", "drives": ["a", "b"], "protection": "mirror"},
                   {"name": "slow", "drives": ["h"], "protection": "none"}],
         "volumes": [{"name": "v", "pool": "%s", "size": "24M"%s}%s],
         "luns": [{"lun": 0, "volume": "v"}]}
        """.formatted(pool, moveFrom == null ? "" : ", \"moveFrom\": \"" + moveFrom + "\"", moreVolumes));
    return file;
  }

  /** Waits for the engine's report of the move of v from {@code from} to {@code to} in {@code state}. */
  static VolumeMoves.Report awaitReport(ArrayStack stack, String from, String to, String state)
      throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      for (VolumeMoves.Report r : stack.moveReports()) {
        if (r.fromPool().equals(from) && r.toPool().equals(to) && r.state().equals(state)) {
          return r;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no " + state + " report of the move from " + from + " to " + to + ": "
        + stack.moveReports());
  }

  /** Waits until the copier copied at least {@code extents} of the running move. */
  static void awaitCopied(ArrayStack stack, long extents) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      if (!stack.moves().isEmpty() && stack.moves().get(0).copiedExtents() >= extents) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the move did not copy " + extents + " extents: " + stack.moves());
  }

  static byte[] pattern(int seed) {
    byte[] b = new byte[SIZE];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (seed + i / 512 + i);
    }
    return b;
  }

  static byte[] readAll(BlockDevice d) throws IOException {
    ByteBuffer all = ByteBuffer.allocate(SIZE);
    d.read(0, all);
    return all.array();
  }

  static void awaitMoved(ArrayStack stack) throws InterruptedException {
    for (int i = 0; i < 600 && stack.stores().get("slow").exists("v"); i++) {
      Thread.sleep(100);
    }
    assertThat(stack.stores().get("slow").exists("v")).as("the old pool's copy is deleted").isFalse();
  }

  @Test
  void theLunKeepsServingThroughTheMoveAndTheOldCopyGoes() throws Exception {
    Path file = layout("slow", null);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      BlockDevice lun = stack.lunDevices(ArrayLayout.read(file)).get(0);
      byte[] model = pattern(1);
      lun.write(0, ByteBuffer.wrap(model), false);

      stack.reconcile(ArrayLayout.read(layout("fast", "slow")));
      byte[] more = Arrays.copyOfRange(pattern(2), 0, 3 << 20);
      lun.write(5 * 2048, ByteBuffer.wrap(more), false); // during (or after) the copy
      System.arraycopy(more, 0, model, 5 << 20, more.length);
      awaitMoved(stack);
      assertThat(stack.moves()).singleElement().satisfies(m -> {
        assertThat(m.switched()).isTrue();
        assertThat(m.copiedExtents()).isEqualTo(24);
      });
      assertThat(readAll(lun)).as("the LUN's device from before the move").isEqualTo(model);
      assertThat(readAll(stack.lunDevices(ArrayLayout.read(file)).get(0))).isEqualTo(model);
      assertThat(stack.report()).anyMatch(l -> l.contains("volume v moving from pool slow to fast"));
    }
    // opened again with the move done (the layout may still say moveFrom): the new pool's copy
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(layout("fast", "slow")), file)) {
      assertThat(stack.storeOf("v").poolName()).isEqualTo("fast");
      assertThat(stack.moves()).isEmpty();
    }
  }

  @Test
  void aStackClosedMidMoveResumesWhenOpenedAgain() throws Exception {
    Path file = layout("slow", null);
    byte[] model = pattern(3);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      stack.lunDevices(ArrayLayout.read(file)).get(0).write(0, ByteBuffer.wrap(model), false);
    }
    Path moving = layout("fast", "slow");
    // the engine stops wherever its copier is (VolumeMoveTest resumes at an exact mark)
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(moving), moving)) {
      stack.lunDevices(ArrayLayout.read(moving)).get(0).write(0, ByteBuffer.wrap(model, 0, 4096), false);
    }
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(moving), moving)) {
      BlockDevice lun = stack.lunDevices(ArrayLayout.read(moving)).get(0);
      awaitMoved(stack);
      assertThat(readAll(lun)).isEqualTo(model);
    }
    assertThat(dir.resolve("metadata/moves/v.json")).doesNotExist();
  }

  @Test
  void theStatusReportsEachMoveTheLayoutAsksForUntilItNoLongerDoes() throws Exception {
    Path file = layout("slow", null);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.moveReports()).isEmpty();
      stack.reconcile(ArrayLayout.read(layout("fast", "slow")));
      assertThat(stack.moveReports()).singleElement().satisfies(r -> {
        assertThat(r.volume()).isEqualTo("v");
        assertThat(r.fromPool()).isEqualTo("slow");
        assertThat(r.toPool()).isEqualTo("fast");
        assertThat(r.totalExtents()).isEqualTo(24);
        assertThat(r.state()).isIn("COPYING", "DONE");
      });
      awaitMoved(stack);
      for (int i = 0; i < 100 && !stack.moveReports().get(0).state().equals("DONE"); i++) {
        Thread.sleep(50); // the old copy is deleted just before the copier says so
      }
      assertThat(stack.moveReports()).singleElement().satisfies(r -> {
        assertThat(r.state()).isEqualTo("DONE");
        assertThat(r.copiedExtents()).isEqualTo(24);
      });
      Path status = dir.resolve("status.json");
      LayoutStatus.write(status, 2L, null, List.of(), Map.of(), List.of(), null, Map.of(), null, Map.of(),
          Map.of(), stack.moveReports());
      assertThat(Files.readString(status)).contains("\"moves\"", "\"from\" : \"slow\"",
          "\"state\" : \"DONE\"", "\"totalExtents\" : 24");

      stack.reconcile(ArrayLayout.read(layout("fast", null)));
      assertThat(stack.moveReports()).as("the layout no longer asks for the move").isEmpty();
    }
    // an engine started after the move with a layout that still asks for it: found done
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(layout("fast", "slow")), file)) {
      assertThat(stack.moveReports()).singleElement().satisfies(r -> {
        assertThat(r.state()).isEqualTo("DONE");
        assertThat(r.totalExtents()).isZero();
      });
    }
  }

  @Test
  void aCancelBeforeTheSwitchServesTheOldCopyAgainAndDropsTheNewOne() throws Exception {
    Path file = layout("slow", null);
    long pauseBefore = VolumeMoves.pauseMillis;
    VolumeMoves.pauseMillis = 100; // 24 extents: the cancel comes mid-copy
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      BlockDevice lun = stack.lunDevices(ArrayLayout.read(file)).get(0);
      byte[] model = pattern(4);
      lun.write(0, ByteBuffer.wrap(model), false);
      stack.reconcile(ArrayLayout.read(layout("fast", "slow")));
      awaitCopied(stack, 2);
      byte[] during = Arrays.copyOfRange(pattern(5), 0, 1 << 20);
      lun.write(0, ByteBuffer.wrap(during), false); // below the mark: to both copies
      System.arraycopy(during, 0, model, 0, during.length);

      stack.reconcile(ArrayLayout.read(layout("slow", "fast"))); // the tenant cancels
      VolumeMoves.Report done = awaitReport(stack, "fast", "slow", "DONE");
      assertThat(done.volume()).isEqualTo("v");
      assertThat(stack.stores().get("fast").exists("v")).as("the partial copy is dropped").isFalse();
      assertThat(stack.stores().get("slow").exists("v")).isTrue();
      assertThat(dir.resolve("metadata/moves/v.json")).doesNotExist();
      byte[] after = Arrays.copyOfRange(pattern(6), 0, 2 << 20);
      lun.write(10 * 2048, ByteBuffer.wrap(after), false); // after the cancel
      System.arraycopy(after, 0, model, 10 << 20, after.length);
      assertThat(readAll(lun)).as("the LUN's device from before the move").isEqualTo(model);
      assertThat(readAll(stack.lunDevices(ArrayLayout.read(file)).get(0))).isEqualTo(model);

      stack.reconcile(ArrayLayout.read(layout("slow", null))); // the control plane ends the move
      assertThat(stack.moveReports()).isEmpty();
      assertThat(readAll(lun)).isEqualTo(model);
    } finally {
      VolumeMoves.pauseMillis = pauseBefore;
    }
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(layout("slow", null)), file)) {
      assertThat(stack.storeOf("v").poolName()).isEqualTo("slow");
    }
  }

  @Test
  void anEngineStoppedMidMoveAndStartedWithTheMoveCancelledDropsTheNewCopy() throws Exception {
    Path file = layout("slow", null);
    byte[] model = pattern(7);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      stack.lunDevices(ArrayLayout.read(file)).get(0).write(0, ByteBuffer.wrap(model), false);
    }
    long pauseBefore = VolumeMoves.pauseMillis;
    VolumeMoves.pauseMillis = 100;
    try {
      Path moving = layout("fast", "slow");
      try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(moving), moving)) {
        awaitCopied(stack, 2);
      }
    } finally {
      VolumeMoves.pauseMillis = pauseBefore;
    }
    assertThat(VolumeMove.Checkpoint.read(dir.resolve("metadata/moves/v.json")).direction())
        .isEqualTo(new VolumeMove.Direction("slow", "fast"));
    // started again with the move cancelled: nothing is copied from the partial copy
    Path cancelled = layout("slow", "fast");
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(cancelled), cancelled)) {
      awaitReport(stack, "fast", "slow", "DONE");
      assertThat(stack.stores().get("fast").exists("v")).isFalse();
      assertThat(readAll(stack.lunDevices(ArrayLayout.read(cancelled)).get(0))).isEqualTo(model);
    }
  }

  @Test
  void aCancelAfterTheSwitchMovesTheVolumeBack() throws Exception {
    Path file = layout("slow", null);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      BlockDevice lun = stack.lunDevices(ArrayLayout.read(file)).get(0);
      byte[] model = pattern(8);
      lun.write(0, ByteBuffer.wrap(model), false);
      stack.reconcile(ArrayLayout.read(layout("fast", "slow")));
      awaitMoved(stack); // switched, and its old copy deleted, before the cancel arrives

      stack.reconcile(ArrayLayout.read(layout("slow", "fast")));
      VolumeMoves.Report back = awaitReport(stack, "fast", "slow", "DONE");
      assertThat(back.totalExtents()).as("a real copy back").isEqualTo(24);
      assertThat(stack.stores().get("fast").exists("v")).isFalse();
      assertThat(readAll(lun)).isEqualTo(model);
      assertThat(readAll(stack.lunDevices(ArrayLayout.read(file)).get(0))).isEqualTo(model);
    }
  }

  @Test
  void aMoveStoppedByAFullPoolIsTriedAgainAfterAPause() throws Exception {
    // the fast pool holds the filler, written whole: v's copy runs out of room there
    String filler = ", {\"name\": \"filler\", \"pool\": \"fast\", \"size\": \"24M\"}";
    Path file = layout("slow", null, filler);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      stack.storeOf("filler").open("filler").write(0, ByteBuffer.wrap(pattern(9)), false);
      BlockDevice lun = stack.lunDevices(ArrayLayout.read(file)).get(0);
      byte[] model = pattern(10);
      lun.write(0, ByteBuffer.wrap(model), false);

      stack.reconcile(ArrayLayout.read(layout("fast", "slow", filler)));
      VolumeMoves.Report stopped = awaitReport(stack, "slow", "fast", "STOPPED");
      assertThat(stopped.error()).isNotBlank();
      long now = System.nanoTime();
      assertThat(stack.movesWantAnotherPass(now)).as("within the first pause").isFalse();
      assertThat(stack.movesWantAnotherPass(now + VolumeMoves.RETRY_FIRST.toNanos())).isTrue();
      assertThat(stack.movesWantAnotherPass(now + VolumeMoves.RETRY_FIRST.toNanos()))
          .as("taken: the next pause starts").isFalse();

      stack.reconcile(ArrayLayout.read(layout("fast", "slow"))); // the filler deleted: room now
      awaitMoved(stack);
      awaitReport(stack, "slow", "fast", "DONE");
      assertThat(readAll(lun)).isEqualTo(model);
      assertThat(stack.movesWantAnotherPass(System.nanoTime() + VolumeMoves.RETRY_MAX.toNanos())).isFalse();
    }
  }

  @Test
  void theEnginesHealthTimerRetriesAStoppedMoveWithoutAReloadFromOutside() throws Exception {
    String filler = ", {\"name\": \"filler\", \"pool\": \"fast\", \"size\": \"24M\"}";
    Path file = layout("slow", null, filler);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      stack.storeOf("filler").open("filler").write(0, ByteBuffer.wrap(pattern(11)), false);
      stack.lunDevices(ArrayLayout.read(file)).get(0).write(0, ByteBuffer.wrap(pattern(12)), false);
    }
    layout("fast", "slow", filler);
    try (LayoutService service = LayoutService.open(file, "iqn.2026-12.io.strata:t.move-retry")) {
      service.reportTo(dir.resolve("status.json"));
      ArrayStack stack = service.stack();
      awaitReport(stack, "slow", "fast", "STOPPED"); // the fast pool is full
      // room appears behind the layout's back: the filler's data goes (a reload makes it again, empty)
      stack.stores().get("fast").delete("filler");
      // nobody reloads: the health timer tries the move again once its first pause is over
      awaitMoved(stack);
      awaitReport(stack, "slow", "fast", "DONE");
      assertThat(readAll(stack.lunDevices(ArrayLayout.read(file)).get(0))).isEqualTo(pattern(12));
    }
  }

  @Test
  void theRetryPauseDoublesUpToFiveMinutes() {
    assertThat(VolumeMoves.retryPause(1)).hasSeconds(5);
    assertThat(VolumeMoves.retryPause(2)).hasSeconds(10);
    assertThat(VolumeMoves.retryPause(4)).hasSeconds(40);
    assertThat(VolumeMoves.retryPause(7)).hasSeconds(300);
    assertThat(VolumeMoves.retryPause(60)).hasSeconds(300);
  }

  @Test
  void aMoveFromAPoolNotListedOrFromItselfIsRefused() {
    assertThatThrownBy(() -> ArrayLayout.read(layout("fast", "nowhere")))
        .hasMessageContaining("moveFrom: no pool 'nowhere'");
    assertThatThrownBy(() -> ArrayLayout.read(layout("fast", "fast")))
        .hasMessageContaining("moveFrom is its own pool");
  }
}
