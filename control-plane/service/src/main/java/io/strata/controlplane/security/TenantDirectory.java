package io.strata.controlplane.security;

import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.domain.TenantState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves a token's tenant alias to the tenant row. Active tenants are cached (a tenant's id
 * and alias never change); suspending a tenant evicts it.
 */
@ApplicationScoped
public class TenantDirectory {
  private final ConcurrentHashMap<String, Tenant> active = new ConcurrentHashMap<>();

  @Transactional(Transactional.TxType.SUPPORTS)
  public Tenant byAlias(String alias) {
    Tenant cached = active.get(alias);
    if (cached != null) {
      return cached;
    }
    Tenant tenant = Tenant.byAlias(alias).orElse(null);
    if (tenant != null && tenant.state == TenantState.ACTIVE) {
      Tenant copy = new Tenant();
      copy.id = tenant.id;
      copy.alias = tenant.alias;
      copy.state = tenant.state;
      active.put(alias, copy);
    }
    return tenant;
  }

  public void evict(String alias) {
    active.remove(alias);
  }

  public UUID idOf(String alias) {
    Tenant t = byAlias(alias);
    return t == null ? null : t.id;
  }
}
