package io.strata.agent.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strata.contracts.Topics;
import io.strata.testsupport.KafkaTestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The agent creates Strata's topics replicated as configured (the cluster stack: 3 copies, 2 in sync). */
class TopicSetupTest {

  /** A ceiling for a loaded machine, not a timing: the wait ends as soon as the brokers know. */
  static final Duration WAIT = Duration.ofMinutes(2);

  @Test
  void onAClusterTheTopicsGetTheConfiguredCopiesAndMinimumInSync() throws Exception {
    try (KafkaTestBroker cluster = KafkaTestBroker.startCluster(3)) {
      TopicSetup.ensure(cluster.bootstrapServers(), Duration.ofSeconds(60), new TopicSetup.Replication((short) 3, 2));

      Properties props = new Properties();
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
      try (Admin admin = Admin.create(props)) {
        List<String> topics = List.of(Topics.COMMANDS, Topics.EVENTS, Topics.USAGE);
        // the topics exist once the controller has them; each broker learns of them a moment later
        Map<String, TopicDescription> described = await().atMost(WAIT).ignoreExceptions()
            .until(() -> admin.describeTopics(topics).allTopicNames().get(), d -> d.size() == topics.size());
        for (String topic : topics) {
          assertThat(described.get(topic).partitions()).as(topic).hasSize(TopicSetup.PARTITIONS)
              .allSatisfy(p -> assertThat(p.replicas()).as(topic + " partition " + p.partition()).hasSize(3));
          ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
          String minInsync = await().atMost(WAIT).ignoreExceptions()
              .until(() -> admin.describeConfigs(List.of(resource)).all().get().get(resource), c -> c != null)
              .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value();
          assertThat(minInsync).as(topic + " min.insync.replicas").isEqualTo("2");
        }
      }
    }
  }

  @Test
  void aMinimumInSyncAboveTheCopiesIsRefusedByName() {
    assertThatThrownBy(() -> new TopicSetup.Replication((short) 1, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min.insync.replicas");
    assertThatThrownBy(() -> new TopicSetup.Replication((short) 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replication factor");
  }
}
