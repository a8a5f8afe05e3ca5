import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group is behind on a topic: the records written to it that the group has not
 * committed yet, summed over the partitions (the scale drill's billing lag). Run with Kafka's
 * libraries: {@code java -cp "$KAFKA_HOME/libs/*" ConsumerLag.java BOOTSTRAP GROUP TOPIC}.
 */
public class ConsumerLag {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(props)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(args[1]).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> partitions = admin.describeTopics(java.util.List.of(args[2])).allTopicNames().get()
          .get(args[2]).partitions().stream()
          .collect(Collectors.toMap(p -> new TopicPartition(args[2], p.partition()), p -> OffsetSpec.latest()));
      long lag = 0;
      for (var end : admin.listOffsets(partitions).all().get().entrySet()) {
        OffsetAndMetadata done = committed.get(end.getKey());
        lag += end.getValue().offset() - (done == null ? 0 : done.offset());
      }
      System.out.println(lag);
    }
  }
}
