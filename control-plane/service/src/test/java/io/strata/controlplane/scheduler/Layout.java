package io.strata.controlplane.scheduler;

import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.NodeState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Builds node layouts for scheduler tests with readable, deterministic ids. */
final class Layout {
  private final List<NodeView> nodes = new ArrayList<>();

  static UUID idOf(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
  }

  Layout node(String name, String zone, int cpu, int memGib, int ssd, int hdd) {
    return node(name, zone, NodeState.ONLINE, cpu, memGib, 0, 0, ssd, hdd);
  }

  Layout node(
      String name, String zone, NodeState state, int cpu, int memGib, int usedCpu, int usedMem, int ssd, int hdd) {
    UUID id = idOf(name);
    List<DriveView> drives = new ArrayList<>();
    for (int i = 0; i < ssd; i++) {
      drives.add(new DriveView(idOf(name + "-ssd" + i), id, zone, DriveType.SSD, 960));
    }
    for (int i = 0; i < hdd; i++) {
      drives.add(new DriveView(idOf(name + "-hdd" + i), id, zone, DriveType.HDD, 4000));
    }
    nodes.add(new NodeView(id, name, zone, state, cpu, memGib, usedCpu, usedMem, drives));
    return this;
  }

  List<NodeView> build() {
    return List.copyOf(nodes);
  }

  String nameOf(UUID nodeId) {
    return nodes.stream().filter(n -> n.id().equals(nodeId)).findFirst().orElseThrow().name();
  }
}
