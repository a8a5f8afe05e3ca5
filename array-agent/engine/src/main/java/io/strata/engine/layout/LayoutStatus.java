package io.strata.engine.layout;

import io.strata.engine.pool.PoolScrub;
import io.strata.engine.stats.StackFigures;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * The {@code --layout-status} file: the outcome of the last attempt to apply the layout, which
 * the node agent waits on to report objects ONLINE or FAILED. Written after start and after every
 * reload as {@code {"revision": N, "ok": true, "time": "..."}} or
 * {@code {"revision": N, "ok": false, "error": "...", "time": "..."}}, where N is the revision of
 * the layout the engine tried to apply (null when the file is so broken that it has none).
 * Replaced atomically (temporary file, then rename), so a reader never sees half of it.
 */
public final class LayoutStatus {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LayoutStatus() {}

  public static void write(Path file, Long revision, String error) throws IOException {
    write(file, revision, error, List.of());
  }

  /**
   * As above, with each drive's state: {@code "drives": [{"name": "d2", "remote": true, "pool":
   * "p1", "state": "FAILED", "reason": "..."}]} (state ONLINE, REBUILDING or FAILED; reason only
   * when FAILED). A remote drive that cannot be reached is FAILED with the initiator's reason.
   */
  public static void write(Path file, Long revision, String error,
      List<ArrayStack.DriveHealth> drives) throws IOException {
    write(file, revision, error, drives, Map.of());
  }

  /**
   * As above, with the pools refused because a drive they claim belongs to another pool:
   * {@code "refusedPools": {"q": "pool q refused: drive 'ssd1' is the flash cache of pool p"}}
   * (then {@code ok} is false and {@code error} joins the reasons; the rest of the layout was
   * applied and the other pools are served).
   */
  public static void write(Path file, Long revision, String error,
      List<ArrayStack.DriveHealth> drives, Map<String, String> refusedPools) throws IOException {
    write(file, revision, error, drives, refusedPools, List.of());
  }

  /**
   * As above, with the remote drives a failed revision waits for: {@code "waitingForDrives":
   * ["d2"]} when the layout could not apply only because a new pool's remote drives cannot be
   * reached now. The engine tries that revision again by itself, so the agent reports its new
   * objects as pending, not FAILED.
   */
  public static void write(Path file, Long revision, String error,
      List<ArrayStack.DriveHealth> drives, Map<String, String> refusedPools,
      List<String> waitingForDrives) throws IOException {
    write(file, revision, error, drives, refusedPools, waitingForDrives, null, Map.of(), null);
  }

  /**
   * An engine's part in a highly available array: the {@code role} and {@code epoch} its layout
   * gives it and the {@code state} it is in (STANDBY, PROMOTING, ACTIVE or DEMOTING). A role of
   * ACTIVE in state STANDBY is a promotion that failed (the status's error says why) and is tried
   * again.
   */
  public record Ha(String role, long epoch, String state) {}

  /**
   * As above, with {@code "ha": {"role", "epoch", "state"}} when {@code ha} is not null, and how
   * each cached pool's acknowledged writes are protected by its flash cache
   * (docs/high-availability.md): {@code "pools": [{"name": "p0", "cacheProtection":
   * "MIRRORED"}]}, one entry per pool with a cache; {@code MIRRORED}, {@code WRITE_THROUGH} or
   * {@code SINGLE_COPY} ({@link ArrayStack#cacheProtection}). For an HA engine
   * ({@code awaitingDrop} not null) {@code "ha": {"awaitingDrop": ["d3"]}} lists the drives whose
   * pools hold their writes until the control plane consents to drop them.
   */
  public static void write(Path file, Long revision, String error,
      List<ArrayStack.DriveHealth> drives, Map<String, String> refusedPools,
      List<String> waitingForDrives, Ha ha, Map<String, String> cacheProtection,
      List<String> awaitingDrop) throws IOException {
    write(file, revision, error, drives, refusedPools, waitingForDrives, ha, cacheProtection,
        awaitingDrop, Map.of());
  }

  /**
   * As above, with each pool's scrub in its {@code "pools"} entry: {@code "scrub": {"request",
   * "state" (RUNNING, DONE, STOPPED, FAILED), "rowsDone", "rows" (MiB of each drive),
   * "mismatchedBlocks", "repairedBlocks", "unrepairableBlocks", "skippedRows",
   * "rateBytesPerSecond", "started", "finished", "error"}} (docs/block-stack.md, "Scrub").
   */
  public static void write(Path file, Long revision, String error,
      List<ArrayStack.DriveHealth> drives, Map<String, String> refusedPools,
      List<String> waitingForDrives, Ha ha, Map<String, String> cacheProtection,
      List<String> awaitingDrop, Map<String, PoolScrub.Progress> scrubs) throws IOException {
    write(file, revision, error, drives, refusedPools, waitingForDrives, ha, cacheProtection,
        awaitingDrop, scrubs, Map.of(), List.of());
  }

  /** As below, with no volume moving. */
  public static void write(Path file, Long revision, String error,
      List<ArrayStack.DriveHealth> drives, Map<String, String> refusedPools,
      List<String> waitingForDrives, Ha ha, Map<String, String> cacheProtection,
      List<String> awaitingDrop, Map<String, PoolScrub.Progress> scrubs,
      Map<String, StackFigures.Rebuild> rebuilds) throws IOException {
    write(file, revision, error, drives, refusedPools, waitingForDrives, ha, cacheProtection,
        awaitingDrop, scrubs, rebuilds, List.of());
  }

  /**
   * As above, with each pool's running rebuild or member copy in its {@code "pools"} entry:
   * {@code "rebuild": {"kind" (REBUILD or COPY), "member", "drive", "rebuildingMembers",
   * "rowsDone", "rows", "bytesDone", "bytesTotal"}, and for a RESTRIPE stopped by an error
   * "failedAttempts" and "error"} ({@link StackFigures#running}); a pool with
   * none has no {@code rebuild}; and with the volumes moving to another pool
   * ({@link VolumeMoves#reports}): {@code "moves": [{"volume", "from", "to", "copiedExtents",
   * "totalExtents", "state" (COPYING, DONE or STOPPED), "error"}]}, absent when the layout asks
   * for no move.
   */
  public static void write(Path file, Long revision, String error,
      List<ArrayStack.DriveHealth> drives, Map<String, String> refusedPools,
      List<String> waitingForDrives, Ha ha, Map<String, String> cacheProtection,
      List<String> awaitingDrop, Map<String, PoolScrub.Progress> scrubs,
      Map<String, StackFigures.Rebuild> rebuilds, List<VolumeMoves.Report> moves) throws IOException {
    write(file, revision, error, drives, refusedPools, waitingForDrives, ha, cacheProtection,
        awaitingDrop, scrubs, rebuilds, moves, Map.of());
  }

  /**
   * As above, with the key state of each served encrypted volume (docs/encryption.md):
   * {@code "keys": [{"volume", "kek", "state" (ACTIVE, KMS_UNREACHABLE, REVOKED, FAILED),
   * "reason"}]}, absent when no encrypted volume is served. A volume whose state is not ACTIVE is
   * NOT READY for this reason.
   */
  public static void write(Path file, Long revision, String error,
      List<ArrayStack.DriveHealth> drives, Map<String, String> refusedPools,
      List<String> waitingForDrives, Ha ha, Map<String, String> cacheProtection,
      List<String> awaitingDrop, Map<String, PoolScrub.Progress> scrubs,
      Map<String, StackFigures.Rebuild> rebuilds, List<VolumeMoves.Report> moves,
      Map<String, VolumeKeys.KeyStatus> keys) throws IOException {
    ObjectNode status = JSON.createObjectNode();
    if (revision == null) {
      status.putNull("revision");
    } else {
      status.put("revision", revision);
    }
    status.put("ok", error == null);
    if (error != null) {
      status.put("error", error);
    }
    if (!drives.isEmpty()) {
      ArrayNode list = status.putArray("drives");
      for (ArrayStack.DriveHealth d : drives) {
        ObjectNode o = list.addObject();
        o.put("name", d.name());
        o.put("remote", d.remote());
        if (d.pool() != null) {
          o.put("pool", d.pool());
        }
        o.put("state", d.state());
        if (d.reason() != null) {
          o.put("reason", d.reason());
        }
      }
    }
    if (!refusedPools.isEmpty()) {
      ObjectNode refused = status.putObject("refusedPools");
      refusedPools.forEach(refused::put);
    }
    if (error != null && !waitingForDrives.isEmpty()) {
      ArrayNode waiting = status.putArray("waitingForDrives");
      waitingForDrives.forEach(waiting::add);
    }
    if (ha != null) {
      ObjectNode o = status.putObject("ha");
      o.put("role", ha.role());
      o.put("epoch", ha.epoch());
      o.put("state", ha.state());
    }
    if (!cacheProtection.isEmpty()) {
      ArrayNode pools = status.putArray("pools");
      cacheProtection.forEach((pool, protection) ->
          pools.addObject().put("name", pool).put("cacheProtection", protection));
    }
    if (!scrubs.isEmpty()) {
      ArrayNode pools = status.has("pools") ? (ArrayNode) status.get("pools")
          : status.putArray("pools");
      scrubs.forEach((pool, p) -> scrubJson(poolEntry(pools, pool), p));
    }
    if (!rebuilds.isEmpty()) {
      ArrayNode pools = status.has("pools") ? (ArrayNode) status.get("pools")
          : status.putArray("pools");
      rebuilds.forEach((pool, r) -> rebuildJson(poolEntry(pools, pool), r));
    }
    if (awaitingDrop != null) {
      ObjectNode haNode = status.has("ha") ? (ObjectNode) status.get("ha") : status.putObject("ha");
      ArrayNode awaiting = haNode.putArray("awaitingDrop");
      awaitingDrop.forEach(awaiting::add);
    }
    if (!moves.isEmpty()) {
      ArrayNode list = status.putArray("moves");
      for (VolumeMoves.Report m : moves) {
        ObjectNode o = list.addObject().put("volume", m.volume()).put("from", m.fromPool())
            .put("to", m.toPool()).put("copiedExtents", m.copiedExtents())
            .put("totalExtents", m.totalExtents()).put("state", m.state());
        if (m.error() != null) {
          o.put("error", m.error());
        }
      }
    }
    if (!keys.isEmpty()) {
      ArrayNode list = status.putArray("keys");
      keys.forEach((volume, k) -> {
        ObjectNode o = list.addObject().put("volume", volume).put("kek", k.kek())
            .put("state", k.state().name());
        if (k.reason() != null) {
          o.put("reason", k.reason());
        }
      });
    }
    status.put("time", Instant.now().toString());
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
    Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(status)
        + "\n");
    try {
      Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static ObjectNode poolEntry(ArrayNode pools, String name) {
    for (com.fasterxml.jackson.databind.JsonNode n : pools) {
      if (name.equals(n.path("name").asText())) {
        return (ObjectNode) n;
      }
    }
    return pools.addObject().put("name", name);
  }

  private static void rebuildJson(ObjectNode pool, StackFigures.Rebuild r) {
    ObjectNode o = pool.putObject("rebuild");
    o.put("kind", r.kind());
    if (r.member() != null) {
      o.put("member", r.member());
    }
    if (r.drive() != null) {
      o.put("drive", r.drive());
    }
    o.put("rebuildingMembers", r.rebuildingMembers()).put("rowsDone", r.rowsDone())
        .put("rows", r.rowsTotal()).put("bytesDone", r.bytesDone())
        .put("bytesTotal", r.bytesTotal());
    if (r.failedAttempts() > 0) { // a restripe stopped by an error, tried again after a pause
      o.put("failedAttempts", r.failedAttempts());
    }
    if (r.error() != null) {
      o.put("error", r.error());
    }
  }

  private static void scrubJson(ObjectNode pool, PoolScrub.Progress p) {
    ObjectNode o = pool.putObject("scrub");
    o.put("request", p.request()).put("state", p.state().name()).put("rowsDone", p.rowsDone())
        .put("rows", p.rows()).put("mismatchedBlocks", p.mismatchedBlocks())
        .put("repairedBlocks", p.repairedBlocks())
        .put("unrepairableBlocks", p.unrepairableBlocks()).put("skippedRows", p.skippedRows())
        .put("rateBytesPerSecond", p.rateBytesPerSecond())
        .put("started", Instant.ofEpochMilli(p.startedMillis()).toString());
    if (p.finishedMillis() > 0) {
      o.put("finished", Instant.ofEpochMilli(p.finishedMillis()).toString());
    }
    if (p.error() != null) {
      o.put("error", p.error());
    }
  }
}
