package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadTriggerTest {
  @TempDir Path dir;

  @Test
  void aWatchedFileReloadsOnceForEachReplacementAndNotWhileItStaysTheSame() throws Exception {
    Path file = dir.resolve("array.json");
    Files.writeString(file, "{\"revision\": 1}");
    Semaphore reloads = new Semaphore(0);
    Thread watcher = ReloadTrigger.watch(file, reloads::release, Duration.ofMillis(20));
    try {
      assertThat(reloads.tryAcquire(200, TimeUnit.MILLISECONDS)).as("no change, no reload").isFalse();

      // Replaced by rename with the same size, as the agent writes it: a new inode.
      Path tmp = dir.resolve("array.json.tmp");
      Files.writeString(tmp, "{\"revision\": 2}");
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      assertThat(reloads.tryAcquire(5, TimeUnit.SECONDS)).as("reload after a rename").isTrue();
      assertThat(reloads.tryAcquire(200, TimeUnit.MILLISECONDS)).as("only once").isFalse();

      // Rewritten in place by an operator's editor.
      Files.writeString(file, "{\"revision\": 3, \"volumes\": []}");
      assertThat(reloads.tryAcquire(5, TimeUnit.SECONDS)).as("reload after an edit").isTrue();

      // Gone for a moment (an editor's save) and back: the return is a change.
      Files.delete(file);
      Thread.sleep(100);
      Files.writeString(file, "{\"revision\": 4}");
      assertThat(reloads.tryAcquire(5, TimeUnit.SECONDS)).as("reload when it is back").isTrue();
    } finally {
      watcher.interrupt();
      watcher.join(5_000);
    }
  }
}
