package io.strata.contracts.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.UnreadableMessageException;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.contracts.usage.ArrayUsageSample.TierCapacity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrayUsageSampleTest {

  static final Instant START = Instant.parse("2026-10-01T00:00:00Z");

  final MessageCodec codec = MessageCodec.of(UsageMessages.ARRAY_USAGE_SAMPLE);

  static ArrayUsageSample sample() {
    return new ArrayUsageSample(
        "a-1", "acme", "node-1", START, START.plusSeconds(60),
        List.of(new DriveAllocation(DriveType.SSD, 2, 1_920_500_000_000L),
            new DriveAllocation(DriveType.HDD, 4, 16_000_000_000_000L)),
        "small",
        List.of(new TierCapacity(DriveType.SSD, 1_800_000_000_000L, 12_250_000_001L, 500_000_000_000L)),
        200_000_000_000L, 3_500_000_000L, 1_000, 2_000, 4_096_000, 8_192_000);
  }

  @Test
  void travelsInAnEnvelopeExactly() throws Exception {
    Envelope sent = codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, "agent/node-1", 42, "array/a-1", sample());
    Envelope received = codec.decode(codec.encode(sent));
    ArrayUsageSample back = codec.payload(received, UsageMessages.ARRAY_USAGE_SAMPLE);
    assertThat(back).isEqualTo(sample());
    assertThat(back.tiers().get(0).poolUsedBytes()).isEqualTo(12_250_000_001L);
    assertThat(received.sequence()).isEqualTo(42);
    assertThat(back.intervalSeconds()).isEqualTo(60);
  }

  @Test
  void aStoppedEngineTravelsAndASampleWithoutTheFieldHadItsEngineRunning() throws Exception {
    ArrayUsageSample base = sample();
    ArrayUsageSample hibernated = new ArrayUsageSample(base.arrayId(), base.tenantId(), base.nodeId(),
        base.intervalStart(), base.intervalEnd(), base.drives(), base.engineSize(), base.tiers(), base.cacheBytes(),
        base.snapshotBytes(), 0, 0, 0, 0, true);
    Envelope sent = codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, "agent/node-1", 43, "array/a-1", hibernated);
    assertThat(codec.payload(codec.decode(codec.encode(sent)), UsageMessages.ARRAY_USAGE_SAMPLE).engineStopped()).isTrue();
    String wire = new String(codec.encode(codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, "agent/node-1", 44,
        "array/a-1", base)), java.nio.charset.StandardCharsets.UTF_8).replace(",\"engineStopped\":false", "");
    assertThat(wire).doesNotContain("engineStopped");
    assertThat(codec.payload(codec.decode(wire.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        UsageMessages.ARRAY_USAGE_SAMPLE).engineStopped()).isFalse();
  }

  @Test
  void refusesAnIntervalThatEndsBeforeItStarts() {
    assertThatThrownBy(() -> new ArrayUsageSample("a", "t", "n", START, START, List.of(), "small", List.of(),
            0, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not after");
  }

  @Test
  void refusesNegativeCountersAndSizes() {
    assertThatThrownBy(() -> new ArrayUsageSample("a", "t", "n", START, START.plusSeconds(1), List.of(), "small",
            List.of(), 0, 0, -1, 0, 0, 0))
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> new DriveAllocation(DriveType.SSD, 1, -1))
        .hasMessageContaining("negative");
  }

  @Test
  void aBadPayloadIsUnreadableNotACrash() throws Exception {
    String json =
        "{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"io.strata.usage.array-sample\",\"dataversion\":1,"
            + "\"source\":\"agent/n\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\","
            + "\"data\":{\"arrayId\":\"a\",\"tenantId\":\"t\",\"nodeId\":\"n\",\"engineSize\":\"small\","
            + "\"intervalStart\":\"2026-10-01T00:01:00Z\",\"intervalEnd\":\"2026-10-01T00:00:00Z\"}}";
    Envelope envelope = codec.decode(json.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> codec.payload(envelope, UsageMessages.ARRAY_USAGE_SAMPLE))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("not after");
  }
}
