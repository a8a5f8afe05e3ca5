package io.strata.controlplane.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Purges the volumes whose time in the recycle bin is over. Level-triggered: each round purges
 * whatever is due by then, so a control plane that was down purges on its first round, and
 * replicas do not purge twice (rows are locked {@code for update skip locked}).
 */
@ApplicationScoped
public class RecycleBinPurger {
  private static final Logger LOG = Logger.getLogger(RecycleBinPurger.class);
  private static final int BATCH = 200;

  @Inject RecycleBin bin;

  @Scheduled(
      identity = "recycle-bin-purge",
      every = "${strata.recycle-bin.purge-every:60s}",
      delayed = "${strata.recycle-bin.purge-delay:10s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void tick() {
    int purged = purgeDue(Instant.now());
    if (purged > 0) {
      LOG.infof("recycle bin: purged %d volume(s) whose time was over", purged);
    }
  }

  /** One round at {@code now} (public so that tests move the clock): batches until none is due. */
  public int purgeDue(Instant now) {
    int total = 0;
    while (true) {
      int purged = QuarkusTransaction.requiringNew().call(() -> bin.purgeDue(now, BATCH));
      total += purged;
      if (purged < BATCH) {
        return total;
      }
    }
  }
}
