package io.strata.controlplane.outbox;

import java.util.UUID;

/**
 * Desired state of one LUN mapping (an attachment): which initiator sees which volume as which
 * LUN, and the initiator's CHAP credentials, still sealed (the agent opens them with the shared
 * key, see docs/control-plane.md).
 */
public record LunDesiredState(
    UUID attachmentId,
    UUID arrayId,
    UUID volumeId,
    boolean present,
    int lun,
    boolean readOnly,
    String initiatorIqn,
    String chapUser,
    String chapSecretSealed,
    String mutualChapUser,
    String mutualChapSecretSealed) {}
