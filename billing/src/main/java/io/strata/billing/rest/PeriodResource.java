package io.strata.billing.rest;

import io.strata.billing.rest.InvoiceViews.InvoiceView;
import io.strata.billing.security.Caller;
import io.strata.billing.service.InvoiceService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.YearMonth;
import java.util.List;

/**
 * Operators close monthly periods. Closing is idempotent: closing a closed period answers 200
 * with the invoice already frozen; the first close answers 201.
 */
@Path("/api/v1/periods/{period}")
@RolesAllowed(Caller.OPERATOR)
public class PeriodResource {

  @Inject InvoiceService invoices;
  @Inject Caller caller;

  @POST
  @Path("tenants/{tenant}/close")
  public Response closeForTenant(@PathParam("period") String period, @PathParam("tenant") String tenant) {
    InvoiceService.Closed closed = invoices.close(tenant, YearMonth.parse(period), caller.name());
    return Response.status(closed.newlyClosed() ? 201 : 200).entity(InvoiceView.of(closed.invoice())).build();
  }

  /** Closes the period for every tenant with usage not yet invoiced. */
  @POST
  @Path("close")
  public List<InvoiceService.TenantOutcome> closeForAll(@PathParam("period") String period) {
    return invoices.closeAll(YearMonth.parse(period), caller.name());
  }
}
