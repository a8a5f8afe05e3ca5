package io.strata.agent.metrics;

import io.strata.agent.commands.Reconciler;
import io.strata.agent.supervision.EngineState;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.event.ArrayStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The arrays whose engines this node runs, as the {@link EngineMetrics} see them, from the reconciler. */
public final class NodeArrays implements Supplier<List<ArrayView>> {

  private final Reconciler reconciler;

  public NodeArrays(Reconciler reconciler) {
    this.reconciler = reconciler;
  }

  @Override
  public List<ArrayView> get() {
    // the reconciler's statuses include the drive exports this node serves other nodes' engines
    Set<ArrayStatus> exported = new HashSet<>(reconciler.exports().statuses());
    Map<String, ArrayStatus> engines = new HashMap<>();
    for (ArrayStatus status : reconciler.statuses()) {
      if (!exported.contains(status)) {
        engines.put(status.arrayId(), status);
      }
    }
    List<ArrayView> views = new ArrayList<>();
    for (ArrayDesiredState desired : reconciler.desiredStates()) {
      EngineState engine = reconciler.engineState(desired.arrayId());
      views.add(new ArrayView(desired.arrayId(), desired.tenant(), engines.get(desired.arrayId()),
          engine != null && engine.phase() == EngineState.Phase.RUNNING, reconciler.statsFile(desired.arrayId())));
    }
    return views;
  }
}
