package io.strata.controlplane.domain;

import java.util.UUID;

/** A row that belongs to one tenant: the API loads it only for that tenant (see Owned). */
public interface TenantOwned {
  /** The tenant the row belongs to. */
  UUID ownerTenantId();
}
