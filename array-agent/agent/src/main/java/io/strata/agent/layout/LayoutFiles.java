package io.strata.agent.layout;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two files an array's engine shares with the agent in the array's folder: {@code layout.json}
 * (the agent writes it, the engine reads it at start and on SIGHUP) and {@code layout-status.json}
 * (the engine writes which revision it applied, and whether it could).
 */
public final class LayoutFiles {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper READER = new ObjectMapper();

  private final Path layout;
  private final Path status;

  public LayoutFiles(Path arrayFolder) {
    this.layout = arrayFolder.resolve("layout.json");
    this.status = arrayFolder.resolve("layout-status.json");
  }

  public Path layout() {
    return layout;
  }

  public Path status() {
    return status;
  }

  /**
   * Writes {@code next} unless the file already says the same: the revision stays when nothing
   * changed (so that a repeated desired state costs the engine nothing) and otherwise becomes
   * one more than the file's. The file is replaced atomically (the engine never reads half of
   * it) and readable by its owner only, since it carries CHAP secrets. Returns the file's layout.
   */
  public EngineLayout write(EngineLayout next) {
    EngineLayout current = read();
    long revision = current == null ? 1 : current.revision();
    if (current != null && same(current, next)) {
      return current;
    }
    EngineLayout written = next.withRevision(current == null ? 1 : revision + 1);
    JsonFiles.writeOwnerOnly(JSON, layout, written);
    return written;
  }

  /** The layout in the file, or null when there is none or it cannot be read (then it is rewritten). */
  public EngineLayout read() {
    return JsonFiles.readOrNull(READER, layout, EngineLayout.class);
  }

  /**
   * What the engine last said about a revision, the state of each of its drives (ONLINE,
   * REBUILDING or FAILED with a reason; empty from an engine that does not say), and the pools
   * it refused because a drive they claim belongs to another pool (pool id to reason; empty
   * when none was), and the remote drives a failed revision waits for (empty unless it failed
   * only because a new pool's remote drives cannot be reached yet: the engine tries it again),
   * and for an engine of a highly available array its {@code ha} state (null otherwise), and
   * the volume moves the layout asks for (empty when none, or from an engine that predates them),
   * and what its pools do in the background ({@code pools}: a running rebuild or copy, the running or
   * last scrub; empty from an engine that does not say).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Status(
      long revision, boolean ok, String error, String time, List<DriveHealth> drives, Map<String, String> refusedPools,
      List<String> waitingForDrives, HaState ha, List<VolumeMove> moves, List<PoolEntry> pools,
      List<KeyEntry> keys) {
    public Status {
      keys = keys == null ? List.of() : List.copyOf(keys);
      moves = moves == null ? List.of() : List.copyOf(moves);
      drives = drives == null ? List.of() : List.copyOf(drives);
      pools = pools == null ? List.of() : List.copyOf(pools);
      waitingForDrives = waitingForDrives == null ? List.of() : List.copyOf(waitingForDrives);
      refusedPools = refusedPools == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(refusedPools));
    }

    /**
     * Whether the engine applied the revision but for the pools it refused over their drives
     * (and what they hold): then its error is those refusals and nothing else. An error of its
     * own (a layout it could not read or apply at all) means that it applied nothing of the
     * revision, even when the status still names pools refused before.
     */
    public boolean appliedButRefusedPools() {
      return !ok && !refusedPools.isEmpty() && String.join("; ", refusedPools.values()).equals(error);
    }

    /**
     * Whether the revision is not applied yet only because remote drives of a new pool cannot be
     * reached now (a lending node's export service starting after this engine, or a node away):
     * the engine tries it again by itself, so its new objects are pending, not FAILED. The
     * control plane's watchdog fails them if this lasts.
     */
    public boolean waitsForDrives() {
      return !ok && !waitingForDrives.isEmpty();
    }

    /**
     * Why the array runs degraded: each drive that is not ONLINE, with the engine's reason (a
     * remote drive whose node is gone, a drive being rebuilt); null when every drive is ONLINE.
     */
    public String degradedBecause() {
      List<String> why = drives.stream().filter(d -> !"ONLINE".equals(d.state()))
          .map(d -> "drive " + d.name() + (d.remote() ? " (on another node)" : "") + " " + d.state()
              + (d.reason() == null ? "" : ": " + d.reason()))
          .toList();
      return why.isEmpty() ? null : String.join("; ", why);
    }
  }

  /**
   * An HA engine's word on itself: the role it runs in, the epoch, its state ({@code STANDBY},
   * {@code PROMOTING}, {@code ACTIVE} or {@code DEMOTING}) and the drives (layout names) whose
   * pool holds its writes until the control plane consents to dropping them.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HaState(String role, long epoch, String state, List<String> awaitingDrop) {
    public HaState {
      awaitingDrop = awaitingDrop == null ? List.of() : List.copyOf(awaitingDrop);
    }

    /**
     * The role the engine runs in now, from its state: a promotion still under way (or failed
     * and retried) serves nothing yet, so it is STANDBY; a demotion under way may still write,
     * so it is ACTIVE. Without a state (an engine from before states), the layout's role.
     */
    public io.strata.contracts.command.ArrayDesiredState.Role runningRole() {
      String now = state == null ? role : switch (state) {
        case "ACTIVE", "DEMOTING" -> "ACTIVE";
        default -> "STANDBY";
      };
      return "ACTIVE".equals(now) ? io.strata.contracts.command.ArrayDesiredState.Role.ACTIVE
          : io.strata.contracts.command.ArrayDesiredState.Role.STANDBY;
    }
  }

  /**
   * The online move of a volume (layout name, i.e. volume id) from pool {@code from} to pool
   * {@code to}, as the engine's status file describes it: extents copied of all, and its state
   * COPYING, DONE or STOPPED (with the error).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record VolumeMove(String volume, String from, String to, long copiedExtents, long totalExtents, String state,
      String error) {}

  /** An encrypted volume's key state (docs/encryption.md); absent from engines before issue 22. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record KeyEntry(String volume, String kek, String state, String reason) {}

  /**
   * One pool's entry in the engine's status (the engine's {@code LayoutStatus}): its running
   * rebuild or member copy and its running or last scrub, each null when there is none.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PoolEntry(String name, RebuildEntry rebuild, ScrubEntry scrub) {}

  /**
   * A rebuild ({@code kind} REBUILD) or member copy ({@code kind} COPY) onto member {@code member},
   * drive {@code drive} (layout name: the serial), {@code bytesDone} of {@code bytesTotal}; or a
   * RAID-5/6 pool's restripe onto added drives ({@code kind} RESTRIPE, no member or drive), with
   * {@code failedAttempts} and {@code error} once an attempt of it stopped on an error (it is
   * tried again; absent otherwise: 0 and null).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RebuildEntry(String kind, Integer member, String drive, int rebuildingMembers, long rowsDone,
      long rows, long bytesDone, long bytesTotal, int failedAttempts, String error) {}

  /** A scrub as the engine reports it ({@code started}, {@code finished}: ISO-8601, finished null until it is). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ScrubEntry(String request, String state, long rowsDone, long rows, long mismatchedBlocks,
      long repairedBlocks, long unrepairableBlocks, long skippedRows, long rateBytesPerSecond, String started,
      String finished, String error) {}

  /** One drive as the engine's status file describes it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record DriveHealth(String name, boolean remote, String pool, String state, String reason) {}

  /** The engine's last status, or null when it has written none (yet) or it is unreadable. */
  public Status readStatus() {
    return readStatus(status);
  }

  /**
   * A status file in the engine's layout-status format (the engine's, or the drive export
   * service's), or null when none was written (yet); written atomically by its process, so only a
   * missing or foreign file reads as null.
   */
  public static Status readStatus(Path statusFile) {
    return JsonFiles.readOrNull(READER, statusFile, Status.class);
  }

  public void forgetStatus() {
    try {
      Files.deleteIfExists(status);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + status, e);
    }
  }

  private static boolean same(EngineLayout a, EngineLayout b) {
    try {
      return JSON.writeValueAsString(a.withRevision(0)).equals(JSON.writeValueAsString(b.withRevision(0)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
