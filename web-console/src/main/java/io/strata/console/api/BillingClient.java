package io.strata.console.api;

import io.strata.console.api.Billing.*;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The billing service's REST API ({@code /api/v1}), called with the signed-in user's token. */
@Path("")
@RegisterRestClient(configKey = "billing")
@RegisterClientHeaders(AccessTokenHeaders.class)
@RegisterProvider(ProblemMapper.class)
@Produces(MediaType.APPLICATION_JSON)
public interface BillingClient {

  /** The caller's tenant's cost so far this month, priced with today's plans. */
  @GET
  @Path("/cost")
  Invoice currentCost();

  /** Metered usage per array, resource and hour, for at most 31 days (ISO-8601 instants). */
  @GET
  @Path("/usage")
  List<HourlyUsage> hourlyUsage(@QueryParam("from") String from, @QueryParam("to") String to);

  @GET
  @Path("/invoices")
  List<InvoiceSummary> invoices(@QueryParam("period") String period, @QueryParam("page") Integer page,
      @QueryParam("size") Integer size);

  @GET
  @Path("/invoices/{id}/export")
  @Produces("text/csv")
  Response invoiceCsv(@PathParam("id") long id, @QueryParam("format") String format);

  /** Operator: freezes every tenant's invoice for a month ({@code yyyy-MM}); closing twice is harmless. */
  @POST
  @Path("/periods/{period}/close")
  List<CloseOutcome> closePeriod(@PathParam("period") String period);

  @GET
  @Path("/plans")
  List<PricePlan> plans();

  /** Operator: a new price plan with its first rates. */
  @POST
  @Path("/plans")
  @Consumes(MediaType.APPLICATION_JSON)
  PricePlan createPlan(NewPlan plan);

  /** Operator: new rates for a plan from a given instant on (earlier usage keeps its rates). */
  @POST
  @Path("/plans/{id}/versions")
  @Consumes(MediaType.APPLICATION_JSON)
  PricePlan addPlanVersion(@PathParam("id") long id, NewPlanVersion version);

  /** Operator: the plan every tenant without a plan of its own is rated with. */
  @POST
  @Path("/plans/{id}/default")
  PricePlan makeDefault(@PathParam("id") long id);

  /** Operator: what one tenant's month costs so far. */
  @GET
  @Path("/cost")
  Invoice tenantCost(@QueryParam("tenant") String tenant);
}
