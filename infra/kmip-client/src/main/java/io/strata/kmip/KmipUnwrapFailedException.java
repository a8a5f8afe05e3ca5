package io.strata.kmip;

/**
 * The KEK is active but the wrapped key does not open with it: it was wrapped by another KEK, with
 * another context, or its bytes were altered (AES-GCM's tag does not match).
 */
public class KmipUnwrapFailedException extends KmipOperationException {
  public KmipUnwrapFailedException(String message) {
    super("Decrypt", ResultReason.CRYPTOGRAPHIC_FAILURE, message);
  }
}
