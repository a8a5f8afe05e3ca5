package io.strata.engine.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing the PDU decoder (the first code every byte from an initiator meets): random bytes,
 * valid PDUs with random bytes changed, cut or with their length fields rewritten, fed in random
 * chunk sizes with and without digests. It never throws, never hands on a data segment larger
 * than the receive limit, delivers nothing after a fatal failure, and decodes unchanged PDUs
 * exactly.
 */
class PduDecoderFuzzTest {

  /** One stream of bytes as an initiator might send it, and how the decoder is set up for it. */
  record Case(byte[] stream, int chunk, DecodeLimits limits, int validPdus, boolean mutated) {}

  @Property(tries = 5000)
  void anyStreamIsDecodedOrRefusedAndNeverBreaksTheDecoder(@ForAll("cases") Case c) {
    PduDecoder decoder = new PduDecoder(c.limits());
    List<Pdu> pdus = new ArrayList<>();
    List<DecodeFailure> failures = new ArrayList<>();
    boolean[] afterFatal = {false};
    PduDecoder.Sink sink = new PduDecoder.Sink() {
      @Override
      public void pdu(Pdu pdu) {
        assertThat(afterFatal[0]).as("a PDU after a fatal failure").isFalse();
        assertThat(pdu.data().remaining()).isLessThanOrEqualTo(c.limits().maxRecvDataSegmentLength());
        pdus.add(pdu);
      }

      @Override
      public void failure(DecodeFailure failure) {
        assertThat(afterFatal[0]).as("a failure after a fatal failure").isFalse();
        assertThat(failure.header()).hasSize(PduCodec.BHS_LENGTH);
        afterFatal[0] = failure.fatal();
        failures.add(failure);
      }
    };
    for (int at = 0; at < c.stream().length; at += c.chunk()) {
      decoder.feed(ByteBuffer.wrap(c.stream(), at, Math.min(c.chunk(), c.stream().length - at)), sink);
    }
    if (afterFatal[0]) {
      assertThat(decoder.state()).isEqualTo(PduDecoder.State.BROKEN);
    }
    if (!c.mutated()) {
      assertThat(failures).isEmpty();
      assertThat(pdus).hasSize(c.validPdus());
    }
  }

  @Example
  void aDeclaredSegmentOverTheLimitIsRefusedBeforeAnyOfItIsBuffered() {
    byte[] bhs = PduCodec.encodeToBytes(nop(0, 0), false, false);
    bhs[5] = (byte) 0xff; // DataSegmentLength 16 MiB - 1
    bhs[6] = (byte) 0xff;
    bhs[7] = (byte) 0xff;
    PduDecoder decoder = new PduDecoder(DecodeLimits.LOGIN);
    List<DecodeFailure> failures = new ArrayList<>();
    decoder.feed(ByteBuffer.wrap(bhs), new PduDecoder.Sink() {
      @Override
      public void pdu(Pdu pdu) {
        throw new AssertionError("decoded " + pdu);
      }

      @Override
      public void failure(DecodeFailure failure) {
        failures.add(failure);
      }
    });
    assertThat(failures).singleElement().satisfies(f -> assertThat(f.fatal()).isTrue());
    assertThat(decoder.state()).isEqualTo(PduDecoder.State.BROKEN);
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<DecodeLimits> limits = Combinators.combine(
        Arbitraries.of(512, 8192, 65_536), Arbitraries.of(true, false), Arbitraries.of(true, false))
        .as(DecodeLimits::new);
    return limits.flatMap(l -> Arbitraries.oneOf(randomBytes(l), validStream(l, false),
        validStream(l, true)));
  }

  private static Arbitrary<Case> randomBytes(DecodeLimits limits) {
    return Combinators.combine(Arbitraries.bytes().array(byte[].class).ofMaxSize(600),
        Arbitraries.integers().between(1, 97))
        .as((bytes, chunk) -> new Case(bytes, chunk, limits, 0, true));
  }

  /** 1 to 4 valid PDUs (Login Requests and NOP-Outs), then maybe changed. */
  private static Arbitrary<Case> validStream(DecodeLimits limits, boolean mutate) {
    Arbitrary<Pdu> pdu = Combinators.combine(Arbitraries.of(true, false),
        Arbitraries.integers().between(0, Math.min(limits.maxRecvDataSegmentLength(), 1500)),
        Arbitraries.integers()).as((login, length, tag) -> login ? login(length, tag) : nop(length, tag));
    Arbitrary<List<Integer>> flips = Arbitraries.integers().between(0, 10_000).list().ofMinSize(1)
        .ofMaxSize(6);
    return Combinators.combine(pdu.list().ofMinSize(1).ofMaxSize(4), flips,
        Arbitraries.integers().between(1, 97), Arbitraries.integers().between(0, 3))
        .as((pdus, positions, chunk, how) -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          for (Pdu p : pdus) {
            out.writeBytes(PduCodec.encodeToBytes(p, limits.headerDigest(), limits.dataDigest()));
          }
          byte[] stream = out.toByteArray();
          if (mutate) {
            stream = mutate(stream, positions, how);
          }
          return new Case(stream, chunk, limits, pdus.size(), mutate);
        });
  }

  /** Flips bytes (0), rewrites length fields (1), cuts the stream (2), or all of it (3). */
  private static byte[] mutate(byte[] stream, List<Integer> positions, int how) {
    byte[] out = stream.clone();
    if (how == 0 || how == 3) {
      for (int p : positions) {
        out[p % out.length] ^= (byte) (1 + p % 255);
      }
    }
    if (how == 1 || how == 3) {
      int v = positions.get(0);
      out[4] = (byte) (v % 7); // TotalAHSLength
      out[5] = (byte) (v >> 3);
      out[6] = (byte) (v >> 7);
      out[7] = (byte) v;
    }
    if (how == 2 || how == 3) {
      out = java.util.Arrays.copyOf(out, positions.get(0) % out.length);
    }
    return out;
  }

  private static Pdu login(int length, int tag) {
    return new LoginRequest(true, false, 0, 1, 0, 0, 0x4000_0137_0001L, 0, tag, 0, 1, 0,
        ByteBuffer.wrap(new byte[length]));
  }

  private static Pdu nop(int length, int tag) {
    return new NopOut(true, 0, tag, 0xffffffff, 1, 0, ByteBuffer.wrap(new byte[length]));
  }
}
