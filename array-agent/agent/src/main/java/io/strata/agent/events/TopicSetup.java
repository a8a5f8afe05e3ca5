package io.strata.agent.events;

import io.strata.contracts.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Makes sure Strata's topics exist before the agent reads its partition, with a fixed partition
 * count: the node-to-partition mapping depends on it, so it must not depend on which client
 * happened to create the topic first.
 */
public final class TopicSetup {

  public static final int PARTITIONS = 6;

  /**
   * Copies of each partition and how many must hold a write before an {@code acks=all} producer
   * (the outbox relay, the agents' publisher) hears it succeeded.
   */
  public record Replication(short factor, int minInsyncReplicas) {
    /** The single broker of the local stack and the tests. */
    public static final Replication SINGLE = new Replication((short) 1, 1);

    public Replication {
      if (factor < 1) {
        throw new IllegalArgumentException("replication factor must be at least 1, not " + factor);
      }
      if (minInsyncReplicas < 1 || minInsyncReplicas > factor) {
        throw new IllegalArgumentException(
            "min.insync.replicas must be between 1 and the replication factor " + factor + ", not " + minInsyncReplicas);
      }
    }

    NewTopic topic(String name) {
      return new NewTopic(name, PARTITIONS, factor)
          .configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas)));
    }
  }

  private TopicSetup() {}

  public static void ensure(String bootstrapServers, Duration timeout) {
    ensure(bootstrapServers, timeout, Replication.SINGLE);
  }

  /**
   * Creates the topics that do not exist yet with {@code replication}; leaves existing ones as
   * they are (changing a topic's replication is an operator's reassignment, not a start-up step).
   */
  public static void ensure(String bootstrapServers, Duration timeout, Replication replication) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      for (String topic : List.of(Topics.COMMANDS, Topics.EVENTS, Topics.USAGE)) {
        if (existing.contains(topic)) {
          continue;
        }
        try {
          admin.createTopics(List.of(replication.topic(topic)))
              .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking Kafka topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer: " + e.getMessage(), e);
    }
  }
}
