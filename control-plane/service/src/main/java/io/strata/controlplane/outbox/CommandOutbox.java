package io.strata.controlplane.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Attachment;
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
@Transactional(Transactional.TxType.MANDATORY)
public class CommandOutbox {
  public static final String TYPE_ARRAY = "io.strata.command.array.desired-state";
  public static final String TYPE_VOLUME = "io.strata.command.volume.desired-state";
  public static final String TYPE_LUN = "io.strata.command.lun.desired-state";
  public static final int SPEC_VERSION = 1;
  public static final String SOURCE = "strata-control-plane";

  @Inject ObjectMapper json;

  /** The array's engine, drives and pools. Arrays not placed yet have no node to tell. */
  public void arrayChanged(StorageArray array) {
    if (array.nodeId == null) {
      return;
    }
    flush();
    boolean present = array.state != ArrayState.DELETING && array.state != ArrayState.DELETED;
    List<ArrayDesiredState.DriveSpec> drives = List.of();
    List<ArrayDesiredState.PoolSpec> pools = List.of();
    if (present) {
      List<ArrayDrive> held = ArrayDrive.list("arrayId", array.id);
      Map<UUID, Drive> byId =
          held.isEmpty()
              ? Map.of()
              : Drive.<Drive>list("id in ?1", held.stream().map(d -> d.driveId).toList()).stream()
                  .collect(Collectors.toMap(d -> d.id, Function.identity()));
      drives = held.stream()
          .map(ad -> {
            Drive d = byId.get(ad.driveId);
            return new ArrayDesiredState.DriveSpec(d.id, d.nodeId, d.serial, d.type.name(), d.capacityGib, ad.poolId);
          })
          .toList();
      pools = Pool.<Pool>list("arrayId", array.id).stream()
          .map(p -> new ArrayDesiredState.PoolSpec(
              p.id, p.name, p.driveType.name(), p.protection.name(), p.cacheMode.name(), p.tiering, p.capacityGib))
          .toList();
    }
    String tenant = Tenant.<Tenant>findById(array.tenantId).alias;
    write(TYPE_ARRAY, "array/" + array.id, array.nodeId,
        new ArrayDesiredState(array.id, tenant, array.name, present, array.engineSize.name(),
            array.engineSize.vcpus(), array.engineSize.memoryGib(), array.targetIqn, array.portalPort, drives, pools));
  }

  /** The volume and its live snapshots. */
  public void volumeChanged(Volume volume) {
    StorageArray array = StorageArray.findById(volume.arrayId);
    if (array.nodeId == null) {
      return;
    }
    flush();
    boolean present = volume.state != VolumeState.DELETING && volume.state != VolumeState.DELETED;
    List<VolumeDesiredState.SnapshotSpec> snapshots =
        present
            ? Snapshot.<Snapshot>list("volumeId = ?1 and state not in ?2", volume.id,
                    Set.of(SnapshotState.DELETING, SnapshotState.DELETED)).stream()
                .map(s -> new VolumeDesiredState.SnapshotSpec(s.id, s.name))
                .toList()
            : List.of();
    write(TYPE_VOLUME, "volume/" + volume.id, array.nodeId,
        new VolumeDesiredState(volume.id, volume.arrayId, volume.poolId, volume.name, present, volume.sizeGib,
            volume.thin, volume.qosIopsLimit, volume.qosMbpsLimit, volume.sourceSnapshotId, snapshots));
  }

  /** The LUN mapping of an attachment, with the initiator's sealed CHAP credentials. */
  public void attachmentChanged(Attachment at) {
    StorageArray array = StorageArray.findById(at.arrayId);
    if (array.nodeId == null) {
      return;
    }
    Server s = Server.findById(at.serverId);
    boolean present = at.state.isActive() && at.state != io.strata.controlplane.domain.AttachmentState.DETACHING;
    write(TYPE_LUN, "attachment/" + at.id, array.nodeId,
        new LunDesiredState(at.id, at.arrayId, at.volumeId, present, at.lun, at.readOnly, s.iqn, s.chapUser,
            s.chapSecretSealed, s.mutualChapUser, s.mutualChapSecretSealed));
  }

  private void write(String type, String subject, UUID nodeId, Object payload) {
    OutboxMessage m = new OutboxMessage();
    m.id = UUID.randomUUID();
    m.type = type;
    m.specVersion = SPEC_VERSION;
    m.source = SOURCE;
    m.subject = subject;
    m.nodeId = nodeId;
    try {
      m.payload = json.writeValueAsString(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a command", e);
    }
    m.createdAt = Instant.now();
    m.persist();
  }

  private static void flush() {
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
  }
}
