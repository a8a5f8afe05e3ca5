package io.strata.engine.iscsi.discovery;

import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.transport.Portal;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Answers SendTargets (RFC 7143 appendix C): each target the initiator may log in to, with a
 * TargetAddress for every portal and its portal group tag.
 */
public final class SendTargets {
  private SendTargets() {}

  /**
   * The answer text for {@code value} ("All", a target name, or empty for the session's own
   * target).
   *
   * @param sessionTarget the target of the normal session asking, or null in a discovery session
   */
  public static byte[] answer(
      String value, Targets targets, String initiatorName, TargetDefinition sessionTarget) {
    List<TargetDefinition> shown;
    if (sessionTarget != null) {
      // A normal session learns only about its own target (RFC 7143 appendix C).
      shown =
          value.isEmpty() || value.equals(sessionTarget.name()) || value.equals("All")
              ? List.of(sessionTarget)
              : List.of();
    } else if (value.equals("All")) {
      shown = targets.visibleTo(initiatorName);
    } else {
      shown = targets.visibleTo(initiatorName).stream().filter(t -> t.name().equals(value)).toList();
    }
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    for (TargetDefinition target : shown) {
      pair(text, "TargetName", target.name());
      for (Portal portal : target.portals()) {
        pair(text, "TargetAddress", portal.targetAddress());
      }
    }
    return text.toByteArray();
  }

  private static void pair(ByteArrayOutputStream text, String key, String value) {
    byte[] bytes = (key + "=" + value + "\0").getBytes(StandardCharsets.UTF_8);
    text.write(bytes, 0, bytes.length);
  }
}
