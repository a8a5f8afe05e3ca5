package io.strata.kmip.ttlv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The encodings are the examples of the KMIP 1.4 specification, section 9.1.2. */
class TtlvCodecTest {

  private static final int TAG = 0x420020;

  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", "").replace("|", ""));
  }

  @Test
  void encodesTheSpecificationsExamples() {
    assertEncodes(Ttlv.integer(TAG, 8), "42 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00");
    assertEncodes(Ttlv.longInteger(TAG, 123456789000000000L), "42 00 20 | 03 | 00 00 00 08 | 01 B6 9B 4B A5 74 92 00");
    assertEncodes(Ttlv.bigInteger(TAG, hex("00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00")),
        "42 00 20 | 04 | 00 00 00 10 | 00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00");
    assertEncodes(Ttlv.enumeration(TAG, 255), "42 00 20 | 05 | 00 00 00 04 | 00 00 00 FF 00 00 00 00");
    assertEncodes(Ttlv.bool(TAG, true), "42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 01");
    assertEncodes(Ttlv.text(TAG, "Hello World"),
        "42 00 20 | 07 | 00 00 00 0B | 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00");
    assertEncodes(Ttlv.bytes(TAG, new byte[] {1, 2, 3}), "42 00 20 | 08 | 00 00 00 03 | 01 02 03 00 00 00 00 00");
    assertEncodes(Ttlv.dateTime(TAG, Instant.parse("2008-03-14T11:56:40Z")),
        "42 00 20 | 09 | 00 00 00 08 | 00 00 00 00 47 DA 67 F8");
    assertEncodes(Ttlv.interval(TAG, 864000), "42 00 20 | 0A | 00 00 00 04 | 00 0D 2F 00 00 00 00 00");
    assertEncodes(
        Ttlv.structure(0x420004, Ttlv.text(0x420003, "ssl"), Ttlv.text(0x420002, "www.example.com")),
        "42 00 04 | 01 | 00 00 00 28 | 42 00 03 | 07 | 00 00 00 03 | 73 73 6C 00 00 00 00 00 | "
            + "42 00 02 | 07 | 00 00 00 0F | 77 77 77 2E 65 78 61 6D 70 6C 65 2E 63 6F 6D 00");
  }

  private static void assertEncodes(Ttlv item, String expected) {
    assertThat(HexFormat.of().formatHex(TtlvCodec.encode(item))).isEqualTo(HexFormat.of().formatHex(hex(expected)));
    assertThat(TtlvCodec.decode(hex(expected))).isEqualTo(item);
  }

  @Test
  void aByteStringIsNeverShownInText() {
    Ttlv key = Ttlv.bytes(Tags.DATA, hex("DEADBEEFDEADBEEF"));
    assertThat(key.toString()).isEqualTo("DATA:BYTE_STRING=<8 bytes>");
  }

  @Test
  void aLengthLongerThanTheBytesThatFollowIsRefused() {
    byte[] lying = hex("42 00 20 | 08 | 00 00 10 00 | 01 02 03 00 00 00 00 00");
    assertThatThrownBy(() -> TtlvCodec.decode(lying))
        .isInstanceOf(TtlvFormatException.class)
        .hasMessageContaining("declares 4096 bytes but only 8 follow");
  }

  @Test
  void aStructureWhoseItemOverrunsItIsRefused() {
    // the structure says 16 bytes; its single item says 16 bytes of value after its 8-byte header
    byte[] overrun = hex("42 00 04 | 01 | 00 00 00 10 | 42 00 03 | 08 | 00 00 00 10 | 00 00 00 00 00 00 00 00"
        + " 00 00 00 00 00 00 00 00");
    assertThatThrownBy(() -> TtlvCodec.decode(overrun)).isInstanceOf(TtlvFormatException.class);
  }

  @Test
  void aTruncatedHeaderIsRefused() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42 00 20 02 00")))
        .isInstanceOf(TtlvFormatException.class)
        .hasMessageContaining("truncated item header");
  }

  @Test
  void anUnknownTypeIsRefused() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42 00 20 | 0B | 00 00 00 00")))
        .isInstanceOf(TtlvFormatException.class)
        .hasMessageContaining("unknown item type 0xb");
  }

  @Test
  void anIntegerOfTheWrongLengthIsRefused() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42 00 20 | 02 | 00 00 00 08 | 00 00 00 08 00 00 00 00")))
        .isInstanceOf(TtlvFormatException.class)
        .hasMessageContaining("must be 4");
  }

  @Test
  void aBooleanOtherThanZeroOrOneIsRefused() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 02")))
        .isInstanceOf(TtlvFormatException.class)
        .hasMessageContaining("boolean of value 2");
  }

  @Test
  void textThatIsNotUtf8IsRefused() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42 00 20 | 07 | 00 00 00 02 | C3 28 00 00 00 00 00 00")))
        .isInstanceOf(TtlvFormatException.class)
        .hasMessageContaining("not UTF-8");
  }

  @Test
  void bytesAfterTheMessageAreRefused() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00 | 00")))
        .isInstanceOf(TtlvFormatException.class)
        .hasMessageContaining("1 bytes follow");
  }

  @Test
  void nestingDeeperThanTheLimitIsRefusedWithoutExhaustingTheStack() {
    Ttlv item = Ttlv.integer(TAG, 1);
    for (int i = 0; i <= TtlvCodec.MAX_DEPTH; i++) item = Ttlv.structure(TAG, item);
    byte[] deep = TtlvCodec.encode(item);
    assertThatThrownBy(() -> TtlvCodec.decode(deep))
        .isInstanceOf(TtlvFormatException.class)
        .hasMessageContaining("nest deeper than " + TtlvCodec.MAX_DEPTH);
  }

  @Test
  void aStreamedMessageAboveTheLimitIsRefusedBeforeItsBodyIsRead() {
    // declares 4 GiB - 1; nothing that large may be allocated or waited for
    byte[] header = hex("42 00 7B | 01 | FF FF FF FF");
    assertThatThrownBy(() -> TtlvCodec.readMessage(new ByteArrayInputStream(header), 1 << 20))
        .isInstanceOf(TtlvFormatException.class)
        .hasMessageContaining("declares 4294967295 bytes, more than the limit of 1048576");
  }

  @Test
  void aStreamThatEndsInsideAMessageIsAnEndOfStream() {
    byte[] cut = hex("42 00 7B | 01 | 00 00 00 10 | 42 00 20 02 00 00 00 04");
    assertThatThrownBy(() -> TtlvCodec.readMessage(new ByteArrayInputStream(cut), 1 << 20))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("8 of a message's 16 bytes");
  }

  @Test
  void aStreamedMessageIsReadWhole() throws Exception {
    Ttlv message = Ttlv.structure(Tags.RESPONSE_MESSAGE, Ttlv.text(Tags.RESULT_MESSAGE, "odd length"));
    byte[] twice = new byte[2 * TtlvCodec.encode(message).length];
    System.arraycopy(TtlvCodec.encode(message), 0, twice, 0, twice.length / 2);
    System.arraycopy(TtlvCodec.encode(message), 0, twice, twice.length / 2, twice.length / 2);
    ByteArrayInputStream in = new ByteArrayInputStream(twice);

    assertThat(TtlvCodec.readMessage(in, 1 << 20)).isEqualTo(message);
    assertThat(TtlvCodec.readMessage(in, 1 << 20)).isEqualTo(message);
  }
}
