package io.strata.csi;

import csi.v1.Csi.VolumeCapability;
import csi.v1.Csi.VolumeCapability.AccessMode.Mode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Which volume capabilities the driver serves: iSCSI block devices, raw or with ext4/xfs on them. */
public final class VolumeCapabilities {

  public static final Set<String> FILE_SYSTEMS = Set.of("ext4", "xfs");
  public static final String DEFAULT_FILE_SYSTEM = "ext4";

  private VolumeCapabilities() {}

  /** Why the capability cannot be served (naming the field), or empty when it can. */
  public static Optional<String> unsupported(VolumeCapability c, String field) {
    if (!c.hasBlock() && !c.hasMount()) {
      return Optional.of(field + ".access_type: block or mount is required");
    }
    Mode mode = c.getAccessMode().getMode();
    if (mode == Mode.UNKNOWN || mode == Mode.UNRECOGNIZED) {
      return Optional.of(field + ".access_mode: a mode is required");
    }
    if (c.hasMount()) {
      String fs = c.getMount().getFsType();
      if (!fs.isEmpty() && !FILE_SYSTEMS.contains(fs)) {
        return Optional.of(field + ".mount.fs_type: '" + fs + "' is not one of " + FILE_SYSTEMS);
      }
      // a local file system mounted read-write on two nodes at once is corrupted
      if (mode == Mode.MULTI_NODE_MULTI_WRITER || mode == Mode.MULTI_NODE_SINGLE_WRITER) {
        return Optional.of(field + ".access_mode: " + mode + " needs block access (no cluster file system)");
      }
    }
    return Optional.empty();
  }

  /** The first reason any of the capabilities cannot be served. */
  public static Optional<String> unsupported(List<VolumeCapability> capabilities) {
    for (int i = 0; i < capabilities.size(); i++) {
      Optional<String> why = unsupported(capabilities.get(i), "volume_capabilities[" + i + "]");
      if (why.isPresent()) {
        return why;
      }
    }
    return Optional.empty();
  }

  /** Whether the volume will be attached to several nodes at once (the API's multiAttach). */
  public static boolean multiNode(List<VolumeCapability> capabilities) {
    return capabilities.stream().map(c -> c.getAccessMode().getMode())
        .anyMatch(m -> m == Mode.MULTI_NODE_READER_ONLY || m == Mode.MULTI_NODE_SINGLE_WRITER
            || m == Mode.MULTI_NODE_MULTI_WRITER);
  }

  public static boolean readOnly(VolumeCapability c) {
    Mode mode = c.getAccessMode().getMode();
    return mode == Mode.SINGLE_NODE_READER_ONLY || mode == Mode.MULTI_NODE_READER_ONLY;
  }
}
