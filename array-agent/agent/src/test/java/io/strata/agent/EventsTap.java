package io.strata.agent;

import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.MessageType;
import io.strata.contracts.Topics;
import io.strata.contracts.UnreadableMessageException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/** Everything on strata.events since the broker started, decoded, for assertions. */
final class EventsTap implements AutoCloseable {

  private final MessageCodec codec = AgentLifecycle.codec();
  private final List<Envelope> seen = new CopyOnWriteArrayList<>();
  private volatile boolean running = true;
  private final Thread thread;

  EventsTap(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "tap-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props);
    consumer.subscribe(List.of(Topics.EVENTS));
    thread = new Thread(() -> {
      try (consumer) {
        while (running) {
          consumer.poll(Duration.ofMillis(200)).forEach(r -> {
            try {
              seen.add(codec.decode(r.value()));
            } catch (UnreadableMessageException e) {
              throw new AssertionError("the agent sent an unreadable event", e);
            }
          });
        }
      }
    }, "events-tap");
    thread.start();
  }

  <T> T await(MessageType<T> type, Predicate<T> matching) {
    Object[] found = new Object[1];
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
      for (Envelope e : seen) {
        if (e.type().equals(type.type())) {
          T payload = codec.payload(e, type);
          if (matching.test(payload)) {
            found[0] = payload;
            return true;
          }
        }
      }
      return false;
    });
    @SuppressWarnings("unchecked")
    T payload = (T) found[0];
    return payload;
  }

  <T> List<T> all(MessageType<T> type) {
    return seen.stream().filter(e -> e.type().equals(type.type())).map(e -> {
      try {
        return codec.payload(e, type);
      } catch (UnreadableMessageException ex) {
        throw new AssertionError(ex);
      }
    }).toList();
  }

  Map<String, Integer> types() {
    return codec.readableVersions();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5000);
  }
}
