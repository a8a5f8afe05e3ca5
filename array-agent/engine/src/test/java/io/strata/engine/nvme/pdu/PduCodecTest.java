package io.strata.engine.nvme.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PduCodecTest {
  private static final Framing DIGESTS = new Framing(true, true, 1 << 20, 4);
  private static final Framing PLAIN = new Framing(false, false, 1 << 20, 4);

  private record Decoded(List<Pdu> pdus, List<ProtocolError> errors) {}

  private static Decoded decode(PduReader reader, ByteBuffer bytes, int chunk) {
    List<Pdu> pdus = new ArrayList<>();
    List<ProtocolError> errors = new ArrayList<>();
    PduReader.Sink sink = new PduReader.Sink() {
      @Override
      public void pdu(Pdu pdu) {
        pdus.add(pdu);
      }

      @Override
      public void error(ProtocolError error) {
        errors.add(error);
      }
    };
    while (bytes.hasRemaining()) {
      int n = Math.min(chunk, bytes.remaining());
      reader.feed(bytes.slice(bytes.position(), n), sink);
      bytes.position(bytes.position() + n);
    }
    return new Decoded(pdus, errors);
  }

  private static PduReader controller(Framing f) {
    PduReader r = PduReader.forController();
    r.framing(f);
    return r;
  }

  private static ByteBuffer data(int n) {
    ByteBuffer b = ByteBuffer.allocate(n);
    for (int i = 0; i < n; i++) {
      b.put(i, (byte) (i * 7 + 3));
    }
    return b;
  }

  @Test
  void aCommandCapsuleWithInCapsuleDataAndBothDigestsComesBackAsSent() {
    byte[] sqe = new byte[64];
    sqe[0] = 0x01;
    sqe[2] = 0x2A;
    Pdu sent = Pdus.capsuleCommand(sqe, data(4096));
    ByteBuffer wire = PduWriter.encode(sent, DIGESTS);
    // 72 header + 4 header digest, data at PDO 76, 4 data digest
    assertThat(wire.remaining()).isEqualTo(72 + 4 + 4096 + 4);
    assertThat(wire.get(1) & 0x3).isEqualTo(Pdu.FLAG_HDGST | Pdu.FLAG_DDGST);
    assertThat(wire.get(3) & 0xff).isEqualTo(76);

    Decoded d = decode(controller(DIGESTS), wire, 13);
    assertThat(d.errors()).isEmpty();
    assertThat(d.pdus()).hasSize(1);
    assertThat(Pdus.sqe(d.pdus().get(0))).isEqualTo(sqe);
    assertThat(d.pdus().get(0).data()).isEqualTo(data(4096));
  }

  @Test
  void dataIsPlacedAtThePeersAlignment() {
    Framing aligned = new Framing(true, false, 1 << 20, 32); // HPDA 7
    ByteBuffer wire = PduWriter.encode(Pdus.c2hData(5, 0, data(100), true), aligned);
    assertThat(wire.get(3) & 0xff).isEqualTo(32); // 24 + 4 rounded up to 32
    PduReader host = PduReader.forHost();
    host.framing(aligned);
    Decoded d = decode(host, wire, 7);
    assertThat(d.pdus()).singleElement().satisfies(p -> {
      assertThat(Pdus.commandId(p)).isEqualTo(5);
      assertThat(p.hasFlag(Pdu.FLAG_LAST_PDU)).isTrue();
      assertThat(p.data()).isEqualTo(data(100));
    });
  }

  @Test
  void aCorruptedHeaderDigestIsAHeaderDigestError() {
    ByteBuffer wire = PduWriter.encode(Pdus.h2cData(1, 2, 0, data(512), true), DIGESTS);
    wire.put(10, (byte) 9); // TTAG changed after the digest was computed
    Decoded d = decode(controller(DIGESTS), wire, 4096);
    assertThat(d.pdus()).isEmpty();
    assertThat(d.errors()).singleElement()
        .satisfies(e -> assertThat(e.status()).isEqualTo(ProtocolError.HEADER_DIGEST_ERROR));
  }

  @Test
  void aCorruptedDataDigestIsRefused() {
    ByteBuffer wire = PduWriter.encode(Pdus.h2cData(1, 2, 0, data(512), true), DIGESTS);
    wire.put(24 + 4 + 100, (byte) 0x55);
    Decoded d = decode(controller(DIGESTS), wire, 4096);
    assertThat(d.pdus()).isEmpty();
    assertThat(d.errors()).singleElement().satisfies(e -> assertThat(e.why()).contains("data digest"));
  }

  @Test
  void aHeaderLengthOtherThanTheTypesIsRefusedAtItsField() {
    ByteBuffer wire = PduWriter.encode(Pdus.capsuleCommand(new byte[64], null), DIGESTS);
    wire.put(2, (byte) 76); // HLEN counting the digest, as CVE-2023-5178's reproducer sends
    Decoded d = decode(controller(DIGESTS), wire, 4096);
    assertThat(d.errors()).singleElement().satisfies(e -> {
      assertThat(e.status()).isEqualTo(ProtocolError.INVALID_HEADER_FIELD);
      assertThat(e.fieldOffset()).isEqualTo(2);
    });
  }

  @Test
  void aPduLengthPastTheLimitIsRefusedBeforeAnythingIsBuffered() {
    ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    header.put(0, (byte) 0x04).put(2, (byte) 72).putInt(4, 0x7FFFFFF0);
    Decoded d = decode(controller(PLAIN), header, 8);
    assertThat(d.errors()).singleElement().satisfies(e -> {
      assertThat(e.status()).isEqualTo(ProtocolError.DATA_LIMIT_EXCEEDED);
      assertThat(e.fieldOffset()).isEqualTo(4);
    });
    header.putInt(4, 0xFFFFFFFF); // negative as an int
    assertThat(decode(controller(PLAIN), header.rewind(), 8).errors()).hasSize(1);
  }

  @Test
  void aPduLengthShorterThanItsHeaderIsRefused() {
    ByteBuffer wire = PduWriter.encode(Pdus.capsuleCommand(new byte[64], null), PLAIN);
    wire.putInt(4, 40);
    assertThat(decode(controller(PLAIN), wire, 100).errors()).singleElement()
        .satisfies(e -> assertThat(e.fieldOffset()).isEqualTo(4));
  }

  @Test
  void aDataLengthFieldThatDisagreesWithTheDataIsRefused() {
    ByteBuffer wire = PduWriter.encode(Pdus.h2cData(1, 2, 0, data(512), true), PLAIN);
    wire.order(ByteOrder.LITTLE_ENDIAN).putInt(16, 4096);
    assertThat(decode(controller(PLAIN), wire, 100).errors()).singleElement()
        .satisfies(e -> assertThat(e.fieldOffset()).isEqualTo(16));
  }

  @Test
  void aTypeTheControllerDoesNotReceiveIsRefusedAndNothingAfterItIsDecoded() {
    ByteBuffer two = ByteBuffer.allocate(200);
    two.put(PduWriter.encode(Pdus.r2t(1, 1, 0, 512), PLAIN));
    two.put(PduWriter.encode(Pdus.icReq(0, 0, 0), Framing.INITIAL));
    Decoded d = decode(controller(PLAIN), two.flip(), 200);
    assertThat(d.errors()).singleElement().satisfies(e -> assertThat(e.fieldOffset()).isZero());
    assertThat(d.pdus()).isEmpty();
  }

  @Test
  void digestFlagsMustMatchWhatWasAgreed() {
    ByteBuffer withDigest = PduWriter.encode(Pdus.capsuleCommand(new byte[64], null), DIGESTS);
    assertThat(decode(controller(PLAIN), withDigest, 100).errors()).singleElement()
        .satisfies(e -> assertThat(e.fieldOffset()).isEqualTo(1));
  }

  @Test
  void icReqAndIcRespCarryTheirParameters() {
    Pdu req = Pdus.icReq(3, Pdus.DIGEST_HEADER, 15);
    Decoded d = decode(PduReader.forController(), PduWriter.encode(req, Framing.INITIAL), 1);
    Pdu got = d.pdus().get(0);
    assertThat(Pdus.dataAlignment(got)).isEqualTo(3);
    assertThat(Pdus.digests(got)).isEqualTo(Pdus.DIGEST_HEADER);
    assertThat(Pdus.maxR2t(got)).isEqualTo(15);
    Pdu resp = Pdus.icResp(0, 3, 131072);
    Pdu back = decode(PduReader.forHost(), PduWriter.encode(resp, Framing.INITIAL), 128).pdus().get(0);
    assertThat(Pdus.maxH2cData(back)).isEqualTo(131072);
  }
}
