package io.strata.kmip;

/** Why a KMIP operation failed (KMIP 1.4, section 9.1.3.2.29): the reasons a 1.x server reports. */
public enum ResultReason {
  ITEM_NOT_FOUND(0x01),
  RESPONSE_TOO_LARGE(0x02),
  AUTHENTICATION_NOT_SUCCESSFUL(0x03),
  INVALID_MESSAGE(0x04),
  OPERATION_NOT_SUPPORTED(0x05),
  MISSING_DATA(0x06),
  INVALID_FIELD(0x07),
  FEATURE_NOT_SUPPORTED(0x08),
  OPERATION_CANCELED_BY_REQUESTER(0x09),
  CRYPTOGRAPHIC_FAILURE(0x0A),
  ILLEGAL_OPERATION(0x0B),
  PERMISSION_DENIED(0x0C),
  OBJECT_ARCHIVED(0x0D),
  INDEX_OUT_OF_BOUNDS(0x0E),
  APPLICATION_NAMESPACE_NOT_SUPPORTED(0x0F),
  KEY_FORMAT_TYPE_NOT_SUPPORTED(0x10),
  KEY_COMPRESSION_TYPE_NOT_SUPPORTED(0x11),
  ENCODING_OPTION_ERROR(0x12),
  KEY_VALUE_NOT_PRESENT(0x13),
  ATTESTATION_REQUIRED(0x14),
  ATTESTATION_FAILED(0x15),
  SENSITIVE(0x16),
  NOT_EXTRACTABLE(0x17),
  OBJECT_ALREADY_EXISTS(0x18),
  GENERAL_FAILURE(0x100),
  /** A code this client does not know (a newer server's); the exception's message has the number. */
  UNKNOWN(-1);

  final int code;

  ResultReason(int code) {
    this.code = code;
  }

  static ResultReason of(int code) {
    for (ResultReason reason : values()) {
      if (reason.code == code) return reason;
    }
    return UNKNOWN;
  }
}
