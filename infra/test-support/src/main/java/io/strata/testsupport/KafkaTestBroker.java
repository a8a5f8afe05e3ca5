package io.strata.testsupport;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One combined KRaft broker and controller in this JVM, on loopback, with storage in a temporary
 * folder that is deleted on close. Usable outside Quarkus tests too.
 */
public final class KafkaTestBroker implements AutoCloseable {

  private final KafkaClusterTestKit cluster;

  private KafkaTestBroker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  public static KafkaTestBroker start() {
    return startCluster(1);
  }

  /**
   * {@code brokers} brokers, the first also the (single) KRaft controller, whose internal topics
   * still have one replica; for what depends on more than one broker, such as Strata's topics'
   * replication in the cluster stack. One controller, not a quorum of combined nodes: closing a
   * quorum stops its controllers while the other brokers still wait for one to shut down.
   */
  public static KafkaTestBroker startCluster(int brokers) {
    try {
      KafkaClusterTestKit cluster =
          new KafkaClusterTestKit.Builder(
                  new TestKitNodes.Builder()
                      .setCombined(true)
                      .setNumBrokerNodes(brokers)
                      .setNumControllerNodes(1)
                      .build())
              .setConfigProp("auto.create.topics.enable", "true")
              .setConfigProp("num.partitions", "6")
              .setConfigProp("offsets.topic.replication.factor", "1")
              .setConfigProp("transaction.state.log.replication.factor", "1")
              .setConfigProp("transaction.state.log.min.isr", "1")
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new KafkaTestBroker(cluster);
    } catch (Exception e) {
      throw new IllegalStateException("the in-process Kafka broker did not start: " + e.getMessage(), e);
    }
  }

  /** The {@code host:port} list a Kafka client connects to. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public void close() {
    try {
      cluster.close();
    } catch (Exception e) {
      throw new IllegalStateException("the in-process Kafka broker did not stop cleanly", e);
    }
  }
}
