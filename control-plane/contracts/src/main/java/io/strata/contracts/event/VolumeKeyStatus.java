package io.strata.contracts.event;

/**
 * An encrypted volume's key as its engine reports it (part of {@link ArrayStatus}, issue 22,
 * docs/encryption.md).
 *
 * @param volumeId the volume (or snapshot) id the engine serves it as
 * @param kekId the tenant's KEK its data key is wrapped by
 * @param state ACTIVE (the key is unwrapped, the volume serves), KMS_UNREACHABLE, REVOKED (the
 *     KEK is not active or gone) or FAILED (the wrapped key does not open, or the engine has no
 *     KMS settings); not ACTIVE: the volume is NOT READY, and the engine tries again by itself
 * @param reason why it is not ACTIVE (null when it is)
 */
public record VolumeKeyStatus(String volumeId, String kekId, String state, String reason) {}
