package io.strata.kmip.ttlv;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * KMIP 1.x's binary encoding, TTLV: a 3-byte tag, a 1-byte type, a 4-byte big-endian length of the
 * value, then the value padded with zeros to a multiple of 8 bytes. A structure's value is its
 * items' encodings one after the other, each padded; its length counts that padding.
 *
 * <p>Decoding trusts no length: every declared length is checked against the bytes that are
 * really there (so a truncated message or a lying length is a {@link TtlvFormatException}, never
 * an allocation of the declared size or a loop), structures nest at most {@link #MAX_DEPTH} deep,
 * and a message read from a stream is refused before its body is read when its declared length is
 * above the caller's limit.
 */
public final class TtlvCodec {

  /** Deeper nesting than any KMIP 1.x message has; stops a crafted message from exhausting the stack. */
  public static final int MAX_DEPTH = 32;

  private static final int HEADER = 8;

  private TtlvCodec() {}

  public static byte[] encode(Ttlv item) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    write(item, out);
    return out.toByteArray();
  }

  private static void write(Ttlv item, ByteArrayOutputStream out) {
    byte[] value = valueBytes(item);
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    header.put((byte) (item.tag() >>> 16)).put((byte) (item.tag() >>> 8)).put((byte) item.tag());
    header.put((byte) item.type().code);
    header.putInt(value.length);
    out.writeBytes(header.array());
    out.writeBytes(value);
    out.writeBytes(new byte[padding(value.length)]);
  }

  private static byte[] valueBytes(Ttlv item) {
    return switch (item.type()) {
      case STRUCTURE -> {
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        for (Ttlv child : item.items()) write(child, inner);
        yield inner.toByteArray();
      }
      case INTEGER, ENUMERATION, INTERVAL -> ByteBuffer.allocate(4).putInt(item.asInt()).array();
      case LONG_INTEGER -> ByteBuffer.allocate(8).putLong(item.asLong()).array();
      case DATE_TIME -> ByteBuffer.allocate(8).putLong(item.asDateTime().getEpochSecond()).array();
      case BOOLEAN -> ByteBuffer.allocate(8).putLong(item.asBoolean() ? 1 : 0).array();
      case TEXT_STRING -> item.asText().getBytes(StandardCharsets.UTF_8);
      case BYTE_STRING, BIG_INTEGER -> item.asBytes();
    };
  }

  private static int padding(int length) {
    return (8 - length % 8) % 8;
  }

  /** Decodes exactly one item that fills {@code bytes}. */
  public static Ttlv decode(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    Ttlv item = read(buffer, 0);
    if (buffer.hasRemaining()) {
      throw new TtlvFormatException(buffer.remaining() + " bytes follow the message's single item");
    }
    return item;
  }

  /**
   * Reads one whole message (one top-level item) from a stream: the 8-byte header, then the
   * declared length, refused above {@code maxLength} before anything is allocated for it.
   */
  public static Ttlv readMessage(InputStream in, int maxLength) throws IOException {
    byte[] header = in.readNBytes(HEADER);
    if (header.length < HEADER) {
      throw new EOFException("the connection closed after " + header.length + " bytes of a message header");
    }
    long length = ByteBuffer.wrap(header, 4, 4).getInt() & 0xFFFFFFFFL;
    if (length > maxLength) {
      throw new TtlvFormatException(
          "a message declares " + length + " bytes, more than the limit of " + maxLength);
    }
    int padded = (int) (length + padding((int) length));
    byte[] message = new byte[HEADER + padded];
    System.arraycopy(header, 0, message, 0, HEADER);
    int read = in.readNBytes(message, HEADER, padded);
    if (read < padded) {
      throw new EOFException("the connection closed after " + read + " of a message's " + padded + " bytes");
    }
    return decode(message);
  }

  private static Ttlv read(ByteBuffer in, int depth) {
    int at = in.position();
    if (in.remaining() < HEADER) {
      throw new TtlvFormatException("truncated item header at byte " + at + ": " + in.remaining() + " of 8 bytes");
    }
    int tag = ((in.get() & 0xFF) << 16) | ((in.get() & 0xFF) << 8) | (in.get() & 0xFF);
    int typeCode = in.get() & 0xFF;
    TtlvType type = TtlvType.of(typeCode);
    if (type == null) {
      throw new TtlvFormatException(
          "unknown item type 0x" + Integer.toHexString(typeCode) + " of " + Tags.name(tag) + " at byte " + at);
    }
    long length = in.getInt() & 0xFFFFFFFFL;
    int fixed = type.fixedLength();
    if (fixed >= 0 && length != fixed) {
      throw new TtlvFormatException(
          Tags.name(tag) + " at byte " + at + " is a " + type + " of length " + length + ", which must be " + fixed);
    }
    long padded = length + (8 - length % 8) % 8;
    if (padded > in.remaining()) {
      throw new TtlvFormatException(
          Tags.name(tag) + " at byte " + at + " declares " + length + " bytes but only " + in.remaining() + " follow");
    }
    int valueStart = in.position();
    ByteBuffer value = in.slice(valueStart, (int) length);
    in.position(valueStart + (int) padded);
    return Ttlv.decoded(tag, type, value(tag, type, value, depth, at));
  }

  private static Object value(int tag, TtlvType type, ByteBuffer value, int depth, int at) {
    return switch (type) {
      case STRUCTURE -> {
        if (depth >= MAX_DEPTH) {
          throw new TtlvFormatException("structures nest deeper than " + MAX_DEPTH + " at byte " + at);
        }
        List<Ttlv> items = new ArrayList<>();
        while (value.hasRemaining()) items.add(read(value, depth + 1));
        yield List.copyOf(items);
      }
      case INTEGER, ENUMERATION, INTERVAL -> value.getInt();
      case LONG_INTEGER -> value.getLong();
      case DATE_TIME -> {
        long seconds = value.getLong();
        if (seconds < Instant.MIN.getEpochSecond() || seconds > Instant.MAX.getEpochSecond()) {
          throw new TtlvFormatException(Tags.name(tag) + " at byte " + at + " is a date-time out of range: " + seconds + " s");
        }
        yield seconds;
      }
      case BOOLEAN -> {
        long flag = value.getLong();
        if (flag != 0 && flag != 1) {
          throw new TtlvFormatException(Tags.name(tag) + " at byte " + at + " is a boolean of value " + flag);
        }
        yield flag == 1;
      }
      case TEXT_STRING -> utf8(tag, value, at);
      case BYTE_STRING -> bytesOf(value);
      case BIG_INTEGER -> {
        if (value.remaining() % 8 != 0) {
          throw new TtlvFormatException(
              Tags.name(tag) + " at byte " + at + " is a big integer of length " + value.remaining() + ", not a multiple of 8");
        }
        yield bytesOf(value);
      }
    };
  }

  private static byte[] bytesOf(ByteBuffer value) {
    byte[] bytes = new byte[value.remaining()];
    value.get(bytes);
    return bytes;
  }

  private static String utf8(int tag, ByteBuffer value, int at) {
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(value);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new TtlvFormatException(Tags.name(tag) + " at byte " + at + " is a text string that is not UTF-8");
    }
  }
}
