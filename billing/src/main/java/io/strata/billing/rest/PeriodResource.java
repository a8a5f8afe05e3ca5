package io.strata.billing.rest;

import io.strata.billing.rest.InvoiceViews.InvoiceView;
import io.strata.billing.security.Caller;
import io.strata.billing.service.InvoiceService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import io.strata.billing.domain.Invoice;
import io.strata.billing.invoice.InvoiceCsv;
import io.strata.billing.service.Tenants;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
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
  @Inject Tenants tenants;

  @POST
  @Path("tenants/{tenant}/close")
  public Response closeForTenant(@PathParam("period") String period, @PathParam("tenant") @Pattern(regexp = Tenants.ALIAS, message = Tenants.ALIAS_MESSAGE) String tenant) {
    YearMonth month = Params.period("period", period);
    tenants.requireKnown("tenant", tenant);
    InvoiceService.Closed closed = invoices.close(tenant, month, caller.name());
    return Response.status(closed.newlyClosed() ? 201 : 200).entity(InvoiceView.of(closed.invoice())).build();
  }

  /** Every invoice of the period in one file, for the operator's accounting: {@code format=csv} or {@code json}. */
  @GET
  @Path("invoices/export")
  @Produces({"text/csv", MediaType.APPLICATION_JSON})
  public Response export(@PathParam("period") String period, @QueryParam("format") @DefaultValue("csv") String format) {
    YearMonth month = Params.period("period", period);
    List<Invoice> all = invoices.list(null, month.toString(), 0, Integer.MAX_VALUE);
    String file = "invoices-" + month;
    return switch (Params.format(format)) {
      case "csv" -> Response.ok(InvoiceCsv.of(all), "text/csv; charset=UTF-8")
          .header("Content-Disposition", "attachment; filename=\"" + file + ".csv\"").build();
      case "json" -> Response.ok(all.stream().map(InvoiceView::of).toList(), MediaType.APPLICATION_JSON)
          .header("Content-Disposition", "attachment; filename=\"" + file + ".json\"").build();
      default -> throw new IllegalStateException(format);
    };
  }

  /** Closes the period for every tenant with usage not yet invoiced. */
  @POST
  @Path("close")
  public List<InvoiceService.TenantOutcome> closeForAll(@PathParam("period") String period) {
    return invoices.closeAll(Params.period("period", period), caller.name());
  }
}
