package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.pool.PoolScrub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool's {@code scrub} block in the layout: read and checked (bad values refused naming the
 * field), and driven by reload on a kept pool: added (the scrub runs to DONE), the same request
 * again (its result, no new scrub), a new request (a new scrub), removed (nothing runs).
 */
class LayoutScrubTest {
  @TempDir Path dir;

  Path layout(String protection, String scrub) throws IOException {
    return layout(dir, protection, scrub);
  }

  /** A layout of pool p over two 12 MiB file drives a and b in {@code dir}, with a scrub block or none. */
  static Path layout(Path dir, String protection, String scrub) throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {
          "drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "12M"},
                     {"name": "b", "path": "b.img", "media": "SSD", "size": "12M"}],
          "pools": [{"name": "p", "drives": ["a", "b"], "protection": "%s"%s}],
          "volumes": [{"name": "v", "pool": "p", "size": "4M"}],
          "snapshots": [],
          "luns": [{"lun": 0, "volume": "v"}]
        }
        """.formatted(protection, scrub == null ? "" : ", \"scrub\": " + scrub));
    return file;
  }

  @Test
  void badScrubBlocksAreRefusedNamingTheField() throws IOException {
    assertThat(ArrayLayout.read(layout("mirror", "{\"request\": \"s1\", \"rate\": \"50M\"}")).pools()
        .get(0).scrub().bytesPerSecond()).isEqualTo(50L << 20);
    assertThat(ArrayLayout.read(layout("mirror", "{\"request\": \"s1\"}")).pools().get(0).scrub()
        .bytesPerSecond()).as("no rate: no limit").isZero();
    assertThatThrownBy(() -> ArrayLayout.read(layout("mirror", "{\"request\": \"\", \"rate\": \"1M\"}")))
        .hasMessageContaining("scrub.request");
    assertThatThrownBy(() -> ArrayLayout.read(layout("mirror", "{\"request\": \"s1\", \"rate\": \"fast\"}")))
        .hasMessageContaining("scrub.rate");
    assertThatThrownBy(() -> ArrayLayout.read(layout("none", "{\"request\": \"s1\"}")))
        .hasMessageContaining("scrub needs a redundant pool");
  }

  @Test
  void aReloadStartsKeepsAndStopsScrubsOfAKeptPool() throws Exception {
    Path file = layout("mirror", null);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
      assertThat(stack.scrubs()).as("never scrubbed").isEmpty();
      stack.reconcile(ArrayLayout.read(layout("mirror", "{\"request\": \"s1\", \"rate\": \"0\"}")));
      PoolScrub.Progress done = awaitDone(stack, "s1");
      assertThat(done.rowsDone()).isEqualTo(done.rows()).isPositive();
      assertThat(done.mismatchedBlocks()).isZero();
      long finished = done.finishedMillis();
      stack.reconcile(ArrayLayout.read(layout("mirror", "{\"request\": \"s1\", \"rate\": \"0\"}")));
      assertThat(stack.scrubs().get("p").finishedMillis()).as("the same request: its result")
          .isEqualTo(finished);
      stack.reconcile(ArrayLayout.read(layout("mirror", "{\"request\": \"s2\", \"rate\": \"0\"}")));
      assertThat(awaitDone(stack, "s2").request()).isEqualTo("s2");
      stack.reconcile(ArrayLayout.read(layout("mirror", null)));
      assertThat(stack.scrubs().get("p").request()).as("the last result stays on the drives")
          .isEqualTo("s2");
    }
  }

  static PoolScrub.Progress awaitDone(ArrayStack stack, String request) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    PoolScrub.Progress p = null;
    while (System.nanoTime() < until) {
      p = stack.scrubs().get("p");
      if (p != null && p.request().equals(request) && p.state() == PoolScrub.State.DONE) {
        return p;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("scrub " + request + " did not finish: " + p);
  }
}
