package io.strata.engine.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The initiator's direction of the codec: every PDU a target sends, encoded by {@link PduCodec}
 * and framed back by {@link PduDecoder#forTargetPdus} one byte at a time, is the same record.
 */
class TargetPduDecodingTest {
  private static final DecodeLimits LIMITS = new DecodeLimits(65536, false, false);

  private static ByteBuffer text(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyTargetPduSurvivesTheRoundTrip() {
    List<Pdu> sent = List.of(
        new NopIn(5L << 48, -1, 77, 10, 20, 147, Pdu.NO_DATA),
        new ScsiResponsePdu(false, true, 0, 2, 9, 11, 21, 148, 0, 512, text("\0\u0012sense")),
        new TaskManagementResponse(0, 12, 12, 22, 149),
        new LoginResponse(true, false, 1, 3, 0, 0, 0x800000010001L, 7, 0, 1, 1, 128, 0, 0,
            text("MaxRecvDataSegmentLength=262144\0")),
        new TextResponse(true, false, 0, 13, -1, 13, 23, 150, text("TargetName=x\0")),
        new DataIn(true, false, false, true, 0, 0, 14, 14, 24, 151, 3, 8192, 0, text("abc")),
        new DataIn(false, false, false, false, 0, 0, 15, 0, 24, 151, 0, 0, 0, text("data")),
        new LogoutResponse(0, 16, 15, 25, 152, 2, 20),
        new ReadyToTransfer(0, 17, 99, 16, 26, 153, 1, 262144, 786432),
        new AsyncMessage(0, 17, 27, 154, AsyncMessage.LOGOUT_REQUESTED, 0, 2, 20),
        new Reject(Reject.PROTOCOL_ERROR, 18, 28, 155, 0, ByteBuffer.wrap(new byte[48])));
    PduDecoder decoder = PduDecoder.forTargetPdus(LIMITS);
    PduDecoderTest.Collected out = new PduDecoderTest.Collected();
    for (Pdu pdu : sent) {
      for (byte b : PduCodec.encodeToBytes(pdu, false, false)) {
        decoder.feed(ByteBuffer.wrap(new byte[] {b}), out);
      }
    }
    assertThat(out.failures).isEmpty();
    assertThat(out.pdus).hasSize(sent.size());
    for (int i = 0; i < sent.size(); i++) {
      assertThat(out.pdus.get(i)).as(sent.get(i).opcode().toString()).isEqualTo(sent.get(i));
    }
  }

  @Test
  void eachDirectionRefusesTheOthersPdus() {
    PduDecoderTest.Collected atInitiator = new PduDecoderTest.Collected();
    PduDecoder.forTargetPdus(LIMITS).feed(ByteBuffer.wrap(PduCodec.encodeToBytes(
        new NopOut(true, 0, 1, -1, 1, 1, Pdu.NO_DATA), false, false)), atInitiator);
    assertThat(atInitiator.pdus).isEmpty();
    assertThat(atInitiator.failures).singleElement()
        .satisfies(f -> assertThat(f.rejectReason()).isEqualTo(Reject.COMMAND_NOT_SUPPORTED));

    PduDecoderTest.Collected atTarget = new PduDecoderTest.Collected();
    new PduDecoder(LIMITS).feed(ByteBuffer.wrap(PduCodec.encodeToBytes(
        new NopIn(0, -1, 5, 1, 1, 1, Pdu.NO_DATA), false, false)), atTarget);
    assertThat(atTarget.pdus).isEmpty();
    assertThat(atTarget.failures).hasSize(1);
  }
}
