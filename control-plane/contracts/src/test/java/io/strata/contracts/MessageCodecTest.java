package io.strata.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

  record Ping(String node, int count) {}

  static final MessageType<Ping> PING = MessageType.of("io.strata.test.ping", Ping.class, 2);

  final MessageCodec codec = MessageCodec.of(PING);

  @Test
  void roundTripsAPayloadInItsEnvelope() throws Exception {
    Envelope sent = codec.envelope(PING, "agent/node-1", 7, "node/node-1", new Ping("node-1", 3));
    Envelope received = codec.decode(codec.encode(sent));
    assertThat(received).isEqualTo(sent);
    assertThat(received.specversion()).isEqualTo("1.0");
    assertThat(codec.payload(received, PING)).isEqualTo(new Ping("node-1", 3));
  }

  @Test
  void refusesAVersionItCannotRead() {
    String future =
        "{\"specversion\":\"1.0\",\"id\":\"a\",\"type\":\"io.strata.test.ping\",\"dataversion\":3,"
            + "\"source\":\"x\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\",\"data\":{}}";
    assertThatThrownBy(() -> codec.decode(future.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("version 3 is not readable");
  }

  @Test
  void refusesAnUnknownTypeAndGarbage() {
    String unknown =
        "{\"specversion\":\"1.0\",\"id\":\"a\",\"type\":\"io.strata.other\",\"dataversion\":1,"
            + "\"source\":\"x\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\",\"data\":{}}";
    assertThatThrownBy(() -> codec.decode(unknown.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("unknown message type io.strata.other");
    assertThatThrownBy(() -> codec.decode("{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class);
    assertThatThrownBy(() -> codec.decode("{\"type\":\"io.strata.test.ping\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class);
  }
}
