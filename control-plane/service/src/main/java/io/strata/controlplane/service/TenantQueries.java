package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.OperationState;
import io.strata.controlplane.domain.Quota;
import io.strata.controlplane.domain.Server;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.dto.CommonDtos.OperationView;
import io.strata.controlplane.rest.dto.CommonDtos.UsageView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.UUID;

/** Read-only tenant views: operations and usage. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class TenantQueries {

  public Page<OperationView> operations(UUID tenantId, OperationState state, UUID targetId, String cursor, Integer limit) {
    return Listing.where("tenantId = :tenant", "tenant", tenantId)
        .and("state = :state", "state", state)
        .and("targetId = :target", "target", targetId)
        .page(Operation.class, cursor, limit, Views::operation, o -> o.id);
  }

  public OperationView operation(UUID tenantId, UUID id) {
    return Views.operation(Owned.find(Operation.class, "operation", tenantId, id));
  }

  public UsageView usage(UUID tenantId) {
    return new UsageView(
        Counts.of(StorageArray.class, "tenantId = ?1 and state <> ?2", tenantId, ArrayState.DELETED),
        Quotas.drivesHeld(tenantId, DriveType.SSD),
        Quotas.drivesHeld(tenantId, DriveType.HDD),
        Counts.of(Volume.class, "tenantId = ?1", tenantId),
        Quotas.provisionedGib(tenantId),
        Counts.of(Snapshot.class, "tenantId = ?1", tenantId),
        Counts.of(Server.class, "tenantId = ?1", tenantId),
        Counts.of(Attachment.class, "tenantId = ?1 and state in ?2", tenantId, AttachmentService.ACTIVE),
        Views.quota(Quota.findById(tenantId)));
  }
}
