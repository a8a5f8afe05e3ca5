package io.strata.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * Every message on Strata's topics travels in this envelope, shaped after CloudEvents 1.0
 * (structured JSON mode) with two extension attributes: {@code dataversion}, the version of the
 * payload's schema for this {@code type}, and {@code sequence}, which increases by one for each
 * message a {@code source} sends, so that receivers can drop duplicates and see gaps.
 *
 * @param specversion always {@value #SPEC_VERSION}
 * @param id unique per message; a receiver that has seen it acknowledges without re-applying
 * @param type what the message is, e.g. {@code io.strata.command.array}
 * @param dataversion the schema version of {@code data} for this type
 * @param source who sent it, e.g. {@code control-plane} or {@code agent/node-1}
 * @param sequence the sender's counter (per source), starting at 1
 * @param time when the sender made it
 * @param subject the object it names, e.g. {@code array/8f0c...}
 * @param data the payload
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Envelope(
    String specversion,
    String id,
    String type,
    int dataversion,
    String source,
    long sequence,
    Instant time,
    String subject,
    JsonNode data) {

  public static final String SPEC_VERSION = "1.0";

  public Envelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(time, "time");
    if (dataversion < 1) {
      throw new IllegalArgumentException("dataversion must be 1 or more, was " + dataversion);
    }
  }
}
