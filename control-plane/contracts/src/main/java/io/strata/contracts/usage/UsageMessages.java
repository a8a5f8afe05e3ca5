package io.strata.contracts.usage;

import io.strata.contracts.MessageType;
import java.util.List;

/**
 * The message types of {@code strata.usage}. Source: {@code agent/<node id>}; sequence: the
 * agent's own counter, one per message it publishes; subject: {@code array/<array id>}; Kafka key:
 * the array id (so that one array's samples stay in order on one partition).
 */
public final class UsageMessages {

  /** One {@link ArrayUsageSample}. */
  public static final MessageType<ArrayUsageSample> ARRAY_USAGE_SAMPLE =
      MessageType.of("io.strata.usage.array-sample", ArrayUsageSample.class, 1);

  /** Everything a usage consumer reads. */
  public static final List<MessageType<?>> ALL = List.of(ARRAY_USAGE_SAMPLE);

  private UsageMessages() {}
}
