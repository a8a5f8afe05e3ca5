package io.strata.controlplane.scheduler;

import io.strata.controlplane.domain.NodeState;
import java.util.List;
import java.util.Optional;

/** The standard node filters, applied in order. */
public final class Filters {
  private Filters() {}

  /** Only nodes whose agent is online take new engines. */
  public static final NodeFilter ONLINE =
      (node, request) ->
          node.state() == NodeState.ONLINE
              ? Optional.empty()
              : Optional.of(new NodeFilter.Rejection("node", node.name() + " is " + node.state()));

  public static final NodeFilter VCPU =
      (node, request) -> {
        int need = request.engineSize().vcpus();
        return node.freeVcpus() >= need
            ? Optional.empty()
            : Optional.of(
                new NodeFilter.Rejection(
                    "vcpu",
                    node.name() + " has " + node.freeVcpus() + " free vCPU, engine "
                        + request.engineSize() + " needs " + need));
      };

  public static final NodeFilter MEMORY =
      (node, request) -> {
        int need = request.engineSize().memoryGib();
        return node.freeMemoryGib() >= need
            ? Optional.empty()
            : Optional.of(
                new NodeFilter.Rejection(
                    "memory",
                    node.name() + " has " + node.freeMemoryGib() + " GiB free memory, engine "
                        + request.engineSize() + " needs " + need + " GiB"));
      };

  public static List<NodeFilter> standard() {
    return List.of(ONLINE, VCPU, MEMORY);
  }
}
