package io.strata.controlplane.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.AttachmentState;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.Server;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Writes the command that follows from a domain change into the outbox, in the caller's
 * transaction: either both the change and the command are committed, or neither. The relay to
 * Kafka (strata.commands, key = node id) belongs to the provisioning work (issue 6).
 */
@ApplicationScoped
public class CommandOutbox {
  public static final String TYPE_ARRAY_DESIRED_STATE = "io.strata.command.array.desired-state";
  public static final int SPEC_VERSION = 1;
  public static final String SOURCE = "strata-control-plane";

  @Inject ObjectMapper json;

  /** Queues the array's full desired state for its node. Arrays not yet placed have no node. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void arrayChanged(StorageArray array) {
    if (array.nodeId == null) {
      return;
    }
    OutboxMessage m = new OutboxMessage();
    m.id = UUID.randomUUID();
    m.type = TYPE_ARRAY_DESIRED_STATE;
    m.specVersion = SPEC_VERSION;
    m.source = SOURCE;
    m.subject = "array/" + array.id;
    m.nodeId = array.nodeId;
    m.payload = write(desiredState(array));
    m.createdAt = Instant.now();
    m.persist();
  }

  ArrayDesiredState desiredState(StorageArray array) {
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    boolean present = array.state != ArrayState.DELETING && array.state != ArrayState.DELETED;
    String tenant = Tenant.<Tenant>findById(array.tenantId).alias;
    List<ArrayDrive> held = ArrayDrive.list("arrayId", array.id);
    Map<UUID, Drive> drives =
        held.isEmpty()
            ? Map.of()
            : Drive.<Drive>list("id in ?1", held.stream().map(d -> d.driveId).toList()).stream()
                .collect(Collectors.toMap(d -> d.id, Function.identity()));
    List<Pool> pools = Pool.list("arrayId", array.id);
    List<Volume> volumes =
        Volume.list("arrayId = ?1 and state not in ?2", array.id, Set.of(VolumeState.DELETED, VolumeState.DELETING));
    Map<UUID, List<Snapshot>> snapshots =
        volumes.isEmpty()
            ? Map.of()
            : Snapshot.<Snapshot>list(
                    "volumeId in ?1 and state not in ?2",
                    volumes.stream().map(v -> v.id).toList(),
                    Set.of(SnapshotState.DELETED, SnapshotState.DELETING))
                .stream()
                .collect(Collectors.groupingBy(s -> s.volumeId));
    List<Attachment> attachments =
        Attachment.list("arrayId = ?1 and state in ?2", array.id,
            Set.of(AttachmentState.ATTACHING, AttachmentState.ATTACHED));
    List<Server> servers =
        attachments.isEmpty()
            ? List.of()
            : Server.list("id in ?1", attachments.stream().map(a -> a.serverId).distinct().toList());

    return new ArrayDesiredState(
        array.id,
        tenant,
        array.name,
        present,
        array.engineSize.name(),
        array.engineSize.vcpus(),
        array.engineSize.memoryGib(),
        array.targetIqn,
        array.portalPort,
        present
            ? held.stream()
                .map(ad -> {
                  Drive d = drives.get(ad.driveId);
                  return new ArrayDesiredState.DriveSpec(
                      d.id, d.nodeId, d.serial, d.type.name(), d.capacityGib, ad.poolId);
                })
                .toList()
            : List.of(),
        present
            ? pools.stream()
                .map(p -> new ArrayDesiredState.PoolSpec(
                    p.id, p.name, p.driveType.name(), p.protection.name(), p.cacheMode.name(), p.tiering,
                    p.capacityGib))
                .toList()
            : List.of(),
        present
            ? volumes.stream()
                .map(v -> new ArrayDesiredState.VolumeSpec(
                    v.id, v.poolId, v.name, v.sizeGib, v.thin, v.qosIopsLimit, v.qosMbpsLimit,
                    v.sourceSnapshotId,
                    snapshots.getOrDefault(v.id, List.of()).stream()
                        .map(s -> new ArrayDesiredState.SnapshotSpec(s.id, s.name))
                        .toList()))
                .toList()
            : List.of(),
        present
            ? servers.stream()
                .map(s -> new ArrayDesiredState.ServerSpec(
                    s.id, s.iqn, s.chapUser, s.chapSecretSealed, s.mutualChapUser, s.mutualChapSecretSealed))
                .toList()
            : List.of(),
        present
            ? attachments.stream()
                .map(a -> new ArrayDesiredState.LunSpec(a.id, a.volumeId, a.serverId, a.lun, a.readOnly))
                .toList()
            : List.of());
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a command", e);
    }
  }
}
