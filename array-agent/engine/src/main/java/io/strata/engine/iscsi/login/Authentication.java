package io.strata.engine.iscsi.login;

import java.util.Arrays;

/**
 * How initiators authenticate to a target: no CHAP, one-way CHAP, or CHAP plus the target's own
 * credentials for mutual CHAP.
 *
 * @param initiator what the initiator must prove it knows, or null for no authentication
 * @param target what the target answers with when the initiator asks for mutual CHAP, or null
 */
public record Authentication(ChapCredentials initiator, ChapCredentials target) {
  public static final Authentication NONE = new Authentication(null, null);

  public Authentication {
    if (target != null && initiator == null) {
      throw new IllegalArgumentException("mutual CHAP needs one-way CHAP (--chap) as well");
    }
    if (target != null && Arrays.equals(target.secret(), initiator.secret())) {
      // RFC 7143 12.1.3: the same secret both ways would let an attacker reflect challenges.
      throw new IllegalArgumentException("mutual CHAP secret must differ from the CHAP secret");
    }
  }

  public boolean required() {
    return initiator != null;
  }
}
