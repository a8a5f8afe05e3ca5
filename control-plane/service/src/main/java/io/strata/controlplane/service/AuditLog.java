package io.strata.controlplane.service;

import io.strata.controlplane.domain.AuditEntry;
import io.strata.controlplane.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/** Writes who did what, when, from where, in the transaction of the change itself. */
@ApplicationScoped
public class AuditLog {
  @Inject Caller caller;

  /** Records the change as done by the calling user. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void record(UUID tenantId, String action, String targetType, UUID targetId) {
    record(Actor.of(caller), tenantId, action, targetType, targetId);
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void record(Actor by, UUID tenantId, String action, String targetType, UUID targetId) {
    AuditEntry e = new AuditEntry();
    e.tenantId = tenantId;
    e.actor = by.name();
    e.action = action;
    e.targetType = targetType;
    e.targetId = targetId;
    e.remoteAddress = by.remoteAddress();
    e.at = Instant.now();
    e.persist();
  }
}
