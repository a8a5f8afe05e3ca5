package io.strata.kmip.ttlv;

import io.strata.kmip.KmipProtocolException;

/** Bytes that are not valid TTLV: truncated, a length that lies, an unknown type, bad UTF-8. */
public class TtlvFormatException extends KmipProtocolException {
  public TtlvFormatException(String message) {
    super(message);
  }
}
