package io.strata.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Turns payloads into enveloped JSON bytes and back, for the message types it is given. Stateless
 * apart from its registry; safe to share between threads.
 */
public final class MessageCodec {

  private final ObjectMapper json;
  private final Map<String, MessageType<?>> types;
  private final Clock clock;

  public MessageCodec(Iterable<MessageType<?>> known, Clock clock) {
    this.json =
        new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    Map<String, MessageType<?>> byType = new ConcurrentHashMap<>();
    for (MessageType<?> type : known) {
      if (byType.putIfAbsent(type.type(), type) != null) {
        throw new IllegalArgumentException("message type registered twice: " + type.type());
      }
    }
    this.types = Map.copyOf(byType);
    this.clock = clock;
  }

  public static MessageCodec of(MessageType<?>... known) {
    return new MessageCodec(java.util.List.of(known), Clock.systemUTC());
  }

  /** Wraps {@code payload} in a new envelope with a fresh id. */
  public <T> Envelope envelope(MessageType<T> type, String source, long sequence, String subject, T payload) {
    return new Envelope(
        Envelope.SPEC_VERSION,
        UUID.randomUUID().toString(),
        type.type(),
        type.currentVersion(),
        source,
        sequence,
        clock.instant(),
        subject,
        json.valueToTree(payload));
  }

  public byte[] encode(Envelope envelope) {
    try {
      return json.writeValueAsBytes(envelope);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + envelope.type(), e);
    }
  }

  /** Reads an envelope, checking that its type is known and its version readable. */
  public Envelope decode(byte[] bytes) throws UnreadableMessageException {
    Envelope envelope;
    try {
      envelope = json.readValue(bytes, Envelope.class);
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      throw new UnreadableMessageException("not a Strata envelope: " + e.getMessage(), e);
    }
    MessageType<?> type = types.get(envelope.type());
    if (type == null) {
      throw new UnreadableMessageException("unknown message type " + envelope.type() + " (id " + envelope.id() + ")");
    }
    if (!type.reads(envelope.dataversion())) {
      throw new UnreadableMessageException(
          envelope.type() + " version " + envelope.dataversion() + " is not readable here (reads "
              + type.oldestReadableVersion() + ".." + type.currentVersion() + "; id " + envelope.id() + ")");
    }
    return envelope;
  }

  /** The payload of an envelope already checked by {@link #decode}. */
  public <T> T payload(Envelope envelope, MessageType<T> type) throws UnreadableMessageException {
    if (!type.type().equals(envelope.type())) {
      throw new IllegalArgumentException("envelope is " + envelope.type() + ", not " + type.type());
    }
    try {
      return json.treeToValue(envelope.data(), type.payload());
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new UnreadableMessageException("bad " + type.type() + " payload (id " + envelope.id() + "): " + e.getMessage(), e);
    }
  }

  /** The types this codec reads, by CloudEvents type. */
  public Map<String, Integer> readableVersions() {
    return types.values().stream().collect(Collectors.toMap(MessageType::type, MessageType::currentVersion));
  }

  ObjectMapper json() {
    return json;
  }

}
