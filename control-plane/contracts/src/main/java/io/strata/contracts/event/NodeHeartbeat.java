package io.strata.contracts.event;

/**
 * Sent every few seconds (event {@link Events#NODE_HEARTBEAT}); the control plane marks a node
 * OFFLINE when heartbeats stop.
 *
 * @param nodeId the agent's node id
 * @param startedAt when this agent process started (epoch ms), so a restart is visible
 * @param arrays arrays the agent holds
 * @param enginesRunning engine processes alive right now
 * @param intervalMs how often heartbeats come; the control plane derives its timeout from it
 */
public record NodeHeartbeat(String nodeId, long startedAt, int arrays, int enginesRunning, long intervalMs) {}
