package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.strata.console.api.BillingClient;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * A tenant's own past invoices (closed periods) and their CSV export. Billing decides whose
 * invoices a token may see: a tenant gets its own, and another tenant's invoice number answers
 * "no such invoice".
 */
@Path("/invoices")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({"tenant-admin", "tenant-member"})
public class InvoicesResource {

  static final int PAGE_SIZE = 25;

  @Inject Template tenantInvoices;
  @Inject @RestClient BillingClient billing;

  @GET
  public TemplateInstance list(@QueryParam("page") String page) {
    int pageNo = OperatorResource.parsePage(page);
    return tenantInvoices.data("invoices", DashboardResource.panel("Billing", () -> billing.invoices(null, pageNo, PAGE_SIZE)))
        .data("pageNo", pageNo).data("pageSize", PAGE_SIZE);
  }

  /** The invoice as CSV, passed through from billing with a file name. */
  @GET
  @Path("/{id}.csv")
  @Produces("text/csv")
  public Response csv(@PathParam("id") long id) {
    return OperatorResource.csvDownload(billing, id);
  }
}
