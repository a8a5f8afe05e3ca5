package io.strata.agent.commands;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of strata.commands that holds a node's commands: the one Kafka's default
 * partitioner picks for the node id as key (murmur2 of the key bytes, modulo the partition
 * count). An agent reads only that partition, so it sees its own commands and those of the few
 * nodes that hash alike (which it skips by key), never the whole topic.
 */
public final class NodePartition {

  private NodePartition() {}

  public static int of(String nodeId, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("a topic has at least one partition");
    }
    return Utils.toPositive(Utils.murmur2(nodeId.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
