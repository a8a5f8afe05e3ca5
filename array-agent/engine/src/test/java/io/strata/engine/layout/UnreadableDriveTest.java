package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.pool.MemberState;
import io.strata.engine.volume.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local drive whose file cannot be opened when the engine (re)starts (made unreadable: here a
 * directory in its place, which even root cannot open as a file) is a failed member of its pool,
 * not a failed array: the mirror opens degraded without it and serves its data, and the drive's
 * health says FAILED and why (the agent reports the array DEGRADED with it, the control plane's
 * drive-failed alert reads that). Once the file is back, the next start rebuilds it.
 */
class UnreadableDriveTest {
  @TempDir Path dir;

  Path layout() throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {"drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "40M"},
                    {"name": "b", "path": "b.img", "media": "SSD", "size": "40M"}],
         "pools": [{"name": "p", "drives": ["a", "b"], "protection": "mirror"}],
         "volumes": [{"name": "v", "pool": "p", "size": "8M"}],
         "luns": [{"lun": 0, "volume": "v"}]}
        """);
    return file;
  }

  @Test
  void aDriveFileThatCannotBeOpenedFailsItsMemberNotTheArrayAndIsRebuiltOnceBack() throws Exception {
    Path file = layout();
    byte[] data = new byte[4096];
    Arrays.fill(data, (byte) 0x5a);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      Volume v = stack.lunDevices(ArrayLayout.read(file)).get(0);
      v.write(0, ByteBuffer.wrap(data), true);
    }

    // the fault: b's file made unreadable while the engine is down
    Path b = dir.resolve("b.img");
    Path aside = dir.resolve("b.img.aside");
    Files.move(b, aside);
    Files.createDirectory(b);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.pools().get("p").states()).containsExactly(MemberState.ONLINE, MemberState.FAILED);
      assertThat(stack.health()).filteredOn(h -> h.name().equals("b")).singleElement().satisfies(h -> {
        assertThat(h.state()).isEqualTo("FAILED");
        assertThat(h.pool()).isEqualTo("p");
        assertThat(h.reason()).contains("cannot be opened");
      });
      ByteBuffer back = ByteBuffer.allocate(4096);
      stack.lunDevices(ArrayLayout.read(file)).get(0).read(0, back);
      assertThat(back.array()).isEqualTo(data);
    }

    // the fix: the file is back; the next start rebuilds it and the pool is whole again
    Files.delete(b);
    Files.move(aside, b);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.pools().get("p").awaitRebuild(60, TimeUnit.SECONDS)).isTrue();
      assertThat(stack.pools().get("p").states()).containsOnly(MemberState.ONLINE);
      assertThat(stack.health()).allSatisfy(h -> assertThat(h.state()).isEqualTo("ONLINE"));
    }
  }

  /**
   * The same fault on a pool the running engine was given by a reload (as a pool made through the
   * API is). Written while looking into an end-to-end run of issue 18 (a failed member replaced
   * through the API) in which such a pool was refused after an engine SIGKILL ("lost more drives
   * than MIRROR survives"): with a clean stop the engine opens it degraded, as it should.
   */
  @Test
  void aPoolAddedByAReloadAlsoOpensDegradedWithoutItsUnreadableDrive() throws Exception {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {"drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "40M"},
                    {"name": "b", "path": "b.img", "media": "SSD", "size": "40M"}],
         "pools": [], "volumes": [], "luns": []}
        """);
    byte[] data = new byte[4096];
    Arrays.fill(data, (byte) 0x3c);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      layout(); // the pool, its volume and LUN arrive by a reload
      stack.reconcile(ArrayLayout.read(file));
      Volume v = stack.lunDevices(ArrayLayout.read(file)).get(0);
      v.write(0, ByteBuffer.wrap(data), true);
    }
    Path b = dir.resolve("b.img");
    Files.move(b, dir.resolve("b.img.aside"));
    Files.createDirectory(b);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.pools().get("p").states()).containsExactly(MemberState.ONLINE, MemberState.FAILED);
      ByteBuffer back = ByteBuffer.allocate(4096);
      stack.lunDevices(ArrayLayout.read(file)).get(0).read(0, back);
      assertThat(back.array()).isEqualTo(data);
    }
  }
}
