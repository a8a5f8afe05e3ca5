package io.strata.console.api;

import io.strata.console.api.Billing.*;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
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

  /** The caller's tenant's cost so far this month. */
  @GET
  @Path("/costs/current")
  RunningCost currentCost();

  /** Daily cost by resource between two days (inclusive), for the caller's tenant. */
  @GET
  @Path("/costs/daily")
  List<CostPoint> dailyCost(@QueryParam("from") String from, @QueryParam("to") String to);

  @GET
  @Path("/invoices")
  InvoicePage invoices(@QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
      @QueryParam("period") String period, @QueryParam("tenant") String tenant);

  @GET
  @Path("/invoices/{id}")
  Invoice invoice(@PathParam("id") UUID id);

  @GET
  @Path("/invoices/{id}")
  @Produces("text/csv")
  Response invoiceCsv(@PathParam("id") UUID id);

  /** Operator: freezes every tenant's invoice for a month ({@code yyyy-MM}); closing twice is harmless. */
  @POST
  @Path("/periods/{period}/close")
  Response closePeriod(@PathParam("period") String period);

  @GET
  @Path("/price-plans")
  PlanPage plans();
}
