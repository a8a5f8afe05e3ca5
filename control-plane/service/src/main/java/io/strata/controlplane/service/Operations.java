package io.strata.controlplane.service;

import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.OperationState;
import io.strata.controlplane.metrics.OperationMeters;
import io.strata.controlplane.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Asynchronous requests: started with the change, completed when the node reports back. */
@ApplicationScoped
public class Operations {
  @Inject io.strata.controlplane.replicas.DatabaseClock clock;
  @Inject Caller caller;
  @Inject OperationMeters meters;

  /** Starts an operation requested by the calling user. */
  @Transactional(Transactional.TxType.MANDATORY)
  public Operation start(UUID tenantId, String kind, String targetType, UUID targetId) {
    return start(caller.name(), tenantId, kind, targetType, targetId);
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public Operation start(String requestedBy, UUID tenantId, String kind, String targetType, UUID targetId) {
    return start(requestedBy, tenantId, kind, targetType, targetId, null);
  }

  /**
   * Starts an operation requested by the calling user whose desired state the caller has just
   * written ({@code stamp}, from {@code CommandOutbox.arrayChanged}; null: none written): the
   * operation starts at the database time that stamp was taken at, which saves reading the clock
   * again (a create is on every tenant's hot path), and the generation is never below it.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Operation start(UUID tenantId, String kind, String targetType, UUID targetId,
      io.strata.controlplane.outbox.CommandOutbox.Stamp stamp) {
    return start(caller.name(), tenantId, kind, targetType, targetId, stamp);
  }

  private Operation start(String requestedBy, UUID tenantId, String kind, String targetType, UUID targetId,
      io.strata.controlplane.outbox.CommandOutbox.Stamp stamp) {
    Operation op = new Operation();
    op.id = UUID.randomUUID();
    op.tenantId = tenantId;
    op.kind = kind;
    op.targetType = targetType;
    op.targetId = targetId;
    op.state = OperationState.PENDING;
    op.requestedBy = requestedBy;
    // PostgreSQL's clock: the generation of the desired state that carries the request (taken
    // from the same clock, later in the transaction) is compared with this time (PoolGrowth,
    // PoolActivityReports), and so is the watchdog's transition timeout, on any replica
    op.createdAt = stamp == null ? clock.now() : stamp.at();
    op.updatedAt = op.createdAt;
    op.persist();
    meters.started(kind);
    return op;
  }

  /** Completes every pending operation on the target (there is normally one). */
  @Transactional(Transactional.TxType.MANDATORY)
  public void complete(UUID targetId, boolean succeeded, String error) {
    finish(Operation.list("targetId = ?1 and state = ?2", targetId, OperationState.PENDING), succeeded, error);
  }

  /**
   * Completes the pending operations of one {@code kind} on the target and leaves its others
   * pending (a volume's move is cancelled while, say, a QoS change of it waits for its node).
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void complete(UUID targetId, String kind, boolean succeeded, String error) {
    finish(Operation.list("targetId = ?1 and kind = ?2 and state = ?3", targetId, kind, OperationState.PENDING),
        succeeded, error);
  }

  private void finish(List<Operation> pending, boolean succeeded, String error) {
    for (Operation op : pending) {
      op.state = succeeded ? OperationState.SUCCEEDED : OperationState.FAILED;
      op.error = error;
      op.updatedAt = Instant.now();
      meters.completed(op.kind, op.state.name());
    }
  }
}
