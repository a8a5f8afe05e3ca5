package io.strata.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaTestBrokerTest {

  @Test
  void aRecordProducedIsConsumed() throws Exception {
    try (KafkaTestBroker broker = KafkaTestBroker.start()) {
      Map<String, Object> common = Map.of("bootstrap.servers", broker.bootstrapServers());
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("strata.events", "node-1", "hello")).get();
      }
      Map<String, Object> consumerConfig = new java.util.HashMap<>(common);
      consumerConfig.put("group.id", "kafka-test-broker-test");
      consumerConfig.put("auto.offset.reset", "earliest");
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of("strata.events"));
        ConsumerRecords<String, String> records = ConsumerRecords.empty();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (records.isEmpty() && System.nanoTime() < deadline) {
          records = consumer.poll(Duration.ofMillis(500));
        }
        assertThat(records.count()).isEqualTo(1);
        assertThat(records.iterator().next().value()).isEqualTo("hello");
      }
    }
  }
}
