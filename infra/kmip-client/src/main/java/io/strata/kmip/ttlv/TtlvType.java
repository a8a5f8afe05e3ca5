package io.strata.kmip.ttlv;

/** The item types of KMIP's binary encoding (KMIP 1.x, section 9.1.1.2), with their type bytes. */
public enum TtlvType {
  STRUCTURE(0x01),
  INTEGER(0x02),
  LONG_INTEGER(0x03),
  BIG_INTEGER(0x04),
  ENUMERATION(0x05),
  BOOLEAN(0x06),
  TEXT_STRING(0x07),
  BYTE_STRING(0x08),
  DATE_TIME(0x09),
  INTERVAL(0x0A);

  final int code;

  TtlvType(int code) {
    this.code = code;
  }

  /** The type with this type byte, or null for a byte KMIP 1.x does not define. */
  static TtlvType of(int code) {
    for (TtlvType type : values()) {
      if (type.code == code) return type;
    }
    return null;
  }

  /** The length every value of this type has, or -1 when it varies (structure, strings, big integer). */
  int fixedLength() {
    return switch (this) {
      case INTEGER, ENUMERATION, INTERVAL -> 4;
      case LONG_INTEGER, BOOLEAN, DATE_TIME -> 8;
      default -> -1;
    };
  }
}
