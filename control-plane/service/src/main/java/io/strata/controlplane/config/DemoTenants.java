package io.strata.controlplane.config;

import io.quarkus.runtime.StartupEvent;
import io.strata.controlplane.domain.Quota;
import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.domain.TenantState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Creates the demo tenants matching the demo users of the Keycloak realm in infra/ (acme,
 * globex) when {@code strata.control-plane.demo-tenants} lists them: set in the dev and test
 * profiles and by the local stack (STRATA_DEMO_TENANTS), never in production. Idempotent.
 */
@ApplicationScoped
public class DemoTenants {
  private static final Logger LOG = Logger.getLogger(DemoTenants.class);

  @jakarta.inject.Inject StrataConfig config;
  @jakarta.inject.Inject io.strata.controlplane.replicas.ReplicaLocks locks;

  @Transactional
  void onStart(@Observes StartupEvent event) {
    if (config.demoTenants().orElse(List.of()).isEmpty()) {
      return;
    }
    // two replicas starting together: the second waits for the first's commit, then finds the
    // tenants (before, its insert failed on tenant.alias and aborted its start)
    locks.lock(io.strata.controlplane.replicas.ReplicaLocks.DEMO_SEED);
    for (String alias : config.demoTenants().orElse(List.of())) {
      if (Tenant.byAlias(alias).isPresent()) {
        continue;
      }
      Tenant t = new Tenant();
      t.id = UUID.randomUUID();
      t.alias = alias;
      t.displayName = Character.toUpperCase(alias.charAt(0)) + alias.substring(1) + " (demo)";
      t.state = TenantState.ACTIVE;
      t.createdAt = Instant.now();
      t.persist();
      Quota q = new Quota();
      q.tenantId = t.id;
      q.maxArrays = 10;
      q.maxSsdDrives = 40;
      q.maxHddDrives = 40;
      q.maxCapacityGib = 1_048_576;
      q.persist();
      LOG.infof("created demo tenant %s", alias);
    }
  }
}
