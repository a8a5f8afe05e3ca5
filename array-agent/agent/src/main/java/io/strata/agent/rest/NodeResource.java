package io.strata.agent.rest;

import io.strata.agent.AgentLifecycle;
import io.strata.contracts.event.NodeEnrolled;
import io.strata.contracts.event.NodeStateReport;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** What this node has, for an operator on the node (loopback only by default). */
@Path("/agent/v1")
@Produces(MediaType.APPLICATION_JSON)
public class NodeResource {

  @Inject AgentLifecycle agent;

  /** The node, its drives and how engines are isolated. */
  @GET
  @Path("/node")
  public NodeEnrolled node() {
    return agent.enrollment();
  }

  /** The arrays held and their engines' state, as last reported to the control plane. */
  @GET
  @Path("/state")
  public NodeStateReport state() {
    return agent.stateReport();
  }
}
