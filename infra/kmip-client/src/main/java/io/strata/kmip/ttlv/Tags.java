package io.strata.kmip.ttlv;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/** The KMIP 1.x tags this client uses (KMIP 1.4, section 9.1.3.1). */
public final class Tags {
  public static final int ATTRIBUTE = 0x420008;
  public static final int ATTRIBUTE_NAME = 0x42000A;
  public static final int ATTRIBUTE_VALUE = 0x42000B;
  public static final int BATCH_COUNT = 0x42000D;
  public static final int BATCH_ITEM = 0x42000F;
  public static final int BLOCK_CIPHER_MODE = 0x420011;
  public static final int CRYPTOGRAPHIC_ALGORITHM = 0x420028;
  public static final int CRYPTOGRAPHIC_LENGTH = 0x42002A;
  public static final int CRYPTOGRAPHIC_PARAMETERS = 0x42002B;
  public static final int CRYPTOGRAPHIC_USAGE_MASK = 0x42002C;
  public static final int IV_COUNTER_NONCE = 0x42003D;
  public static final int MAXIMUM_RESPONSE_SIZE = 0x420050;
  public static final int NAME = 0x420053;
  public static final int NAME_TYPE = 0x420054;
  public static final int NAME_VALUE = 0x420055;
  public static final int OBJECT_TYPE = 0x420057;
  public static final int OPERATION = 0x42005C;
  public static final int PROTOCOL_VERSION = 0x420069;
  public static final int PROTOCOL_VERSION_MAJOR = 0x42006A;
  public static final int PROTOCOL_VERSION_MINOR = 0x42006B;
  public static final int REQUEST_HEADER = 0x420077;
  public static final int REQUEST_MESSAGE = 0x420078;
  public static final int REQUEST_PAYLOAD = 0x420079;
  public static final int RESPONSE_HEADER = 0x42007A;
  public static final int RESPONSE_MESSAGE = 0x42007B;
  public static final int RESPONSE_PAYLOAD = 0x42007C;
  public static final int RESULT_MESSAGE = 0x42007D;
  public static final int RESULT_REASON = 0x42007E;
  public static final int RESULT_STATUS = 0x42007F;
  public static final int REVOCATION_REASON = 0x420081;
  public static final int REVOCATION_REASON_CODE = 0x420082;
  public static final int STATE = 0x42008D;
  public static final int TEMPLATE_ATTRIBUTE = 0x420091;
  public static final int TIME_STAMP = 0x420092;
  public static final int UNIQUE_IDENTIFIER = 0x420094;
  public static final int DATA = 0x4200C2;
  public static final int TAG_LENGTH = 0x4200CE;
  public static final int AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA = 0x4200FE;
  public static final int AUTHENTICATED_ENCRYPTION_TAG = 0x4200FF;

  private static final Map<Integer, String> NAMES = new HashMap<>();

  static {
    for (Field field : Tags.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
        try {
          NAMES.put(field.getInt(null), field.getName());
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
  }

  /** The tag's name for messages, e.g. {@code UNIQUE_IDENTIFIER}, or its hex value when unknown here. */
  public static String name(int tag) {
    String name = NAMES.get(tag);
    return name != null ? name : String.format("tag 0x%06X", tag);
  }

  private Tags() {}
}
