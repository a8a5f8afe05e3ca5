package io.strata.engine.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PduDecoderTest {

  /** Collects what the decoder produces. */
  static final class Collected implements PduDecoder.Sink {
    final List<Pdu> pdus = new ArrayList<>();
    final List<DecodeFailure> failures = new ArrayList<>();

    @Override
    public void pdu(Pdu pdu) {
      pdus.add(pdu);
    }

    @Override
    public void failure(DecodeFailure failure) {
      failures.add(failure);
    }
  }

  private static final DecodeLimits PLAIN = new DecodeLimits(8192, false, false);
  private static final DecodeLimits DIGESTS = new DecodeLimits(8192, true, true);

  private static ScsiCommandPdu write(int itt, byte[] data) {
    byte[] cdb = new byte[16];
    cdb[0] = 0x2a;
    return new ScsiCommandPdu(
        false, true, false, true, 1, 0, itt, data.length, 7, 3, cdb, ByteBuffer.wrap(data));
  }

  private static byte[] concat(byte[]... parts) {
    ByteBuffer all = ByteBuffer.allocate(java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
    for (byte[] p : parts) {
      all.put(p);
    }
    return all.array();
  }

  private static Collected feedByteByByte(DecodeLimits limits, byte[] wire) {
    PduDecoder decoder = new PduDecoder(limits);
    Collected out = new Collected();
    for (byte b : wire) {
      decoder.feed(ByteBuffer.wrap(new byte[] {b}), out);
    }
    return out;
  }

  @Test
  void byteByByteInputGivesTheSamePdusAsOneChunk() {
    byte[] data = "hello, odd length".getBytes(StandardCharsets.US_ASCII); // needs padding
    byte[] wire =
        concat(
            PduCodec.encodeToBytes(write(1, data), true, true),
            PduCodec.encodeToBytes(
                new NopOut(true, 0, 2, -1, 8, 4, ByteBuffer.wrap(new byte[] {1, 2, 3})), true, true),
            PduCodec.encodeToBytes(new LogoutRequest(false, 0, 3, 1, 9, 5), true, true));

    Collected bytewise = feedByteByByte(DIGESTS, wire);
    Collected whole = new Collected();
    new PduDecoder(DIGESTS).feed(ByteBuffer.wrap(wire), whole);

    assertThat(bytewise.failures).isEmpty();
    assertThat(bytewise.pdus).hasSize(3);
    assertThat(whole.pdus).hasSize(3);
    ScsiCommandPdu cmd = (ScsiCommandPdu) bytewise.pdus.get(0);
    assertThat(cmd.itt()).isEqualTo(1);
    assertThat(cmd.write()).isTrue();
    assertThat(cmd.cmdSn()).isEqualTo(7);
    assertThat(cmd.cdb()[0]).isEqualTo((byte) 0x2a);
    assertThat(StandardCharsets.US_ASCII.decode(cmd.data()).toString()).isEqualTo("hello, odd length");
    NopOut nop = (NopOut) bytewise.pdus.get(1);
    assertThat(nop.immediate()).isTrue();
    assertThat(nop.data().remaining()).isEqualTo(3);
    assertThat(((LogoutRequest) bytewise.pdus.get(2)).cid()).isEqualTo(1);
  }

  @Test
  void dataSegmentExactlyAtTheLimitIsAccepted() {
    byte[] wire = PduCodec.encodeToBytes(write(1, new byte[8192]), false, false);
    Collected out = feedByteByByte(PLAIN, wire);
    assertThat(out.failures).isEmpty();
    assertThat(out.pdus).hasSize(1);
  }

  @Test
  void dataSegmentOneByteOverTheLimitBreaksTheConnection() {
    byte[] wire =
        concat(
            PduCodec.encodeToBytes(write(1, new byte[8193]), false, false),
            PduCodec.encodeToBytes(new LogoutRequest(false, 0, 3, 1, 9, 5), false, false));
    Collected out = feedByteByByte(PLAIN, wire);
    assertThat(out.pdus).isEmpty();
    assertThat(out.failures).hasSize(1);
    assertThat(out.failures.get(0).fatal()).isTrue();
    assertThat(out.failures.get(0).rejectReason()).isEqualTo(Reject.PROTOCOL_ERROR);
  }

  @Test
  void headerDigestMismatchIsFatal() {
    byte[] wire = PduCodec.encodeToBytes(new LogoutRequest(false, 0, 3, 1, 9, 5), true, false);
    wire[20] ^= 1; // corrupt the header, not the digest
    Collected out = feedByteByByte(new DecodeLimits(8192, true, false), wire);
    assertThat(out.pdus).isEmpty();
    assertThat(out.failures).singleElement().satisfies(f -> assertThat(f.fatal()).isTrue());
  }

  @Test
  void dataDigestMismatchRejectsOnlyThatPdu() {
    byte[] bad = PduCodec.encodeToBytes(write(1, new byte[100]), true, true);
    bad[48 + 4 + 10] ^= 1; // a data byte
    byte[] wire =
        concat(bad, PduCodec.encodeToBytes(new LogoutRequest(false, 0, 3, 1, 9, 5), true, true));
    Collected out = feedByteByByte(DIGESTS, wire);
    assertThat(out.failures).singleElement().satisfies(f -> {
      assertThat(f.fatal()).isFalse();
      assertThat(f.rejectReason()).isEqualTo(Reject.DATA_DIGEST_ERROR);
    });
    assertThat(out.pdus).singleElement().isInstanceOf(LogoutRequest.class);
  }

  @Test
  void unknownOpcodeIsRejectedAndTheStreamGoesOn() {
    byte[] unknown = new byte[48];
    unknown[0] = 0x1c; // no such initiator opcode
    byte[] targetOnly = PduCodec.encodeToBytes(
        new NopIn(0, 1, -1, 1, 1, 1, Pdu.NO_DATA), false, false); // NOP-In from an initiator
    byte[] wire =
        concat(unknown, targetOnly, PduCodec.encodeToBytes(new LogoutRequest(false, 0, 3, 1, 9, 5), false, false));
    Collected out = feedByteByByte(PLAIN, wire);
    assertThat(out.failures).hasSize(2);
    assertThat(out.failures).allSatisfy(f -> {
      assertThat(f.fatal()).isFalse();
      assertThat(f.rejectReason()).isEqualTo(Reject.COMMAND_NOT_SUPPORTED);
    });
    assertThat(out.pdus).singleElement().isInstanceOf(LogoutRequest.class);
  }

  @Test
  void extendedCdbAhsLengthensTheCdb() {
    byte[] cdb32 = new byte[32];
    for (int i = 0; i < 32; i++) {
      cdb32[i] = (byte) i;
    }
    byte[] bhs = PduCodec.encodeHeader(
        new ScsiCommandPdu(false, true, true, false, 1, 0, 5, 512, 1, 1, cdb32, Pdu.NO_DATA));
    // AHS: length 17 (16 CDB bytes + reserved byte), type 1, reserved, then 16 bytes, padded to 20.
    byte[] ahs = new byte[20];
    ahs[1] = 17;
    ahs[2] = 1;
    System.arraycopy(cdb32, 16, ahs, 4, 16);
    bhs[4] = 5; // TotalAHSLength in words
    Collected out = feedByteByByte(PLAIN, concat(bhs, ahs));
    assertThat(out.failures).isEmpty();
    assertThat(((ScsiCommandPdu) out.pdus.get(0)).cdb()).isEqualTo(cdb32);
  }

  @Test
  void ahsOnAPduThatCannotHaveOneIsAProtocolError() {
    byte[] bhs = PduCodec.encodeHeader(new LogoutRequest(false, 0, 3, 1, 9, 5));
    bhs[4] = 1;
    Collected out = feedByteByByte(PLAIN, concat(bhs, new byte[4]));
    assertThat(out.failures).singleElement().satisfies(f -> assertThat(f.rejectReason()).isEqualTo(Reject.PROTOCOL_ERROR));
  }

  @Test
  void managementPdusMustNotCarryData() {
    byte[] bhs = PduCodec.encodeHeader(new TaskManagementRequest(true, 1, 0, 1, 2, 3, 4, 5, 6));
    bhs[7] = 4; // DataSegmentLength 4
    Collected out = feedByteByByte(PLAIN, concat(bhs, new byte[4]));
    assertThat(out.pdus).isEmpty();
    assertThat(out.failures).singleElement().satisfies(f -> assertThat(f.fatal()).isFalse());
  }

  @Test
  void targetPdusEncodeTheirFields() {
    byte[] h = PduCodec.encodeHeader(
        new DataIn(true, false, true, true, 0, 0, 0x11, 5, 6, 7, 2, 1024, 512, ByteBuffer.allocate(10)));
    assertThat(h[0]).isEqualTo((byte) 0x25);
    assertThat(h[1] & 0xff).isEqualTo(0x80 | 0x02 | 0x01); // F, U, S
    assertThat(PduCodec.get24(h, 5)).isEqualTo(10);
    assertThat(PduCodec.get32(h, 16)).isEqualTo(0x11);
    assertThat(PduCodec.get32(h, 24)).isEqualTo(5); // StatSN
    assertThat(PduCodec.get32(h, 36)).isEqualTo(2); // DataSN
    assertThat(PduCodec.get32(h, 40)).isEqualTo(1024); // offset
    assertThat(PduCodec.get32(h, 44)).isEqualTo(512); // residual
  }

  @Test
  void crc32cMatchesTheRfcTestVector() {
    // RFC 3720 B.4: 32 bytes of zeros give aa36918a (sent least significant byte first).
    assertThat(Digests.crc32c(ByteBuffer.allocate(32))).isEqualTo(0x8a9136aa);
  }
}
