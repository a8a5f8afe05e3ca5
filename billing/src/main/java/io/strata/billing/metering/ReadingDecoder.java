package io.strata.billing.metering;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.strata.billing.rating.ResourceKey;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.MessageType;
import io.strata.contracts.Topics;
import io.strata.contracts.UnreadableMessageException;
import io.strata.contracts.lifecycle.LifecycleMessages;
import io.strata.contracts.lifecycle.ResourceLifecycleEvent;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.UsageMessages;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a Kafka message into a reading. Usage samples, nearly all of the traffic, take a fast path:
 * one pass of Jackson over the bytes binds the envelope and its sample together (instead of
 * building a JSON tree of the envelope and converting its {@code data} node in a second pass).
 * Whatever the fast path does not fully accept (another type, an unreadable version, a missing
 * field, a payload that fails validation) goes through {@link MessageCodec} exactly as before, so
 * that what is parked, skipped or stored, and the reasons given, do not depend on the path.
 * Thread-safe.
 */
final class ReadingDecoder {

  private static final List<MessageType<?>> READS =
      Stream.concat(UsageMessages.ALL.stream(), LifecycleMessages.ALL.stream()).toList();
  private static final MessageType<ArrayUsageSample> SAMPLE = UsageMessages.ARRAY_USAGE_SAMPLE;

  private final MessageCodec codec = new MessageCodec(READS, Clock.systemUTC());
  /** Configured like {@link MessageCodec}'s mapper (Java time, unknown properties ignored). */
  private final ObjectMapper json =
      new ObjectMapper().registerModule(new JavaTimeModule()).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .registerModule(new SimpleModule("billing-instants").addDeserializer(Instant.class, new IsoInstants()));
  private final ObjectReader sampleEnvelopes = json.readerFor(SampleEnvelope.class);

  /** The envelope attributes billing stores, with the sample bound in the same pass. */
  record SampleEnvelope(String id, String type, int dataversion, String source, long sequence, Instant time, ArrayUsageSample data) {
    /** What {@link Envelope} and {@link MessageCodec#decode} would accept, for a usage sample. */
    boolean complete() {
      return id != null && source != null && time != null && data != null && SAMPLE.type().equals(type) && SAMPLE.reads(dataversion);
    }
  }

  /** One decoded message on its way into the reading table. */
  record Reading(
      ConsumerRecord<String, byte[]> record, String source, long sequence, String messageId, String type,
      String tenantId, String arrayId, ArrayUsageSample sample, String status) {

    Reading withStatus(String newStatus) {
      return new Reading(record, source, sequence, messageId, type, tenantId, arrayId, sample, newStatus);
    }

    /** Identifies the reading: the same source and sequence is the same reading, whatever else differs. */
    String key() {
      return source + "\u0000" + sequence;
    }
  }

  /**
   * Empty when the message is not for billing (other types on strata.events). Throws for what is
   * billing's but cannot be read: anything on strata.usage, and lifecycle types it does not know.
   */
  Optional<Reading> decode(ConsumerRecord<String, byte[]> record) throws UnreadableMessageException {
    byte[] body = record.value() == null ? new byte[0] : record.value();
    Optional<Reading> fast = fastSample(record, body);
    Optional<Reading> reading = fast.isPresent() ? fast : decodeGenerally(record, body);
    if (reading.isPresent()) {
      requireStorable(reading.get());
    }
    return reading;
  }

  /**
   * What would fail the whole batch later is refused here, so that the message is parked and its
   * batch goes on: text PostgreSQL cannot hold (NUL), and an engine size that is no resource key.
   */
  private static void requireStorable(Reading reading) throws UnreadableMessageException {
    if (reading.sample() != null) {
      try {
        ResourceKey.engine(reading.sample().engineSize());
      } catch (IllegalArgumentException e) {
        throw new UnreadableMessageException("usage sample " + reading.source() + "/" + reading.sequence() + ": " + e.getMessage(), e);
      }
    }
    for (String text : new String[] {reading.source(), reading.messageId(), reading.tenantId(), reading.arrayId()}) {
      if (text.indexOf('\0') >= 0) {
        throw new UnreadableMessageException("a text attribute contains a NUL character (message " + reading.source()
            .replace('\0', '?') + "/" + reading.sequence() + ")");
      }
    }
  }

  /** Reads the envelope of a sample as an {@link Envelope} again, for admitting a late reading. */
  ArrayUsageSample sampleOf(byte[] envelope) throws UnreadableMessageException {
    return codec.payload(codec.decode(envelope), SAMPLE);
  }

  private Optional<Reading> fastSample(ConsumerRecord<String, byte[]> record, byte[] body) {
    SampleEnvelope envelope;
    try {
      envelope = sampleEnvelopes.readValue(body);
    } catch (Exception e) { // anything at all: the general path decides and explains
      return Optional.empty();
    }
    if (envelope == null || !envelope.complete()) {
      return Optional.empty();
    }
    ArrayUsageSample sample = envelope.data();
    return Optional.of(new Reading(record, envelope.source(), envelope.sequence(), envelope.id(), envelope.type(),
        sample.tenantId(), sample.arrayId(), sample, "ACCEPTED"));
  }

  private Optional<Reading> decodeGenerally(ConsumerRecord<String, byte[]> record, byte[] body) throws UnreadableMessageException {
    boolean usageTopic = Topics.USAGE.equals(record.topic());
    Envelope envelope;
    try {
      envelope = codec.decode(body);
    } catch (UnreadableMessageException e) {
      if (usageTopic || rawType(body).startsWith(LifecycleMessages.TYPE_PREFIX)) {
        throw e;
      }
      return Optional.empty();
    }
    if (envelope.type().equals(SAMPLE.type())) {
      ArrayUsageSample sample = codec.payload(envelope, SAMPLE);
      return Optional.of(new Reading(record, envelope.source(), envelope.sequence(), envelope.id(), envelope.type(),
          sample.tenantId(), sample.arrayId(), sample, "ACCEPTED"));
    }
    ResourceLifecycleEvent event = codec.payload(envelope, LifecycleMessages.RESOURCE_LIFECYCLE);
    return Optional.of(new Reading(record, envelope.source(), envelope.sequence(), envelope.id(), envelope.type(),
        event.tenantId(), event.arrayId(), null, "ACCEPTED"));
  }

  private String rawType(byte[] body) {
    try {
      JsonNode type = json.readTree(body).get("type");
      return type == null ? "" : type.asText();
    } catch (Exception e) {
      return "";
    }
  }
}
