package io.strata.billing.rest;

import io.strata.billing.security.Caller;
import io.strata.billing.service.MeteringQueries;
import io.strata.billing.service.ProblemException;
import io.strata.billing.service.Tenants;
import jakarta.validation.constraints.Pattern;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Hourly usage per array and resource: tenants see their own. */
@Path("/api/v1/usage")
@RolesAllowed({Caller.TENANT_ADMIN, Caller.TENANT_MEMBER, Caller.OPERATOR})
public class UsageResource {

  private static final Duration MAX_RANGE = Duration.ofDays(31);

  @Inject MeteringQueries queries;
  @Inject Caller caller;

  @GET
  public List<MeteringQueries.HourlyUsage> hourly(
      @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("tenant") @Pattern(regexp = Tenants.ALIAS, message = Tenants.ALIAS_MESSAGE) String tenant) {
    Instant start = Params.instant("from", from);
    Instant end = Params.instant("to", to);
    if (!end.isAfter(start) || Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
      throw ProblemException.badRequest("to", "must be after from, and at most 31 days later");
    }
    return queries.hourly(caller.knownScope(tenant), start, end);
  }
}
