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

  @Transactional(Transactional.TxType.MANDATORY)
  public void record(UUID tenantId, String action, String targetType, UUID targetId) {
    AuditEntry e = new AuditEntry();
    e.tenantId = tenantId;
    e.actor = caller.name();
    e.action = action;
    e.targetType = targetType;
    e.targetId = targetId;
    e.remoteAddress = caller.remoteAddress();
    e.at = Instant.now();
    e.persist();
  }
}
