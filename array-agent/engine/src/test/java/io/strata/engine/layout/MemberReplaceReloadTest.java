package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.pool.MemberState;
import io.strata.engine.pool.Pool;
import io.strata.engine.volume.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that puts another drive in place of a pool member: the engine copies the member onto
 * it while a writer keeps writing to the volume, releases the outgoing drive, and the pool then
 * holds every write on its new drives alone, also after a restart without the outgoing drive.
 */
class MemberReplaceReloadTest {
  @TempDir Path dir;

  Path layout(String members, String extraDrives) throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {"drives": [%s],
         "pools": [{"name": "p", "drives": [%s], "protection": "parity"}],
         "volumes": [{"name": "v", "pool": "p", "size": "24M"}],
         "luns": [{"lun": 0, "volume": "v"}]}
        """.formatted(extraDrives, members));
    return file;
  }

  static String drives(String... names) {
    StringBuilder out = new StringBuilder();
    for (String n : names) {
      out.append(out.isEmpty() ? "" : ", ").append("{\"name\": \"").append(n)
          .append("\", \"path\": \"").append(n).append(".img\", \"media\": \"SSD\", \"size\": \"16M\"}");
    }
    return out.toString();
  }

  static ByteBuffer stamp(long chunk, long generation) {
    ByteBuffer b = ByteBuffer.allocate(64 * 512);
    for (int i = 0; i < b.capacity(); i += 16) {
      b.putLong(i, chunk).putLong(i + 8, generation);
    }
    return b;
  }

  @Test
  void aMemberIsReplacedByReloadWhileAWriterWritesAndTheNewSetHoldsEverything() throws Exception {
    Path first = layout("\"a\", \"b\", \"c\"", drives("a", "b", "c"));
    long[] generation = new long[(int) ((24L << 20) / (64 * 512))];
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(first), first)) {
      Volume v = stack.lunDevices(ArrayLayout.read(first)).get(0);
      for (int k = 0; k < generation.length; k++) {
        v.write(k * 64L, stamp(k, 1), false);
        generation[k] = 1;
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        java.util.Random r = new java.util.Random(3);
        try {
          while (!stop.get()) {
            int k = r.nextInt(generation.length);
            v.write(k * 64L, stamp(k, ++generation[k]), false);
          }
        } catch (Throwable t) {
          failed.set(t);
        }
      });
      writer.start();

      // b leaves the layout, n takes its position
      Path second = layout("\"a\", \"n\", \"c\"", drives("a", "c", "n"));
      stack.reconcile(ArrayLayout.read(second));
      Pool pool = stack.pools().get("p");
      assertThat(pool.awaitCopy(120, TimeUnit.SECONDS)).isTrue();
      stop.set(true);
      writer.join();
      assertThat(failed.get()).isNull();
      assertThat(pool.states()).containsOnly(MemberState.ONLINE);
      assertThat(stack.drives()).containsKeys("a", "n", "c").doesNotContainKey("b");
      assertThat(stack.health()).extracting(ArrayStack.DriveHealth::name, ArrayStack.DriveHealth::state)
          .contains(org.assertj.core.groups.Tuple.tuple("n", "ONLINE"));
      assertAll(v, generation);
    }
    Files.delete(dir.resolve("b.img")); // released: the pool no longer needs it
    Files.delete(dir.resolve("c.img")); // and an original drive dies: n stands in for b
    Path after = layout("\"a\", \"n\", \"c\"", drives("a", "c", "n"));
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(after), after)) {
      assertAll(stack.lunDevices(ArrayLayout.read(after)).get(0), generation);
      stack.pools().get("p").awaitRebuild(120, TimeUnit.SECONDS);
    }
  }

  @Test
  void aReplacementTheEngineCannotMakeIsRefusedWithTheReasonAndChangesNothing() throws Exception {
    Path first = layout("\"a\", \"b\", \"c\"", drives("a", "b", "c"));
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(first), first)) {
      Path stillListed = layout("\"a\", \"n\", \"c\"", drives("a", "b", "c", "n"));
      assertThatThrownBy(() -> stack.reconcile(ArrayLayout.read(stillListed)))
          .hasMessageContaining("pool p: drive n in place of b (member 1): drive b must leave the"
              + " layout's drives");
      Path twoAtOnce = layout("\"a\", \"n\", \"m\"", drives("a", "n", "m"));
      assertThatThrownBy(() -> stack.reconcile(ArrayLayout.read(twoAtOnce)))
          .hasMessageContaining("one at a time; this layout replaces 2 at once");
      Path unlisted = layout("\"a\", \"n\", \"c\"", drives("a", "c"));
      assertThatThrownBy(() -> ArrayLayout.read(unlisted)).isInstanceOf(IllegalArgumentException.class);
      assertThat(stack.drives()).containsOnlyKeys("a", "b", "c");
      assertThat(stack.pools().get("p").copyTarget()).isEqualTo(-1);
    }
  }

  static void assertAll(Volume v, long[] generation) throws IOException {
    for (int k = 0; k < generation.length; k++) {
      ByteBuffer got = ByteBuffer.allocate(64 * 512);
      v.read(k * 64L, got);
      assertThat(got.flip()).as("chunk %d", k).isEqualTo(stamp(k, generation[k]));
    }
  }
}
