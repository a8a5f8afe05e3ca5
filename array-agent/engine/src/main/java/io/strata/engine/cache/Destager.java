package io.strata.engine.cache;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The background thread that copies dirty lines to the backing device. Above the dirty
 * watermark it works batch after batch; below it, one batch per trickle interval, so that an
 * idle cache drains and a busy one leaves the backing device mostly to reads (bcache's
 * writeback_percent works the same way, with a rate controller instead of two speeds).
 */
final class Destager implements Runnable {
  private static final Logger LOG = Logger.getLogger(Destager.class.getName());

  private final FlashCache cache;
  private final Thread thread;
  private volatile boolean running = true;

  Destager(FlashCache cache) {
    this.cache = cache;
    this.thread = new Thread(this, "flash-cache-destager");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void wake() {
    LockSupport.unpark(thread);
  }

  void stop() {
    running = false;
    LockSupport.unpark(thread);
    if (Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void run() {
    CacheConfig config = cache.config();
    while (running) {
      try {
        if (cache.dirtyLineCount() > 0) {
          cache.destageBatch(config.destageBatchLines());
        }
      } catch (io.strata.engine.block.DeviceOfflineException e) {
        LOG.log(Level.SEVERE, "flash cache is offline; destaging stops", e);
        return;
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "destaging failed; retrying later", e);
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      }
      if (!cache.aboveDirtyWatermark()) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(
            Math.max(1, config.destageTrickleMillis())));
      }
    }
  }
}
