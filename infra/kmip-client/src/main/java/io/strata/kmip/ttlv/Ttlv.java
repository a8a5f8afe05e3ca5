package io.strata.kmip.ttlv;

import io.strata.kmip.KmipProtocolException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One KMIP item: a tag (three bytes, 0x42xxxx for the standard's tags), a type and a value. A
 * structure's value is its items in order. Immutable; {@link #toString()} never shows the bytes of
 * a byte string (they may be key material), only their count.
 */
public final class Ttlv {

  private final int tag;
  private final TtlvType type;
  private final Object value;

  private Ttlv(int tag, TtlvType type, Object value) {
    if (tag < 0 || tag > 0xFFFFFF) {
      throw new IllegalArgumentException("tag must fit in three bytes: 0x" + Integer.toHexString(tag));
    }
    this.tag = tag;
    this.type = type;
    this.value = Objects.requireNonNull(value, "value");
  }

  public static Ttlv structure(int tag, Ttlv... items) {
    return structure(tag, List.of(items));
  }

  public static Ttlv structure(int tag, List<Ttlv> items) {
    return new Ttlv(tag, TtlvType.STRUCTURE, List.copyOf(items));
  }

  public static Ttlv integer(int tag, int value) {
    return new Ttlv(tag, TtlvType.INTEGER, value);
  }

  public static Ttlv longInteger(int tag, long value) {
    return new Ttlv(tag, TtlvType.LONG_INTEGER, value);
  }

  /** Two's complement, big-endian; its length must be a multiple of 8 (KMIP pads big integers so). */
  public static Ttlv bigInteger(int tag, byte[] value) {
    if (value.length % 8 != 0) {
      throw new IllegalArgumentException("a big integer's length must be a multiple of 8, not " + value.length);
    }
    return new Ttlv(tag, TtlvType.BIG_INTEGER, value.clone());
  }

  public static Ttlv enumeration(int tag, int value) {
    return new Ttlv(tag, TtlvType.ENUMERATION, value);
  }

  public static Ttlv bool(int tag, boolean value) {
    return new Ttlv(tag, TtlvType.BOOLEAN, value);
  }

  public static Ttlv text(int tag, String value) {
    return new Ttlv(tag, TtlvType.TEXT_STRING, value);
  }

  public static Ttlv bytes(int tag, byte[] value) {
    return new Ttlv(tag, TtlvType.BYTE_STRING, value.clone());
  }

  /** Seconds since the epoch (KMIP has no finer date-time). */
  public static Ttlv dateTime(int tag, Instant value) {
    return new Ttlv(tag, TtlvType.DATE_TIME, value.getEpochSecond());
  }

  /** Seconds, an unsigned 32-bit count held in an int. */
  public static Ttlv interval(int tag, int seconds) {
    return new Ttlv(tag, TtlvType.INTERVAL, seconds);
  }

  static Ttlv decoded(int tag, TtlvType type, Object value) {
    return new Ttlv(tag, type, value);
  }

  public int tag() {
    return tag;
  }

  public TtlvType type() {
    return type;
  }

  @SuppressWarnings("unchecked")
  public List<Ttlv> items() {
    return (List<Ttlv>) expect(TtlvType.STRUCTURE);
  }

  public int asInt() {
    if (type == TtlvType.ENUMERATION || type == TtlvType.INTERVAL) return (Integer) value;
    return (Integer) expect(TtlvType.INTEGER);
  }

  public long asLong() {
    return (Long) expect(TtlvType.LONG_INTEGER);
  }

  public boolean asBoolean() {
    return (Boolean) expect(TtlvType.BOOLEAN);
  }

  public String asText() {
    return (String) expect(TtlvType.TEXT_STRING);
  }

  /** A copy of a byte string's or a big integer's bytes. */
  public byte[] asBytes() {
    if (type == TtlvType.BIG_INTEGER) return ((byte[]) value).clone();
    return ((byte[]) expect(TtlvType.BYTE_STRING)).clone();
  }

  public Instant asDateTime() {
    return Instant.ofEpochSecond((Long) expect(TtlvType.DATE_TIME));
  }

  /** The first item of this structure with the tag, or null. */
  public Ttlv find(int childTag) {
    for (Ttlv item : items()) {
      if (item.tag == childTag) return item;
    }
    return null;
  }

  /** Every item of this structure with the tag, in order. */
  public List<Ttlv> findAll(int childTag) {
    return items().stream().filter(item -> item.tag == childTag).toList();
  }

  /** The first item with the tag; a {@link KmipProtocolException} naming both tags when absent. */
  public Ttlv require(int childTag) {
    Ttlv item = find(childTag);
    if (item == null) {
      throw new KmipProtocolException(
          "item " + Tags.name(tag) + " lacks the required " + Tags.name(childTag));
    }
    return item;
  }

  /** Overwrites the bytes of this item's byte strings, and of its items', with zeros. */
  public void wipe() {
    if (value instanceof byte[] bytes) Arrays.fill(bytes, (byte) 0);
    if (type == TtlvType.STRUCTURE) items().forEach(Ttlv::wipe);
  }

  private Object expect(TtlvType wanted) {
    if (type != wanted) {
      throw new KmipProtocolException(
          "item " + Tags.name(tag) + " is a " + type + ", not the expected " + wanted);
    }
    return value;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof Ttlv that)) return false;
    if (tag != that.tag || type != that.type) return false;
    if (value instanceof byte[] bytes) return Arrays.equals(bytes, (byte[]) that.value);
    return value.equals(that.value);
  }

  @Override
  public int hashCode() {
    int valueHash = value instanceof byte[] bytes ? Arrays.hashCode(bytes) : value.hashCode();
    return Objects.hash(tag, type, valueHash);
  }

  @Override
  public String toString() {
    String shown = switch (type) {
      case BYTE_STRING, BIG_INTEGER -> "<" + ((byte[]) value).length + " bytes>";
      case TEXT_STRING -> '"' + (String) value + '"';
      case DATE_TIME -> asDateTime().toString();
      default -> String.valueOf(value);
    };
    return Tags.name(tag) + ":" + type + "=" + shown;
  }
}
