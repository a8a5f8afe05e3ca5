package io.strata.contracts;

/** The Kafka topics Strata's services talk over. */
public final class Topics {

  /** Desired state for storage nodes, from the control plane; keyed by node id. */
  public static final String COMMANDS = "strata.commands";

  /** Status, heartbeats and inventory from the agents; lifecycle events from the control plane. */
  public static final String EVENTS = "strata.events";

  /** Metering samples from the agents, for billing; keyed by array id. */
  public static final String USAGE = "strata.usage";

  private Topics() {}
}
