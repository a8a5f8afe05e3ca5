package io.strata.engine.iscsi.defence;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.iscsi.initiator.InitiatorSession;
import io.strata.engine.iscsi.login.AuthFailureThrottle;
import io.strata.engine.iscsi.pdu.LoginRequest;
import io.strata.engine.iscsi.pdu.NopOut;
import io.strata.engine.iscsi.pdu.PduCodec;
import io.strata.engine.transport.ConnectionLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing the login phase of a real engine on 127.0.0.1 (CHAP required): each case opens a
 * connection and sends random login text, Login Requests with random stages and flags, cut
 * PDUs, PDUs other than Login, or random bytes, then stops sending. The engine must answer only
 * with Login Responses, close the connection after a refusal, and close it once the initiator
 * stops; every {@value #CHECK_EVERY} cases (and at the end) a real initiator still logs in and
 * writes and reads, no connection is left counted and the engine's thread count stays bounded.
 */
class LoginFuzzTest {
  static final int TRIES = 3000;
  static final int CHECK_EVERY = 100;
  static final String[] KEYS = {"InitiatorName", "TargetName", "SessionType", "AuthMethod",
      "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R", "HeaderDigest", "DataDigest",
      "MaxRecvDataSegmentLength", "MaxBurstLength", "FirstBurstLength", "MaxConnections",
      "MaxOutstandingR2T", "DefaultTime2Wait", "DefaultTime2Retain", "ErrorRecoveryLevel",
      "InitialR2T", "ImmediateData", "DataPDUInOrder", "SendTargets", "TargetAlias",
      "RDMAExtensions", "X-com.example.fuzz"};

  private static DefendedTarget target;
  private static int baselineThreads;
  private static final AtomicInteger cases = new AtomicInteger();

  @BeforeContainer
  static void start() throws Exception {
    // Failures answered within milliseconds: the fuzzer fails CHAP all the time.
    target = new DefendedTarget(true, ConnectionLimits.defaults(), new AuthFailureThrottle.Policy(
        Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofSeconds(1)));
    normalLoginWritesAndReads();
    baselineThreads = Thread.activeCount();
  }

  @AfterContainer
  static void stop() throws Exception {
    try {
      engineStillServes();
    } finally {
      target.close();
    }
  }

  @Property(tries = TRIES)
  void whateverTheInitiatorSendsDuringLoginTheEngineAnswersOrClosesAndKeepsServing(
      @ForAll("exchanges") List<byte[]> pieces) throws Exception {
    try (RawIscsi c = RawIscsi.connect(target.port, null)) {
      for (byte[] piece : pieces) {
        try {
          c.send(piece);
        } catch (IOException closedAlready) {
          break;
        }
      }
      c.shutdownOutput();
      boolean refused = false;
      int answers = 0;
      for (; ; answers++) {
        RawIscsi.Answer a;
        try {
          a = c.read();
        } catch (SocketTimeoutException e) {
          throw new AssertionError("the engine neither answered nor closed in 10 s", e);
        }
        if (a == null) {
          break;
        }
        assertThat(refused).as("a PDU after a login refusal").isFalse();
        assertThat(a.opcode()).as("only Login Responses during login").isEqualTo(0x23);
        refused = a.status() != 0;
        assertThat(answers).isLessThan(pieces.size() + 1);
      }
      Statistics.label("outcome").collect(refused ? "login refused, then closed"
          : answers > 0 ? "answered, closed when the initiator stopped" : "closed without an answer");
      Statistics.label("answers").collect(Math.min(answers, 3));
    }
    if (cases.incrementAndGet() % CHECK_EVERY == 0) {
      engineStillServes();
    }
  }

  /** A right login writes and reads; no connection is left open; threads do not pile up. */
  private static void engineStillServes() throws Exception {
    normalLoginWritesAndReads();
    for (int i = 0; i < 500 && target.tcp.limits().open() != 0; i++) {
      Thread.sleep(10);
    }
    assertThat(target.tcp.limits().open()).as("connections still counted").isZero();
    assertThat(Thread.activeCount()).as("threads").isLessThanOrEqualTo(baselineThreads + 16);
  }

  private static void normalLoginWritesAndReads() throws IOException {
    byte[] block = new byte[512];
    Arrays.fill(block, (byte) cases.get());
    try (InitiatorSession s = InitiatorSession.open(
        target.config("iqn.2026-12.org.example:checker", DefendedTarget.CHAP), 9)) {
      assertThat(s.execute(rw(0x8a, 7), null, ByteBuffer.wrap(block)).status()).isZero();
      ByteBuffer back = ByteBuffer.allocate(512);
      assertThat(s.execute(rw(0x88, 7), back, null).status()).isZero();
      assertThat(back.array()).isEqualTo(block);
    }
  }

  /** WRITE(16) or READ(16) of one block at {@code lba}. */
  private static byte[] rw(int opcode, long lba) {
    ByteBuffer cdb = ByteBuffer.allocate(16);
    cdb.put(0, (byte) opcode).putLong(2, lba).putInt(10, 1);
    return cdb.array();
  }

  // ------------------------------------------------------------------ generators

  @Provide
  Arbitrary<List<byte[]>> exchanges() {
    Arbitrary<byte[]> piece = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, loginRequest()),
        net.jqwik.api.Tuple.of(1, loginRequest().flatMap(LoginFuzzTest::cut)),
        net.jqwik.api.Tuple.of(1, loginRequest().flatMap(LoginFuzzTest::flipped)),
        net.jqwik.api.Tuple.of(1, otherPdu()),
        net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(200)));
    // Half the cases start with a proper first request, so the fuzzing reaches CHAP and beyond.
    Arbitrary<byte[]> start = Arbitraries.of(RawIscsi.loginBytes(0, false, 0, java.util.Map.of(
        "InitiatorName", "iqn.2026-12.org.example:fuzz", "SessionType", "Normal",
        "TargetName", DefendedTarget.TARGET, "AuthMethod", "CHAP"), 0), new byte[0]);
    return Combinators.combine(start, piece.list().ofMinSize(1).ofMaxSize(5)).as((first, rest) -> {
      List<byte[]> all = new java.util.ArrayList<>();
      if (first.length > 0) {
        all.add(first);
      }
      all.addAll(rest);
      return all;
    });
  }

  private static Arbitrary<byte[]> loginRequest() {
    Arbitrary<Integer> stage = Arbitraries.of(0, 1, 2, 3);
    return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false), stage,
        stage, Arbitraries.of(0, 0, 0, 1, 0xff), text(), Arbitraries.of(0, 0, 0, 1, 0xffff))
        .as((transit, continues, csg, nsg, version, text, tsih) -> PduCodec.encodeToBytes(
            new LoginRequest(transit, continues, csg, nsg, version, version, RawIscsi.ISID, tsih,
                1, 0, 1, 0, ByteBuffer.wrap(text)), false, false));
  }

  /** Login text: mostly key=value pairs of real keys, with values in and out of range. */
  private static Arbitrary<byte[]> text() {
    Arbitrary<String> key = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.of(KEYS)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(80)));
    Arbitrary<String> value = Arbitraries.oneOf(
        Arbitraries.of("None", "CHAP", "Yes", "No", "CRC32C", "CRC32C,None", "Normal",
            "Discovery", "5", "7", "0x00", "", DefendedTarget.TARGET, "iqn.2026-12.org.example:x",
            "0x" + "ab".repeat(16), "16777216", "511", "512", "65536", "All"),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.strings().ofMaxLength(60),
        Arbitraries.strings().withChars("\n\r\u001b\u0000=;,").ofMaxLength(10));
    Arbitrary<String> pair = Combinators.combine(key, value, Arbitraries.of("=", "=", "=", ""))
        .as((k, v, eq) -> k + eq + v);
    return pair.list().ofMaxSize(8).map(pairs -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (String p : pairs) {
        out.writeBytes(p.getBytes(StandardCharsets.UTF_8));
        out.write(0);
      }
      return out.toByteArray();
    });
  }

  private static Arbitrary<byte[]> cut(byte[] pdu) {
    return Arbitraries.integers().between(1, pdu.length).map(n -> Arrays.copyOf(pdu, n));
  }

  private static Arbitrary<byte[]> flipped(byte[] pdu) {
    return Arbitraries.integers().between(0, pdu.length - 1).list().ofMinSize(1).ofMaxSize(4)
        .map(at -> {
          byte[] out = pdu.clone();
          for (int i : at) {
            out[i] ^= (byte) (0x5a + i);
          }
          return out;
        });
  }

  /** A PDU that has no place in the login phase. */
  private static Arbitrary<byte[]> otherPdu() {
    return Arbitraries.integers().between(0, 600).map(length -> PduCodec.encodeToBytes(
        new NopOut(true, 0, 1, 0xffffffff, 1, 0, ByteBuffer.wrap(new byte[length])), false, false));
  }

}
