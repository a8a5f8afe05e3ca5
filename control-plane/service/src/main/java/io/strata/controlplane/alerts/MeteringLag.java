package io.strata.controlplane.alerts;

import io.strata.contracts.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * How far billing's consumer group is behind on the usage topic (messages, all partitions), asked
 * of the Kafka broker with the admin client; null when off ({@code strata.alerts.metering-group}
 * empty) or when the broker does not answer in time (the condition is then not judged, rather
 * than judged resolved or firing on a guess).
 */
@ApplicationScoped
public class MeteringLag {
  private static final Logger LOG = Logger.getLogger(MeteringLag.class);

  @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap;
  @ConfigProperty(name = "strata.alerts.metering-group", defaultValue = "strata-billing") String group;
  @ConfigProperty(name = "strata.alerts.metering-lag-enabled", defaultValue = "true") boolean enabled;

  private Admin admin;

  public Long current() {
    if (!enabled || group.isBlank()) {
      return null;
    }
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      committed.keySet().stream().filter(p -> p.topic().equals(Topics.USAGE)).forEach(p -> ends.put(p, OffsetSpec.latest()));
      if (ends.isEmpty()) {
        return 0L;
      }
      Map<TopicPartition, ListOffsetsResultInfo> end = admin().listOffsets(ends).all().get(5, TimeUnit.SECONDS);
      long lag = 0;
      for (var e : end.entrySet()) {
        OffsetAndMetadata at = committed.get(e.getKey());
        lag += Math.max(0, e.getValue().offset() - (at == null ? 0 : at.offset()));
      }
      return lag;
    } catch (Exception e) {
      LOG.debugf("metering lag not known: %s", e.toString());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return null;
    }
  }

  private synchronized Admin admin() {
    if (admin == null) {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(AdminClientConfig.CLIENT_ID_CONFIG, "strata-control-plane-alerts");
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(5).toMillis());
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(5).toMillis());
      admin = Admin.create(p);
    }
    return admin;
  }

  @PreDestroy
  synchronized void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(2));
    }
  }
}
