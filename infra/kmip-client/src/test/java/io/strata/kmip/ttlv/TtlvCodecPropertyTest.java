package io.strata.kmip.ttlv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class TtlvCodecPropertyTest {

  @Property
  void everyItemDecodesToItself(@ForAll("items") Ttlv item) {
    byte[] encoded = TtlvCodec.encode(item);
    assertThat(encoded.length % 8).isZero();
    assertThat(TtlvCodec.decode(encoded)).isEqualTo(item);
  }

  @Property
  void everyTruncationIsAFormatError(@ForAll("items") Ttlv item, @ForAll @IntRange(min = 1, max = 10_000) int cut) {
    byte[] encoded = TtlvCodec.encode(item);
    int kept = encoded.length - 1 - (cut % encoded.length);
    byte[] truncated = java.util.Arrays.copyOf(encoded, kept);
    assertThatThrownBy(() -> TtlvCodec.decode(truncated)).isInstanceOf(TtlvFormatException.class);
  }

  /** A top-level length that claims more than is there; the inner ones may lie too (below). */
  @Property
  void aLengthClaimingMoreThanIsThereIsAFormatError(
      @ForAll("items") Ttlv item, @ForAll @IntRange(min = 1) int extra) {
    byte[] encoded = TtlvCodec.encode(item);
    long claimed = Math.min(0xFFFFFFFFL, (long) encoded.length - 8 + extra);
    ByteBuffer.wrap(encoded).putInt(4, (int) claimed);
    assertThatThrownBy(() -> TtlvCodec.decode(encoded)).isInstanceOf(TtlvFormatException.class);
  }

  /** Any length field rewritten to anything: the decoder answers or refuses, and nothing else. */
  @Property
  void anyRewrittenLengthDecodesOrIsRefused(
      @ForAll("items") Ttlv item, @ForAll @IntRange(min = 0) int header, @ForAll int length) {
    byte[] encoded = TtlvCodec.encode(item);
    int offset = (header % (encoded.length / 8)) * 8;
    ByteBuffer.wrap(encoded).putInt(offset + 4, length);
    decodesOrRefuses(encoded);
  }

  @Property
  void randomBytesDecodeOrAreRefused(@ForAll @Size(max = 200) byte[] bytes) {
    decodesOrRefuses(bytes);
  }

  @Property
  void randomBytesAfterAValidHeaderDecodeOrAreRefused(
      @ForAll @IntRange(min = 1, max = 10) int type, @ForAll @Size(max = 120) byte[] rest) {
    byte[] bytes = ByteBuffer.allocate(8 + rest.length)
        .put((byte) 0x42).put((byte) 0).put((byte) 0x20).put((byte) type).putInt(rest.length).put(rest).array();
    decodesOrRefuses(bytes);
  }

  private static void decodesOrRefuses(byte[] bytes) {
    try {
      Ttlv decoded = TtlvCodec.decode(bytes);
      assertThat(TtlvCodec.encode(decoded)).hasSizeLessThanOrEqualTo(bytes.length);
    } catch (TtlvFormatException expected) {
      // refused with a reason: fine
    }
  }

  @Provide
  Arbitrary<Ttlv> items() {
    return itemsNested(3);
  }

  private Arbitrary<Ttlv> itemsNested(int depth) {
    if (depth == 0) return leaves();
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, leaves()),
        net.jqwik.api.Tuple.of(1, Combinators.combine(tags(), itemsNested(depth - 1).list().ofMaxSize(4))
            .as(Ttlv::structure)));
  }

  private Arbitrary<Integer> tags() {
    return Arbitraries.integers().between(0, 0xFFFFFF);
  }

  private Arbitrary<Ttlv> leaves() {
    Arbitrary<Integer> tags = tags();
    return Arbitraries.oneOf(
        Combinators.combine(tags, Arbitraries.integers()).as(Ttlv::integer),
        Combinators.combine(tags, Arbitraries.longs()).as(Ttlv::longInteger),
        Combinators.combine(tags, Arbitraries.integers().between(0, 8).flatMap(
            words -> Arbitraries.bytes().array(byte[].class).ofSize(8 * words))).as(Ttlv::bigInteger),
        Combinators.combine(tags, Arbitraries.integers()).as(Ttlv::enumeration),
        Combinators.combine(tags, Arbitraries.of(true, false)).as(Ttlv::bool),
        Combinators.combine(tags, Arbitraries.strings().ofMaxLength(40)
            .filter(s -> s.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF))).as(Ttlv::text),
        Combinators.combine(tags, Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as(Ttlv::bytes),
        Combinators.combine(tags, Arbitraries.longs().between(-62135596800L, 253402300799L)
            .map(Instant::ofEpochSecond)).as(Ttlv::dateTime),
        Combinators.combine(tags, Arbitraries.integers()).as(Ttlv::interval));
  }
}
