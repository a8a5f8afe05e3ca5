package io.strata.controlplane.provisioning;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The background loops of provisioning (relay, watchdog, HA supervisor): one daemon thread each. */
public final class Timers {
  private Timers() {}

  /** Runs {@code task} on its own daemon thread {@code thread}, first after {@code firstMs}, then {@code everyMs} after each run. */
  public static ScheduledExecutorService every(String thread, long firstMs, long everyMs, Runnable task) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, thread);
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(task, firstMs, everyMs, TimeUnit.MILLISECONDS);
    return timer;
  }
}
