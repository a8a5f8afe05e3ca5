import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The metering half of the chaos test's load (infra/cluster/chaos): usage samples whose invoice is
 * known to the cent, published to strata.usage as agents publish them, through whatever the chaos
 * kills meanwhile. Run with Kafka's own libraries (they include Jackson):
 *
 * <pre>java -cp "$KAFKA_HOME/libs/*" MeteringLoad.java BOOTSTRAP TENANT ARRAYS MONTH SAMPLES_PER_S STOP_FILE RATES</pre>
 *
 * ARRAYS synthetic arrays of TENANT each send one sample per hour of MONTH (yyyy-MM), hour after
 * hour, round robin over the arrays, at most SAMPLES_PER_S. Every sample is the same: one SSD of
 * 10^12 bytes (1000 GB-hours), an E01 engine for the hour (1 engine-hour), 10^6 I/Os (1 million),
 * 10^9 bytes moved (1 GB). A send that fails is sent again with the same source and sequence (a
 * fresh envelope id), as an agent retries, until a broker acknowledges it: billing stores a
 * reading once per (source, sequence), so a resend that did arrive twice must not be billed twice.
 * When STOP_FILE appears it completes the hour every array is in, so that all arrays have sent
 * the same number of hours, and prints what the tenant's invoice for MONTH must then say, priced
 * with RATES (`key=rate,...`) and billing's rounding (docs/billing.md, "Rounding"), as JSON.
 */
public class MeteringLoad {

  static final long SSD_BYTES = 1_000_000_000_000L;
  static final long IO_PER_HOUR = 1_000_000L;
  static final long BYTES_MOVED_PER_HOUR = 1_000_000_000L;
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: MeteringLoad BOOTSTRAP TENANT ARRAYS MONTH SAMPLES_PER_S STOP_FILE RATES");
      System.exit(2);
    }
    String bootstrap = args[0];
    String tenant = args[1];
    int arrays = Integer.parseInt(args[2]);
    Instant monthStart = Instant.parse(args[3] + "-01T00:00:00Z");
    Instant monthEnd = java.time.YearMonth.parse(args[3]).plusMonths(1).atDay(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    long hoursInMonth = Duration.between(monthStart, monthEnd).toHours();
    long pauseNanos = TimeUnit.SECONDS.toNanos(1) / Integer.parseInt(args[4]);
    Path stop = Path.of(args[5]);
    Map<String, BigDecimal> rates = rates(args[6]);

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "strata-chaos-metering");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    long resends = 0;
    long hours = 0;
    long started = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      while (hours < hoursInMonth && !Files.exists(stop)) {
        Instant start = monthStart.plus(Duration.ofHours(hours));
        for (int a = 0; a < arrays; a++) {
          long next = System.nanoTime() + pauseNanos;
          resends += sendUntilAcknowledged(producer, tenant, a, hours + 1, start);
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
        hours++;
      }
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("tenant", tenant);
    out.put("arrays", arrays);
    out.put("hoursPerArray", hours);
    out.put("samples", hours * arrays);
    out.put("resends", resends);
    out.put("seconds", (System.nanoTime() - started) / 1e9);
    out.put("expectedTotal", expectedTotal(arrays, hours, rates).toPlainString());
    System.out.println(JSON.writeValueAsString(out));
  }

  /** Sends one sample until a broker has it; returns how many times it had to be sent again. */
  static long sendUntilAcknowledged(KafkaProducer<String, byte[]> producer, String tenant, int array, long sequence,
      Instant start) throws Exception {
    String arrayId = tenant + "-array-" + array;
    long again = 0;
    while (true) {
      byte[] value = JSON.writeValueAsBytes(envelope(tenant, arrayId, array, sequence, start));
      try {
        producer.send(new ProducerRecord<>("strata.usage", arrayId, value)).get(60, TimeUnit.SECONDS);
        return again;
      } catch (Exception e) {
        again++;
        System.err.printf("%s sample %s/%d not acknowledged (%s): sending it again%n", Instant.now(), arrayId, sequence,
            e.getCause() != null ? e.getCause() : e);
        Thread.sleep(1000);
      }
    }
  }

  static ObjectNode envelope(String tenant, String arrayId, int array, long sequence, Instant start) {
    ObjectNode e = JSON.createObjectNode();
    e.put("specversion", "1.0");
    e.put("id", UUID.randomUUID().toString());
    e.put("type", "io.strata.usage.array-sample");
    e.put("dataversion", 1);
    e.put("source", "agent/chaos-" + tenant + "-" + array);
    e.put("sequence", sequence);
    e.put("time", Instant.now().toString());
    e.put("subject", "array/" + arrayId);
    ObjectNode d = e.putObject("data");
    d.put("arrayId", arrayId);
    d.put("tenantId", tenant);
    d.put("nodeId", "chaos");
    d.put("intervalStart", start.toString());
    d.put("intervalEnd", start.plus(Duration.ofHours(1)).toString());
    ObjectNode drive = d.putArray("drives").addObject();
    drive.put("driveType", "SSD");
    drive.put("count", 1);
    drive.put("bytes", SSD_BYTES);
    d.put("engineSize", "E01");
    d.putArray("tiers");
    d.put("cacheBytes", 0);
    d.put("snapshotBytes", 0);
    d.put("readOps", IO_PER_HOUR * 6 / 10);
    d.put("writeOps", IO_PER_HOUR * 4 / 10);
    d.put("readBytes", BYTES_MOVED_PER_HOUR / 2);
    d.put("writeBytes", BYTES_MOVED_PER_HOUR / 2);
    return e;
  }

  /**
   * One line per array and resource: its quantity is exact here (whole billing units), its amount
   * the quantity times the rate rounded once to cents, half even; the total the sum of the lines.
   */
  static BigDecimal expectedTotal(int arrays, long hours, Map<String, BigDecimal> rates) {
    Map<String, BigDecimal> perArray = new LinkedHashMap<>();
    perArray.put("storage:SSD", BigDecimal.valueOf(hours * (SSD_BYTES / 1_000_000_000L)));
    perArray.put("engine:E01", BigDecimal.valueOf(hours));
    perArray.put("io", BigDecimal.valueOf(hours * IO_PER_HOUR / 1_000_000L));
    perArray.put("transfer", BigDecimal.valueOf(hours * BYTES_MOVED_PER_HOUR / 1_000_000_000L));
    BigDecimal line = BigDecimal.ZERO;
    for (var quantity : perArray.entrySet()) {
      BigDecimal rate = rates.get(quantity.getKey());
      if (rate == null) {
        throw new IllegalArgumentException("no rate for " + quantity.getKey());
      }
      line = line.add(quantity.getValue().multiply(rate).setScale(2, RoundingMode.HALF_EVEN));
    }
    return line.multiply(BigDecimal.valueOf(arrays));
  }

  static Map<String, BigDecimal> rates(String spec) {
    Map<String, BigDecimal> rates = new LinkedHashMap<>();
    for (String pair : List.of(spec.split(","))) {
      String[] kv = pair.split("=", 2);
      rates.put(kv[0], new BigDecimal(kv[1]));
    }
    return rates;
  }
}
