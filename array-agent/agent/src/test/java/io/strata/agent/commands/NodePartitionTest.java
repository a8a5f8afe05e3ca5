package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class NodePartitionTest {

  @Test
  void picksThePartitionKafkasProducerWritesTheNodesKeyTo() {
    for (String node : new String[] {"1", "2", "node-17", "b7e3c6de-2f0c-4a53-9d5e-1f6a7b1c9e00"}) {
      for (int partitions : new int[] {1, 3, 6, 12}) {
        assertThat(NodePartition.of(node, partitions))
            .as("node %s, %d partitions", node, partitions)
            .isEqualTo(BuiltInPartitioner.partitionForKey(node.getBytes(StandardCharsets.UTF_8), partitions));
      }
    }
  }
}
