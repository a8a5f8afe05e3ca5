package io.strata.billing.rest;

import io.strata.billing.domain.Invoice;
import io.strata.billing.invoice.InvoiceCsv;
import io.strata.billing.rest.InvoiceViews.InvoiceSummary;
import io.strata.billing.rest.InvoiceViews.InvoiceView;
import io.strata.billing.security.Caller;
import io.strata.billing.service.InvoiceService;
import io.strata.billing.service.ProblemException;
import io.strata.billing.service.Tenants;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;

/** Invoices and the running cost. Tenants see their own; operators see everyone's. */
@Path("/api/v1")
@RolesAllowed({Caller.TENANT_ADMIN, Caller.TENANT_MEMBER, Caller.OPERATOR})
public class InvoiceResource {

  @Inject InvoiceService invoices;
  @Inject Caller caller;

  @GET
  @Path("invoices")
  public List<InvoiceSummary> list(
      @QueryParam("tenant") @Pattern(regexp = Tenants.ALIAS, message = Tenants.ALIAS_MESSAGE) String tenant,
      @QueryParam("period") String period,
      @QueryParam("page") String page,
      @QueryParam("size") String size) {
    String month = period == null ? null : Params.period("period", period).toString();
    return invoices.list(caller.scope(tenant, true), month,
            Params.intIn("page", page, 0, 0, 1_000_000), Params.intIn("size", size, 50, 1, 500))
        .stream().map(InvoiceSummary::of).toList();
  }

  @GET
  @Path("invoices/{id}")
  public InvoiceView get(@PathParam("id") String id) {
    return InvoiceView.of(visible(Params.id("id", id)));
  }

  /** The invoice as a file: {@code format=csv} (default) or {@code json}. */
  @GET
  @Path("invoices/{id}/export")
  @Produces({"text/csv", MediaType.APPLICATION_JSON})
  public Response export(@PathParam("id") String id, @QueryParam("format") @DefaultValue("csv") String format) {
    Params.format(format);
    Invoice invoice = visible(Params.id("id", id));
    String file = "invoice-" + invoice.tenantId + "-" + invoice.period;
    return switch (format) {
      case "csv" -> Response.ok(InvoiceCsv.of(invoice), "text/csv; charset=UTF-8")
          .header("Content-Disposition", "attachment; filename=\"" + file + ".csv\"").build();
      case "json" -> Response.ok(InvoiceView.of(invoice), MediaType.APPLICATION_JSON)
          .header("Content-Disposition", "attachment; filename=\"" + file + ".json\"").build();
      default -> throw new IllegalStateException(format);
    };
  }

  /** What the month so far costs, priced with today's plans; not an invoice. */
  @GET
  @Path("cost")
  public InvoiceView runningCost(@QueryParam("tenant") @Pattern(regexp = Tenants.ALIAS, message = Tenants.ALIAS_MESSAGE) String tenant) {
    return InvoiceView.running(invoices.runningCost(caller.knownScope(tenant), Instant.now()));
  }

  private Invoice visible(long id) {
    Invoice invoice;
    try {
      invoice = invoices.find(id);
    } catch (ProblemException notFound) {
      throw ProblemException.notFound("id", "no invoice " + id);
    }
    if (!caller.maySee(invoice.tenantId)) {
      // the same answer as for a missing invoice: another tenant's ids are not disclosed
      throw ProblemException.notFound("id", "no invoice " + id);
    }
    return invoice;
  }
}
