package io.strata.engine.nvme.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The reader against what a host may send: valid PDUs come back exactly, under any framing and
 * in any chunking; valid PDUs with bytes changed or cut decode or give one protocol error, never
 * an exception, and nothing after the error.
 */
class PduCodecPropertyTest {

  @Provide
  Arbitrary<Framing> framings() {
    return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false),
        Arbitraries.of(4, 8, 32, 128))
        .as((hd, dd, align) -> new Framing(hd, dd, 256 + 16384 + 8, align));
  }

  @Provide
  Arbitrary<Pdu> hostPdus() {
    Arbitrary<ByteBuffer> data = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(16384)
        .map(ByteBuffer::wrap);
    Arbitrary<ByteBuffer> someData = Arbitraries.bytes().array(byte[].class).ofMinSize(1)
        .ofMaxSize(16384).map(ByteBuffer::wrap);
    Arbitrary<byte[]> sqe = Arbitraries.bytes().array(byte[].class).ofSize(64);
    Arbitrary<Pdu> capsule = Combinators.combine(sqe, data).as(Pdus::capsuleCommand);
    Arbitrary<Pdu> h2c = Combinators.combine(Arbitraries.integers().between(0, 0xffff),
        Arbitraries.integers().between(0, 0xffff), Arbitraries.integers().between(0, 1 << 20),
        someData, Arbitraries.of(true, false)).as(Pdus::h2cData);
    return Arbitraries.oneOf(capsule, h2c);
  }

  private static List<Object> decode(Framing framing, ByteBuffer wire, int chunk) {
    PduReader reader = PduReader.forController();
    reader.framing(framing);
    List<Object> out = new ArrayList<>();
    PduReader.Sink sink = new PduReader.Sink() {
      @Override
      public void pdu(Pdu pdu) {
        assertThat(out).as("nothing after an error").noneMatch(o -> o instanceof ProtocolError);
        out.add(pdu);
      }

      @Override
      public void error(ProtocolError error) {
        assertThat(out).as("one error at most").noneMatch(o -> o instanceof ProtocolError);
        out.add(error);
      }
    };
    while (wire.hasRemaining()) {
      int n = Math.min(chunk, wire.remaining());
      reader.feed(wire.slice(wire.position(), n), sink);
      wire.position(wire.position() + n);
    }
    return out;
  }

  @Property(tries = 300)
  void validPdusRoundTrip(@ForAll("hostPdus") Pdu pdu, @ForAll("framings") Framing framing,
      @ForAll @IntRange(min = 1, max = 5000) int chunk) {
    ByteBuffer wire = ByteBuffer.allocate(3 * PduWriter.encodedLength(pdu, framing));
    for (int i = 0; i < 3; i++) {
      PduWriter.encode(pdu, framing, wire);
    }
    List<Object> out = decode(framing, wire.flip(), chunk);
    assertThat(out).hasSize(3).allSatisfy(o -> {
      Pdu got = (Pdu) o;
      assertThat(got.type()).isEqualTo(pdu.type());
      assertThat(got.header()).containsExactly(withWireFields(pdu, framing));
      assertThat(got.data()).isEqualTo(pdu.data());
    });
  }

  /** The header as sent: what the writer fills in (flags, PDO, PLEN) read back off the wire. */
  private static byte[] withWireFields(Pdu pdu, Framing framing) {
    ByteBuffer wire = PduWriter.encode(pdu, framing);
    byte[] h = new byte[pdu.header().length];
    wire.get(h);
    return h;
  }

  @Property(tries = 1000)
  void changedOrCutPdusNeverThrow(@ForAll("hostPdus") Pdu pdu, @ForAll("framings") Framing framing,
      @ForAll @IntRange(min = 0, max = 200) int position, @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 20000) int cutAt, @ForAll @IntRange(min = 1, max = 999) int chunk) {
    ByteBuffer wire = PduWriter.encode(pdu, framing);
    if (position < wire.remaining()) {
      wire.put(position, value);
    }
    wire.limit(Math.min(wire.limit(), Math.max(1, cutAt)));
    // A shortened PLEN can leave bytes that start another PDU: several results are possible,
    // but (checked in decode) nothing follows an error.
    List<Object> out = decode(framing, wire, chunk);
    for (Object o : out) {
      if (o instanceof Pdu p) {
        assertThat(p.dataLength()).isLessThanOrEqualTo(framing.maxPduLength());
      } else {
        assertThat(((ProtocolError) o).status()).isBetween(1, 6);
      }
    }
  }
}
