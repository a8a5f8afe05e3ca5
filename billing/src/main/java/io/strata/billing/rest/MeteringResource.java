package io.strata.billing.rest;

import io.strata.billing.metering.MeteringConsumer;
import io.strata.billing.metering.ReadingStore;
import io.strata.billing.security.Caller;
import io.strata.billing.service.MeteringQueries;
import io.strata.contracts.UnreadableMessageException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** Operators watch metering: readings later than the grace period, parked messages, the consumer. */
@Path("/api/v1/metering")
@RolesAllowed(Caller.OPERATOR)
public class MeteringResource {

  @Inject MeteringQueries queries;
  @Inject ReadingStore store;
  @Inject MeteringConsumer consumer;

  public record Status(boolean consuming, long storedSinceStart, Map<String, Long> readingsByStatus) {}

  @GET
  @Path("status")
  public Status status() {
    return new Status(consumer.isRunning(), consumer.storedReadings(), queries.readingCounts());
  }

  @GET
  @Path("late-readings")
  public List<MeteringQueries.LateReading> late(@QueryParam("limit") String limit) {
    return queries.lateReadings(Params.intIn("limit", limit, 100, 1, 1000));
  }

  /** Bills a late reading after all; if its month is closed it lands on the next invoice as an adjustment. */
  @POST
  @Path("late-readings/{id}/admit")
  public Response admit(@PathParam("id") String id) throws UnreadableMessageException {
    store.admitLate(Params.id("id", id));
    return Response.noContent().build();
  }

  @GET
  @Path("parked")
  public List<MeteringQueries.ParkedMessage> parked(@QueryParam("limit") String limit) {
    return queries.parked(Params.intIn("limit", limit, 100, 1, 1000));
  }
}
