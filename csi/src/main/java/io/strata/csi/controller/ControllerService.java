package io.strata.csi.controller;

import static io.strata.csi.GrpcErrors.answer;
import static io.strata.csi.GrpcErrors.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import csi.v1.ControllerGrpc;
import csi.v1.Csi;
import csi.v1.Csi.ControllerServiceCapability.RPC.Type;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.strata.csi.CsiNames;
import io.strata.csi.VolumeCapabilities;
import io.strata.csi.api.ApiException;
import io.strata.csi.api.ControlPlaneClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * CSI Controller: volumes, attachments and snapshots as control plane objects. Every call is
 * idempotent as CSI asks: a create first looks the object up by its name (and sends an
 * Idempotency-Key, so a retry racing its original gets the original's answer), a delete of what is
 * not there succeeds, a publish finds the attachment it made before.
 */
public final class ControllerService extends ControllerGrpc.ControllerImplBase {

  static final long GIB = 1L << 30;
  /** The StorageClass parameters this driver reads; any other is refused, naming it. */
  static final Set<String> PARAMETERS = Set.of("array", "pool", "thin", "qosIopsLimit", "qosMbpsLimit", "tierPin");
  private static final Set<String> GONE = Set.of("DELETING", "DELETED", "RECYCLED");

  private final ControlPlaneClient api;
  private final Optional<String> chapUser;
  private final Optional<String> chapSecret;
  private final Duration waitTimeout;
  private final Clock clock;

  public ControllerService(ControlPlaneClient api, Optional<String> chapUser, Optional<String> chapSecret,
      Duration waitTimeout, Clock clock) {
    this.api = api;
    this.chapUser = chapUser;
    this.chapSecret = chapSecret;
    this.waitTimeout = waitTimeout;
    this.clock = clock;
  }

  // ---- volumes

  @Override
  public void createVolume(Csi.CreateVolumeRequest r, StreamObserver<Csi.CreateVolumeResponse> out) {
    answer(out, () -> {
      if (r.getName().isEmpty()) {
        throw invalid("name", "is required");
      }
      if (r.getVolumeCapabilitiesCount() == 0) {
        throw invalid("volume_capabilities", "at least one is required");
      }
      VolumeCapabilities.unsupported(r.getVolumeCapabilitiesList()).ifPresent(why -> {
        throw Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException();
      });
      long sizeGib = sizeGib(r.getCapacityRange());
      String name = CsiNames.apiName(r.getName());
      String sourceSnapshot = r.hasVolumeContentSource() ? sourceSnapshotId(r.getVolumeContentSource()) : null;

      Optional<JsonNode> existing = volumeNamed(name);
      if (existing.isPresent()) {
        JsonNode v = existing.get();
        if (!fits(v.path("sizeGib").asLong() * GIB, r.getCapacityRange())) {
          throw Status.ALREADY_EXISTS.withDescription("name: volume " + r.getName() + " exists with "
              + v.path("sizeGib").asLong() + " GiB, not the capacity asked for").asRuntimeException();
        }
        String hadSource = v.path("sourceSnapshotId").isTextual() ? v.path("sourceSnapshotId").asText() : null;
        if (!java.util.Objects.equals(hadSource, sourceSnapshot)) {
          throw Status.ALREADY_EXISTS.withDescription("name: volume " + r.getName()
              + " exists with another content source").asRuntimeException();
        }
        return Csi.CreateVolumeResponse.newBuilder().setVolume(volume(awaitVolume(v, "AVAILABLE"))).build();
      }

      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("sizeGib", sizeGib);
      JsonNode created;
      if (sourceSnapshot != null) {
        JsonNode snapshot = api.find("/api/v1/snapshots/" + sourceSnapshot);
        if (snapshot == null || GONE.contains(snapshot.path("state").asText())) {
          throw Status.NOT_FOUND.withDescription("volume_content_source.snapshot.snapshot_id: no snapshot "
              + sourceSnapshot).asRuntimeException();
        }
        if (snapshot.path("sizeGib").asLong() > sizeGib) {
          throw Status.OUT_OF_RANGE.withDescription("capacity_range: the snapshot holds "
              + snapshot.path("sizeGib").asLong() + " GiB, more than " + sizeGib + " GiB").asRuntimeException();
        }
        created = api.post("/api/v1/snapshots/" + sourceSnapshot + "/clones", body, "csi-volume-" + name);
      } else {
        body.put("poolId", poolFor(r.getParametersMap()));
        body.putAll(volumeOptions(r.getParametersMap()));
        body.put("multiAttach", VolumeCapabilities.multiNode(r.getVolumeCapabilitiesList()));
        created = api.post("/api/v1/volumes", body, "csi-volume-" + name);
      }
      return Csi.CreateVolumeResponse.newBuilder().setVolume(volume(awaitVolume(created, "AVAILABLE"))).build();
    });
  }

  /** The GiB to ask for: the smallest whole GiB at least the required bytes (1 GiB when none). */
  static long sizeGib(Csi.CapacityRange range) {
    long required = range.getRequiredBytes();
    long limit = range.getLimitBytes();
    if (required < 0 || limit < 0) {
      throw invalid("capacity_range", "bytes may not be negative");
    }
    if (limit > 0 && required > limit) {
      throw invalid("capacity_range", "required_bytes " + required + " is above limit_bytes " + limit);
    }
    long gib = Math.max(1, (required + GIB - 1) / GIB);
    if (limit > 0 && gib * GIB > limit) {
      throw Status.OUT_OF_RANGE.withDescription("capacity_range: volumes are whole GiB; " + gib
          + " GiB is above limit_bytes " + limit).asRuntimeException();
    }
    return gib;
  }

  static boolean fits(long bytes, Csi.CapacityRange range) {
    return bytes >= range.getRequiredBytes() && (range.getLimitBytes() == 0 || bytes <= range.getLimitBytes());
  }

  private String sourceSnapshotId(Csi.VolumeContentSource source) {
    if (source.hasVolume()) {
      throw invalid("volume_content_source.volume", "cloning a volume is not supported; "
          + "take a VolumeSnapshot and create the volume from it");
    }
    if (!source.hasSnapshot() || source.getSnapshot().getSnapshotId().isEmpty()) {
      throw invalid("volume_content_source.snapshot.snapshot_id", "is required");
    }
    String id = source.getSnapshot().getSnapshotId();
    if (!CsiNames.isId(id)) {
      throw Status.NOT_FOUND.withDescription("volume_content_source.snapshot.snapshot_id: no snapshot " + id)
          .asRuntimeException();
    }
    return id;
  }

  private Optional<JsonNode> volumeNamed(String name) {
    return api.listAll("/api/v1/volumes", Map.of("name", name)).stream()
        .filter(v -> v.path("name").asText().equals(name) && !GONE.contains(v.path("state").asText()))
        .findFirst();
  }

  /** The pool a new volume goes to: parameter {@code pool} (an id, or a name with {@code array}). */
  String poolFor(Map<String, String> parameters) {
    checkParameters(parameters);
    String pool = parameters.get("pool");
    if (pool == null || pool.isBlank()) {
      throw invalid("parameters.pool", "is required (a pool id, or a pool name with parameters.array)");
    }
    if (CsiNames.isId(pool)) {
      if (api.find("/api/v1/pools/" + pool) == null) {
        throw invalid("parameters.pool", "no pool " + pool);
      }
      return pool;
    }
    String arrayId = arrayId(parameters.get("array"));
    return api.listAll("/api/v1/pools", Map.of("arrayId", arrayId)).stream()
        .filter(p -> p.path("name").asText().equals(pool))
        .map(p -> p.path("id").asText())
        .findFirst()
        .orElseThrow(() -> invalid("parameters.pool", "array " + parameters.get("array") + " has no pool " + pool));
  }

  private String arrayId(String array) {
    if (array == null || array.isBlank()) {
      throw invalid("parameters.array", "is required when parameters.pool is a name");
    }
    if (CsiNames.isId(array)) {
      return array;
    }
    return api.listAll("/api/v1/arrays", Map.of("name", array)).stream()
        .filter(a -> a.path("name").asText().equals(array))
        .map(a -> a.path("id").asText())
        .findFirst()
        .orElseThrow(() -> invalid("parameters.array", "no array " + array));
  }

  static void checkParameters(Map<String, String> parameters) {
    for (String key : parameters.keySet()) {
      if (!PARAMETERS.contains(key)) {
        throw invalid("parameters." + key, "unknown parameter (known: " + PARAMETERS + ")");
      }
    }
  }

  /** thin, QoS limits and tier pin, checked here so that a mistake names the StorageClass field. */
  static Map<String, Object> volumeOptions(Map<String, String> p) {
    Map<String, Object> options = new LinkedHashMap<>();
    if (p.containsKey("thin")) {
      String thin = p.get("thin");
      if (!thin.equals("true") && !thin.equals("false")) {
        throw invalid("parameters.thin", "must be true or false, not '" + thin + "'");
      }
      options.put("thin", Boolean.parseBoolean(thin));
    }
    for (String limit : List.of("qosIopsLimit", "qosMbpsLimit")) {
      if (p.containsKey(limit)) {
        try {
          int value = Integer.parseInt(p.get(limit));
          if (value <= 0) {
            throw new NumberFormatException();
          }
          options.put(limit, value);
        } catch (NumberFormatException e) {
          throw invalid("parameters." + limit, "must be a positive whole number, not '" + p.get(limit) + "'");
        }
      }
    }
    if (p.containsKey("tierPin")) {
      String tier = p.get("tierPin");
      if (!tier.equals("SSD") && !tier.equals("HDD")) {
        throw invalid("parameters.tierPin", "must be SSD or HDD, not '" + tier + "'");
      }
      options.put("tierPin", tier);
    }
    return options;
  }

  private Csi.Volume volume(JsonNode v) {
    Csi.Volume.Builder b = Csi.Volume.newBuilder()
        .setVolumeId(v.path("id").asText())
        .setCapacityBytes(v.path("sizeGib").asLong() * GIB)
        .putVolumeContext("arrayId", v.path("arrayId").asText())
        .putVolumeContext("poolId", v.path("poolId").asText());
    if (v.path("sourceSnapshotId").isTextual()) {
      b.setContentSource(Csi.VolumeContentSource.newBuilder().setSnapshot(
          Csi.VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(v.path("sourceSnapshotId").asText())));
    }
    return b.build();
  }

  @Override
  public void deleteVolume(Csi.DeleteVolumeRequest r, StreamObserver<Csi.DeleteVolumeResponse> out) {
    answer(out, () -> {
      if (r.getVolumeId().isEmpty()) {
        throw invalid("volume_id", "is required");
      }
      // an id that is not one of ours names nothing: deleted already
      if (CsiNames.isId(r.getVolumeId())) {
        JsonNode v = api.find("/api/v1/volumes/" + r.getVolumeId());
        if (v != null && !GONE.contains(v.path("state").asText())) {
          // an AVAILABLE volume goes to the tenant's recycle bin (docs/control-plane.md)
          api.delete("/api/v1/volumes/" + r.getVolumeId());
        }
      }
      return Csi.DeleteVolumeResponse.getDefaultInstance();
    });
  }

  @Override
  public void validateVolumeCapabilities(Csi.ValidateVolumeCapabilitiesRequest r,
      StreamObserver<Csi.ValidateVolumeCapabilitiesResponse> out) {
    answer(out, () -> {
      if (r.getVolumeId().isEmpty()) {
        throw invalid("volume_id", "is required");
      }
      if (r.getVolumeCapabilitiesCount() == 0) {
        throw invalid("volume_capabilities", "at least one is required");
      }
      requireVolume(r.getVolumeId());
      Optional<String> why = VolumeCapabilities.unsupported(r.getVolumeCapabilitiesList());
      if (why.isPresent()) {
        return Csi.ValidateVolumeCapabilitiesResponse.newBuilder().setMessage(why.get()).build();
      }
      return Csi.ValidateVolumeCapabilitiesResponse.newBuilder()
          .setConfirmed(Csi.ValidateVolumeCapabilitiesResponse.Confirmed.newBuilder()
              .addAllVolumeCapabilities(r.getVolumeCapabilitiesList())
              .putAllVolumeContext(r.getVolumeContextMap())
              .putAllParameters(r.getParametersMap()))
          .build();
    });
  }

  private JsonNode requireVolume(String id) {
    JsonNode v = CsiNames.isId(id) ? api.find("/api/v1/volumes/" + id) : null;
    if (v == null || GONE.contains(v.path("state").asText())) {
      throw Status.NOT_FOUND.withDescription("volume_id: no volume " + id).asRuntimeException();
    }
    return v;
  }

  @Override
  public void listVolumes(Csi.ListVolumesRequest r, StreamObserver<Csi.ListVolumesResponse> out) {
    answer(out, () -> {
      Csi.ListVolumesResponse.Builder b = Csi.ListVolumesResponse.newBuilder();
      String token = livePages("/api/v1/volumes", Map.of(), r.getMaxEntries(), r.getStartingToken(),
          v -> b.addEntries(Csi.ListVolumesResponse.Entry.newBuilder().setVolume(volume(v))));
      return b.setNextToken(token).build();
    });
  }

  /**
   * The live (not deleted or recycled) objects of one page, and the token of the next. The API's
   * lists hold deleted objects too: while a page has none alive, the next one is read, so a page
   * the caller gets is never empty while more remain.
   */
  private String livePages(String path, Map<String, String> filter, int maxEntries, String token,
      java.util.function.Consumer<JsonNode> add) {
    while (true) {
      JsonNode page = page(path, filter, maxEntries, token);
      int added = 0;
      for (JsonNode item : page.path("items")) {
        if (!GONE.contains(item.path("state").asText())) {
          add.accept(item);
          added++;
        }
      }
      token = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : "";
      if (added > 0 || token.isEmpty()) {
        return token;
      }
    }
  }

  /** One page of a list; CSI's starting token is the API's cursor. */
  private JsonNode page(String path, Map<String, String> filter, int maxEntries, String token) {
    if (maxEntries < 0) {
      throw invalid("max_entries", "may not be negative");
    }
    Map<String, String> q = new LinkedHashMap<>(filter);
    q.put("limit", String.valueOf(maxEntries == 0 ? 500 : Math.min(maxEntries, 500)));
    if (!token.isEmpty()) {
      q.put("cursor", token);
    }
    try {
      return api.get(path + ControlPlaneClient.query(q));
    } catch (ApiException e) {
      if (!token.isEmpty() && e.status() == 400) {
        throw Status.ABORTED.withDescription("starting_token: not a token this driver gave out").asRuntimeException();
      }
      throw e;
    }
  }

  @Override
  public void getCapacity(Csi.GetCapacityRequest r, StreamObserver<Csi.GetCapacityResponse> out) {
    answer(out, () -> {
      VolumeCapabilities.unsupported(r.getVolumeCapabilitiesList()).ifPresent(why -> {
        throw Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException();
      });
      List<JsonNode> pools;
      if (r.getParametersMap().containsKey("pool")) {
        pools = List.of(api.get("/api/v1/pools/" + poolFor(r.getParametersMap())));
      } else {
        checkParameters(r.getParametersMap());
        pools = api.listAll("/api/v1/pools", Map.of());
      }
      long freeGib = 0;
      long largestGib = 0;
      for (JsonNode pool : pools) {
        long free = Math.max(0, pool.path("capacityGib").asLong() - thickGib(pool.path("id").asText()));
        freeGib += free;
        largestGib = Math.max(largestGib, free);
      }
      return Csi.GetCapacityResponse.newBuilder()
          .setAvailableCapacity(freeGib * GIB)
          .setMaximumVolumeSize(com.google.protobuf.Int64Value.of(largestGib * GIB))
          .build();
    });
  }

  /** GiB reserved in the pool by its thick volumes (thin ones take only what they write). */
  private long thickGib(String poolId) {
    return api.listAll("/api/v1/volumes", Map.of("poolId", poolId)).stream()
        .filter(v -> !GONE.contains(v.path("state").asText()) && !v.path("thin").asBoolean(true))
        .mapToLong(v -> v.path("sizeGib").asLong())
        .sum();
  }

  @Override
  public void controllerGetCapabilities(Csi.ControllerGetCapabilitiesRequest r,
      StreamObserver<Csi.ControllerGetCapabilitiesResponse> out) {
    Csi.ControllerGetCapabilitiesResponse.Builder b = Csi.ControllerGetCapabilitiesResponse.newBuilder();
    for (Type t : List.of(Type.CREATE_DELETE_VOLUME, Type.PUBLISH_UNPUBLISH_VOLUME, Type.LIST_VOLUMES,
        Type.GET_CAPACITY, Type.CREATE_DELETE_SNAPSHOT, Type.LIST_SNAPSHOTS, Type.EXPAND_VOLUME,
        Type.PUBLISH_READONLY)) {
      b.addCapabilities(Csi.ControllerServiceCapability.newBuilder()
          .setRpc(Csi.ControllerServiceCapability.RPC.newBuilder().setType(t)));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void controllerExpandVolume(Csi.ControllerExpandVolumeRequest r,
      StreamObserver<Csi.ControllerExpandVolumeResponse> out) {
    answer(out, () -> {
      if (r.getVolumeId().isEmpty()) {
        throw invalid("volume_id", "is required");
      }
      if (!r.hasCapacityRange()) {
        throw invalid("capacity_range", "is required");
      }
      long gib = sizeGib(r.getCapacityRange());
      requireVolume(r.getVolumeId());
      ControlPlaneClient.Answer read = api.getWithEtag("/api/v1/volumes/" + r.getVolumeId());
      JsonNode v = read.body();
      if (v.path("sizeGib").asLong() < gib) {
        v = api.patch("/api/v1/volumes/" + r.getVolumeId(), Map.of("sizeGib", gib), read.etag());
      }
      v = awaitVolume(v, "AVAILABLE");
      boolean block = r.hasVolumeCapability() && r.getVolumeCapability().hasBlock();
      return Csi.ControllerExpandVolumeResponse.newBuilder()
          .setCapacityBytes(v.path("sizeGib").asLong() * GIB)
          .setNodeExpansionRequired(!block)
          .build();
    });
  }

  // ---- attachments

  @Override
  public void controllerPublishVolume(Csi.ControllerPublishVolumeRequest r,
      StreamObserver<Csi.ControllerPublishVolumeResponse> out) {
    answer(out, () -> {
      if (r.getVolumeId().isEmpty()) {
        throw invalid("volume_id", "is required");
      }
      if (r.getNodeId().isEmpty()) {
        throw invalid("node_id", "is required");
      }
      if (!r.hasVolumeCapability()) {
        throw invalid("volume_capability", "is required");
      }
      VolumeCapabilities.unsupported(r.getVolumeCapability(), "volume_capability").ifPresent(why -> {
        throw Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException();
      });
      JsonNode volume = requireVolume(r.getVolumeId());
      if (!CsiNames.isIqn(r.getNodeId())) {
        throw Status.NOT_FOUND.withDescription("node_id: '" + r.getNodeId()
            + "' is not a node of this driver (node ids are the nodes' iSCSI initiator names)").asRuntimeException();
      }
      String serverId = serverFor(r.getNodeId());
      boolean readOnly = r.getReadonly() || VolumeCapabilities.readOnly(r.getVolumeCapability());
      Optional<JsonNode> existing = activeAttachments(volume.path("id").asText(), serverId).stream().findFirst();
      JsonNode attachment;
      if (existing.isPresent()) {
        attachment = existing.get();
        if (attachment.path("readOnly").asBoolean() != readOnly) {
          throw Status.ALREADY_EXISTS.withDescription("readonly: the volume is published to node " + r.getNodeId()
              + (readOnly ? " read-write" : " read-only")).asRuntimeException();
        }
      } else {
        attachment = api.post("/api/v1/attachments",
            Map.of("volumeId", r.getVolumeId(), "serverId", serverId, "readOnly", readOnly), null);
      }
      attachment = await("/api/v1/attachments/" + attachment.path("id").asText(), attachment, "ATTACHED");
      JsonNode c = attachment.path("connection");
      List<String> portals = new ArrayList<>();
      c.path("portals").forEach(p -> portals.add(p.asText()));
      Csi.ControllerPublishVolumeResponse.Builder b = Csi.ControllerPublishVolumeResponse.newBuilder()
          .putPublishContext("targetIqn", c.path("targetIqn").asText())
          .putPublishContext("portals", String.join(",", portals))
          .putPublishContext("lun", String.valueOf(attachment.path("lun").asInt()))
          .putPublishContext("authMethod", c.path("authMethod").asText("None"));
      if (c.path("chapUser").isTextual()) {
        b.putPublishContext("chapUser", c.path("chapUser").asText());
      }
      return b.build();
    });
  }

  /** The control plane server (initiator) of a node, registered with the driver's CHAP user on first use. */
  private String serverFor(String iqn) {
    Optional<JsonNode> known = api.listAll("/api/v1/servers", Map.of("iqn", iqn)).stream()
        .filter(s -> s.path("iqn").asText().equals(iqn)).findFirst();
    if (known.isPresent()) {
      return known.get().path("id").asText();
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", CsiNames.serverName(iqn));
    body.put("iqn", iqn);
    chapUser.ifPresent(u -> body.put("chapUser", u));
    chapSecret.ifPresent(s -> body.put("chapSecret", s));
    return api.post("/api/v1/servers", body, "csi-server-" + iqn).path("id").asText();
  }

  private List<JsonNode> activeAttachments(String volumeId, String serverId) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("volumeId", volumeId);
    if (serverId != null) {
      q.put("serverId", serverId);
    }
    return api.listAll("/api/v1/attachments", q).stream()
        .filter(a -> Set.of("ATTACHING", "ATTACHED", "FAILED").contains(a.path("state").asText()))
        .toList();
  }

  @Override
  public void controllerUnpublishVolume(Csi.ControllerUnpublishVolumeRequest r,
      StreamObserver<Csi.ControllerUnpublishVolumeResponse> out) {
    answer(out, () -> {
      if (r.getVolumeId().isEmpty()) {
        throw invalid("volume_id", "is required");
      }
      if (!CsiNames.isId(r.getVolumeId()) || api.find("/api/v1/volumes/" + r.getVolumeId()) == null) {
        return Csi.ControllerUnpublishVolumeResponse.getDefaultInstance();
      }
      String serverId = null;
      if (!r.getNodeId().isEmpty()) {
        Optional<JsonNode> server = api.listAll("/api/v1/servers", Map.of("iqn", r.getNodeId())).stream()
            .filter(s -> s.path("iqn").asText().equals(r.getNodeId())).findFirst();
        if (server.isEmpty()) {
          return Csi.ControllerUnpublishVolumeResponse.getDefaultInstance();
        }
        serverId = server.get().path("id").asText();
      }
      for (JsonNode a : activeAttachments(r.getVolumeId(), serverId)) {
        String path = "/api/v1/attachments/" + a.path("id").asText();
        if (api.delete(path)) {
          awaitGone(path, "DETACHED");
        }
      }
      return Csi.ControllerUnpublishVolumeResponse.getDefaultInstance();
    });
  }

  // ---- snapshots

  @Override
  public void createSnapshot(Csi.CreateSnapshotRequest r, StreamObserver<Csi.CreateSnapshotResponse> out) {
    answer(out, () -> {
      if (r.getName().isEmpty()) {
        throw invalid("name", "is required");
      }
      if (r.getSourceVolumeId().isEmpty()) {
        throw invalid("source_volume_id", "is required");
      }
      String name = CsiNames.apiName(r.getName());
      Optional<JsonNode> existing = api.listAll("/api/v1/snapshots", Map.of()).stream()
          .filter(s -> s.path("name").asText().equals(name) && !GONE.contains(s.path("state").asText()))
          .findFirst();
      JsonNode snapshot;
      if (existing.isPresent()) {
        snapshot = existing.get();
        if (!snapshot.path("volumeId").asText().equals(r.getSourceVolumeId())) {
          throw Status.ALREADY_EXISTS.withDescription("name: snapshot " + r.getName()
              + " exists of another volume").asRuntimeException();
        }
      } else {
        requireVolume(r.getSourceVolumeId());
        snapshot = api.post("/api/v1/snapshots", Map.of("volumeId", r.getSourceVolumeId(), "name", name),
            "csi-snapshot-" + name);
      }
      snapshot = await("/api/v1/snapshots/" + snapshot.path("id").asText(), snapshot, "AVAILABLE");
      return Csi.CreateSnapshotResponse.newBuilder().setSnapshot(snapshot(snapshot)).build();
    });
  }

  private static Csi.Snapshot snapshot(JsonNode s) {
    Instant created = Instant.parse(s.path("createdAt").asText());
    return Csi.Snapshot.newBuilder()
        .setSnapshotId(s.path("id").asText())
        .setSourceVolumeId(s.path("volumeId").asText())
        .setSizeBytes(s.path("sizeGib").asLong() * GIB)
        .setCreationTime(Timestamp.newBuilder().setSeconds(created.getEpochSecond()).setNanos(created.getNano()))
        .setReadyToUse(s.path("state").asText().equals("AVAILABLE"))
        .build();
  }

  @Override
  public void deleteSnapshot(Csi.DeleteSnapshotRequest r, StreamObserver<Csi.DeleteSnapshotResponse> out) {
    answer(out, () -> {
      if (r.getSnapshotId().isEmpty()) {
        throw invalid("snapshot_id", "is required");
      }
      if (CsiNames.isId(r.getSnapshotId())) {
        JsonNode s = api.find("/api/v1/snapshots/" + r.getSnapshotId());
        if (s != null && !GONE.contains(s.path("state").asText())) {
          api.delete("/api/v1/snapshots/" + r.getSnapshotId());
        }
      }
      return Csi.DeleteSnapshotResponse.getDefaultInstance();
    });
  }

  @Override
  public void listSnapshots(Csi.ListSnapshotsRequest r, StreamObserver<Csi.ListSnapshotsResponse> out) {
    answer(out, () -> {
      Csi.ListSnapshotsResponse.Builder b = Csi.ListSnapshotsResponse.newBuilder();
      Predicate<JsonNode> live = s -> !GONE.contains(s.path("state").asText());
      if (!r.getSnapshotId().isEmpty()) {
        JsonNode s = CsiNames.isId(r.getSnapshotId()) ? api.find("/api/v1/snapshots/" + r.getSnapshotId()) : null;
        if (s != null && live.test(s)
            && (r.getSourceVolumeId().isEmpty() || s.path("volumeId").asText().equals(r.getSourceVolumeId()))) {
          b.addEntries(Csi.ListSnapshotsResponse.Entry.newBuilder().setSnapshot(snapshot(s)));
        }
        return b.build();
      }
      Map<String, String> filter = new LinkedHashMap<>();
      if (!r.getSourceVolumeId().isEmpty()) {
        if (!CsiNames.isId(r.getSourceVolumeId())) {
          return b.build();
        }
        filter.put("volumeId", r.getSourceVolumeId());
      }
      String token = livePages("/api/v1/snapshots", filter, r.getMaxEntries(), r.getStartingToken(),
          s -> b.addEntries(Csi.ListSnapshotsResponse.Entry.newBuilder().setSnapshot(snapshot(s))));
      return b.setNextToken(token).build();
    });
  }

  // ---- waiting for the array to act

  private JsonNode awaitVolume(JsonNode v, String state) {
    return await("/api/v1/volumes/" + v.path("id").asText(), v, state);
  }

  /**
   * Polls the object until it reaches {@code state}. FAILED is an error naming the reason; an
   * object still on its way when the wait is over is ABORTED ("still in progress"), and the
   * sidecar's retry finds it by name and waits again.
   */
  JsonNode await(String path, JsonNode object, String state) {
    Instant deadline = clock.instant().plus(waitTimeout);
    long pause = 100;
    while (true) {
      String now = object.path("state").asText();
      if (now.equals(state)) {
        return object;
      }
      if (now.equals("FAILED")) {
        throw Status.INTERNAL.withDescription(path + " FAILED: " + object.path("failureReason").asText())
            .asRuntimeException();
      }
      if (clock.instant().isAfter(deadline)) {
        throw Status.ABORTED.withDescription(path + " is still " + now + " after " + waitTimeout
            + "; the operation goes on, retry").asRuntimeException();
      }
      sleep(pause);
      pause = Math.min(1000, pause * 2);
      object = api.get(path);
    }
  }

  private void awaitGone(String path, String state) {
    Instant deadline = clock.instant().plus(waitTimeout);
    long pause = 100;
    while (true) {
      JsonNode object = api.find(path);
      if (object == null || object.path("state").asText().equals(state)) {
        return;
      }
      if (clock.instant().isAfter(deadline)) {
        throw Status.ABORTED.withDescription(path + " is still " + object.path("state").asText() + " after "
            + waitTimeout + "; retry").asRuntimeException();
      }
      sleep(pause);
      pause = Math.min(1000, pause * 2);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    }
  }

}
