package io.strata.controlplane.audit;

import jakarta.enterprise.context.RequestScoped;

/**
 * What the audit log knows about the API request being served: whether the change it made was
 * already written (by {@link io.strata.controlplane.service.AuditLog}, in the change's own
 * transaction), so that {@link AuditFilter} adds an entry only for what was not.
 */
@RequestScoped
public class AuditRequest {
  private boolean recorded;

  public void markRecorded() {
    recorded = true;
  }

  public boolean recorded() {
    return recorded;
  }
}
