package io.strata.billing.rest;

import io.strata.billing.rest.PlanViews.Assignment;
import io.strata.billing.rest.PlanViews.NewPlan;
import io.strata.billing.rest.PlanViews.NewVersion;
import io.strata.billing.rest.PlanViews.Plan;
import io.strata.billing.rest.PlanViews.TenantPlanView;
import io.strata.billing.security.Caller;
import io.strata.billing.service.PlanService;
import io.strata.billing.service.Tenants;
import jakarta.validation.constraints.Pattern;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import java.util.List;

/** Operators manage price plans and which tenant is on which. */
@Path("/api/v1")
@RolesAllowed(Caller.OPERATOR)
public class PlanResource {

  @Inject PlanService plans;

  @GET
  @Path("plans")
  public List<Plan> list() {
    return plans.list().stream().map(Plan::of).toList();
  }

  @POST
  @Path("plans")
  public Response create(@Valid @NotNull NewPlan request, @Context UriInfo uri) {
    var plan = plans.create(request.name(), request.currency(), request.isDefault(), request.effectiveFrom(), request.rates());
    return Response.created(uri.getAbsolutePathBuilder().path(String.valueOf(plan.id)).build()).entity(Plan.of(plan)).build();
  }

  @GET
  @Path("plans/{id}")
  public Plan get(@PathParam("id") String id) {
    return Plan.of(plans.find(Params.id("id", id)));
  }

  @POST
  @Path("plans/{id}/versions")
  public Response addVersion(@PathParam("id") String id, @Valid @NotNull NewVersion request) {
    return Response.status(201).entity(Plan.of(plans.addVersion(Params.id("id", id), request.effectiveFrom(), request.rates()))).build();
  }

  @POST
  @Path("plans/{id}/default")
  public Plan makeDefault(@PathParam("id") String id) {
    return Plan.of(plans.makeDefault(Params.id("id", id)));
  }

  @PUT
  @Path("tenants/{tenant}/plan")
  public TenantPlanView assign(@PathParam("tenant") @Pattern(regexp = Tenants.ALIAS, message = Tenants.ALIAS_MESSAGE) String tenant, @Valid @NotNull Assignment request) {
    return TenantPlanView.of(plans.assign(tenant, request.planId(), request.effectiveFrom()));
  }

  @GET
  @Path("tenants/{tenant}/plan")
  public List<TenantPlanView> assignments(@PathParam("tenant") @Pattern(regexp = Tenants.ALIAS, message = Tenants.ALIAS_MESSAGE) String tenant) {
    return plans.assignments(tenant).stream().map(TenantPlanView::of).toList();
  }
}
