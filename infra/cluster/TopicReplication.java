import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Prints, for every topic of the cluster stack's Kafka, its copies, min.insync.replicas and the
 * fewest copies in sync over its partitions (infra/cluster/smoke; the distribution fetched by
 * Maven has the client jars but not Kafka's command-line tools). Run with the source launcher:
 * java -cp 'KAFKA_HOME/libs/*' infra/cluster/TopicReplication.java BOOTSTRAP
 */
public class TopicReplication {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
    try (Admin admin = Admin.create(props)) {
      TreeSet<String> names = new TreeSet<>(admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get());
      Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
      for (String name : names) {
        TopicDescription topic = topics.get(name);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        String minIsr = admin.describeConfigs(List.of(resource)).all().get().get(resource).get("min.insync.replicas").value();
        int copies = topic.partitions().get(0).replicas().size();
        int fewestInSync = topic.partitions().stream().mapToInt(p -> p.isr().size()).min().orElse(0);
        System.out.printf("%-30s partitions=%d copies=%d min.insync.replicas=%s fewest-in-sync=%d%n",
            name, topic.partitions().size(), copies, minIsr, fewestInSync);
      }
    }
  }
}
