package io.strata.billing.health;

import io.strata.billing.config.MeteringConfig;
import io.strata.billing.metering.MeteringConsumer;
import io.strata.billing.metering.MeteringConsumer.MemberState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Billing is not ready while any metering consumer is stopped: usage would pile up unbilled
 * while the service looks healthy. A stopped consumer restarts by itself (with backoff) and the
 * check is UP again once it consumes. Readiness, not liveness: restarting the process would not
 * cure a database or broker that refuses the consumer, and the consumer restarts itself anyway.
 */
@Readiness
@ApplicationScoped
public class MeteringHealthCheck implements HealthCheck {

  public static final String NAME = "billing-metering";

  @Inject MeteringConsumer consumer;
  @Inject MeteringConfig config;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
    if (!config.enabled() && consumer.memberStates().isEmpty()) {
      return response.up().withData("metering", "disabled").build();
    }
    response.status(consumer.isRunning());
    for (MemberState member : consumer.memberStates()) {
      String key = "consumer-" + member.number();
      response.withData(key, member.state().name());
      if (member.state() == MemberState.State.STOPPED) {
        response.withData(key + "-error", member.error());
        response.withData(key + "-failures-in-a-row", member.failuresInARow());
        response.withData(key + "-restart-in", member.restartIn().toString());
      }
    }
    return response.build();
  }
}
