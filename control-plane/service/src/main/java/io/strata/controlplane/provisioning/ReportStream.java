package io.strata.controlplane.provisioning;

import io.quarkus.hibernate.orm.panache.Panache;
import io.strata.controlplane.domain.Node;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * Whether the control plane is reading a node's reports now, so that a node's old last heartbeat
 * means the node went quiet and not that nobody read it. Each replica's events consumer records,
 * per partition of strata.events it reads, when it last had the partition read to its end
 * ({@link EventsConsumer}); a partition whose replica died is not read until the consumer group's
 * session timeout hands it to another replica, and the nodes on it are then neither alive nor
 * silent: the watchdog does not mark them OFFLINE and the HA supervisor does not fail their
 * arrays over. Decisions wait for the stream instead of acting on a gap in it.
 */
@ApplicationScoped
public class ReportStream {
  /**
   * How recent a partition's "read to its end" must be for its nodes' heartbeats to count. Kept
   * below strata.ha.failover-after (4 s) less the consumer's marking interval, so that a partition
   * goes stale before a node on it could be taken for silent.
   */
  static final Duration CURRENT = Duration.ofSeconds(2);

  /** Records that these partitions were read to their end just now (PostgreSQL's clock). */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void caughtUp(Collection<Integer> partitions) {
    for (int partition : partitions) {
      Panache.getEntityManager()
          .createNativeQuery("insert into events_partition_progress (partition_no, caught_up_at) values (?1, now()) "
              + "on conflict (partition_no) do update set caught_up_at = excluded.caught_up_at")
          .setParameter(1, partition)
          .executeUpdate();
    }
  }

  /**
   * Whether the node's reports are being read, so what its last heartbeat says can be trusted. A
   * node whose partition is not known yet (no heartbeat read since this was added) counts as read.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean current(Node node, Instant now) {
    if (node == null || node.eventsPartition == null) {
      return true;
    }
    Number fresh = (Number) Panache.getEntityManager()
        .createNativeQuery("select count(*) from events_partition_progress where partition_no = ?1 and caught_up_at > ?2")
        .setParameter(1, node.eventsPartition)
        .setParameter(2, now.minus(CURRENT))
        .getSingleResult();
    return fresh.longValue() > 0;
  }
}
