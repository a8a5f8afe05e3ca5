package io.strata.agent.commands;

import io.strata.agent.events.EventPublisher;
import io.strata.agent.tracing.CommandSpans;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.Topics;
import io.strata.contracts.UnreadableMessageException;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.Commands;
import io.strata.contracts.event.CommandResult;
import io.strata.contracts.event.CommandResult.Outcome;
import io.strata.contracts.event.Events;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads this node's commands and applies them one by one, in order. The agent is assigned the
 * single partition its node id hashes to (see {@link NodePartition}) instead of joining a
 * consumer group with other agents: no rebalancing when nodes come and go, and each agent reads
 * about 1/partitions of the traffic; records keyed for other nodes in the same partition are
 * skipped. The offset is committed (group {@code strata-agent-<node>}) only after the command was
 * applied and its id recorded on disk, so a crash redelivers at most the last command, which is
 * then acknowledged again, not re-executed. A new agent starts at the end of the partition: what
 * it should hold comes from the control plane's answer to its state report, not from old history.
 */
public final class CommandConsumer implements Runnable, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(CommandConsumer.class);

  private final String nodeId;
  private final MessageCodec codec;
  private final Reconciler reconciler;
  private final AppliedCommands applied;
  private final EventPublisher events;
  private final Path parked;
  private final CommandSpans spans;
  private final KafkaConsumer<String, byte[]> consumer;
  private volatile boolean running = true;
  private volatile TopicPartition partition;
  private final Thread thread;

  public CommandConsumer(
      String bootstrapServers, String nodeId, MessageCodec codec, Reconciler reconciler, AppliedCommands applied,
      EventPublisher events, Path parked, CommandSpans spans) {
    this.nodeId = nodeId;
    this.spans = spans;
    this.codec = codec;
    this.reconciler = reconciler;
    this.applied = applied;
    this.events = events;
    this.parked = parked;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "strata-agent-" + nodeId);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "strata-agent-" + nodeId + "-commands");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(props);
    this.thread = new Thread(this, "strata-agent-commands");
    this.thread.setDaemon(true);
  }

  /** The partition's position, asked again while a slow or restarting broker times out. */
  private long startingPosition(Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      try {
        return consumer.position(partition, Duration.ofSeconds(15));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        LOG.warnf("waiting for the position of %s: %s", partition, e.getMessage());
      }
    }
  }

  /** The Kafka client, for its metrics (docs/observability.md). */
  public org.apache.kafka.clients.consumer.Consumer<String, byte[]> kafkaClient() {
    return consumer;
  }

  /**
   * Assigns the node's partition and fixes the starting position before returning, so that a
   * command sent after the agent announced itself cannot be skipped by "latest".
   */
  public void start(Duration waitForTopic) {
    long deadline = System.nanoTime() + waitForTopic.toNanos();
    List<PartitionInfo> partitions = List.of();
    while (partitions.isEmpty() && System.nanoTime() < deadline) {
      try {
        partitions = consumer.partitionsFor(Topics.COMMANDS, Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warnf("waiting for topic %s: %s", Topics.COMMANDS, e.getMessage());
      }
    }
    if (partitions.isEmpty()) {
      throw new IllegalStateException("topic " + Topics.COMMANDS + " not found within " + waitForTopic.toSeconds() + " s");
    }
    partition = new TopicPartition(Topics.COMMANDS, NodePartition.of(nodeId, partitions.size()));
    consumer.assign(List.of(partition));
    long position = startingPosition(waitForTopic);
    LOG.infof("node %s reads its commands from %s at offset %d", nodeId, partition, position);
    thread.start();
  }

  @Override
  public void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (nodeId.equals(record.key())) {
            take(record);
          }
          consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
        }
      }
    } catch (WakeupException e) {
      if (running) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("the command consumer stopped; this node takes no more commands until the agent restarts", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Handles one record of this node in a span continuing the trace its traceparent header names. */
  void take(ConsumerRecord<String, byte[]> record) {
    spans.process(record, () -> handle(record));
  }

  /** Applies one record of this node. Never throws: every outcome is reported. */
  void handle(ConsumerRecord<String, byte[]> record) {
    Envelope envelope;
    ArrayDesiredState desired;
    try {
      envelope = codec.decode(record.value());
      desired = codec.payload(envelope, Commands.ARRAY_DESIRED_STATE);
    } catch (UnreadableMessageException | IllegalArgumentException e) {
      park(record, e.getMessage());
      return;
    }
    if (!nodeId.equals(desired.nodeId())) {
      park(record, "command " + envelope.id() + " is for node " + desired.nodeId() + " but keyed for node " + nodeId);
      return;
    }
    if (applied.contains(envelope.id())) {
      LOG.debugf("command %s already applied; acknowledging again", envelope.id());
      result(envelope.id(), desired, Outcome.ALREADY_APPLIED, null);
      return;
    }
    Reconciler.Outcome outcome;
    try {
      outcome = spans.apply(desired.arrayId(), desired.generation(), () -> reconciler.apply(desired));
    } catch (RuntimeException e) {
      LOG.errorf(e, "command %s for array %s failed", envelope.id(), desired.arrayId());
      result(envelope.id(), desired, Outcome.FAILED, e.getMessage());
      return;
    }
    applied.record(envelope.id());
    if (outcome.superseded()) {
      result(envelope.id(), desired, Outcome.SUPERSEDED,
          "array " + desired.arrayId() + " is already at generation " + outcome.status().generation());
      return;
    }
    events.publish(Events.ARRAY_STATUS, Commands.arraySubject(desired.arrayId()), outcome.status());
    if (outcome.problems().isEmpty()) {
      result(envelope.id(), desired, Outcome.APPLIED, null);
    } else {
      result(envelope.id(), desired, Outcome.FAILED, String.join("; ", outcome.problems()));
    }
  }

  private void result(String commandId, ArrayDesiredState desired, Outcome outcome, String reason) {
    CommandResult result = new CommandResult(commandId, nodeId, desired.arrayId(), desired.generation(), outcome, reason);
    events.publish(outcome == Outcome.FAILED ? Events.COMMAND_FAILED : Events.COMMAND_APPLIED,
        Commands.arraySubject(desired.arrayId()), result);
  }

  /** Keeps an unreadable command for an operator and says so loudly; it is not applied. */
  private void park(ConsumerRecord<String, byte[]> record, String why) {
    String where = record.topic() + "-" + record.partition() + "-" + record.offset();
    LOG.errorf("command at %s refused and parked: %s", where, why);
    try {
      Files.createDirectories(parked);
      Files.write(parked.resolve(where + ".json"), record.value() == null ? new byte[0] : record.value());
      Files.writeString(parked.resolve(where + ".reason"), why + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.errorf("cannot park %s: %s", where, e.getMessage());
    }
    events.publish(Events.COMMAND_FAILED, Events.nodeSubject(nodeId),
        new CommandResult(where, nodeId, null, 0, Outcome.REFUSED, why));
  }

  @Override
  public void close() {
    running = false;
    if (!thread.isAlive()) {
      consumer.close(Duration.ofSeconds(5));
      return;
    }
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
