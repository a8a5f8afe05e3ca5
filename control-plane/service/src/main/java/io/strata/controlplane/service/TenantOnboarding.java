package io.strata.controlplane.service;

import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.rest.dto.OperatorDtos.TenantCreate;
import io.strata.controlplane.rest.dto.OperatorDtos.TenantView;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.security.TenantIdentities;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A new tenant: its Keycloak organization and admin user first (so that the admin can sign in as
 * soon as the API answers), then its rows; if the rows fail, the Keycloak objects are removed.
 */
@ApplicationScoped
public class TenantOnboarding {
  @Inject TenantIdentities identities;
  @Inject OperatorService operator;

  public TenantView onboard(TenantCreate req) {
    if (Tenant.byAlias(req.alias()).isPresent()) {
      throw ApiException.conflict("already-exists", "alias: a tenant with alias '" + req.alias() + "' exists");
    }
    identities.create(req.alias(), req.displayName(), req.admin().username(), req.admin().email(), req.admin().password());
    try {
      return operator.createTenant(req);
    } catch (RuntimeException e) {
      identities.undo(req.alias(), req.admin().username());
      throw e;
    }
  }
}
