package io.strata.controlplane.service;

import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.replicas.ReplicaLocks;
import io.strata.controlplane.rest.dto.OperatorDtos.TenantCreate;
import io.strata.controlplane.rest.dto.OperatorDtos.TenantView;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.security.TenantIdentities;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * A new tenant: its Keycloak organization and admin user first (so that the admin can sign in as
 * soon as the API answers), then its rows; if the rows fail, the Keycloak objects are removed.
 *
 * <p>That removal is best effort, and a call to Keycloak may fail after it made the organization
 * or the user (a connection cut, a time-out under load): the tenant is then half made, its rows
 * absent and its alias and admin user name taken in Keycloak. Onboarding converges instead of
 * answering 409 for ever: for one alias at a time (an advisory lock, across replicas), when no
 * tenant row has the alias, it first removes what an earlier onboarding of that alias left in
 * Keycloak (only objects carrying the onboarding marker for this alias), then makes them again.
 * A retry with the same Idempotency-Key and a new request for the same alias both do so.
 */
@ApplicationScoped
public class TenantOnboarding {
  @Inject TenantIdentities identities;
  @Inject OperatorService operator;
  @Inject ReplicaLocks locks;

  @Transactional
  public TenantView onboard(TenantCreate req) {
    // After the lock, the check sees every tenant committed before (read committed): an
    // onboarding of the same alias still under way holds the lock until its rows commit.
    locks.lockTenantAlias(req.alias());
    if (Tenant.byAlias(req.alias()).isPresent()) {
      throw ApiException.conflict("already-exists", "alias: a tenant with alias '" + req.alias() + "' exists");
    }
    identities.clearLeftovers(req.alias());
    TenantIdentities.Created made = identities.create(
        req.alias(), req.displayName(), req.admin().username(), req.admin().email(), req.admin().password());
    try {
      return operator.createTenant(req);
    } catch (RuntimeException e) {
      identities.undo(made); // what this attempt made, by id: never another attempt's objects
      throw e;
    }
  }
}
