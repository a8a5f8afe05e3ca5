package io.strata.agent.metrics;

import io.strata.contracts.event.ArrayStatus;
import java.nio.file.Path;

/**
 * What the metrics need to know about one array this node holds: whose it is, the status the agent
 * reports for it (state, restarts, failed drives), whether its engine runs, and where its engine
 * writes its stats file.
 */
public record ArrayView(String arrayId, String tenant, ArrayStatus status, boolean engineRunning, Path statsFile) {}
